"""Every read model applies a batch exactly as it applies the same events one at a time.

A rebuild hands each projection batches of thousands of events; the live subscription hands it a few at a time.
The rebuilt tables equal the live ones only if the batch size makes no difference: here the same journeys go into
two fresh generations of each projection, one event per transaction and all in one, and every table is compared.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from shared.eventstore import RecordedEvent
from shared.eventstore.projections import Projection, Tables
from tests.unit.reporting.journeys import (
    EscalationWorld,
    IceWorld,
    InMemoryLog,
    escalation_journeys,
    ice_journeys,
    unique,
)
from tools.rebuild import PROJECTIONS

pytestmark = pytest.mark.eventstore


def journeys() -> list[RecordedEvent]:
    log = InMemoryLog()
    log.add(ice_journeys(IceWorld(prime=unique("prime"), sub=unique("sub"))))
    return log.add(escalation_journeys(EscalationWorld(provider=unique("provider"))))


@pytest.fixture
async def generations(pg_conn: Any) -> AsyncIterator[list[Tables]]:
    """Two numbers no live generation uses; their tables are dropped afterwards."""
    made: list[Tables] = []
    yield made
    for tables in made:
        for table in tables.values():
            await pg_conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")


async def fresh(conn: Any, projection: Projection, made: list[Tables]) -> Tables:
    tables = projection.physical(10_000 + uuid.uuid4().int % 1_000_000)
    made.append(tables)
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {projection.schema}")
    for statement in projection.create_statements(tables):
        await conn.execute(statement)
    return tables


async def apply_in_batches(
    conn: Any, projection: Projection, events: Sequence[RecordedEvent], size: int, t: Tables
) -> None:
    for start in range(0, len(events), size):
        async with conn.transaction():
            await projection.apply(conn, events[start : start + size], t)


async def contents(conn: Any, table: str) -> list[str]:
    rows = await conn.fetch(f"SELECT to_jsonb(r)::text AS row FROM {table} r")
    return sorted(r["row"] for r in rows)


@pytest.mark.parametrize("name", sorted(PROJECTIONS))
async def test_a_batch_applies_as_its_events_one_by_one(name: str, pg_conn: Any, generations: list[Tables]) -> None:
    projection = PROJECTIONS[name]
    events = journeys()
    one_by_one = await fresh(pg_conn, projection, generations)
    together = await fresh(pg_conn, projection, generations)

    await apply_in_batches(pg_conn, projection, events, 1, one_by_one)
    await apply_in_batches(pg_conn, projection, events, len(events), together)

    filled = 0
    for table in projection.tables:
        expected = await contents(pg_conn, one_by_one[table])
        assert await contents(pg_conn, together[table]) == expected, table
        filled += len(expected)
    assert filled > 0 or name == "directory"  # the journeys hold no directory events


@pytest.mark.parametrize("name", sorted(PROJECTIONS))
async def test_a_batch_applied_again_changes_nothing(name: str, pg_conn: Any, generations: list[Tables]) -> None:
    projection = PROJECTIONS[name]
    events = journeys()
    tables = await fresh(pg_conn, projection, generations)
    await apply_in_batches(pg_conn, projection, events, 7, tables)
    # The bookkeeping row counts applications, not events: not part of what a replay must leave alone.
    compared = [t for t in projection.tables if t != "projection_state"]
    before = {t: await contents(pg_conn, tables[t]) for t in compared}

    await apply_in_batches(pg_conn, projection, events, 5, tables)

    assert {t: await contents(pg_conn, tables[t]) for t in compared} == before
