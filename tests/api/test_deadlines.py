"""`GET /complaints/{id}/deadlines` on the escalation service: computed from events and its clock (R21)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.escalation.main import create_app as create_escalation
from services.escalation.settings import EscalationSettings
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock, business_date
from tests.api.conftest import TokenFactory
from tests.api.helpers import Provider, assert_problem, register

RECEIVED = "2026-11-02"  # a Monday


@pytest.fixture
def escalation_clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 3, 10, 0, tzinfo=UTC))


@pytest.fixture
async def deadlines_client(database_url: str, escalation_clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    """Escalation with a clock of its own, so `today` is exact whatever other tests did to theirs."""
    settings = EscalationSettings(DATABASE_URL=database_url, APP_ENV="test", LOG_JSON=False, LOG_LEVEL="WARNING")
    app = create_escalation(settings, escalation_clock)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://esc.test") as c,
    ):
        yield c


def by_kind(body: dict[str, Any], kind: str) -> dict[str, Any]:
    (only,) = [d for d in body["deadlines"] if d["kind"] == kind and d["stage"] in (None, 1)]
    return dict(only)


async def test_deadlines_follow_the_clock_and_the_events(
    client: httpx.AsyncClient, deadlines_client: httpx.AsyncClient, escalation_clock: FixedClock, provider: Provider
) -> None:
    created = await register(client, provider.caseworker, provider.body(received_on=RECEIVED))
    assert created.status_code == 201, created.text
    complaint_id = created.json()["complaint_id"]
    url = f"/complaints/{complaint_id}/deadlines"

    body = (await deadlines_client.get(url, headers=provider.caseworker)).json()
    assert (body["profile"], body["stage"], body["owner"], body["today"]) == (
        "provider-default@v1",
        1,
        "provider",
        "2026-11-03",
    )
    assert (by_kind(body, "acknowledgement")["due_on"], by_kind(body, "acknowledgement")["status"]) == (
        "2026-11-04",
        "due_soon",
    )
    assert by_kind(body, "stage_response")["due_on"] == "2026-11-23"  # 15 working days
    assert by_kind(body, "stage_response")["status"] == "on_time"
    assert by_kind(body, "eight_week_final_response")["due_on"] == "2026-12-28"  # 56 days

    escalation_clock.advance(timedelta(days=2))  # Thursday 5 November
    body = (await deadlines_client.get(url, headers=provider.caseworker)).json()
    assert by_kind(body, "acknowledgement")["status"] == "overdue"

    acknowledged = await client.post(
        f"/complaints/{complaint_id}/acknowledgement",
        json={"acknowledged_on": "2026-11-04", "method": "letter"},
        headers=provider.caseworker,
    )
    assert acknowledged.status_code == 200, acknowledged.text
    body = (await deadlines_client.get(url, headers=provider.caseworker)).json()
    assert (by_kind(body, "acknowledgement")["met_on"], by_kind(body, "acknowledgement")["status"]) == (
        "2026-11-04",
        "met",
    )

    escalation_clock.advance(timedelta(days=19))  # Tuesday 24 November
    body = (await deadlines_client.get(url, headers=provider.caseworker)).json()
    assert by_kind(body, "stage_response")["status"] == "overdue"


async def test_as_of_shows_the_deadlines_as_they_stood(
    client: httpx.AsyncClient,
    deadlines_client: httpx.AsyncClient,
    escalation_clock: FixedClock,
    provider: Provider,
    clock: FixedClock,
) -> None:
    escalation_clock.set(clock.now())
    created = (await register(client, provider.caseworker, provider.body(received_on=RECEIVED))).json()
    before_acknowledgement = clock.now()
    clock.advance(timedelta(minutes=5))
    await client.post(
        f"/complaints/{created['complaint_id']}/acknowledgement",
        json={"acknowledged_on": "2026-11-04", "method": "email"},
        headers=provider.caseworker,
    )
    url = f"/complaints/{created['complaint_id']}/deadlines"
    then = (
        await deadlines_client.get(
            url, params={"as_of": before_acknowledgement.isoformat()}, headers=provider.caseworker
        )
    ).json()
    now = (await deadlines_client.get(url, headers=provider.caseworker)).json()
    assert by_kind(then, "acknowledgement")["met_on"] is None
    assert by_kind(then, "acknowledgement")["status"] == "overdue"  # as of that day, long past 4 November
    assert by_kind(now, "acknowledgement")["met_on"] == "2026-11-04"


async def test_another_organisation_gets_404(
    client: httpx.AsyncClient, deadlines_client: httpx.AsyncClient, provider: Provider, auth: TokenFactory
) -> None:
    created = (await register(client, provider.caseworker, provider.body(received_on=RECEIVED))).json()
    stranger = auth("someone-else", OrganisationKind.PROVIDER, Role.CASEWORKER)
    response = await deadlines_client.get(f"/complaints/{created['complaint_id']}/deadlines", headers=stranger)
    assert_problem(response, 404, "not-found")
    missing = await deadlines_client.get("/complaints/00000000-0000-0000-0000-000000000000/deadlines", headers=stranger)
    assert_problem(missing, 404, "not-found")


async def test_a_holiday_added_to_the_overrides_file_moves_open_deadlines_at_once(
    client: httpx.AsyncClient, provider: Provider, database_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    overrides = tmp_path / "overrides.toml"
    overrides.write_text("# none yet\n")
    settings = EscalationSettings(
        DATABASE_URL=database_url,
        APP_ENV="test",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        BANK_HOLIDAY_OVERRIDES_FILE=overrides,
    )
    app = create_escalation(settings, FixedClock(datetime(2026, 11, 3, 10, 0, tzinfo=UTC)))
    acknowledged = (await register(client, provider.caseworker, provider.body(received_on=RECEIVED))).json()
    opened = (await register(client, provider.caseworker, provider.body(received_on=RECEIVED))).json()
    await client.post(
        f"/complaints/{acknowledged['complaint_id']}/acknowledgement",
        json={"acknowledged_on": "2026-11-03", "method": "letter"},
        headers=provider.caseworker,
    )
    as_of = clock.now().isoformat()
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://e.test") as c:

        async def read(complaint: dict[str, Any], **params: str) -> dict[str, Any]:
            response = await c.get(
                f"/complaints/{complaint['complaint_id']}/deadlines", params=params, headers=provider.caseworker
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        before = await read(opened)
        assert by_kind(before, "acknowledgement")["due_on"] == "2026-11-04"
        assert by_kind(before, "stage_response")["due_on"] == "2026-11-23"
        past_before = by_kind(await read(acknowledged, as_of=as_of), "acknowledgement")

        # A holiday announced later: Wednesday 4 November 2026, England and Wales.
        overrides.write_text('[[added]]\nnation = "england"\ndate = 2026-11-04\nname = "announced later"\n')
        after = await read(opened)
        assert by_kind(after, "acknowledgement")["due_on"] == "2026-11-05"
        assert by_kind(after, "stage_response")["due_on"] == "2026-11-24"
        past_after = by_kind(await read(acknowledged, as_of=as_of), "acknowledgement")
        assert (past_after["status"], past_after["met_on"]) == (past_before["status"], past_before["met_on"])
        assert past_after["status"] == "met"

        days = await c.get(
            "/working-days/add",
            params={"nation": "wales", "from": "2026-11-03", "days": 1},
            headers=provider.caseworker,
        )
        assert days.json()["date"] == "2026-11-05"


async def test_responses_meet_stage_deadlines_and_the_final_one_opens_the_ice_window(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, provider: Provider, auth: TokenFactory, clock: FixedClock
) -> None:
    from tests.api.test_intake_work import post_ok, response_body

    def person(name: str) -> dict[str, str]:
        return auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, subject=name)

    # Received today, whatever other tests did to the session clock, so the responses are on time.
    received_today = provider.body(received_on=business_date(clock.now()).isoformat())
    created = (await register(client, provider.caseworker, received_today)).json()
    complaint_id = created["complaint_id"]
    await post_ok(client, person("ann"), complaint_id, "responses", response_body(clock, reviewer_user_id="bob"))
    final = response_body(
        clock,
        stage=2,
        final=True,
        reviewer_user_id="dan",
        findings=[{"element_id": "E1", "desired_outcome_achievable": False, "why_not": "The rota is fixed."}],
    )
    await post_ok(client, person("cat"), complaint_id, "responses", final)
    body = (await escalation.get(f"/complaints/{complaint_id}/deadlines", headers=provider.caseworker)).json()
    statuses = {(d["kind"], d["stage"]): d["status"] for d in body["deadlines"]}
    assert statuses[("stage_response", 1)] == "met"
    assert statuses[("stage_response", 2)] == "met"
    assert statuses[("eight_week_final_response", None)] == "met"
    assert statuses[("ice_window", None)] == "on_time"
    assert body["stage"] == 2


async def test_a_staff_complaint_s_deadlines_need_the_staff_complaints_role(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, provider: Provider, auth: TokenFactory
) -> None:
    body = provider.body(staff_complaint={"responsible_team_leader_user_id": "team-leader-3"})
    created = (await register(client, provider.caseworker, body)).json()
    url = f"/complaints/{created['complaint_id']}/deadlines"
    cleared = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, Role.STAFF_COMPLAINTS)
    assert_problem(await escalation.get(url, headers=provider.caseworker), 404, "not-found")
    assert (await escalation.get(url, headers=cleared)).status_code == 200
