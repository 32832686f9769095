"""A service whose read model is stale (its shape changed, `Projection.version`) says so and leaves it alone."""

from __future__ import annotations

from typing import Any

import httpx

from services.intake.settings import IntakeSettings
from shared.clock import FixedClock
from shared.db import create_pool
from shared.eventstore.projections import ensure_projection
from shared.http.app import ServiceSpec, create_service_app
from tests.integration.helpers import unique_prefix
from tests.integration.test_projection_rebuild import counts_projection
from tests.integration.test_projection_versions import next_version


async def test_a_stale_read_model_makes_the_service_unready_and_is_not_applied(
    settings: IntakeSettings, clock: FixedClock
) -> None:
    current = counts_projection(unique_prefix("stale"))
    pool = await create_pool(settings.database_url or "", max_size=2)
    try:
        await ensure_projection(pool, current)  # installed by the previous release, at version 1
    finally:
        await pool.close()
    newer = next_version(current)
    spec = ServiceSpec(name="stale", title="stale", description="stale", routers=[], tags=[], projections=[newer])
    app = create_service_app(spec, settings, clock)
    async with app.router.lifespan_context(app):
        assert [runner.name for runner in app.state.platform.runners] == []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://stale.test") as c:
            response = await c.get("/readyz")
    body: dict[str, Any] = response.json()
    assert response.status_code == 503, body
    assert body["checks"]["database"] == "ok"
    assert f"{newer.name} v1 (code v2)" in body["checks"]["projections"]
    assert "tools.migrate" in body["checks"]["projections"]


async def test_current_read_models_leave_the_service_ready(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["projections"] == "ok"


async def test_a_newer_read_model_is_left_alone_but_still_served(settings: IntakeSettings, clock: FixedClock) -> None:
    """The previous release's pods during a rollout: the next release's migrations job has swapped in version 2."""
    current = counts_projection(unique_prefix("newer"))
    newer = next_version(current)
    pool = await create_pool(settings.database_url or "", max_size=2)
    try:
        await ensure_projection(pool, newer)
    finally:
        await pool.close()
    spec = ServiceSpec(name="older", title="older", description="older", routers=[], tags=[], projections=[current])
    app = create_service_app(spec, settings, clock)
    async with app.router.lifespan_context(app):
        assert [runner.name for runner in app.state.platform.runners] == []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://older.test") as c:
            response = await c.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["projections"] == "ok"
