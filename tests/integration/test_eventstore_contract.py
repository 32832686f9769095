"""The event-store contract: one suite, run against the in-memory double and PostgreSQL.

Handlers are unit-tested on `InMemoryEventStore`; this suite is what makes that honest.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.errors import ConcurrencyError, DuplicateEventIdError
from shared.eventstore import (
    Actor,
    EventMetadata,
    EventStore,
    InMemoryEventStore,
    PostgresEventStore,
    UpcasterRegistry,
)
from tests.integration.helpers import eventually, new_event, new_events, read_log_until, unique_prefix

pytestmark = pytest.mark.eventstore

StoreFactory = Callable[..., EventStore]


@pytest.fixture(params=["memory", "postgres", "postgres-pool"])
async def make_store(request: pytest.FixtureRequest, engine: Any, pool: Any) -> AsyncIterator[StoreFactory]:
    """Builds stores of one kind; `make_store(clock=..., upcasters=...)`.

    `postgres` runs on the SQLAlchemy engine (as the tools do), `postgres-pool` on the asyncpg
    pool (as the services do). Both are asked for up front: an async fixture cannot start a session fixture
    of its own with `getfixturevalue` (this file run alone failed in set-up).
    """
    made: list[Any] = []
    connections = {"memory": None, "postgres": engine, "postgres-pool": pool}[request.param]

    def build(clock: FixedClock | None = None, upcasters: UpcasterRegistry | None = None) -> EventStore:
        store: EventStore
        if connections is None:
            store = InMemoryEventStore(clock=clock, upcasters=upcasters)
        else:
            store = PostgresEventStore(connections, clock=clock, upcasters=upcasters)
        made.append(store)
        return store

    yield build
    for store in made:
        if isinstance(store, PostgresEventStore):
            await store.close()


@pytest.fixture
def store(make_store: StoreFactory) -> EventStore:
    return make_store()


@pytest.fixture
def stream() -> str:
    return f"contract-{uuid.uuid4().hex}"


async def test_append_and_read_stream_in_order(store: EventStore, stream: str) -> None:
    first, second = new_events(3), new_events(2, start=3)

    r1 = await store.append(stream, "test", 0, first)
    r2 = await store.append(stream, "test", 3, second)

    assert (r1.stream_id, r1.first_version, r1.last_version, r1.replayed) == (stream, 1, 3, False)
    assert (r2.first_version, r2.last_version, r2.replayed) == (4, 5, False)
    assert r1.last_position < r2.last_position
    read = await store.read_stream(stream)
    assert [e.version for e in read] == [1, 2, 3, 4, 5]
    assert [e.event_id for e in read] == [e.event_id for e in first + second]
    assert [e.data for e in read] == [{"n": n} for n in range(5)]
    assert {(e.stream_id, e.stream_type, e.type, e.schema_version) for e in read} == {
        (stream, "test", "test.happened", 1)
    }
    assert read[2].position == r1.last_position
    assert read[-1].position == r2.last_position
    assert [e.position for e in read] == sorted(e.position for e in read)
    assert await store.stream_version(stream) == 5


async def test_a_new_stream_is_at_version_zero(store: EventStore, stream: str) -> None:
    assert await store.stream_version(stream) == 0
    assert await store.read_stream(stream) == []

    result = await store.append(stream, "test", 0, [new_event()])

    assert (result.first_version, result.last_version) == (1, 1)


async def test_expected_version_zero_refuses_an_existing_stream(store: EventStore, stream: str) -> None:
    await store.append(stream, "test", 0, new_events(2))

    with pytest.raises(ConcurrencyError) as refused:
        await store.append(stream, "test", 0, [new_event()])

    assert refused.value.current_version == 2
    assert refused.value.expected_version == 0
    assert refused.value.stream_id == stream


@pytest.mark.parametrize("expected", [1, 2, 4, 9])
async def test_wrong_expected_version_is_a_concurrency_error(store: EventStore, stream: str, expected: int) -> None:
    await store.append(stream, "test", 0, new_events(3))
    rejected = new_event()

    with pytest.raises(ConcurrencyError) as refused:
        await store.append(stream, "test", expected, [rejected])

    assert refused.value.current_version == 3
    assert refused.value.expected_version == expected
    assert [e.version for e in await store.read_stream(stream)] == [1, 2, 3]
    # Nothing of the refused append was written: its event id is still free.
    retried = await store.append(stream, "test", 3, [rejected])
    assert (retried.last_version, retried.replayed) == (4, False)


async def test_expected_version_on_a_missing_stream_is_a_concurrency_error(store: EventStore, stream: str) -> None:
    with pytest.raises(ConcurrencyError) as refused:
        await store.append(stream, "test", 2, [new_event()])

    assert refused.value.current_version == 0
    assert await store.stream_version(stream) == 0


async def test_expected_version_none_appends_at_the_end(store: EventStore, stream: str) -> None:
    new = await store.append(stream, "test", None, new_events(2))
    more = await store.append(stream, "test", None, new_events(3))

    assert (new.first_version, new.last_version) == (1, 2)
    assert (more.first_version, more.last_version) == (3, 5)
    assert [e.version for e in await store.read_stream(stream)] == [1, 2, 3, 4, 5]


async def test_concurrent_appends_without_expected_version_all_land(store: EventStore, stream: str) -> None:
    batches = [new_events(2, start=10 * i) for i in range(8)]

    results = await asyncio.gather(*(store.append(stream, "test", None, b) for b in batches))

    assert sorted(v for r in results for v in range(r.first_version, r.last_version + 1)) == list(range(1, 17))
    read = await store.read_stream(stream)
    assert [e.version for e in read] == list(range(1, 17))
    assert {e.event_id for e in read} == {e.event_id for b in batches for e in b}


async def test_an_empty_append_is_refused(store: EventStore, stream: str) -> None:
    with pytest.raises(ValueError, match="at least one event"):
        await store.append(stream, "test", 0, [])


async def test_an_exact_retry_is_a_no_op_returning_the_first_result(store: EventStore, stream: str) -> None:
    events = new_events(3)
    first = await store.append(stream, "test", 0, events)
    later = new_event(9)
    await store.append(stream, "test", 3, [later])
    logged = await read_log_until(store, stream, {later.event_id, *(e.event_id for e in events)})

    for expected in (0, None, 3, 4):
        retry = await store.append(stream, "test", expected, events)
        assert retry.replayed is True
        assert (retry.stream_id, retry.first_version, retry.last_version) == (stream, 1, 3)
        assert retry.last_position == first.last_position

    assert [e.event_id for e in await store.read_stream(stream)] == [e.event_id for e in [*events, later]]
    assert await store.stream_version(stream) == 4
    assert [e for e in await store.read_all(logged[-1].position, 1000) if e.stream_id == stream] == []


async def test_an_event_id_reused_in_another_stream_is_refused(store: EventStore, stream: str) -> None:
    taken = new_event()
    await store.append(stream, "test", 0, [taken])
    other = f"{stream}-other"

    with pytest.raises(DuplicateEventIdError):
        await store.append(other, "test", 0, [taken])
    with pytest.raises(DuplicateEventIdError):
        await store.append(other, "test", None, [new_event(), taken])

    assert await store.stream_version(other) == 0
    assert len(await store.read_stream(stream)) == 1


async def test_an_overlapping_but_different_append_is_refused(store: EventStore, stream: str) -> None:
    events = new_events(2)
    await store.append(stream, "test", 0, events)

    with pytest.raises(DuplicateEventIdError):
        await store.append(stream, "test", None, [*events, new_event()])

    assert await store.stream_version(stream) == 2


async def test_read_stream_from_version(store: EventStore, stream: str) -> None:
    await store.append(stream, "test", 0, new_events(5))

    assert [e.version for e in await store.read_stream(stream, from_version=3)] == [3, 4, 5]
    assert [e.version for e in await store.read_stream(stream, from_version=5)] == [5]
    assert await store.read_stream(stream, from_version=6) == []


async def test_read_stream_recorded_until(make_store: StoreFactory, stream: str) -> None:
    t0 = datetime(2026, 3, 28, 23, 59, 59, 123456, tzinfo=UTC)
    clock = FixedClock(t0)
    store = make_store(clock=clock)
    await store.append(stream, "test", 0, new_events(2))
    clock.advance(timedelta(hours=1))
    await store.append(stream, "test", 2, new_events(1, start=2))
    clock.advance(timedelta(days=1))
    await store.append(stream, "test", 3, new_events(1, start=3))

    read = await store.read_stream(stream)
    assert [e.recorded_at for e in read] == [t0, t0, t0 + timedelta(hours=1), t0 + timedelta(days=1, hours=1)]
    assert [e.version for e in await store.read_stream(stream, recorded_until=t0)] == [1, 2]
    assert await store.read_stream(stream, recorded_until=t0 - timedelta(microseconds=1)) == []
    as_of = t0 + timedelta(hours=2)
    assert [e.version for e in await store.read_stream(stream, recorded_until=as_of)] == [1, 2, 3]
    assert [e.version for e in await store.read_stream(stream, from_version=2, recorded_until=as_of)] == [2, 3]


async def test_read_all_in_global_order_with_pagination(store: EventStore) -> None:
    prefix = unique_prefix("contract-all")
    marker = new_event()
    await store.append(f"{prefix}marker", "test", 0, [marker])
    (logged_marker,) = await read_log_until(store, prefix, {marker.event_id}, limit=1000)
    appended: list[uuid.UUID] = []
    for round_ in range(4):
        for s in range(3):
            events = new_events(1 + (round_ + s) % 3, start=100 * round_)
            await store.append(f"{prefix}{s}", "test", None, events)
            appended.extend(e.event_id for e in events)

    for limit in (1, 2, 5, 1000):
        mine = await read_log_until(store, prefix, set(appended), after=logged_marker.position, limit=limit)
        assert [e.event_id for e in mine] == appended, f"limit {limit}"

    # `after` is exclusive: resuming from any event gives exactly the events behind it.
    for i in (0, 5, len(mine) - 2):
        rest = await read_log_until(store, prefix, set(appended[i + 1 :]), after=mine[i].position, limit=4)
        assert [e.event_id for e in rest] == appended[i + 1 :]
    assert [e for e in await store.read_all(mine[-1].position, 1000) if e.stream_id.startswith(prefix)] == []


async def test_read_all_limit(store: EventStore) -> None:
    prefix = unique_prefix("contract-limit")
    marker = new_event()
    await store.append(f"{prefix}marker", "test", 0, [marker])
    (logged_marker,) = await read_log_until(store, prefix, {marker.event_id}, limit=1000)
    events = new_events(6)
    await store.append(f"{prefix}a", "test", 0, events)

    async def full_page() -> bool:
        return len(await store.read_all(logged_marker.position, 4)) == 4

    await eventually(full_page, "four events after the marker")
    assert [e.event_id for e in await store.read_all(logged_marker.position, 4)] == [e.event_id for e in events[:4]]
    assert await store.read_all(logged_marker.position, 0) == []


async def test_upcasters_apply_on_read(make_store: StoreFactory, stream: str) -> None:
    upcasters = UpcasterRegistry()
    upcasters.register("person.named", 1, lambda d: {"name": f"{d['first']} {d['last']}"})
    store = make_store(upcasters=upcasters)
    stored_v1 = new_event(type="person.named", data={"first": "Ada", "last": "Lovelace"})
    current_v2 = new_event(type="person.named", schema_version=2, data={"name": "Grace Hopper"})
    other = new_event(type="person.moved", data={"first": "x"})

    await store.append(stream, "test", 0, [stored_v1, current_v2, other])

    read = await store.read_stream(stream)
    assert [(e.type_name, e.data) for e in read] == [
        ("person.named.v2", {"name": "Ada Lovelace"}),
        ("person.named.v2", {"name": "Grace Hopper"}),
        ("person.moved.v1", {"first": "x"}),
    ]
    from_log = await read_log_until(store, stream, {e.event_id for e in read})
    assert [(e.type_name, e.data) for e in from_log] == [(e.type_name, e.data) for e in read]
    # The log is never rewritten: a store without the upcaster still reads what was written.
    if isinstance(store, PostgresEventStore):
        plain = make_store()
        raw = await plain.read_stream(stream)
        assert (raw[0].type_name, raw[0].data) == ("person.named.v1", {"first": "Ada", "last": "Lovelace"})


async def test_metadata_round_trip(store: EventStore, stream: str) -> None:
    actor = Actor(user_id="u-42", organisation_id="org-7", organisation_kind="jobcentre", role="complaints_lead")
    metadata = EventMetadata(
        actor=actor,
        correlation_id="corr-abc",
        causation_id=str(uuid.uuid4()),
        idempotency_key="idem-123",
        business_date="2026-03-29",
    )
    bare = EventMetadata(actor=actor, correlation_id="corr-abc")
    data = {"text": "£12.50 café ✓", "nested": {"list": [1, 2.5, None, True]}, "pence": 1250}
    events = [new_event(data=data, metadata=metadata), new_event(data={}, metadata=bare)]

    await store.append(stream, "test", 0, events)

    read = await store.read_stream(stream)
    assert [e.metadata for e in read] == [metadata, bare]
    assert read[0].data == data
    assert read[1].data == {}
    from_log = await read_log_until(store, stream, {e.event_id for e in events})
    assert [e.metadata for e in from_log] == [metadata, bare]


async def test_event_data_is_stored_as_json_not_by_reference(store: EventStore, stream: str) -> None:
    data: dict[str, Any] = {"pair": (1, 2), "by_number": {7: "seven"}, "nested": {"list": [1]}}
    await store.append(stream, "test", 0, [new_event(data=data)])
    data["nested"]["list"].append(2)
    data["added"] = True

    (read,) = await store.read_stream(stream)
    assert read.data == {"pair": [1, 2], "by_number": {"7": "seven"}, "nested": {"list": [1]}}
    read.data["nested"]["list"].append(3)
    (again,) = await store.read_stream(stream)
    assert again.data["nested"] == {"list": [1]}


async def test_data_that_is_not_json_is_refused_and_nothing_is_written(store: EventStore, stream: str) -> None:
    with pytest.raises(TypeError):
        await store.append(stream, "test", 0, [new_event(), new_event(data={"on": datetime(2026, 1, 1, tzinfo=UTC)})])

    assert await store.stream_version(stream) == 0


async def test_an_event_id_twice_in_one_append_is_refused(store: EventStore, stream: str) -> None:
    twice = new_event()
    await store.append(stream, "test", 0, [new_event()])

    for expected in (1, None):
        with pytest.raises(DuplicateEventIdError):
            await store.append(stream, "test", expected, [twice, new_event(), twice])

    assert await store.stream_version(stream) == 1
    assert (await store.append(stream, "test", 1, [twice])).last_version == 2
