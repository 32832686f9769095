"""A projection rebuilt beside the live one while events keep arriving, then swapped in."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, ClassVar

import pytest

from shared.eventstore import LogPosition, PostgresEventStore, RecordedEvent
from shared.eventstore.projections import (
    Projection,
    ProjectionSubscriber,
    Tables,
    ensure_projection,
    rebuild_projection,
    rebuild_projections,
)
from shared.eventstore.subscriptions import SubscriptionRunner, read_checkpoint, wait_for_position
from tests.integration.helpers import WAIT_SECONDS, new_events, readable, unique_prefix

pytestmark = pytest.mark.eventstore


class EventCounts(Projection):
    """Events per stream of one test. Deliberately not idempotent: a double application shows."""

    tables: ClassVar[tuple[str, ...]] = ("counts",)

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.applied_to: list[str] = []
        self.before_apply: Callable[[Tables], Awaitable[None]] | None = None

    def create_statements(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE {t['counts']} (stream_id text PRIMARY KEY, events integer NOT NULL)",
        ]

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        if self.before_apply is not None:
            await self.before_apply(t)
        self.applied_to.append(t["counts"])
        for event in events:
            if event.stream_id.startswith(self.prefix):
                await conn.execute(
                    f"""INSERT INTO {t["counts"]} AS c (stream_id, events) VALUES ($1, 1)
                        ON CONFLICT (stream_id) DO UPDATE SET events = c.events + 1""",
                    event.stream_id,
                )


def counts_projection(prefix: str) -> EventCounts:
    """A fresh projection class per test: its own name and schema in the shared database."""
    suffix = uuid.uuid4().hex[:10]
    cls = type(f"EventCounts_{suffix}", (EventCounts,), {"name": f"test_counts_{suffix}", "schema": f"t_{suffix}"})
    projection: EventCounts = cls(prefix)
    return projection


def another_instance(projection: EventCounts) -> EventCounts:
    """The same projection as another process would hold it."""
    return type(projection)(projection.prefix)


class Appender:
    """Keeps appending to the test's streams until stopped; `progressed()` waits for one more append."""

    def __init__(self, store: PostgresEventStore, prefix: str, streams: int = 5) -> None:
        self._store = store
        self._prefix = prefix
        self._versions = [0] * streams
        self._rng = random.Random()
        self._appended = asyncio.Condition()
        self.appends = 0
        self.last = LogPosition(0, 0)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def append_one(self) -> None:
        i = self._rng.randrange(len(self._versions))
        result = await self._store.append(
            f"{self._prefix}{i}", "test", self._versions[i], new_events(self._rng.randint(1, 3))
        )
        self._versions[i] = result.last_version
        self.last = max(self.last, result.last_position)
        async with self._appended:
            self.appends += 1
            self._appended.notify_all()

    async def _run(self) -> None:
        while not self._stopping:
            await self.append_one()
            await asyncio.sleep(self._rng.uniform(0, 0.003))

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop after the append under way (a cancelled append would leave its outcome unknown)."""
        self._stopping = True
        if self._task is not None:
            await asyncio.wait_for(self._task, WAIT_SECONDS)
            self._task = None

    async def progressed(self) -> None:
        async with self._appended:
            seen = self.appends
            await asyncio.wait_for(self._appended.wait_for(lambda: self.appends > seen), WAIT_SECONDS)


@pytest.fixture
async def cleanup(pg_conn: Any) -> AsyncIterator[list[EventCounts]]:
    """Drops the schemas of the projections a test installs."""
    installed: list[EventCounts] = []
    yield installed
    for projection in installed:
        await pg_conn.execute(f"DROP SCHEMA IF EXISTS {projection.schema} CASCADE")


async def figures(conn: Any, projection: EventCounts) -> dict[str, int]:
    """The read model through its logical name (the view)."""
    rows = await conn.fetch(f"SELECT stream_id, events FROM {projection.logical()['counts']}")
    return {r["stream_id"]: r["events"] for r in rows}


async def truth(conn: Any, prefix: str) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT stream_id, count(*)::int AS n FROM events WHERE starts_with(stream_id, $1) GROUP BY stream_id",
        prefix,
    )
    return {r["stream_id"]: r["n"] for r in rows}


async def generation(conn: Any, projection: EventCounts) -> int:
    return int(await conn.fetchval("SELECT generation FROM projections WHERE name = $1", projection.name))


async def table_exists(conn: Any, name: str) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", name))


async def test_rebuild_beside_the_live_projection_while_events_arrive(
    engine: Any, pg_store: PostgresEventStore, pg_conn: Any, cleanup: list[EventCounts]
) -> None:
    prefix = unique_prefix("rebuild")
    projection = counts_projection(prefix)
    cleanup.append(projection)
    await ensure_projection(engine, projection)
    await ensure_projection(engine, projection)  # a second instance starting: no change
    assert await generation(pg_conn, projection) == 1
    live = SubscriptionRunner(
        engine, pg_store, ProjectionSubscriber(projection), batch_size=200, poll_seconds=0.05, leader_retry_seconds=0.2
    )
    appender = Appender(pg_store, prefix)
    live.start()
    try:
        for _ in range(30):
            await appender.append_one()
        await wait_for_position(live, appender.last, timeout=WAIT_SECONDS)
        assert await figures(pg_conn, projection) == await truth(pg_conn, prefix)

        # The rebuild runs as another process would, and each of its batches waits for at least one
        # more append, so the rebuild and the appends truly overlap.
        rebuilder = another_instance(projection)
        rebuilder.before_apply = lambda _: appender.progressed()
        appender.start()
        appends_before = appender.appends
        position = await rebuild_projection(engine, pg_store, rebuilder, batch_size=40)
        appends_during = appender.appends - appends_before
        await appender.stop()
        for _ in range(3):  # and some once the new generation is live
            await appender.append_one()
        await wait_for_position(live, appender.last, timeout=WAIT_SECONDS)
    finally:
        with contextlib.suppress(Exception):  # already stopped, unless the test failed on the way
            await appender.stop()
        await live.stop()

    g1, g2 = projection.physical(1)["counts"], projection.physical(2)["counts"]
    rebuild_batches = len(rebuilder.applied_to)
    assert appends_during >= rebuild_batches > 1
    assert await figures(pg_conn, projection) == await truth(pg_conn, prefix)
    assert sum((await figures(pg_conn, projection)).values()) > 30
    assert await generation(pg_conn, projection) == 2
    assert not await table_exists(pg_conn, g1)
    assert await table_exists(pg_conn, g2)
    assert set(rebuilder.applied_to) == {g2}
    assert await read_checkpoint(pg_conn, projection.name) >= max(position, appender.last)
    # The live subscription wrote to generation 1 until the swap, and to generation 2 after it.
    swap = projection.applied_to.index(g2)
    assert set(projection.applied_to[:swap]) == {g1}
    assert set(projection.applied_to[swap:]) == {g2}


async def test_concurrent_rebuilds_take_turns(
    engine: Any, pool: Any, pg_store: PostgresEventStore, pg_conn: Any, cleanup: list[EventCounts]
) -> None:
    prefix = unique_prefix("rebuild-twice")
    projection = counts_projection(prefix)
    cleanup.append(projection)
    await ensure_projection(engine, projection)
    appender = Appender(pg_store, prefix)
    for _ in range(40):
        await appender.append_one()
    await readable(pg_store, appender.last)

    # One on the engine, one on the asyncpg pool: both are connection sources the services have.
    await asyncio.gather(
        *(rebuild_projection(source, pg_store, projection, batch_size=50) for source in (engine, pool))
    )

    assert await generation(pg_conn, projection) == 3
    assert await figures(pg_conn, projection) == await truth(pg_conn, prefix)
    assert not await table_exists(pg_conn, projection.physical(1)["counts"])
    assert not await table_exists(pg_conn, projection.physical(2)["counts"])


async def test_one_pass_rebuilds_several_projections_while_events_arrive(
    engine: Any, pg_store: PostgresEventStore, pg_conn: Any, cleanup: list[EventCounts]
) -> None:
    prefix = unique_prefix("rebuild-all")
    projections = [counts_projection(prefix), counts_projection(prefix)]
    cleanup.extend(projections)
    runners = []
    for projection in projections:
        await ensure_projection(engine, projection)
        runners.append(
            SubscriptionRunner(
                engine,
                pg_store,
                ProjectionSubscriber(projection),
                batch_size=200,
                poll_seconds=0.05,
                leader_retry_seconds=0.2,
            )
        )
    appender = Appender(pg_store, prefix)
    for runner in runners:
        runner.start()
    try:
        for _ in range(30):
            await appender.append_one()
        # Both rebuilt as another process would; each batch of the pass waits for one more append.
        rebuilders = [another_instance(p) for p in projections]
        rebuilders[0].before_apply = lambda _: appender.progressed()
        appender.start()
        positions = await rebuild_projections(engine, pg_store, rebuilders, batch_size=40)
        await appender.stop()
        for _ in range(3):  # and some once the new generations are live
            await appender.append_one()
        for runner in runners:
            await wait_for_position(runner, appender.last, timeout=WAIT_SECONDS)
    finally:
        with contextlib.suppress(Exception):  # already stopped, unless the test failed on the way
            await appender.stop()
        for runner in runners:
            await runner.stop()

    expected = await truth(pg_conn, prefix)
    first, second = rebuilders
    # One pass: the batches of the log went to both new generations, the same number of them.
    bulk = [t for t in first.applied_to if t == first.physical(2)["counts"]]
    assert len(bulk) > 1
    assert set(first.applied_to) == {first.physical(2)["counts"]}
    assert set(second.applied_to) == {second.physical(2)["counts"]}
    for projection in projections:
        assert await figures(pg_conn, projection) == expected
        assert await generation(pg_conn, projection) == 2
        assert not await table_exists(pg_conn, projection.physical(1)["counts"])
        assert await read_checkpoint(pg_conn, projection.name) >= positions[projection.name]
    assert sum(expected.values()) > 30


async def test_a_projection_named_twice_is_refused(engine: Any, pg_store: PostgresEventStore) -> None:
    projection = counts_projection(unique_prefix("twice"))
    with pytest.raises(ValueError, match="named twice"):
        await rebuild_projections(engine, pg_store, [projection, another_instance(projection)])
