"""A read model whose shape changed (`Projection.version`) is found stale and rebuilt by the migrations job."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from shared.db import raw_connection
from shared.eventstore import PostgresEventStore
from shared.eventstore.projections import (
    Tables,
    describe_stale,
    ensure_projection,
    rebuild_projections,
    stale_projections,
)
from tests.integration.helpers import new_events, unique_prefix
from tests.integration.test_projection_rebuild import EventCounts, counts_projection
from tools import rebuild as rebuild_tool

pytestmark = pytest.mark.eventstore


def next_version(projection: EventCounts) -> EventCounts:
    """The same read model as the next release has it: version 2, with a column more."""

    class WithKind(type(projection)):  # type: ignore[misc]
        version: ClassVar[int] = 2

        def create_statements(self, t: Tables) -> list[str]:
            return [f"CREATE TABLE {t['counts']} (stream_id text PRIMARY KEY, events integer NOT NULL, kind text)"]

    newer: EventCounts = WithKind(projection.prefix)
    return newer


async def _installed_with_events(pool: Any, store: PostgresEventStore) -> EventCounts:
    prefix = unique_prefix("versions")
    projection = counts_projection(prefix)
    await ensure_projection(pool, projection)
    await store.append(f"{prefix}a", "test", 0, new_events(3))
    await rebuild_projections(pool, store, [projection])  # the live generation holds the events, at version 1
    return projection


async def _columns(pool: Any, projection: EventCounts) -> list[str]:
    async with raw_connection(pool) as conn:
        rows = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'counts' "
            "ORDER BY ordinal_position",
            projection.schema,
        )
    return [r["column_name"] for r in rows]


async def test_a_newer_version_finds_the_live_generation_stale_until_rebuilt(
    pool: Any, pg_store: PostgresEventStore
) -> None:
    current = await _installed_with_events(pool, pg_store)
    newer = next_version(current)
    async with raw_connection(pool) as conn:
        assert await stale_projections(conn, [current]) == {}
        stale = await stale_projections(conn, [newer])
    assert stale == {newer.name: (1, 2)}
    assert newer.name in describe_stale(stale)
    assert "tools.migrate" in describe_stale(stale)

    await rebuild_projections(pool, pg_store, [newer])
    async with raw_connection(pool) as conn:
        assert await stale_projections(conn, [newer]) == {}
        # Code rolled back after the rebuild: the tables are not what it writes either.
        assert await stale_projections(conn, [current]) == {current.name: (2, 1)}
        counts = await conn.fetch(f"SELECT stream_id, events, kind FROM {newer.schema}.counts")
    assert [(r["events"], r["kind"]) for r in counts] == [(3, None)]
    assert await _columns(pool, newer) == ["stream_id", "events", "kind"]


async def test_the_migrations_job_rebuilds_what_is_stale_and_nothing_else(
    pool: Any, pg_store: PostgresEventStore, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = await _installed_with_events(pool, pg_store)
    newer = next_version(current)
    monkeypatch.setitem(rebuild_tool.PROJECTIONS, newer.name, newer)

    assert await rebuild_tool.rebuild_stale(database_url) == [newer.name]
    assert await _columns(pool, newer) == ["stream_id", "events", "kind"]
    assert await rebuild_tool.rebuild_stale(database_url) == []  # the service's read models are all current
