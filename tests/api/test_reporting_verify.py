"""`python -m tools.verify_reporting`: the read model equals a replay of the log, and tampering is caught (R52).

The expected figures of the crafted journeys are worked out by hand in tests/api/test_reporting_ice.py and
tests/api/test_reporting_escalations.py; here a tampered row must show as that row and as the figure it moves."""

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
from tests.api.helpers import Provider, eventually, register, unique
from tests.unit.reporting.journeys import (
    EscalationWorld,
    IceWorld,
    append_all,
    caught_up,
    escalation_journeys,
    ice_journeys,
)
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


async def test_verify_recomputes_the_ice_and_escalation_figures_and_catches_tampering(
    client: httpx.AsyncClient, provider: Provider, reporting_platform: Platform
) -> None:
    """A journey-rich seed: a complaint through the API, and crafted escalation, ICE and PHSO journeys in the log."""
    ice, esc = IceWorld(prime=unique("prime"), sub=unique("sub")), EscalationWorld(provider=unique("provider"))
    assert (await register(client, provider.caseworker, provider.body())).status_code == 201
    store = reporting_platform.store
    await append_all(store, escalation_journeys(esc))
    await caught_up(reporting_platform.pool, await append_all(store, ice_journeys(ice)))
    assert await differences(reporting_platform.pool) == []

    async with raw_connection(reporting_platform.pool) as conn:
        await conn.execute(
            "UPDATE reporting.ice_facts SET amount_pence = 140000 WHERE case_id = $1 AND fact = 'fee_raised'", ice.c
        )
    assert await differences(reporting_platform.pool) == [
        f"ICE fact ({ice.c!r}, 'fee_raised', '{ice.c}-report'): log says ('2026-06-16', 150000, 'fee'), "
        "read model says ('2026-06-16', 140000, 'fee')",
        f"figure ice_fees_and_redress ({ice.prime!r},): (log, read model) differ in "
        "{'fees_outstanding_pence': (50000, 40000), 'fees_raised_pence': (150000, 140000)}",
    ]
    async with raw_connection(reporting_platform.pool) as conn:
        await conn.execute(
            "UPDATE reporting.ice_facts SET amount_pence = 150000 WHERE case_id = $1 AND fact = 'fee_raised'", ice.c
        )
        await conn.execute("DELETE FROM reporting.escalations WHERE complaint_id = $1", esc.k1)
    assert await differences(reporting_platform.pool) == [
        f"escalation ({esc.k1!r}, 1): log says (2, '2026-03-25'), read model says None",
        f"figure stage_escalations ({esc.provider!r}, 1): (log, read model) differ in "
        "{'escalated': (3, 2), 'escalation_rate': (0.6, 0.4)}",
    ]
    async with raw_connection(reporting_platform.pool) as conn:
        await conn.execute("INSERT INTO reporting.escalations VALUES ($1, 1, 2, '2026-03-25')", esc.k1)
        await conn.execute(
            "UPDATE reporting.ice_cases SET provider_organisation_id = $2 WHERE case_id = $1", ice.d, ice.sub
        )
    found = await differences(reporting_platform.pool)
    assert found[0].startswith(f"ICE case {ice.d}: log says ({ice.prime!r},")
    assert {line.split(" (")[0] for line in found[1:]} == {"figure ice_cases"}
    async with raw_connection(reporting_platform.pool) as conn:
        await conn.execute(
            "UPDATE reporting.ice_cases SET provider_organisation_id = $2 WHERE case_id = $1", ice.d, ice.prime
        )
    assert await differences(reporting_platform.pool) == []
