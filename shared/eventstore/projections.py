"""Read-model projections: generations of tables behind views, rebuilt beside the live one.

A projection owns one or more tables. Each generation has its own physical tables
(`intake.complaints_g3`); readers query a view with the logical name (`intake.complaints`). A
rebuild fills generation N+1 from position zero while the live generation keeps serving, then, in
one transaction that pauses the live subscription's batches, catches up to the head, repoints the
views, moves the checkpoint and drops generation N. Readers never see a half-built model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import raw_connection
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
        generation = await live_generation(conn, self.projection.name)
        await self.projection.apply(conn, events, self.projection.physical(generation))


async def live_generation(conn: Any, name: str) -> int:
    generation = await conn.fetchval("SELECT generation FROM projections WHERE name = $1", name)
    if generation is None:
        raise RuntimeError(f"projection {name} is not installed: call ensure_projection first")
    return int(generation)


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
        await conn.execute("INSERT INTO projections (name, generation) VALUES ($1, 1)", projection.name)
        await ensure_checkpoint(conn, projection.name)


async def rebuild_projection(
    engine: AsyncEngine, store: PostgresEventStore, projection: Projection, batch_size: int = 2000
) -> LogPosition:
    """Rebuild from position zero beside the live generation, then swap it in. Returns the position."""
    await ensure_projection(engine, projection)
    key = lock_key(projection.name, "rebuild")
    async with raw_connection(engine) as conn:
        # One rebuild at a time per projection, for the whole rebuild: a session lock (a
        # transaction lock would be released before the new generation is even built, and a
        # second rebuild would drop and refill the same tables under the first).
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", key)
            return await _rebuild(conn, store, projection, batch_size)
        finally:
            try:
                await conn.execute("SELECT pg_advisory_unlock($1)", key)
            except BaseException:
                # Never hand a pooled connection back still holding the lock: closing it releases it.
                conn.terminate()
                raise


async def _rebuild(conn: Any, store: PostgresEventStore, projection: Projection, batch_size: int) -> LogPosition:
    """Build generation N+1 from position zero on `conn`, then swap it in (the caller holds the rebuild lock)."""
    current = await live_generation(conn, projection.name)
    target = current + 1
    async with conn.transaction():
        await _create_generation(conn, projection, target)
    tables = projection.physical(target)
    position = START
    # Bulk of the log, in batches, while the live generation goes on serving.
    while True:
        async with conn.transaction():
            events = await store.read_all_on(conn, position, batch_size)
            if events:
                await projection.apply(conn, events, tables)
        if not events:
            break
        position = events[-1].position
    # The swap: pause live batches, catch up to the head, repoint, move the checkpoint.
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
            "UPDATE projections SET generation = $2, swapped_at = now() WHERE name = $1",
            projection.name,
            target,
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
