"""Read-model projections: generations of tables behind views, rebuilt beside the live one.

A projection owns one or more tables. Each generation has its own physical tables
(`intake.complaints_g3`); readers query a view with the logical name (`intake.complaints`). A
rebuild fills generation N+1 from position zero while the live generation keeps serving, then, in
one transaction that pauses the live subscription's batches, catches up to the head, repoints the
views, moves the checkpoint and drops generation N. Readers never see a half-built model.

`rebuild_projections` rebuilds several in one pass: each batch of the log is read and decoded once (the next
one while this one is applied) and handed to every new generation in one transaction. `apply` takes a whole
batch, so a projection can write each table once per batch rather than once per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import own_connection, raw_connection
from shared.eventstore.model import START, LogPosition, RecordedEvent
from shared.eventstore.postgres import PostgresEventStore
from shared.eventstore.subscriptions import ensure_checkpoint, lock_key, read_checkpoint
from shared.logging import get_logger

log = get_logger(__name__)

Tables = Mapping[str, str]
"""Logical table name -> physical table of the generation being written."""


class Projection(ABC):
    """Subclasses name their schema and tables, give the DDL per generation, and apply events."""

    name: ClassVar[str]
    schema: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    version: ClassVar[int] = 1
    """The shape of its tables and what `apply` writes to them: bump it with any change to either. A database whose
    live generation is another version is stale: the migrations job (`tools.migrate`) rebuilds it; until then no
    service applies events to it (`ProjectionSubscriber` checks every batch and retries), and `/readyz` says so where
    it is older than the code (`stale_projections`)."""

    @abstractmethod
    def create_statements(self, t: Tables) -> list[str]:
        """CREATE TABLE / INDEX statements for one generation (index names must include the table name)."""

    @abstractmethod
    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        """Apply a batch of events to the generation's tables, idempotently."""

    def physical(self, generation: int) -> dict[str, str]:
        return {table: f"{self.schema}.{table}_g{generation}" for table in self.tables}

    def logical(self) -> dict[str, str]:
        return {table: f"{self.schema}.{table}" for table in self.tables}


class ProjectionSubscriber:
    """Runs a projection as a subscription, writing to whichever generation is live."""

    def __init__(self, projection: Projection) -> None:
        self.projection = projection
        self.name = projection.name

    async def handle(self, conn: Any, events: Sequence[RecordedEvent]) -> None:
        # Checked on every batch, not once at start: the migrations job may swap another version in at any time
        # (before this release's rebuild, or the next release's during a rollout). The runner backs off and
        # retries, so applying resumes by itself once the live version is this code's.
        generation, version = await live_generation_and_version(conn, self.projection.name)
        if version != self.projection.version:
            raise StaleProjectionError(describe_stale({self.projection.name: (version, self.projection.version)}))
        await self.projection.apply(conn, events, self.projection.physical(generation))


class StaleProjectionError(RuntimeError):
    """The live generation is not the version this code writes: applying waits for the rebuild."""


def json_document(value: Any) -> Any:
    """A dataclass as JSON-able data: `dataclasses.asdict` with dates as ISO strings and tuples as lists.

    For projections that store a folded state as jsonb: `asdict` deep-copies every value on the way, which
    made it the largest cost of a rebuild; this builds the same data without copying.
    """
    if isinstance(value, str | int | float | bool | None):
        return value
    names = _FIELD_NAMES.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: json_document(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple):
        return [json_document(item) for item in value]
    if isinstance(value, dict):
        return {key: json_document(item) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


async def live_generation(conn: Any, name: str) -> int:
    generation, _ = await live_generation_and_version(conn, name)
    return generation


async def live_generation_and_version(conn: Any, name: str) -> tuple[int, int]:
    row = await conn.fetchrow("SELECT generation, version FROM projections WHERE name = $1", name)
    if row is None:
        raise RuntimeError(f"projection {name} is not installed: call ensure_projection first")
    return int(row["generation"]), int(row["version"])


async def _create_generation(conn: Any, projection: Projection, generation: int) -> None:
    t = projection.physical(generation)
    for table in t.values():
        await conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    for statement in projection.create_statements(t):
        await conn.execute(statement)


async def _point_views(conn: Any, projection: Projection, generation: int) -> None:
    physical = projection.physical(generation)
    for table, view in projection.logical().items():
        try:
            # Same columns: replace in place, so queries already planned against the view go on.
            async with conn.transaction():
                await conn.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {physical[table]}")
        except Exception:
            await conn.execute(f"DROP VIEW IF EXISTS {view}")
            await conn.execute(f"CREATE VIEW {view} AS SELECT * FROM {physical[table]}")


async def ensure_projection(engine: AsyncEngine, projection: Projection) -> None:
    """Install generation 1 and its views the first time; safe to call from every instance."""
    async with raw_connection(engine) as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(projection.name, "install"))
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {projection.schema}")
        if await conn.fetchval("SELECT 1 FROM projections WHERE name = $1", projection.name):
            return
        await _create_generation(conn, projection, 1)
        await _point_views(conn, projection, 1)
        await conn.execute(
            "INSERT INTO projections (name, generation, version) VALUES ($1, 1, $2)",
            projection.name,
            projection.version,
        )
        await ensure_checkpoint(conn, projection.name)


async def stale_projections(conn: Any, projections: Sequence[Projection]) -> dict[str, tuple[int, int]]:
    """The installed projections whose live generation is an older version than the code's: name -> (live, code).

    A newer live version (code rolled back after a rebuild) is stale too: the tables are not what this code writes.
    """
    rows = await conn.fetch(
        "SELECT name, version FROM projections WHERE name = ANY($1::text[])", [p.name for p in projections]
    )
    live = {r["name"]: r["version"] for r in rows}
    return {p.name: (live[p.name], p.version) for p in projections if p.name in live and live[p.name] != p.version}


def describe_stale(stale: Mapping[str, tuple[int, int]]) -> str:
    """For logs and /readyz: what is stale and what fixes it."""
    found = ", ".join(f"{name} v{live} (code v{code})" for name, (live, code) in sorted(stale.items()))
    return f"stale: {found}; python -m tools.migrate rebuilds them"


BULK_BATCH_SIZE = 10_000
"""Events per transaction while a rebuild fills the new generations: large enough that each projection's
per-batch statements (one per table, not one per event) are amortised, small enough to hold in memory."""


async def rebuild_projection(
    engine: AsyncEngine, store: PostgresEventStore, projection: Projection, batch_size: int = BULK_BATCH_SIZE
) -> LogPosition:
    """Rebuild from position zero beside the live generation, then swap it in. Returns the position."""
    positions = await rebuild_projections(engine, store, [projection], batch_size)
    return positions[projection.name]


async def rebuild_projections(
    engine: AsyncEngine,
    store: PostgresEventStore,
    projections: Sequence[Projection],
    batch_size: int = BULK_BATCH_SIZE,
) -> dict[str, LogPosition]:
    """Rebuild several projections in one pass over the log, then swap each in. Returns each one's position.

    Each batch of the log is read and decoded once and handed to every projection's new generation, in one
    transaction; the swap then happens per projection, as for one.
    """
    names = [p.name for p in projections]
    if len(set(names)) != len(names):
        raise ValueError(f"a projection named twice: {names}")
    for projection in projections:
        await ensure_projection(engine, projection)
    # Every rebuilder takes the locks in one order, so two rebuilds of overlapping sets cannot deadlock.
    keys = sorted(lock_key(name, "rebuild") for name in names)
    # Both connections before any lock: a rebuild waiting for a lock then never holds the last free
    # connection of a small pool that the lock's holder needs for its reader.
    async with own_connection(engine) as conn, own_connection(engine) as reader:
        # One rebuild at a time per projection, for the whole rebuild: session locks (a transaction
        # lock would be released before the new generation is even built, and a second rebuild would
        # drop and refill the same tables under the first).
        locked: list[int] = []
        try:
            for key in keys:
                await conn.execute("SELECT pg_advisory_lock($1)", key)
                locked.append(key)
            return await _rebuild(conn, reader, store, projections, batch_size)
        finally:
            try:
                for key in reversed(locked):
                    await conn.execute("SELECT pg_advisory_unlock($1)", key)
            except BaseException:
                # Never hand a pooled connection back still holding a lock: closing it releases them.
                conn.terminate()
                raise


async def _rebuild(
    conn: Any, reader: Any, store: PostgresEventStore, projections: Sequence[Projection], batch_size: int
) -> dict[str, LogPosition]:
    """Build generation N+1 of each from position zero on `conn`, then swap each in (the caller holds the locks)."""
    current = {p.name: await live_generation(conn, p.name) for p in projections}
    async with conn.transaction():
        for projection in projections:
            await _create_generation(conn, projection, current[projection.name] + 1)
    targets = {p.name: p.physical(current[p.name] + 1) for p in projections}
    position = await _fill(conn, reader, store, projections, targets, batch_size)
    return {p.name: await _swap(conn, store, p, current[p.name], position, batch_size) for p in projections}


async def _fill(
    conn: Any,
    reader: Any,
    store: PostgresEventStore,
    projections: Sequence[Projection],
    targets: Mapping[str, Tables],
    batch_size: int,
) -> LogPosition:
    """The bulk of the log, while the live generations go on serving: one transaction per batch for all."""
    position = START
    async for events in _read_ahead(reader, store, batch_size):
        async with conn.transaction():
            # Nothing is lost on a crash that the rebuild would not redo from zero anyway: do not wait for
            # the WAL flush of every batch.
            await conn.execute("SET LOCAL synchronous_commit = off")
            for projection in projections:
                await projection.apply(conn, events, targets[projection.name])
        position = events[-1].position
    return position


async def _read_ahead(reader: Any, store: PostgresEventStore, batch_size: int) -> AsyncIterator[list[RecordedEvent]]:
    """The log from the start in batches, the next one read and decoded (on `reader`) while the caller
    applies this one: the database's work on the writes overlaps this process's decoding."""
    pending = asyncio.ensure_future(store.read_all_on(reader, START, batch_size))
    try:
        while events := await pending:
            pending = asyncio.ensure_future(store.read_all_on(reader, events[-1].position, batch_size))
            yield events
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending


async def _swap(
    conn: Any, store: PostgresEventStore, projection: Projection, current: int, position: LogPosition, batch_size: int
) -> LogPosition:
    """Pause the live batches, catch up to the head, repoint the views, move the checkpoint, drop the old tables."""
    target = current + 1
    tables = projection.physical(target)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(projection.name, "batch"))
        while events := await store.read_all_on(conn, position, batch_size):
            await projection.apply(conn, events, tables)
            position = events[-1].position
        live = await live_generation(conn, projection.name)
        if live != current:
            raise RuntimeError(f"projection {projection.name} was swapped by someone else during rebuild")
        await _point_views(conn, projection, target)
        for table in projection.physical(current).values():
            await conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        await conn.execute(
            "UPDATE projections SET generation = $2, version = $3, swapped_at = now() WHERE name = $1",
            projection.name,
            target,
            projection.version,
        )
        await ensure_checkpoint(conn, projection.name)
        await conn.execute(
            "UPDATE subscription_checkpoints SET tx_id = $2, position = $3, updated_at = now() WHERE name = $1",
            projection.name,
            position.tx_id,
            position.position,
        )
    log.info("projection.rebuilt", projection=projection.name, generation=target, position=position.encode())
    return position


async def projection_checkpoint(engine: AsyncEngine, name: str) -> LogPosition:
    async with raw_connection(engine) as conn:
        return await read_checkpoint(conn, name)
