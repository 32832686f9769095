"""Web and worker processes of one service (BACKGROUND_WORK): a web process serves requests only, and
a worker process of the same service leads the subscriptions and runs the background jobs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest

from services.intake.main import create_app as create_intake
from services.intake.settings import IntakeSettings
from shared.clock import FixedClock
from shared.eventstore import RecordedEvent
from shared.http.app import ServiceSpec, create_service_app
from shared.http.platform import Platform
from shared.settings import Settings
from tests.api.helpers import Provider, register_ok, wait_for_listed


class _Recorder:
    def __init__(self, name: str) -> None:
        self.name = name

    async def handle(self, conn: Any, events: Sequence[RecordedEvent]) -> None:
        pass


def _spec(name: str, started: asyncio.Event) -> ServiceSpec:
    async def job(platform: Platform) -> None:
        started.set()
        await asyncio.Event().wait()

    return ServiceSpec(
        name=name,
        title=name,
        description=name,
        routers=[],
        tags=[],
        subscribers=[_Recorder(f"test.roles.{name}")],
        background=[job],
    )


async def _started(settings: Settings, background_work: bool, clock: FixedClock) -> tuple[int, bool]:
    """How many subscriptions a process leads and whether its background job ran, given BACKGROUND_WORK."""
    started = asyncio.Event()
    role = "worker" if background_work else "web"
    app = create_service_app(
        _spec(role, started), settings.model_copy(update={"background_work": background_work}), clock
    )
    async with app.router.lifespan_context(app):
        runners = len(app.state.platform.runners)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(started.wait(), timeout=0.5)
    return runners, started.is_set()


async def test_a_web_process_leads_no_subscription_and_runs_no_job(settings: IntakeSettings, clock: FixedClock):
    assert await _started(settings, background_work=False, clock=clock) == (0, False)


async def test_a_worker_process_leads_the_subscriptions_and_runs_the_jobs(settings: IntakeSettings, clock: FixedClock):
    assert await _started(settings, background_work=True, clock=clock) == (1, True)


@pytest.fixture(scope="module")
async def web(settings: IntakeSettings, clock: FixedClock, intake_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An intake web process beside the session's intake app, which leads the subscriptions (the worker)."""
    app = create_intake(settings.model_copy(update={"background_work": False}), clock)
    async with app.router.lifespan_context(app):
        assert app.state.platform.runners == []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake-web.test") as client:
            yield client


async def test_what_a_web_process_writes_a_worker_projects(web: httpx.AsyncClient, provider: Provider):
    created = await register_ok(web, provider.caseworker, provider.body())
    listed = await wait_for_listed(web, provider.caseworker, {created["complaint_id"]})
    assert created["complaint_id"] in {item["complaint_id"] for item in listed}
