"""`GET /worklist` on the escalation service: scoped, most urgent first, moving with the clock (R26)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.escalation.main import create_app as create_escalation
from services.escalation.settings import EscalationSettings
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, eventually, register


@pytest.fixture
def worklist_clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 3, 9, 0, tzinfo=UTC))  # Tuesday


@pytest.fixture
async def escalation_client(database_url: str, worklist_clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    settings = EscalationSettings(
        DATABASE_URL=database_url,
        APP_ENV="test",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        SUBSCRIPTION_POLL_SECONDS=0.1,
        SUBSCRIPTION_LEADER_RETRY_SECONDS=0.2,
    )
    app = create_escalation(settings, worklist_clock)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://w.test") as c:
        yield c


def entries(body: dict[str, Any], complaint_ids: set[str]) -> list[tuple[str, str, str, str]]:
    return [
        (i["complaint_id"], i["kind"], i["due_on"], i["status"])
        for i in body["items"]
        if i["complaint_id"] in complaint_ids
    ]


async def test_the_worklist_moves_as_the_clock_advances_and_is_scoped(
    client: httpx.AsyncClient,
    escalation_client: httpx.AsyncClient,
    worklist_clock: FixedClock,
    provider: Provider,
    directory: Directory,
    auth: TokenFactory,
) -> None:
    early = (await register(client, provider.caseworker, provider.body(received_on="2026-10-30"))).json()
    late = (await register(client, provider.caseworker, provider.body(received_on="2026-11-02"))).json()
    ids = {early["complaint_id"], late["complaint_id"]}

    async def worklist(**params: Any) -> dict[str, Any]:
        response = await escalation_client.get("/worklist", params=params, headers=provider.caseworker)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    body = await eventually(worklist, lambda b: len(entries(b, ids)) == 2, what="both complaints on the worklist")
    # Tuesday 3 Nov: the early one's acknowledgement (due Tue 3 Nov) and the late one's (due Wed 4 Nov) are due soon.
    assert entries(body, ids) == [
        (early["complaint_id"], "acknowledgement", "2026-11-03", "due_soon"),
        (late["complaint_id"], "acknowledgement", "2026-11-04", "due_soon"),
    ]

    worklist_clock.advance(timedelta(days=1))  # Wednesday: the early one is overdue and comes first
    assert entries(await worklist(), ids) == [
        (early["complaint_id"], "acknowledgement", "2026-11-03", "overdue"),
        (late["complaint_id"], "acknowledgement", "2026-11-04", "due_soon"),
    ]

    acknowledged = await client.post(
        f"/complaints/{late['complaint_id']}/acknowledgement",
        json={"acknowledged_on": "2026-11-04", "method": "phone"},
        headers=provider.caseworker,
    )
    assert acknowledged.status_code == 200
    body = await eventually(worklist, lambda b: len(entries(b, ids)) == 1, what="the acknowledged one to leave")
    assert entries(body, ids) == [(early["complaint_id"], "acknowledgement", "2026-11-03", "overdue")]

    on_time = await worklist(status=["on_time"])
    assert {e[1] for e in entries(on_time, ids)} == {"stage_response", "eight_week_final_response"}

    other, _ = await directory.provider_with_contract()
    stranger = auth(other, OrganisationKind.PROVIDER, Role.CASEWORKER)
    response = await escalation_client.get("/worklist", headers=stranger)
    assert entries(response.json(), ids) == []


async def test_staff_complaints_are_on_the_worklist_only_for_those_cleared(
    client: httpx.AsyncClient, escalation_client: httpx.AsyncClient, provider: Provider, auth: TokenFactory
) -> None:
    body = provider.body(received_on="2026-11-02", staff_complaint={"responsible_team_leader_user_id": "tl-9"})
    created = (await register(client, provider.caseworker, body)).json()
    ids = {created["complaint_id"]}
    cleared = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, Role.STAFF_COMPLAINTS)

    async def worklist_of(headers: dict[str, str]) -> dict[str, Any]:
        response = await escalation_client.get("/worklist", headers=headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    await eventually(lambda: worklist_of(cleared), lambda b: len(entries(b, ids)) == 1, what="the cleared see it")
    assert entries(await worklist_of(provider.caseworker), ids) == []
