"""Stored responses for `Idempotency-Key` (R63).

A key is scoped to the calling principal. The first request with a key claims it, runs, and stores
its response; a retry with the same key and the same request gets that response again; the same
key with a different request is refused (422). The claim, what the request writes and the stored
response commit in one transaction (`shared.db.unit_of_work`): a concurrent retry waits on the
claim's row and then replays, and a request that fails or dies leaves nothing behind, so its retry
runs afresh. Command handlers also derive event ids from the key, so no run can append the same
events twice. (The lease covers claims committed on their own, as before that transaction.)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from shared.db import ConnectionSource, raw_connection

KEY_NAMESPACE = uuid.UUID("6f1c0f4e-6a55-4e0e-9a53-1c3f0c9b7d21")


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claim:
    outcome: Literal["run", "replay", "mismatch", "in_progress"]
    stored: StoredResponse | None = None


def request_fingerprint(secret: bytes, method: str, path: str, query: str, body: bytes) -> str:
    """Keyed, so a stored fingerprint reveals nothing about a body holding personal data."""
    mac = hmac.new(secret, digestmod=hashlib.sha256)
    for part in (method.encode(), path.encode(), query.encode(), body):
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return mac.hexdigest()


def event_id_for(scope: str, key: str, fingerprint: str, stream_id: str, index: int) -> uuid.UUID:
    """The event id a keyed request gives its n-th event: the same on every retry of that request.

    The request's fingerprint is part of it, so a key reused (after its stored response expired)
    for a different request can never pass for a retry of the first one.
    """
    return uuid.uuid5(KEY_NAMESPACE, f"{scope}\x1f{key}\x1f{fingerprint}\x1f{stream_id}\x1f{index}")


class IdempotencyStore:
    def __init__(self, db: ConnectionSource, ttl: timedelta, lease: timedelta) -> None:
        self._engine = db
        self._ttl = ttl
        self._lease = lease

    async def claim(self, scope: str, key: str, fingerprint: str, now: datetime) -> Claim:
        async with raw_connection(self._engine) as conn:
            for _ in range(3):
                inserted = await conn.fetchval(
                    """INSERT INTO idempotency_keys (scope, key, request_hash, locked_until, created_at, expires_at)
                       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING RETURNING 1""",
                    scope,
                    key,
                    fingerprint,
                    now + self._lease,
                    now,
                    now + self._ttl,
                )
                if inserted:
                    return Claim("run")
                row = await conn.fetchrow(
                    """SELECT request_hash, status_code, headers::text AS headers, body, locked_until, expires_at
                       FROM idempotency_keys WHERE scope = $1 AND key = $2""",
                    scope,
                    key,
                )
                if row is None:
                    continue
                if row["expires_at"] <= now:
                    await conn.execute(
                        "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at <= $3",
                        scope,
                        key,
                        now,
                    )
                    continue
                if not hmac.compare_digest(row["request_hash"], fingerprint):
                    return Claim("mismatch")
                if row["status_code"] is not None:
                    stored = StoredResponse(row["status_code"], json.loads(row["headers"]), bytes(row["body"]))
                    return Claim("replay", stored)
                if row["locked_until"] > now:
                    return Claim("in_progress")
                taken = await conn.execute(
                    """UPDATE idempotency_keys SET locked_until = $4
                       WHERE scope = $1 AND key = $2 AND status_code IS NULL AND locked_until = $3""",
                    scope,
                    key,
                    row["locked_until"],
                    now + self._lease,
                )
                if taken == "UPDATE 1":
                    return Claim("run")
            return Claim("in_progress")

    async def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        async with raw_connection(self._engine) as conn:
            await conn.execute(
                """UPDATE idempotency_keys SET status_code = $3, headers = $4::jsonb, body = $5, locked_until = NULL
                   WHERE scope = $1 AND key = $2""",
                scope,
                key,
                response.status_code,
                json.dumps(response.headers),
                response.body,
            )

    async def purge_expired(self, now: datetime) -> int:
        async with raw_connection(self._engine) as conn:
            status: str = await conn.execute("DELETE FROM idempotency_keys WHERE expires_at <= $1", now)
        return int(status.split()[-1])


def stored_headers(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    keep = {b"content-type", b"location", b"etag"}
    return {k.decode(): v.decode() for k, v in headers if k.lower() in keep}
