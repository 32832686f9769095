"""A service whose read model is stale (its shape changed, `Projection.version`) says so, applies nothing to it, and
resumes by itself once the migrations job has rebuilt it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.intake.settings import IntakeSettings
from shared.clock import FixedClock
from shared.db import create_pool, raw_connection
from shared.eventstore import LogPosition, PostgresEventStore
from shared.eventstore.model import START
from shared.eventstore.projections import ensure_projection, rebuild_projections
from shared.eventstore.subscriptions import read_checkpoint
from shared.http.app import ServiceSpec, create_service_app
from tests.api.helpers import eventually
from tests.integration.helpers import new_events, unique_prefix
from tests.integration.test_projection_rebuild import EventCounts, counts_projection
from tests.integration.test_projection_versions import next_version


@pytest.fixture
async def pg(settings: IntakeSettings) -> AsyncIterator[tuple[Any, PostgresEventStore]]:
    pool = await create_pool(settings.database_url or "", max_size=4)
    store = PostgresEventStore(pool)
    yield pool, store
    await store.close()
    await pool.close()


async def _counted(pool: Any, projection: EventCounts) -> int:
    async with raw_connection(pool) as conn:
        return int(await conn.fetchval(f"SELECT coalesce(sum(events), 0) FROM {projection.schema}.counts"))


def _worker(code: EventCounts, settings: IntakeSettings, clock: FixedClock) -> Any:
    spec = ServiceSpec(name="svc", title="svc", description="svc", routers=[], tags=[], projections=[code])
    return create_service_app(spec, settings, clock)  # BACKGROUND_WORK: it leads the subscription


async def _readyz(app: Any) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc.test") as c:
        return await c.get("/readyz")


async def test_a_stale_read_model_is_reported_and_left_alone_until_rebuilt_then_applied(
    settings: IntakeSettings, clock: FixedClock, pg: tuple[Any, PostgresEventStore]
) -> None:
    """This release's worker, started before the migrations job has rebuilt the read model."""
    pool, store = pg
    prefix = unique_prefix("stale")
    current = counts_projection(prefix)
    newer = next_version(current)
    await ensure_projection(pool, current)  # installed by the previous release, at version 1
    app = _worker(newer, settings, clock)
    async with app.router.lifespan_context(app):
        response = await _readyz(app)
        body: dict[str, Any] = response.json()
        assert response.status_code == 503, body
        assert f"{newer.name} v1 (code v2)" in body["checks"]["projections"]
        assert "tools.migrate" in body["checks"]["projections"]
        await store.append(f"{prefix}a", "test", 0, new_events(2))
        await store.append(f"{prefix}b", "test", 0, new_events(1))
        # It leads the subscription and refuses every batch: nothing of this code goes into the old tables.
        leader = app.state.platform.runner(newer.name)
        await eventually(lambda: _failures(leader), lambda n: n > 1, what="the batches refused")
        assert await _checkpoint(pool, newer.name) == START
        assert await _counted(pool, current) == 0

        await rebuild_projections(pool, store, [newer])  # the migrations job, while the worker runs
        assert (await _readyz(app)).status_code == 200
        await store.append(f"{prefix}c", "test", 0, new_events(1))
        await eventually(lambda: _counted(pool, newer), lambda n: n == 4, what="the worker applying again")


async def test_a_newer_read_model_is_served_but_not_written_by_the_old_code(
    settings: IntakeSettings, clock: FixedClock, pg: tuple[Any, PostgresEventStore]
) -> None:
    """The previous release's worker during a rollout: the next release's migrations job has swapped in version 2."""
    pool, store = pg
    prefix = unique_prefix("newer")
    current = counts_projection(prefix)
    newer = next_version(current)
    await ensure_projection(pool, newer)
    app = _worker(current, settings, clock)
    async with app.router.lifespan_context(app):
        response = await _readyz(app)
        assert response.status_code == 200, response.text
        assert response.json()["checks"]["projections"] == "ok"
        await store.append(f"{prefix}a", "test", 0, new_events(3))
        leader = app.state.platform.runner(current.name)
        await eventually(lambda: _failures(leader), lambda n: n > 1, what="the old code refusing to apply")
        assert await _checkpoint(pool, current.name) == START
        assert await _counted(pool, newer) == 0


async def _failures(runner: Any) -> int:
    return int(runner.failures)


async def _checkpoint(pool: Any, name: str) -> LogPosition:
    async with raw_connection(pool) as conn:
        return await read_checkpoint(conn, name)


async def test_current_read_models_leave_the_service_ready(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["projections"] == "ok"
