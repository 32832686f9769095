"""The delivery worker: signs and POSTs queued deliveries, retries with exponential backoff, logs every attempt.

At least once: a delivery is leased (claimed with `FOR UPDATE SKIP LOCKED`, its next attempt pushed past the
lease), sent, then marked. Concurrent workers never claim the same delivery while a lease holds; a worker that
dies between sending and marking leaves the lease to expire and the delivery is sent again with the same
`X-Webhook-Id`, which receivers use to de-duplicate. Time comes from the injected clock, waiting from the
injected sleep, so backoff is exact in tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from shared.clock import Clock
from shared.db import ConnectionSource, raw_connection
from shared.feed.webhooks.signing import signature
from shared.feed.webhooks.urls import public_addresses
from shared.http.platform import Platform
from shared.logging import get_logger
from shared.personal_data import PersonalDataVault

log = get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Jitter = Callable[[float], float]
USER_AGENT = "dwp-complaints-webhooks/1"
ERROR_MAX_CHARS = 500


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    """The wait after the first failed attempt; each further failure doubles it ..."""
    cap_seconds: float = 6 * 3600.0
    """... up to this."""
    max_attempts: int = 10
    """Then the delivery is marked failed."""
    timeout_seconds: float = 10.0
    """Per request: connect, write, read."""
    lease_seconds: float = 120.0
    """How long a claimed delivery is the claiming worker's; must exceed the timeout."""
    batch_size: int = 20
    """Deliveries claimed (and sent concurrently) at a time."""
    idle_seconds: float = 1.0
    """Between looks at the queue when nothing was due."""
    allow_private_addresses: bool = False
    """Deliver to hosts that resolve to loopback or private addresses: development and test only (their
    receivers run on this machine); otherwise such a delivery is refused, as a failed attempt (R64)."""

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1)))


@dataclass(frozen=True)
class Claimed:
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    attempt: int
    body: str
    url: str
    secret: dict[str, Any]
    lease_token: uuid.UUID


@dataclass(frozen=True)
class SendResult:
    status_code: int | None = None
    error: str | None = None
    cancel: bool = False
    """The subscription's secret is gone (deleted): stop, without retrying."""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


_FAIL_EXHAUSTED = """
UPDATE webhook_deliveries SET status = 'failed', finished_at = $1, lease_token = NULL
WHERE status = 'pending' AND attempts >= $2 AND next_attempt_at <= $1
"""

_CLAIM = """
WITH due AS (
    SELECT d.delivery_id FROM webhook_deliveries d
    JOIN webhook_subscriptions s ON s.subscription_id = d.subscription_id
    WHERE d.status = 'pending' AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $1)
      AND d.attempts < $2 AND s.deleted_at IS NULL AND ($4::uuid IS NULL OR d.subscription_id = $4)
    ORDER BY d.next_attempt_at NULLS FIRST, d.tx_id, d.position
    LIMIT $3
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $5, lease_token = $6
FROM due, webhook_subscriptions s
WHERE d.delivery_id = due.delivery_id AND s.subscription_id = d.subscription_id
RETURNING d.delivery_id, d.subscription_id, d.attempts, d.body, s.url, s.secret::text AS secret
"""

_LOG_ATTEMPTS = """
INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at)
SELECT u.delivery_id, u.attempt, $3::timestamptz FROM unnest($1::uuid[], $2::int[]) AS u(delivery_id, attempt)
ON CONFLICT (delivery_id, attempt) DO NOTHING
"""

_MARK = """
UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, finished_at = $5, lease_token = NULL
WHERE delivery_id = $1 AND lease_token = $2
"""

_LOG_RESULT = """
UPDATE webhook_attempts SET finished_at = $3, status_code = $4, error = $5, next_attempt_at = $6
WHERE delivery_id = $1 AND attempt = $2
"""


def signed_headers(claimed: Claimed, secret: str, now: datetime) -> dict[str, str]:
    timestamp = str(int(now.timestamp()))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Id": str(claimed.delivery_id),
        "X-Webhook-Timestamp": timestamp,
        "X-Webhook-Signature": signature(secret, timestamp, claimed.body.encode()),
    }


class DeliveryWorker:
    def __init__(
        self,
        db: ConnectionSource,
        vault: PersonalDataVault,
        http: httpx.AsyncClient,
        clock: Clock,
        policy: RetryPolicy | None = None,
        *,
        jitter: Jitter | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._db = db
        self._vault = vault
        self._http = http
        self._clock = clock
        self.policy = policy or RetryPolicy()
        self._jitter = jitter or (lambda seconds: seconds)
        self._sleep = sleep

    async def run(self) -> None:
        """Forever: deliver what is due, rest when nothing was."""
        while True:
            try:
                sent = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away, say: try again after a rest
                log.warning("webhooks.worker_error", error=repr(exc))
                sent = 0
            if sent == 0:
                await self._sleep(self.policy.idle_seconds)

    async def run_once(self, subscription_id: uuid.UUID | None = None) -> int:
        """Claim what is due (of one subscription, if given), send it concurrently, mark it. Returns how many."""
        await self.fail_exhausted()
        claimed = await self.claim(subscription_id)
        await asyncio.gather(*(self.deliver(c) for c in claimed))
        return len(claimed)

    async def deliver(self, claimed: Claimed) -> SendResult:
        result = await self.send(claimed)
        await self.record(claimed, result)
        return result

    async def fail_exhausted(self) -> None:
        """Deliveries whose last allowed attempt's lease ran out with no result (the worker died) have failed."""
        async with raw_connection(self._db) as conn:
            await conn.execute(_FAIL_EXHAUSTED, self._clock.now(), self.policy.max_attempts)

    async def claim(self, subscription_id: uuid.UUID | None = None) -> list[Claimed]:
        now = self._clock.now()
        lease_until = now + timedelta(seconds=self.policy.lease_seconds)
        token = uuid.uuid4()
        async with raw_connection(self._db) as conn, conn.transaction():
            rows = await conn.fetch(
                _CLAIM, now, self.policy.max_attempts, self.policy.batch_size, subscription_id, lease_until, token
            )
            await conn.execute(_LOG_ATTEMPTS, [r["delivery_id"] for r in rows], [r["attempts"] for r in rows], now)
        return [_claimed(r, token) for r in rows]

    async def send(self, claimed: Claimed) -> SendResult:
        secret = await self._secret(claimed)
        if secret is None:
            return SendResult(error="the subscription's signing secret is gone (deleted)", cancel=True)
        if not self.policy.allow_private_addresses and (refused := await public_addresses(claimed.url)) is not None:
            return SendResult(error=refused[:ERROR_MAX_CHARS])
        headers = signed_headers(claimed, secret, self._clock.now())
        try:
            request = self._http.stream(
                "POST", claimed.url, content=claimed.body.encode(), headers=headers, timeout=self.policy.timeout_seconds
            )
            async with request as response:
                return SendResult(status_code=response.status_code)
        except httpx.TimeoutException:
            return SendResult(error=f"timed out after {self.policy.timeout_seconds:g}s")
        except httpx.HTTPError as exc:
            return SendResult(error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS])

    async def record(self, claimed: Claimed, result: SendResult) -> None:
        now = self._clock.now()
        status, next_at = self._outcome(claimed, result, now)
        finished = None if status == "pending" else now
        async with raw_connection(self._db) as conn, conn.transaction():
            # A worker whose lease ran out (and was claimed again) logs its attempt but leaves the delivery be.
            await conn.execute(_MARK, claimed.delivery_id, claimed.lease_token, status, next_at, finished)
            await conn.execute(
                _LOG_RESULT, claimed.delivery_id, claimed.attempt, now, result.status_code, result.error, next_at
            )
        log.info(
            "webhooks.attempt",
            delivery_id=str(claimed.delivery_id),
            attempt=claimed.attempt,
            status_code=result.status_code,
            error=result.error,
            outcome=status,
        )

    def _outcome(self, claimed: Claimed, result: SendResult, now: datetime) -> tuple[str, datetime | None]:
        if result.delivered:
            return "delivered", None
        if result.cancel:
            return "cancelled", None
        if claimed.attempt >= self.policy.max_attempts:
            return "failed", None
        wait = self._jitter(self.policy.backoff(claimed.attempt))
        return "pending", now + timedelta(seconds=wait)

    async def _secret(self, claimed: Claimed) -> str | None:
        revealed = await self._vault.reveal({"secret": claimed.secret})
        secret = revealed.get("secret") if isinstance(revealed, dict) else None
        return secret if isinstance(secret, str) and secret.startswith("whsec_") else None


def _claimed(row: Any, token: uuid.UUID) -> Claimed:
    return Claimed(
        delivery_id=row["delivery_id"],
        subscription_id=row["subscription_id"],
        attempt=row["attempts"],
        body=row["body"],
        url=row["url"],
        secret=json.loads(row["secret"]),
        lease_token=token,
    )


def webhook_worker(
    policy: RetryPolicy | None = None, *, workers: int = 1
) -> Callable[[Platform], Coroutine[Any, Any, None]]:
    """For `ServiceSpec.background`: `workers` delivery loops on the platform's pool, clock and vault."""

    async def run(platform: Platform) -> None:
        async with httpx.AsyncClient(follow_redirects=False) as http:
            worker = DeliveryWorker(platform.pool, platform.vault, http, platform.clock, policy)
            loops: Sequence[asyncio.Task[None]] = [asyncio.create_task(worker.run()) for _ in range(workers)]
            try:
                await asyncio.gather(*loops)
            finally:
                for loop in loops:
                    loop.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.gather(*loops, return_exceptions=True)

    return run
