"""Helpers shared by the event-store integration tests.

The session's database is shared by every test, so each test works on its own streams (a unique
prefix) and filters the global log down to them.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from shared.eventstore import START, Actor, EventMetadata, LogPosition, NewEvent, RecordedEvent
from shared.eventstore.postgres import _APPEND

TEST_ACTOR = Actor(user_id="u-test", organisation_id="org-test", organisation_kind="provider", role="tester")
WAIT_SECONDS = 10.0


def unique_prefix(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}-"


def new_event(
    n: int = 0,
    *,
    type: str = "test.happened",
    schema_version: int = 1,
    data: dict[str, Any] | None = None,
    metadata: EventMetadata | None = None,
    event_id: uuid.UUID | None = None,
) -> NewEvent:
    return NewEvent(
        type=type,
        data={"n": n} if data is None else data,
        metadata=metadata or EventMetadata(actor=TEST_ACTOR, correlation_id=f"corr-{n}"),
        schema_version=schema_version,
        event_id=event_id or uuid.uuid4(),
    )


def new_events(count: int, start: int = 0) -> list[NewEvent]:
    return [new_event(start + i) for i in range(count)]


def append_args(stream_id: str, expected_version: int | None, events: Sequence[NewEvent]) -> tuple[Any, ...]:
    """The arguments of `shared.eventstore.postgres._APPEND`, as `PostgresEventStore.append` builds them."""
    return (
        stream_id,
        "test",
        [e.event_id for e in events],
        [e.type for e in events],
        [e.schema_version for e in events],
        [json.dumps(e.data) for e in events],
        [json.dumps(e.metadata.as_dict()) for e in events],
        datetime.now(UTC),
        expected_version,
    )


async def raw_append(conn: Any, stream_id: str, expected_version: int | None, events: Sequence[NewEvent]) -> list[Any]:
    """Insert through the store's own statement on a caller's asyncpg connection (and transaction)."""
    rows = await conn.fetch(_APPEND, *append_args(stream_id, expected_version, events))
    assert len(rows) == len(events), "the raw append was refused"
    return list(rows)


async def eventually(
    probe: Callable[[], Awaitable[bool]], what: str, within: float = WAIT_SECONDS, interval: float = 0.02
) -> None:
    """Poll `probe` until it is true; fail after `within` seconds (a hang, not a speed check)."""
    deadline = time.monotonic() + within
    while not await probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(interval)


async def readable(store: Any, position: LogPosition) -> None:
    """Wait until `read_all` returns the event at `position`.

    A transaction still open anywhere on the server (another test run, another database) holds
    back the end of the log that readers may pass, so a committed event is not readable at once.
    """
    just_before = LogPosition(position.tx_id, position.position - 1)

    async def probe() -> bool:
        page = await store.read_all(just_before, 1)
        return bool(page) and page[0].position == position

    await eventually(probe, f"the event at {position.encode()} to be readable")


async def read_log_until(
    store: Any,
    prefix: str,
    expected: set[uuid.UUID],
    *,
    after: LogPosition = START,
    limit: int = 500,
    within: float = WAIT_SECONDS,
) -> list[RecordedEvent]:
    """Tail `read_all` from `after` until every id in `expected` was read; return this prefix's events.

    Asserts on the way that pages come in strictly increasing global order and never repeat.
    """
    mine: list[RecordedEvent] = []
    position = after
    deadline = time.monotonic() + within
    while not expected <= {e.event_id for e in mine}:
        page = await store.read_all(position, limit)
        assert len(page) <= limit
        for event in page:
            assert event.position > position, f"{event.position} not after {position}"
            position = event.position
            if event.stream_id.startswith(prefix):
                mine.append(event)
        if len(page) < limit:
            if time.monotonic() > deadline:
                missing = expected - {e.event_id for e in mine}
                raise AssertionError(f"read_all never returned {len(missing)} committed events")
            await asyncio.sleep(0.01)
    return mine
