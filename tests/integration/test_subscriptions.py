"""Subscriptions: durable checkpoints, all-or-nothing batches, one leader at a time.

The subscriber writes one row per event into a table with no unique constraint, in the batch's
transaction; an event applied twice shows up as `count(*) != count(DISTINCT event_id)`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from shared.eventstore import LogPosition, PostgresEventStore, RecordedEvent
from shared.eventstore.subscriptions import SubscriptionRunner, read_checkpoint, wait_for_position
from tests.integration.helpers import WAIT_SECONDS, eventually, new_events, unique_prefix

pytestmark = pytest.mark.eventstore

EFFECTS = "test_subscription_effects"


class Poisoned(RuntimeError):
    pass


class Recorder:
    """Records this test's events (by stream prefix) in the effects table.

    `gate`: on reaching that event, hold the batch open (after writing the rows before it) until
    the runner is stopped. `poison`: raise on those events.
    """

    def __init__(self, name: str, prefix: str, instance: str = "a") -> None:
        self.name = name
        self.prefix = prefix
        self.instance = instance
        self.gate: uuid.UUID | None = None
        self.at_gate = asyncio.Event()
        self.poison: set[uuid.UUID] = set()
        self.failures = 0

    async def handle(self, conn: Any, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            if not event.stream_id.startswith(self.prefix):
                continue
            if event.event_id == self.gate:
                self.at_gate.set()
                await asyncio.Event().wait()
            if event.event_id in self.poison:
                self.failures += 1
                raise Poisoned(f"cannot apply {event.event_id}")
            await conn.execute(
                f"INSERT INTO {EFFECTS} (subscription, instance, event_id, tx_id, position)"
                " VALUES ($1, $2, $3, $4, $5)",
                self.name,
                self.instance,
                event.event_id,
                event.position.tx_id,
                event.position.position,
            )


@pytest.fixture
async def effects_table(pg_conn: Any) -> None:
    await pg_conn.execute(
        f"""CREATE TABLE IF NOT EXISTS {EFFECTS} (
                seq           bigint GENERATED ALWAYS AS IDENTITY,
                subscription  text NOT NULL,
                instance      text NOT NULL,
                event_id      uuid NOT NULL,
                tx_id         bigint NOT NULL,
                position      bigint NOT NULL
            )"""
    )


@pytest.fixture
async def runners(engine: Any, pg_store: PostgresEventStore) -> AsyncIterator[list[SubscriptionRunner]]:
    """Runners a test starts; all stopped at the end whatever happens."""
    started: list[SubscriptionRunner] = []
    yield started
    for runner in started:
        await runner.stop()


def start_runner(
    runners: list[SubscriptionRunner], engine: Any, store: PostgresEventStore, subscriber: Recorder, batch_size: int
) -> SubscriptionRunner:
    runner = SubscriptionRunner(
        engine, store, subscriber, batch_size=batch_size, poll_seconds=0.05, leader_retry_seconds=0.2
    )
    runner.start()
    runners.append(runner)
    return runner


async def start_at_head(conn: Any, name: str) -> None:
    """Start the new subscription at the end of the shared log rather than at position zero.

    Only this test's events matter to it, and they are all appended after this.
    """
    await conn.execute(
        """INSERT INTO subscription_checkpoints (name, tx_id, position)
           SELECT $1, tx_id, position FROM events ORDER BY tx_id DESC, position DESC LIMIT 1""",
        name,
    )


async def applied(conn: Any, name: str) -> list[tuple[uuid.UUID, str]]:
    """(event id, instance) in the order the subscription applied them."""
    rows = await conn.fetch(f"SELECT event_id, instance FROM {EFFECTS} WHERE subscription = $1 ORDER BY seq", name)
    return [(r["event_id"], r["instance"]) for r in rows]


async def logged(conn: Any, prefix: str, upto: LogPosition | None = None) -> list[uuid.UUID]:
    """This test's events straight from the events table, in global order (up to `upto`)."""
    rows = await conn.fetch(
        "SELECT event_id, tx_id, position FROM events WHERE starts_with(stream_id, $1) ORDER BY tx_id, position",
        prefix,
    )
    return [r["event_id"] for r in rows if upto is None or LogPosition(r["tx_id"], r["position"]) <= upto]


async def append_spread(store: PostgresEventStore, prefix: str, appends: int, streams: int = 3) -> LogPosition:
    """`appends` appends of 1-3 events spread over `streams` streams; the last position."""
    last = LogPosition(0, 0)
    for i in range(appends):
        result = await store.append(f"{prefix}{i % streams}", "test", None, new_events(1 + i % 3))
        last = result.last_position
    return last


@pytest.mark.usefixtures("effects_table")
async def test_a_new_runner_resumes_at_the_checkpoint(
    engine: Any, pg_store: PostgresEventStore, pg_conn: Any, runners: list[SubscriptionRunner]
) -> None:
    name, prefix = f"sub-resume-{uuid.uuid4().hex}", unique_prefix("sub-resume")
    await start_at_head(pg_conn, name)
    await append_spread(pg_store, prefix, 12)
    ours = await logged(pg_conn, prefix)
    first = Recorder(name, prefix, instance="first")
    first.gate = ours[15]
    runner = start_runner(runners, engine, pg_store, first, batch_size=3)

    await asyncio.wait_for(first.at_gate.wait(), WAIT_SECONDS)
    await runner.stop()

    # Stopped mid-batch: what committed is exactly the events up to the checkpoint, no more.
    checkpoint = await read_checkpoint(pg_conn, name)
    done = await applied(pg_conn, name)
    assert [event_id for event_id, _ in done] == await logged(pg_conn, prefix, upto=checkpoint)
    assert 0 < len(done) < len(ours)
    assert first.gate not in {event_id for event_id, _ in done}

    last = await append_spread(pg_store, prefix, 6)
    second = start_runner(runners, engine, pg_store, Recorder(name, prefix, instance="second"), batch_size=3)
    await wait_for_position(second, last, timeout=WAIT_SECONDS)
    await second.stop()

    after = await applied(pg_conn, name)
    assert [event_id for event_id, _ in after] == await logged(pg_conn, prefix)
    assert after[: len(done)] == done
    assert {instance for _, instance in after[len(done) :]} == {"second"}
    assert await pg_conn.fetchval(
        f"SELECT count(*) = count(DISTINCT event_id) FROM {EFFECTS} WHERE subscription = $1", name
    )
    assert await read_checkpoint(pg_conn, name) >= last


@pytest.mark.usefixtures("effects_table")
async def test_a_failing_batch_rolls_back_and_the_checkpoint_stays(
    engine: Any, pg_store: PostgresEventStore, pg_conn: Any, runners: list[SubscriptionRunner]
) -> None:
    name, prefix = f"sub-fail-{uuid.uuid4().hex}", unique_prefix("sub-fail")
    await start_at_head(pg_conn, name)
    recorder = Recorder(name, prefix)
    runner = start_runner(runners, engine, pg_store, recorder, batch_size=100)
    good = await pg_store.append(f"{prefix}a", "test", 0, new_events(3))
    await wait_for_position(runner, good.last_position, timeout=WAIT_SECONDS)
    checkpoint = await read_checkpoint(pg_conn, name)
    before = await applied(pg_conn, name)
    assert [event_id for event_id, _ in before] == await logged(pg_conn, prefix)

    ok, bad, ok_too = new_events(3, start=3)
    recorder.poison = {bad.event_id}
    await pg_store.append(f"{prefix}a", "test", 3, [ok, bad, ok_too])
    last = await pg_store.append(f"{prefix}b", "test", 0, new_events(2))

    async def failed_repeatedly() -> bool:
        return recorder.failures >= 3

    await eventually(failed_repeatedly, "the runner to retry the failing batch")
    assert await read_checkpoint(pg_conn, name) == checkpoint
    assert await applied(pg_conn, name) == before, "a failed batch left effects behind"

    recorder.poison.clear()
    await wait_for_position(runner, last.last_position, timeout=WAIT_SECONDS)
    after = [event_id for event_id, _ in await applied(pg_conn, name)]
    assert after == await logged(pg_conn, prefix)
    assert len(after) == len(set(after)) == 3 + 3 + 2


@pytest.mark.usefixtures("effects_table")
async def test_one_leader_and_a_takeover_without_double_application(
    engine: Any, pg_store: PostgresEventStore, pg_conn: Any, runners: list[SubscriptionRunner]
) -> None:
    name, prefix = f"sub-leader-{uuid.uuid4().hex}", unique_prefix("sub-leader")
    await start_at_head(pg_conn, name)
    recorders = {"a": Recorder(name, prefix, "a"), "b": Recorder(name, prefix, "b")}
    pair = {key: start_runner(runners, engine, pg_store, rec, batch_size=4) for key, rec in recorders.items()}

    async def elected() -> bool:
        return any(r.is_leader for r in pair.values())

    await eventually(elected, "a leader")
    for _ in range(10):  # several of the follower's election attempts
        assert sum(r.is_leader for r in pair.values()) == 1
        await asyncio.sleep(0.05)
    leader_key = next(key for key, r in pair.items() if r.is_leader)
    follower_key = "b" if leader_key == "a" else "a"
    leader, follower = pair[leader_key], pair[follower_key]

    first_last = await append_spread(pg_store, prefix, 8)
    await wait_for_position(leader, first_last, timeout=WAIT_SECONDS)
    first = await logged(pg_conn, prefix)
    assert not follower.is_leader

    # More events; the leader stops in the middle of applying them, with a batch half written.
    more = new_events(5)
    gate = more[2].event_id
    recorders[leader_key].gate = gate
    await pg_store.append(f"{prefix}x", "test", 0, more)
    last = await append_spread(pg_store, prefix, 8)
    await asyncio.wait_for(recorders[leader_key].at_gate.wait(), WAIT_SECONDS)
    await leader.stop()

    async def took_over() -> bool:
        return follower.is_leader

    await eventually(took_over, "the follower to take over")
    await wait_for_position(follower, last, timeout=WAIT_SECONDS)

    done = await applied(pg_conn, name)
    ids = [event_id for event_id, _ in done]
    assert ids == await logged(pg_conn, prefix)
    assert len(ids) == len(set(ids))
    assert {instance for event_id, instance in done if event_id in set(first)} == {leader_key}
    assert dict(done)[gate] == follower_key
    assert not leader.is_leader
    assert follower.is_leader


async def test_stop_is_not_lost_when_a_wake_up_arrives_with_it(engine: Any, pg_store: PostgresEventStore) -> None:
    """A runner told to stop just as it is woken stops (Python 3.11's wait_for can swallow the cancel)."""
    for _ in range(3):
        subscriber = Recorder(f"sub-stop-{uuid.uuid4().hex}", "none-")
        runner = SubscriptionRunner(engine, pg_store, subscriber, poll_seconds=30, leader_retry_seconds=0.2)
        runner.start()

        async def leading(runner: SubscriptionRunner = runner) -> bool:
            return runner.is_leader

        await eventually(leading, "the runner to lead")
        await asyncio.sleep(0.1)  # past its first batches: idle, waiting for a wake-up

        runner.wake()
        stopping = asyncio.ensure_future(runner.stop())
        done, _ = await asyncio.wait({stopping}, timeout=WAIT_SECONDS)
        if not done:  # cancelling stop() cancels the runner once more, so the test can clean up
            stopping.cancel()
            await asyncio.wait({stopping})
        assert done, "stop() hung: the runner swallowed its cancellation and kept running"
        assert not runner.is_leader


@pytest.mark.usefixtures("effects_table")
async def test_appends_wake_an_idle_runner(
    engine: Any, pg_store: PostgresEventStore, pg_conn: Any, runners: list[SubscriptionRunner]
) -> None:
    """With a 30 s poll, only the store's NOTIFY after commit can bring the events in time."""
    name, prefix = f"sub-notify-{uuid.uuid4().hex}", unique_prefix("sub-notify")
    await start_at_head(pg_conn, name)
    runner = SubscriptionRunner(engine, pg_store, Recorder(name, prefix), poll_seconds=30, leader_retry_seconds=0.2)
    runner.start()
    runners.append(runner)

    async def leading() -> bool:
        return runner.is_leader

    await eventually(leading, "the runner to lead")
    await asyncio.sleep(0.2)  # idle now, waiting for a wake-up

    await asyncio.gather(*(pg_store.append(f"{prefix}{i}", "test", 0, new_events(2)) for i in range(12)))

    async def all_applied() -> bool:
        return len(await applied(pg_conn, name)) == 24

    await eventually(all_applied, "the runner to apply the burst")
    assert [event_id for event_id, _ in await applied(pg_conn, name)] == await logged(pg_conn, prefix)
