"""`python -m tools.verify_reporting`: the read model equals a replay of the log, and tampering is caught (R52)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from shared.clock import FixedClock
from shared.db import raw_connection
from shared.eventstore.subscriptions import read_checkpoint
from shared.http.platform import Platform
from tests.api.helpers import Provider, eventually, register
from tools.verify_reporting import differences


@pytest.fixture
async def reporting_platform(database_url: str, clock: FixedClock) -> AsyncIterator[Platform]:
    settings = ReportingSettings(
        DATABASE_URL=database_url, APP_ENV="test", LOG_JSON=False, LOG_LEVEL="WARNING", SUBSCRIPTION_POLL_SECONDS=0.1
    )
    app = create_reporting(settings, clock)
    async with app.router.lifespan_context(app):
        yield app.state.platform


async def test_verify_passes_then_catches_a_tampered_row(
    client: httpx.AsyncClient, provider: Provider, reporting_platform: Platform
) -> None:
    created = (await register(client, provider.caseworker, provider.body())).json()
    complaint_id = created["complaint_id"]

    async def applied() -> bool:
        async with raw_connection(reporting_platform.pool) as conn:
            row = await conn.fetchval("SELECT 1 FROM reporting.complaints WHERE complaint_id = $1", complaint_id)
            checkpoint = await read_checkpoint(conn, "reporting.facts")
            head = await conn.fetchval("SELECT max(position) FROM events")
        return bool(row) and checkpoint.position >= head

    await eventually(applied, bool, what="the fact applied and the model at the head")
    assert await differences(reporting_platform.pool) == []

    async with raw_connection(reporting_platform.pool) as conn:
        await conn.execute("UPDATE reporting.complaints SET channel = 'letter' WHERE complaint_id = $1", complaint_id)
    found = await differences(reporting_platform.pool)
    assert len(found) == 1
    assert complaint_id in found[0]
    assert "'phone'" in found[0]
    assert "'letter'" in found[0]
    async with raw_connection(reporting_platform.pool) as conn:
        await conn.execute("UPDATE reporting.complaints SET channel = 'phone' WHERE complaint_id = $1", complaint_id)
        await conn.execute("DELETE FROM reporting.elements WHERE complaint_id = $1", complaint_id)
    found = await differences(reporting_platform.pool)
    assert found == [f"element ({complaint_id!r}, 'E1', 'd_you_take_too_long'): in the log, not in the read model"]
    async with raw_connection(reporting_platform.pool) as conn:
        await conn.execute("INSERT INTO reporting.elements VALUES ($1, 'E1', 'd_you_take_too_long')", complaint_id)
    assert await differences(reporting_platform.pool) == []
