"""Intake's settings: the shared ones, with this service's name and its webhook delivery."""

from __future__ import annotations

from pydantic import Field

from shared.feed.webhooks.delivery import RetryPolicy
from shared.settings import Settings


class IntakeSettings(Settings):
    service_name: str = Field("intake", alias="SERVICE_NAME")

    # Webhook deliveries (issue 7): concurrent delivery loops per instance (0: this instance sends none), and
    # the retry policy: the first retry after the base, doubling up to the cap, failed after the last attempt.
    webhook_workers: int = Field(1, alias="WEBHOOK_WORKERS", ge=0)
    webhook_retry_base_seconds: float = Field(30.0, alias="WEBHOOK_RETRY_BASE_SECONDS", gt=0)
    webhook_retry_cap_seconds: float = Field(6 * 3600.0, alias="WEBHOOK_RETRY_CAP_SECONDS", gt=0)
    webhook_max_attempts: int = Field(10, alias="WEBHOOK_MAX_ATTEMPTS", ge=1)
    webhook_timeout_seconds: float = Field(10.0, alias="WEBHOOK_TIMEOUT_SECONDS", gt=0)

    @property
    def webhook_retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            base_seconds=self.webhook_retry_base_seconds,
            cap_seconds=self.webhook_retry_cap_seconds,
            max_attempts=self.webhook_max_attempts,
            timeout_seconds=self.webhook_timeout_seconds,
            lease_seconds=max(120.0, self.webhook_timeout_seconds * 4),
            allow_private_addresses=self.app_env in ("development", "test"),
        )
