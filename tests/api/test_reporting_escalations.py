"""Reporting: escalation rates, stage to stage and provider to ICE, from crafted complaint events (R50, R51).

Counted by hand from `escalation_journeys` (tests/unit/reporting/journeys.py), one fresh provider:

    k1  stage 1 answered 03-20, escalated 03-25, final at stage 2 04-10, referred to ICE 05-01
    k2  stage 1 answered 03-21, escalated 04-02, final at stage 2 04-20
    k3  stage 1 answered 03-22
    k4  final at stage 1 03-30, referred to ICE 04-15
    k5  stage 1 answered 04-05, escalated 04-06
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from shared.http.platform import Platform
from tests.api.conftest import TokenFactory
from tests.unit.reporting.journeys import (
    EscalationWorld,
    append_all,
    caught_up,
    escalated,
    escalation_journeys,
    registered,
    response,
    unique,
)

MARCH_APRIL = {"from": "2026-03-01", "to": "2026-04-30"}


@pytest.fixture(scope="module")
async def reporting(database_url: str, clock: FixedClock) -> AsyncIterator[tuple[httpx.AsyncClient, Platform]]:
    settings = ReportingSettings(
        DATABASE_URL=database_url,
        APP_ENV="test",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        SUBSCRIPTION_POLL_SECONDS=0.1,
        SUBSCRIPTION_LEADER_RETRY_SECONDS=0.2,
    )
    app = create_reporting(settings, clock)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r.test") as c:
        yield c, app.state.platform


@pytest.fixture(scope="module")
async def world(reporting: tuple[httpx.AsyncClient, Platform]) -> EscalationWorld:
    w = EscalationWorld(provider=unique("provider"))
    platform = reporting[1]
    await caught_up(platform.pool, await append_all(platform.store, escalation_journeys(w)))
    return w


@pytest.fixture(scope="module")
def mi(auth: TokenFactory) -> dict[str, str]:
    return auth("dwp-mi", OrganisationKind.DWP_MI, Role.MI_ANALYST)


async def rows(
    reporting: tuple[httpx.AsyncClient, Platform], path: str, provider: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await reporting[0].get(f"/figures/{path}", params={"group_by": ["provider"], **params}, headers=headers)
    assert response.status_code == 200, response.text
    return [r for r in response.json()["rows"] if r["provider"] == provider]


async def test_stage_to_stage_escalation_rates(
    reporting: tuple[httpx.AsyncClient, Platform], world: EscalationWorld, mi: dict[str, str]
) -> None:
    p = world.provider
    assert await rows(reporting, "stage-escalations", p, mi, **MARCH_APRIL) == [
        {"provider": p, "stage": 1, "answered": 5, "escalated": 3, "escalation_rate": 0.6},
        {"provider": p, "stage": 2, "answered": 2, "escalated": 0, "escalation_rate": 0.0},
    ]
    # By the month of the stage's response: k5's April answer counts in April, with its escalation.
    assert await rows(reporting, "stage-escalations", p, mi, **MARCH_APRIL, period="month") == [
        {"provider": p, "month": "2026-03", "stage": 1, "answered": 4, "escalated": 2, "escalation_rate": 0.5},
        {"provider": p, "month": "2026-04", "stage": 1, "answered": 1, "escalated": 1, "escalation_rate": 1.0},
        {"provider": p, "month": "2026-04", "stage": 2, "answered": 2, "escalated": 0, "escalation_rate": 0.0},
    ]


async def test_provider_to_ice_escalation_rate(
    reporting: tuple[httpx.AsyncClient, Platform], world: EscalationWorld, mi: dict[str, str]
) -> None:
    p = world.provider
    assert await rows(reporting, "ice-escalations", p, mi, **MARCH_APRIL) == [
        {"provider": p, "final_responses": 3, "referred_to_ice": 2, "referral_rate": 0.6667}
    ]
    # April's final responses are k1's and k2's; k1 went to ICE (in May: the cohort follows it).
    assert await rows(reporting, "ice-escalations", p, mi, **{"from": "2026-04-01", "to": "2026-04-30"}) == [
        {"provider": p, "final_responses": 2, "referred_to_ice": 1, "referral_rate": 0.5}
    ]


async def test_escalation_rates_as_csv_for_the_provider_itself(
    reporting: tuple[httpx.AsyncClient, Platform], world: EscalationWorld, auth: TokenFactory
) -> None:
    own = auth(world.provider, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD)
    response = await reporting[0].get(
        "/figures/stage-escalations", params={**MARCH_APRIL, "period": "quarter", "format": "csv"}, headers=own
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(response.text))) == [
        {"quarter": "2026-Q1", "stage": "1", "answered": "4", "escalated": "2", "escalation_rate": "0.5"},
        {"quarter": "2026-Q2", "stage": "1", "answered": "1", "escalated": "1", "escalation_rate": "1.0"},
        {"quarter": "2026-Q2", "stage": "2", "answered": "2", "escalated": "0", "escalation_rate": "0.0"},
    ]
    other = auth(unique("provider"), OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD)
    assert await rows(reporting, "stage-escalations", world.provider, other, **MARCH_APRIL) == []


async def test_an_escalated_stage_is_timed_from_the_escalation(
    reporting: tuple[httpx.AsyncClient, Platform], mi: dict[str, str]
) -> None:
    """Stage 2 has 20 working days (provider-default). Answered on Fri 24 April 2026: late counted from the stage 1
    answer of Mon 2 March (due about 30 March), in time counted from the escalation of Mon 30 March (Easter falls
    in between: due about 29 April)."""
    provider, complaint = unique("provider"), unique("k6")
    platform = reporting[1]
    events = [
        registered(complaint, provider, "2026-02-16"),
        response(complaint, 1, "2026-03-02"),
        escalated(complaint, 1, "2026-03-30"),
        response(complaint, 2, "2026-04-24", final=True),
    ]
    await caught_up(platform.pool, await append_all(platform.store, events))
    found = await rows(reporting, "responses", provider, mi, **MARCH_APRIL, by_stage="true")
    assert [(r["stage"], r["responses"], r["within_timescale"]) for r in found] == [(1, 1, 1), (2, 1, 1)]
