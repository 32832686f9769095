"""`POST /complaints/{id}/escalations` on the escalation service (R20): the next stage with its own deadline, by the
profile the complaint recorded at registration; refusals naming the requirement; the shared conventions (403, 404,
412, 422, idempotent retry). The rules themselves are tested on the decider (tests/unit/complaints/test_escalation.py).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from shared.auth import OrganisationKind, Role
from shared.calendar import default_working_days
from shared.clock import FixedClock, business_date
from shared.vocabulary import Nation
from tests.api.conftest import TokenFactory
from tests.api.helpers import Provider, assert_problem, complaint_body, error_fields, register_ok
from tests.api.test_intake_work import post, post_ok, response_body, today

ESCALATED = "complaint.escalated.v1"


async def escalate(
    escalation: httpx.AsyncClient,
    headers: dict[str, str],
    complaint_id: str,
    body: dict[str, Any],
    *,
    if_match: str | None = None,
    key: str | None = None,
) -> httpx.Response:
    sent = {**headers, "Idempotency-Key": key or str(uuid.uuid4())}
    if if_match is not None:
        sent["If-Match"] = if_match
    return await escalation.post(f"/complaints/{complaint_id}/escalations", headers=sent, json=body)


async def events_of(client: httpx.AsyncClient, headers: dict[str, str], complaint_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/complaints/{complaint_id}/events", headers=headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def person(auth: TokenFactory, provider: Provider, name: str) -> dict[str, str]:
    return auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, subject=name)


async def answered_at_stage_1(client: httpx.AsyncClient, provider: Provider, clock: FixedClock) -> dict[str, Any]:
    created = await register_ok(client, provider.caseworker, provider.body())
    return await post_ok(client, provider.caseworker, created["complaint_id"], "responses", response_body(clock))


async def test_the_profile_is_recorded_at_registration_and_shown_with_the_deadlines(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, provider: Provider
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    (registered,) = await events_of(client, provider.caseworker, created["complaint_id"])
    assert (registered["data"]["process_profile"], registered["data"]["final_stage"]) == ("provider-default@v1", 2)
    body = (
        await escalation.get(f"/complaints/{created['complaint_id']}/deadlines", headers=provider.caseworker)
    ).json()
    assert (body["profile"], body["stage"], body["stage_name"]) == ("provider-default@v1", 1, "Provider stage 1")


async def test_a_dissatisfied_complainant_moves_the_complaint_to_stage_2_with_its_own_deadline(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    answered = await answered_at_stage_1(client, provider, clock)
    complaint_id = answered["complaint_id"]
    response = await escalate(
        escalation,
        provider.caseworker,
        complaint_id,
        {"escalated_on": today(clock)},
        if_match=f'"{answered["version"]}"',
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["etag"] == f'"{body["version"]}"' == f'"{answered["version"] + 1}"'
    assert (body["stage"], body["stage_name"], body["owner"]) == (2, "Provider stage 2 (final)", "provider")
    assert [(s["number"], s["owner"], s["started_on"]) for s in body["stages"]] == [
        (1, "provider", "2026-11-20"),
        (2, "provider", today(clock)),
    ]
    (stage_2,) = [d for d in body["deadlines"] if d["kind"] == "stage_response" and d["stage"] == 2]
    due = default_working_days().add(Nation.ENGLAND, business_date(clock.now()), 20)  # the profile's stage 2
    assert (stage_2["starts_on"], stage_2["due_on"], stage_2["owner"]) == (today(clock), due.isoformat(), "provider")
    escalated = [e for e in await events_of(client, provider.caseworker, complaint_id) if e["type"] == ESCALATED]
    assert [(e["data"]["from_stage"], e["data"]["to_stage"], e["data"]["escalated_on"]) for e in escalated] == [
        (1, 2, today(clock))
    ]
    # The final response is owed at stage 2: escalating again is refused.
    again = await escalate(escalation, provider.caseworker, complaint_id, {"escalated_on": today(clock)})
    problem = assert_problem(again, 409, "rule-violation")
    assert problem["requirement"] == "R20"
    assert "stage 2 is the last stage of provider-default@v1" in problem["detail"]


async def test_refusals_name_the_requirement_and_guidance(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, provider: Provider, clock: FixedClock, auth: TokenFactory
) -> None:
    body = {"escalated_on": today(clock)}
    fresh = await register_ok(client, provider.caseworker, provider.body())
    problem = assert_problem(await escalate(escalation, provider.caseworker, fresh["complaint_id"], body), 409)
    assert (problem["requirement"], problem["guidance"]) == ("R20", "001 Annex 2 3.5")

    final = response_body(clock, final=True, reviewer_user_id="dan")
    closed = await register_ok(client, provider.caseworker, provider.body())
    await post_ok(client, person(auth, provider, "cat"), closed["complaint_id"], "responses", final)
    problem = assert_problem(await escalate(escalation, provider.caseworker, closed["complaint_id"], body), 409)
    assert problem["requirement"] == "R24"
    assert "ICE" in problem["detail"]

    withdrawn = await answered_at_stage_1(client, provider, clock)
    withdrawal = {"withdrawn_on": today(clock), "reason": "Sorted out."}
    await post_ok(client, provider.caseworker, withdrawn["complaint_id"], "withdrawal", withdrawal)
    problem = assert_problem(await escalate(escalation, provider.caseworker, withdrawn["complaint_id"], body), 409)
    assert problem["requirement"] == "R5"


async def test_at_the_profile_s_last_stage_a_final_response_is_owed(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    answered = await answered_at_stage_1(client, provider, clock)
    complaint_id = answered["complaint_id"]
    await escalate(escalation, provider.caseworker, complaint_id, {"escalated_on": today(clock)})
    await post_ok(client, provider.caseworker, complaint_id, "responses", response_body(clock, stage=2))
    response = await escalate(escalation, provider.caseworker, complaint_id, {"escalated_on": today(clock)})
    problem = assert_problem(response, 409, "rule-violation")
    assert problem["requirement"] == "R20"
    assert "last stage of provider-default@v1" in problem["detail"]


async def test_a_cms_complaint_has_three_stages(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, auth: TokenFactory, clock: FixedClock
) -> None:
    """CMS (003): complaint handling, the complaints resolution team (15 days), the complaints review team."""
    cms = auth(f"dwp-cms-{uuid.uuid4().hex[:6]}", OrganisationKind.DWP_BUSINESS, Role.CASEWORKER)
    body = complaint_body(None, None, about="jobcentre", programme="cms")
    complaint_id = (await register_ok(client, cms, body))["complaint_id"]
    for stage in (1, 2):
        await post_ok(client, cms, complaint_id, "responses", response_body(clock, stage=stage))
        response = await escalate(escalation, cms, complaint_id, {"escalated_on": today(clock)})
        assert response.status_code == 200, response.text
    moved = response.json()
    assert (moved["profile"], moved["stage"], moved["stage_name"], moved["owner"]) == (
        "cms@v1",
        3,
        "Complaints review team (final)",
        "jobcentre",
    )
    assert [(s["number"], s["started_on"]) for s in moved["stages"]] == [
        (1, "2026-11-20"),
        (2, today(clock)),
        (3, today(clock)),
    ]


async def test_the_conventions(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, provider: Provider, clock: FixedClock, auth: TokenFactory
) -> None:
    answered = await answered_at_stage_1(client, provider, clock)
    complaint_id = answered["complaint_id"]
    body = {"escalated_on": today(clock)}
    analyst = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.MI_ANALYST)
    assert assert_problem(await escalate(escalation, analyst, complaint_id, body), 403)["requirement"] == "R20"
    stranger = auth("provider-elsewhere", OrganisationKind.PROVIDER, Role.CASEWORKER)
    assert_problem(await escalate(escalation, stranger, complaint_id, body), 404, "not-found")
    assert_problem(await escalate(escalation, provider.caseworker, str(uuid.uuid4()), body), 404, "not-found")
    bad = await escalate(escalation, provider.caseworker, complaint_id, {"escalated_on": "soon", "element_ids": ["X"]})
    assert error_fields(assert_problem(bad, 422, "validation")) == {
        "escalated_on": "date_from_datetime_parsing",
        "element_ids.0": "string_pattern_mismatch",
    }
    unknown = await escalate(escalation, provider.caseworker, complaint_id, {**body, "element_ids": ["E9"]})
    assert error_fields(assert_problem(unknown, 422, "validation")) == {"element_ids.0": "R20"}
    stale = await escalate(escalation, provider.caseworker, complaint_id, body, if_match='"1"')
    assert assert_problem(stale, 412)["requirement"] == "R63"

    key = str(uuid.uuid4())
    first = await escalate(escalation, provider.caseworker, complaint_id, body, key=key)
    again = await escalate(escalation, provider.caseworker, complaint_id, body, key=key)
    assert first.status_code == again.status_code == 200, first.text
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    types = [e["type"] for e in await events_of(client, provider.caseworker, complaint_id)]
    assert types.count(ESCALATED) == 1


async def test_a_plain_first_response_on_a_mixed_complaint_is_refused(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    """Its stage 1 is the Jobcentre's joint response (R25; 000 14.20)."""
    created = await register_ok(client, provider.caseworker, provider.body(about="mixed"))
    response = await post(client, provider.caseworker, created["complaint_id"], "responses", response_body(clock))
    assert assert_problem(response, 409, "rule-violation")["requirement"] == "R25"
