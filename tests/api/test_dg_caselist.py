"""The Director General caselist (R26; 003): flagged at registration for an elected member's complaint, flagged
and cleared through the escalation service, listed per organisation as the worklist is scoped."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, assert_problem, error_fields, eventually, register_ok
from tests.api.test_intake_work import today


async def command(
    escalation: httpx.AsyncClient,
    headers: dict[str, str],
    complaint_id: str,
    path: str,
    body: dict[str, Any],
    **extra: str,
) -> httpx.Response:
    sent = {**headers, "Idempotency-Key": str(uuid.uuid4()), **extra}
    return await escalation.post(f"/complaints/{complaint_id}/{path}", headers=sent, json=body)


async def caselist(escalation: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = await escalation.get("/worklist/dg-caselist", headers=headers, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def listed(items: list[dict[str, Any]], complaint_id: str) -> list[tuple[str, str, str]]:
    return [(i["reason"], i["status"], i["stage_name"]) for i in items if i["complaint_id"] == complaint_id]


async def test_an_elected_member_s_complaint_is_on_the_caselist_from_registration(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    body = provider.body(channel="elected_member", complainant={"kind": "mp", "name": "A Member"})
    created = await register_ok(client, provider.caseworker, body)
    complaint_id = created["complaint_id"]
    history = await client.get(f"/complaints/{complaint_id}/events", headers=provider.caseworker)
    assert [e["type"] for e in history.json()] == ["complaint.registered.v1", "complaint.dg_caselist_flagged.v1"]
    deadlines = await escalation.get(f"/complaints/{complaint_id}/deadlines", headers=provider.caseworker)
    assert deadlines.json()["dg_caselist"] == {"reason": "parliamentary_contact", "flagged_on": today(clock)}
    items = await eventually(
        lambda: caselist(escalation, provider.caseworker),
        lambda found: bool(listed(found, complaint_id)),
        what="the complaint on the caselist",
    )
    assert listed(items, complaint_id) == [("parliamentary_contact", "open", "Provider stage 1")]


async def test_flagged_and_cleared_by_events_and_scoped(
    client: httpx.AsyncClient,
    escalation: httpx.AsyncClient,
    provider: Provider,
    clock: FixedClock,
    directory: Directory,
    auth: TokenFactory,
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    complaint_id = created["complaint_id"]
    flag = {"reason": "high_profile", "flagged_on": today(clock)}
    flagged = await command(escalation, provider.caseworker, complaint_id, "dg-caselist", flag, **{"If-Match": '"1"'})
    assert flagged.status_code == 200, flagged.text
    assert flagged.headers["etag"] == '"2"'
    assert flagged.json()["dg_caselist"] == {"reason": "high_profile", "flagged_on": today(clock)}
    again = await command(escalation, provider.caseworker, complaint_id, "dg-caselist", flag)
    problem = assert_problem(again, 409, "rule-violation")
    assert (problem["requirement"], problem["guidance"]) == ("R26", "003")

    await eventually(
        lambda: caselist(escalation, provider.caseworker, reason="high_profile"),
        lambda found: bool(listed(found, complaint_id)),
        what="the flagged complaint listed",
    )
    assert listed(await caselist(escalation, provider.caseworker, reason="parliamentary_contact"), complaint_id) == []
    other, _ = await directory.provider_with_contract()
    stranger = auth(other, OrganisationKind.PROVIDER, Role.CASEWORKER)
    assert listed(await caselist(escalation, stranger), complaint_id) == []
    assert_problem(await command(escalation, stranger, complaint_id, "dg-caselist", flag), 404, "not-found")
    analyst = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.MI_ANALYST)
    assert assert_problem(await command(escalation, analyst, complaint_id, "dg-caselist", flag), 403)[
        "requirement"
    ] == ("R26")

    worklist = await escalation.get(
        "/worklist", headers=provider.caseworker, params={"status": ["on_time", "due_soon"]}
    )
    mine = [i for i in worklist.json()["items"] if i["complaint_id"] == complaint_id]
    assert mine
    assert all(i["dg_caselist"] for i in mine)

    clearance = {"cleared_on": today(clock)}
    cleared = await command(escalation, provider.caseworker, complaint_id, "dg-caselist/clearance", clearance)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["dg_caselist"] is None
    await eventually(
        lambda: caselist(escalation, provider.caseworker),
        lambda found: not listed(found, complaint_id),
        what="the cleared complaint off the caselist",
    )
    twice = await command(escalation, provider.caseworker, complaint_id, "dg-caselist/clearance", clearance)
    assert assert_problem(twice, 409)["requirement"] == "R26"
    bad = await command(escalation, provider.caseworker, complaint_id, "dg-caselist", {"reason": "famous"})
    assert error_fields(assert_problem(bad, 422, "validation")) == {"reason": "enum", "flagged_on": "missing"}
