"""The deadline watcher: a missed deadline gives one `deadline.missed` event, however many instances sweep."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from services.escalation.main import create_app as create_escalation
from services.escalation.settings import EscalationSettings
from services.escalation.watcher import deadlines_stream, sweep
from shared.clock import FixedClock
from shared.db import raw_connection
from shared.http.platform import Platform
from tests.api.helpers import Provider, eventually, register


@pytest.fixture
def watch_clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 5, 9, 0, tzinfo=UTC))  # Thursday: acknowledgement due 4 Nov missed


@pytest.fixture
async def two_instances(database_url: str, watch_clock: FixedClock) -> AsyncIterator[list[FastAPI]]:
    """Two escalation instances on one database, each sweeping every 50 ms."""
    settings = EscalationSettings(
        DATABASE_URL=database_url,
        APP_ENV="test",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        DEADLINE_WATCH_SECONDS=0.05,
        SUBSCRIPTION_POLL_SECONDS=0.1,
        SUBSCRIPTION_LEADER_RETRY_SECONDS=0.2,
    )
    apps = [create_escalation(settings, watch_clock), create_escalation(settings, watch_clock)]
    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        yield apps


async def _stream_types(platform: Platform, complaint_id: str) -> Counter[str]:
    return Counter(e.type for e in await platform.store.read_stream(deadlines_stream(complaint_id)))


async def _projected(platform: Platform, complaint_id: str) -> bool:
    async with raw_connection(platform.pool) as conn:
        return bool(await conn.fetchval("SELECT 1 FROM escalation.timelines WHERE complaint_id = $1", complaint_id))


async def test_missed_deadlines_are_recorded_exactly_once_by_two_running_instances(
    client: httpx.AsyncClient, provider: Provider, two_instances: list[FastAPI], watch_clock: FixedClock
) -> None:
    platform: Platform = two_instances[0].state.platform
    created = await register(client, provider.caseworker, provider.body(received_on="2026-11-02"))
    complaint_id = created.json()["complaint_id"]
    await eventually(lambda: _projected(platform, complaint_id), bool, what="the timeline projected")
    await eventually(lambda: _stream_types(platform, complaint_id), bool, what="a missed deadline")
    await asyncio.sleep(0.3)  # several more sweeps by both instances
    assert await _stream_types(platform, complaint_id) == Counter({"deadline.missed": 1})
    (missed,) = await platform.store.read_stream(deadlines_stream(complaint_id))
    assert (missed.data["kind"], missed.data["due_on"], missed.data["requirement"]) == (
        "acknowledgement",
        "2026-11-04",
        "R4",
    )

    watch_clock.set(datetime(2026, 12, 29, 9, 0, tzinfo=UTC))  # stage 1 (23 Nov) and eight weeks (28 Dec) missed
    await eventually(
        lambda: _has(platform, complaint_id, "complaint.eight_week_right_arisen"), bool, what="the eight-week right"
    )
    await asyncio.sleep(0.3)
    assert await _stream_types(platform, complaint_id) == Counter(
        {"deadline.missed": 3, "complaint.eight_week_right_arisen": 1}
    )


async def _has(platform: Platform, complaint_id: str, event_type: str) -> bool:
    return event_type in await _stream_types(platform, complaint_id)


async def test_concurrent_sweeps_append_each_event_once(
    client: httpx.AsyncClient, provider: Provider, two_instances: list[FastAPI]
) -> None:
    platforms: list[Platform] = [app.state.platform for app in two_instances]
    created = await register(client, provider.caseworker, provider.body(received_on="2026-10-01"))
    complaint_id = created.json()["complaint_id"]
    await eventually(lambda: _projected(platforms[0], complaint_id), bool, what="the timeline projected")
    day = datetime(2027, 1, 10, tzinfo=UTC).date()
    await asyncio.gather(*(sweep(p, day) for p in platforms * 4))
    counts = await _stream_types(platforms[0], complaint_id)
    assert counts == Counter({"deadline.missed": 3, "complaint.eight_week_right_arisen": 1})


async def test_a_sweep_appends_nothing_for_what_an_earlier_sweep_recorded(
    client: httpx.AsyncClient, provider: Provider, two_instances: list[FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    platform: Platform = two_instances[0].state.platform
    created = await register(client, provider.caseworker, provider.body(received_on="2026-10-01"))
    complaint_id = created.json()["complaint_id"]
    await eventually(lambda: _projected(platform, complaint_id), bool, what="the timeline projected")
    day = datetime(2027, 1, 10, tzinfo=UTC).date()
    await sweep(platform, day)
    assert sum((await _stream_types(platform, complaint_id)).values()) == 4

    appends: list[str] = []
    real_append = platform.store.append

    async def counting_append(stream_id: str, *args: object, **kwargs: object) -> object:
        appends.append(stream_id)
        return await real_append(stream_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(platform.store, "append", counting_append)
    assert await sweep(platform, day) == 0
    assert deadlines_stream(complaint_id) not in appends, "the recorded misses were appended again"
