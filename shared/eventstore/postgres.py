"""The PostgreSQL event store.

One table, `events`. Appends are one statement: the expected-version check, the version numbers
and the insert happen together, and `UNIQUE(stream_id, version)` turns a race into a
`ConcurrencyError`. Each row records the id of the transaction that wrote it; readers of the
global log only read below the oldest transaction still running (`pg_snapshot_xmin`), ordered by
(transaction id, position), so an event that commits late is never skipped and writers are never
serialised through commit.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from shared.clock import Clock, SystemClock
from shared.db import ConnectionSource, after_commit, own_connection, raw_connection
from shared.errors import ConcurrencyError, DuplicateEventIdError
from shared.eventstore.model import (
    AppendResult,
    EventMetadata,
    LogPosition,
    NewEvent,
    RecordedEvent,
    UpcasterRegistry,
)

NOTIFY_CHANNEL = "complaint_events"
NOTIFY_MIN_INTERVAL_SECONDS = 0.01

_APPEND = """
WITH current AS (
    SELECT coalesce(max(version), 0) AS v FROM events WHERE stream_id = $1
)
INSERT INTO events (event_id, stream_id, stream_type, version, event_type, schema_version,
                    data, metadata, recorded_at)
SELECT e.event_id, $1, $2, current.v + e.ord, e.event_type, e.schema_version,
       e.data::jsonb, e.metadata::jsonb, $8
FROM current,
     unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[])
         WITH ORDINALITY AS e(event_id, event_type, schema_version, data, metadata, ord)
WHERE $9::int IS NULL OR current.v = $9::int
RETURNING version, tx_id, position
"""

# The same statement for the common case of one event: scalar parameters, no arrays to unnest
# (measured about a fifth cheaper per append than `_APPEND` with one element). A refused row (a lost
# race, an exact retry) returns nothing instead of raising: inside a request's transaction an error
# would abort it. (`_APPEND` cannot do the same: with several rows, DO NOTHING could skip one and
# insert the next; it runs in a savepoint instead.)
_APPEND_ONE = """
INSERT INTO events (event_id, stream_id, stream_type, version, event_type, schema_version,
                    data, metadata, recorded_at)
SELECT $3, $1, $2, current.v + 1, $4, $5, $6::jsonb, $7::jsonb, $8
FROM (SELECT coalesce(max(version), 0) AS v FROM events WHERE stream_id = $1) AS current
WHERE $9::int IS NULL OR current.v = $9::int
ON CONFLICT DO NOTHING
RETURNING version, tx_id, position
"""

_COLUMNS = """event_id, stream_id, stream_type, version, event_type, schema_version,
              data::text AS data, metadata::text AS metadata, recorded_at, tx_id, position"""

_READ_STREAM = f"""
SELECT {_COLUMNS} FROM events
WHERE stream_id = $1 AND version >= $2 AND ($3::timestamptz IS NULL OR recorded_at <= $3)
ORDER BY version
"""

# Only transactions below the snapshot's xmin are certainly finished; anything at or above it
# may still commit, so the reader stops there and picks it up on a later read.
_READ_ALL = f"""
SELECT {_COLUMNS} FROM events
WHERE (tx_id, position) > ($1::bigint, $2::bigint)
  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
ORDER BY tx_id, position
LIMIT $3
"""

_END_RETRIES = 50
"""Attempts of an append with no expected version that keeps meeting concurrent appends."""

_FIND_IDS = "SELECT event_id, stream_id, version, tx_id, position FROM events WHERE event_id = ANY($1::uuid[])"
_STREAM_VERSION = "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1"


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _append_statement(
    stream_id: str, stream_type: str, expected_version: int | None, events: Sequence[NewEvent], now: datetime
) -> tuple[str, tuple[Any, ...]]:
    if len(events) == 1:
        (e,) = events
        return _APPEND_ONE, (
            stream_id,
            stream_type,
            e.event_id,
            e.type,
            e.schema_version,
            _json(e.data),
            _json(e.metadata.as_dict()),
            now,
            expected_version,
        )
    return _APPEND, (
        stream_id,
        stream_type,
        [e.event_id for e in events],
        [e.type for e in events],
        [e.schema_version for e in events],
        [_json(e.data) for e in events],
        [_json(e.metadata.as_dict()) for e in events],
        now,
        expected_version,
    )


def _as_recorded(
    stream_id: str, stream_type: str, events: Sequence[NewEvent], rows: Sequence[Any], args: tuple[Any, ...]
) -> tuple[RecordedEvent, ...]:
    """The appended events as a read would return them (their data through JSON, as stored), without reading."""
    recorded_at = args[7]
    data = [args[5]] if len(events) == 1 else args[5]
    return tuple(
        RecordedEvent(
            event_id=e.event_id,
            stream_id=stream_id,
            stream_type=stream_type,
            version=row["version"],
            type=e.type,
            schema_version=e.schema_version,
            data=json.loads(text),
            metadata=e.metadata,
            recorded_at=recorded_at,
            position=LogPosition(row["tx_id"], row["position"]),
        )
        for e, row, text in zip(events, rows, data, strict=True)
    )


def row_to_event(row: Any) -> RecordedEvent:
    return RecordedEvent(
        event_id=row["event_id"],
        stream_id=row["stream_id"],
        stream_type=row["stream_type"],
        version=row["version"],
        type=row["event_type"],
        schema_version=row["schema_version"],
        data=json.loads(row["data"]),
        metadata=EventMetadata.from_dict(json.loads(row["metadata"])),
        recorded_at=row["recorded_at"],
        position=LogPosition(row["tx_id"], row["position"]),
    )


class PostgresEventStore:
    def __init__(
        self,
        db: ConnectionSource,
        clock: Clock | None = None,
        upcasters: UpcasterRegistry | None = None,
        notify: bool = True,
    ) -> None:
        self._engine = db
        self._clock = clock or SystemClock()
        self._upcasters = upcasters or UpcasterRegistry()
        self._notify = notify
        self._notify_wanted = False
        self._notifier: asyncio.Task[None] | None = None

    @property
    def db(self) -> ConnectionSource:
        """The asyncpg pool (or SQLAlchemy engine) the store takes connections from."""
        return self._engine

    async def append(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: int | None,
        events: Sequence[NewEvent],
    ) -> AppendResult:
        if not events:
            raise ValueError("append needs at least one event")
        ids = [e.event_id for e in events]
        if len(set(ids)) != len(ids):
            # Caught here: the unique index would refuse it, and it would look like a lost race.
            raise DuplicateEventIdError(f"the same event id twice in one append: {ids}")
        now = self._clock.now()
        statement, args = _append_statement(stream_id, stream_type, expected_version, events, now)
        async with raw_connection(self._engine) as conn:
            result = await self._append_on(conn, statement, args, stream_id, stream_type, expected_version, events)
        if not result.replayed:
            after_commit(self._poke_subscribers)
        return result

    async def _append_on(
        self,
        conn: Any,
        statement: str,
        args: tuple[Any, ...],
        stream_id: str,
        stream_type: str,
        expected_version: int | None,
        events: Sequence[NewEvent],
    ) -> AppendResult:
        # Within a caller's transaction a refused multi-row insert must not abort it: a savepoint.
        guarded = len(events) > 1 and conn.is_in_transaction()
        for attempt in range(1, _END_RETRIES + 1):
            try:
                if guarded:
                    async with conn.transaction():
                        rows = await conn.fetch(statement, *args)
                else:
                    rows = await conn.fetch(statement, *args)
            except asyncpg.UniqueViolationError:
                rows = []
            if len(rows) == len(events):
                return AppendResult(
                    stream_id=stream_id,
                    first_version=rows[0]["version"],
                    last_version=rows[-1]["version"],
                    last_position=LogPosition(rows[-1]["tx_id"], rows[-1]["position"]),
                    recorded=_as_recorded(stream_id, stream_type, events, rows, args),
                )
            replayed = await self._replayed(conn, stream_id, events)
            if replayed is not None:
                return replayed
            if expected_version is None and attempt < _END_RETRIES:
                # Another writer took the end of the stream first. With no expected version there is
                # no race to lose: append behind it.
                continue
            break
        current = await conn.fetchval(_STREAM_VERSION, stream_id)
        raise ConcurrencyError(stream_id, expected_version, current)

    async def _replayed(self, conn: Any, stream_id: str, events: Sequence[NewEvent]) -> AppendResult | None:
        """After a refused append: the original result when it was an exact retry, None for a lost race."""
        found = await conn.fetch(_FIND_IDS, [e.event_id for e in events])
        if found:
            same_append = len(found) == len(events) and all(r["stream_id"] == stream_id for r in found)
            if not same_append:
                raise DuplicateEventIdError(f"event ids already used elsewhere: {[r['event_id'] for r in found]}")
            ordered = sorted(found, key=lambda r: r["version"])
            return AppendResult(
                stream_id=stream_id,
                first_version=ordered[0]["version"],
                last_version=ordered[-1]["version"],
                last_position=LogPosition(ordered[-1]["tx_id"], ordered[-1]["position"]),
                replayed=True,
            )
        return None

    async def read_stream(
        self, stream_id: str, from_version: int = 1, recorded_until: datetime | None = None
    ) -> list[RecordedEvent]:
        async with raw_connection(self._engine) as conn:
            rows = await conn.fetch(_READ_STREAM, stream_id, from_version, recorded_until)
        return [self._upcasters.upcast(row_to_event(r)) for r in rows]

    async def stream_version(self, stream_id: str) -> int:
        async with raw_connection(self._engine) as conn:
            return int(await conn.fetchval(_STREAM_VERSION, stream_id))

    async def read_all(self, after: LogPosition, limit: int) -> list[RecordedEvent]:
        async with raw_connection(self._engine) as conn:
            return await self.read_all_on(conn, after, limit)

    async def read_all_on(self, conn: Any, after: LogPosition, limit: int) -> list[RecordedEvent]:
        """`read_all` on a given asyncpg connection, inside the caller's transaction."""
        rows = await conn.fetch(_READ_ALL, after.tx_id, after.position, limit)
        return [self._upcasters.upcast(row_to_event(r)) for r in rows]

    def _poke_subscribers(self) -> None:
        """Wake subscribers after commit, coalesced: at most one NOTIFY in flight and one pending.

        NOTIFY inside the append transaction would take PostgreSQL's global notify lock at commit
        and serialise every writer; subscribers also poll, so a lost poke only costs latency. One
        notifier task sends them: pokes while it is sending ask for one more NOTIFY, not one each
        (a task per poke held a pooled connection per concurrent writer).
        """
        if not self._notify:
            return
        self._notify_wanted = True
        if self._notifier is None or self._notifier.done():
            self._notifier = asyncio.get_running_loop().create_task(self._send_notifies())

    async def _send_notifies(self) -> None:
        while self._notify_wanted:
            self._notify_wanted = False
            try:
                # Its own connection: this task may outlive the request whose append woke it.
                async with own_connection(self._engine) as conn:
                    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
            except Exception:  # noqa: S112 - polling covers a lost notification
                continue
            # Under load, one poke per interval is enough: subscribers poll eagerly after activity.
            await asyncio.sleep(NOTIFY_MIN_INTERVAL_SECONDS)

    async def close(self) -> None:
        notifier, self._notifier = self._notifier, None
        if notifier is not None:
            notifier.cancel()
            await asyncio.wait({notifier})


def new_event_id() -> uuid.UUID:
    return uuid.uuid4()
