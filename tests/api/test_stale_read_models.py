"""A service whose read model is stale (its shape changed, `Projection.version`) says so and leaves it alone."""

from __future__ import annotations

from typing import Any

import httpx

from services.intake.settings import IntakeSettings
from shared.clock import FixedClock
from shared.db import create_pool
from shared.eventstore.projections import Projection, ensure_projection
from shared.http.app import ServiceSpec, create_service_app
from tests.integration.helpers import unique_prefix
from tests.integration.test_projection_rebuild import counts_projection
from tests.integration.test_projection_versions import next_version


async def _service_on(
    settings: IntakeSettings, clock: FixedClock, installed: Projection, code: Projection
) -> tuple[list[str], httpx.Response]:
    """A service whose code has `code` while the database has `installed` live: its subscriptions and /readyz."""
    pool = await create_pool(settings.database_url or "", max_size=2)
    try:
        await ensure_projection(pool, installed)
    finally:
        await pool.close()
    spec = ServiceSpec(name="svc", title="svc", description="svc", routers=[], tags=[], projections=[code])
    app = create_service_app(spec, settings, clock)
    async with app.router.lifespan_context(app):
        runners = [runner.name for runner in app.state.platform.runners]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc.test") as c:
            return runners, await c.get("/readyz")


async def test_a_stale_read_model_makes_the_service_unready_and_is_not_applied(
    settings: IntakeSettings, clock: FixedClock
) -> None:
    """This release's code, before the migrations job has rebuilt the read model."""
    current = counts_projection(unique_prefix("stale"))
    newer = next_version(current)
    runners, response = await _service_on(settings, clock, installed=current, code=newer)
    body: dict[str, Any] = response.json()
    assert runners == []
    assert response.status_code == 503, body
    assert body["checks"]["database"] == "ok"
    assert f"{newer.name} v1 (code v2)" in body["checks"]["projections"]
    assert "tools.migrate" in body["checks"]["projections"]


async def test_a_newer_read_model_is_left_alone_but_still_served(settings: IntakeSettings, clock: FixedClock) -> None:
    """The previous release's pods during a rollout: the next release's migrations job has swapped in version 2."""
    current = counts_projection(unique_prefix("newer"))
    runners, response = await _service_on(settings, clock, installed=next_version(current), code=current)
    assert runners == []
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["projections"] == "ok"


async def test_current_read_models_leave_the_service_ready(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["projections"] == "ok"
