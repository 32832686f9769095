"""Catch-up subscriptions to the global log, with a durable checkpoint and one leader at a time.

A subscriber's writes and its checkpoint commit in one transaction, so every event takes effect
exactly once. Several instances of a service run the same subscriptions: a session advisory lock
on a dedicated connection elects one leader per subscription; when its process or connection dies
PostgreSQL releases the lock and another instance takes over within `leader_retry` seconds.
Subscribers are woken by LISTEN/NOTIFY and poll as a fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from prometheus_client import Counter, Gauge
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import Clock, SystemClock
from shared.db import driver_connection
from shared.eventstore.model import START, LogPosition, RecordedEvent
from shared.eventstore.postgres import NOTIFY_CHANNEL, PostgresEventStore
from shared.logging import get_logger

log = get_logger(__name__)

EVENTS_HANDLED = Counter("subscription_events_total", "Events applied by a subscription", ["subscription"])
LAG_SECONDS = Gauge(
    "subscription_lag_seconds",
    "Seconds between an event's recording and its application by the subscription",
    ["subscription"],
)
LEADER = Gauge("subscription_leader", "1 while this process leads the subscription", ["subscription"])
PENDING = Gauge(
    "subscription_pending_events",
    "Committed events past the checkpoint the reader cannot take yet: an older transaction is still open",
    ["subscription"],
)


EAGER_POLLS = 20
EAGER_POLL_SECONDS = 0.05
MIN_BATCH_INTERVAL_SECONDS = 0.025
"""Default pace of a subscription that is keeping up: under a stream of writes, every commit's NOTIFY would
otherwise start a batch of one or two events, each batch a transaction of five statements (make bench: the
intake service's subscriptions took more of PostgreSQL's CPU than the registrations they followed)."""


class Subscriber(Protocol):
    """Something that reacts to the global log inside the checkpoint's transaction."""

    name: str

    async def handle(self, conn: Any, events: Sequence[RecordedEvent]) -> None:
        """Apply a batch on `conn` (asyncpg, inside the batch transaction). Must not commit."""
        ...


def lock_key(name: str, purpose: str) -> int:
    """A stable signed 64-bit advisory-lock key for a subscription and a purpose."""
    digest = hashlib.blake2b(f"{purpose}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def ensure_checkpoint(conn: Any, name: str) -> None:
    await conn.execute("INSERT INTO subscription_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", name)


async def read_checkpoint(conn: Any, name: str) -> LogPosition:
    row = await conn.fetchrow("SELECT tx_id, position FROM subscription_checkpoints WHERE name = $1", name)
    return START if row is None else LogPosition(row["tx_id"], row["position"])


async def move_checkpoint(conn: Any, name: str, was: LogPosition, to: LogPosition) -> None:
    status = await conn.execute(
        """UPDATE subscription_checkpoints SET tx_id = $4, position = $5, updated_at = now()
           WHERE name = $1 AND tx_id = $2 AND position = $3""",
        name,
        was.tx_id,
        was.position,
        to.tx_id,
        to.position,
    )
    if status != "UPDATE 1":
        # Someone else moved it: roll back rather than apply a batch twice.
        raise CheckpointMoved(name)


class CheckpointMoved(RuntimeError):
    pass


@dataclass
class BatchResult:
    count: int
    last: LogPosition


async def process_batch(
    conn: Any,
    store: PostgresEventStore,
    subscriber: Subscriber,
    batch_size: int,
    clock: Clock,
) -> BatchResult:
    """One transaction: read past the checkpoint, apply, move the checkpoint."""
    async with conn.transaction():
        # Serialises batches with a projection swap (shared.eventstore.projections).
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(subscriber.name, "batch"))
        checkpoint = await read_checkpoint(conn, subscriber.name)
        events = await store.read_all_on(conn, checkpoint, batch_size)
        if not events:
            await _report_held_back(conn, subscriber.name, checkpoint, clock)
            return BatchResult(0, checkpoint)
        await subscriber.handle(conn, events)
        await move_checkpoint(conn, subscriber.name, checkpoint, events[-1].position)
    EVENTS_HANDLED.labels(subscriber.name).inc(len(events))
    LAG_SECONDS.labels(subscriber.name).set(max(0.0, (clock.now() - events[-1].recorded_at).total_seconds()))
    return BatchResult(len(events), events[-1].position)


async def _report_held_back(conn: Any, name: str, checkpoint: LogPosition, clock: Clock) -> None:
    """Nothing readable, yet committed events may wait behind a transaction still open (the reader never skips
    it): their count and the oldest one's age are the lag, so a held transaction shows in /metrics."""
    row = await conn.fetchrow(
        "SELECT count(*) AS pending, min(recorded_at) AS oldest FROM events WHERE (tx_id, position) > ($1::bigint, $2::bigint)",
        checkpoint.tx_id,
        checkpoint.position,
    )
    PENDING.labels(name).set(row["pending"])
    oldest = row["oldest"]
    LAG_SECONDS.labels(name).set(0.0 if oldest is None else max(0.0, (clock.now() - oldest).total_seconds()))


class SubscriptionRunner:
    def __init__(
        self,
        engine: AsyncEngine,
        store: PostgresEventStore,
        subscriber: Subscriber,
        *,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        leader_retry_seconds: float = 1.0,
        min_batch_interval_seconds: float = MIN_BATCH_INTERVAL_SECONDS,
        clock: Clock | None = None,
    ) -> None:
        self._engine = engine
        self._store = store
        self._subscriber = subscriber
        self._batch_size = batch_size
        self._poll = poll_seconds
        self._leader_retry = leader_retry_seconds
        self._min_interval = min_batch_interval_seconds
        self._clock = clock or SystemClock()
        self._wake = asyncio.Event()
        self.is_leader = False
        self.position = START
        self.failures = 0
        """Times leading failed and backed off (a lost connection, a failing batch, a stale read model)."""
        self._task: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self._subscriber.name

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run(), name=f"subscription:{self.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            # Wait for it to finish without swallowing a cancellation of stop() itself.
            await asyncio.wait({task})

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await self._lead_when_elected()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a lost connection or a failing batch: back off, try again
                self.failures += 1
                log.warning("subscription.error", subscription=self.name, error=repr(exc))
                await asyncio.sleep(self._leader_retry)

    async def _lead_when_elected(self) -> None:
        elected = False
        async with self._engine.connect() as sa_conn:
            conn = await driver_connection(sa_conn)
            try:
                elected = await conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(self.name, "leader"))
                if elected:
                    await self._lead(conn)
            finally:
                self.is_leader = False
                LEADER.labels(self.name).set(0)
                if elected:
                    # Closing the connection is what releases the session lock, whatever state it is in.
                    await sa_conn.invalidate()
        # Not elected: the connection held no lock and goes back to the pool; try again later.
        await asyncio.sleep(self._leader_retry)

    async def _lead(self, conn: Any) -> None:
        self.is_leader = True
        LEADER.labels(self.name).set(1)
        log.info("subscription.leading", subscription=self.name)
        await ensure_checkpoint(conn, self.name)
        listener = self._on_notify
        await conn.add_listener(NOTIFY_CHANNEL, listener)
        eager = 0
        loop = asyncio.get_running_loop()
        try:
            while True:
                woken = self._wake.is_set()
                self._wake.clear()
                started = loop.time()
                result = await process_batch(conn, self._store, self._subscriber, self._batch_size, self._clock)
                self.position = result.last
                if result.count == self._batch_size:
                    continue
                # After a wake-up or a batch, an event may be committed but still behind an older
                # open transaction: look again every 50 ms for a while before waiting for a poke.
                eager = EAGER_POLLS if (woken or result.count) else max(0, eager - 1)
                await self._wait_for_more(eager > 0)
                # Keeping up: let what arrives meanwhile gather into the next batch rather than one each.
                rest = self._min_interval - (loop.time() - started)
                if rest > 0:
                    await asyncio.sleep(rest)
        finally:
            with contextlib.suppress(Exception):
                await conn.remove_listener(NOTIFY_CHANNEL, listener)

    async def _wait_for_more(self, eager: bool) -> None:
        timeout = min(self._poll, EAGER_POLL_SECONDS) if eager else self._poll
        # Not asyncio.wait_for: on Python 3.11 it returns normally, swallowing a cancellation, when
        # the wake-up lands in the same loop iteration as the cancel, and stop() then hangs.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wake.wait()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()


async def wait_for_position(runner: SubscriptionRunner, target: LogPosition, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until `runner` has applied everything up to `target` (tests and read-your-writes)."""
    deadline = time.monotonic() + timeout
    while runner.position < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{runner.name} did not reach {target} (at {runner.position})")
        runner.wake()
        await asyncio.sleep(0.01)
