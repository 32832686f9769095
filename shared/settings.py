"""Settings shared by every service, read from the environment by pydantic-settings.

Nothing here connects to anything; `get_settings()` is cached so one process reads the
environment once, and tests build their own `Settings(...)` and pass them in.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Development-only defaults. `Settings` refuses them outside development and test.
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789abcdef"
DEV_MASTER_KEY = base64.b64encode(b"dev-only-master-key-32-bytes!!!!").decode()

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    app_env: Environment = Field("development", alias="APP_ENV")
    service_name: str = Field("complaints", alias="SERVICE_NAME")

    # With DATABASE_URL unset, an embedded PostgreSQL is started under `embedded_pgdata`.
    database_url: str | None = Field(None, alias="DATABASE_URL")
    embedded_pgdata: Path = Field(PROJECT_ROOT / ".pgdata", alias="EMBEDDED_PGDATA")
    embedded_database: str = Field("complaints", alias="EMBEDDED_DATABASE")
    db_pool_size: int = Field(10, alias="DB_POOL_SIZE", ge=1)
    db_max_overflow: int = Field(10, alias="DB_MAX_OVERFLOW", ge=0)

    # Bearer tokens: HS256 with a shared secret (development) and/or RS256 against a JWKS.
    jwt_hs256_secret: str | None = Field(DEV_JWT_SECRET, alias="JWT_HS256_SECRET")
    jwt_jwks_url: str | None = Field(None, alias="JWT_JWKS_URL")
    jwt_jwks_file: Path | None = Field(None, alias="JWT_JWKS_FILE")
    jwt_issuer: str = Field("dwp-complaints", alias="JWT_ISSUER")
    jwt_audience: str = Field("dwp-complaints", alias="JWT_AUDIENCE")

    # Personal data (R62): AES-256 master key wrapping every data subject's key, base64.
    personal_data_master_key: str = Field(DEV_MASTER_KEY, alias="PERSONAL_DATA_MASTER_KEY")

    max_body_bytes: int = Field(1_048_576, alias="MAX_BODY_BYTES", ge=1024)
    idempotency_ttl_hours: int = Field(24, alias="IDEMPOTENCY_TTL_HOURS", ge=1)
    idempotency_lease_seconds: int = Field(30, alias="IDEMPOTENCY_LEASE_SECONDS", ge=1)

    # False: this process serves HTTP only (a web replica); a worker process of the same service, with
    # it true, leads the subscriptions and runs the background jobs out of the requests' way.
    background_work: bool = Field(True, alias="BACKGROUND_WORK")
    subscription_poll_seconds: float = Field(1.0, alias="SUBSCRIPTION_POLL_SECONDS", gt=0)
    subscription_leader_retry_seconds: float = Field(1.0, alias="SUBSCRIPTION_LEADER_RETRY_SECONDS", gt=0)
    subscription_batch_size: int = Field(500, alias="SUBSCRIPTION_BATCH_SIZE", ge=1)
    subscription_min_batch_interval_seconds: float = Field(
        0.025, alias="SUBSCRIPTION_MIN_BATCH_INTERVAL_SECONDS", ge=0, le=1
    )

    due_soon_working_days: int = Field(2, alias="DUE_SOON_WORKING_DAYS", ge=0)
    bank_holiday_overrides_file: Path = Field(
        PROJECT_ROOT / "shared" / "bank_holiday_overrides.toml", alias="BANK_HOLIDAY_OVERRIDES_FILE"
    )
    deadline_watch_seconds: float = Field(60.0, alias="DEADLINE_WATCH_SECONDS", gt=0)

    # Evidence content (R33, R37): files under `blob_store_path`, or an S3 bucket (credentials from
    # the AWS chain, never from here). S3 parts are at least 5 MiB, S3's smallest.
    blob_store: Literal["local", "s3"] = Field("local", alias="BLOB_STORE")
    blob_store_path: Path = Field(PROJECT_ROOT / ".blobs", alias="BLOB_STORE_PATH")
    s3_endpoint_url: str | None = Field(None, alias="S3_ENDPOINT_URL")
    s3_bucket: str | None = Field(None, alias="S3_BUCKET")
    s3_region: str = Field("eu-west-2", alias="S3_REGION")
    s3_part_bytes: int = Field(8 * 1024 * 1024, alias="S3_PART_BYTES", ge=5 * 1024 * 1024)
    evidence_max_bytes: int = Field(100 * 1024 * 1024, alias="EVIDENCE_MAX_BYTES", ge=1)

    # ICE's own published standards (R40; GOV.UK, not in the guidance, so configurable): weeks from acceptance
    # (resolve) and from allocation to an investigator (settle, report). The ICE gateway and escalation show them.
    ice_resolve_weeks: int = Field(8, alias="ICE_STANDARD_RESOLVE_WEEKS", ge=1)
    ice_settle_weeks: int = Field(15, alias="ICE_STANDARD_SETTLE_WEEKS", ge=1)
    ice_report_weeks: int = Field(20, alias="ICE_STANDARD_REPORT_WEEKS", ge=1)

    # End-to-end tests only: "now" read from this file (shared/clock.py FileClock). Refused outside APP_ENV=test.
    test_clock_file: Path | None = Field(None, alias="TEST_CLOCK_FILE")

    log_level: str = Field("INFO", alias="LOG_LEVEL")
    log_json: bool = Field(True, alias="LOG_JSON")

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Settings:
        if self.app_env == "production":
            if self.jwt_hs256_secret == DEV_JWT_SECRET:
                raise ValueError("JWT_HS256_SECRET: the development secret is refused in production")
            if self.personal_data_master_key == DEV_MASTER_KEY:
                raise ValueError("PERSONAL_DATA_MASTER_KEY: the development key is refused in production")
            if self.database_url is None:
                raise ValueError("DATABASE_URL: required in production (no embedded PostgreSQL)")
        if len(base64.b64decode(self.personal_data_master_key)) != 32:
            raise ValueError("PERSONAL_DATA_MASTER_KEY: must be 32 bytes, base64-encoded")
        return self

    @model_validator(mode="after")
    def _test_clock_only_in_test(self) -> Settings:
        if self.test_clock_file is not None and self.app_env != "test":
            raise ValueError(
                f"TEST_CLOCK_FILE: a controllable clock is honoured only in APP_ENV=test, not {self.app_env}"
            )
        return self

    @model_validator(mode="after")
    def _require_a_bucket_for_s3(self) -> Settings:
        if self.blob_store == "s3" and not self.s3_bucket:
            raise ValueError("S3_BUCKET: required when BLOB_STORE is s3")
        return self

    @property
    def master_key_bytes(self) -> bytes:
        return base64.b64decode(self.personal_data_master_key)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
