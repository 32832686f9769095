"""Responses over the API (R7): the final response's signposting and independent reviewer, AtW approval, and
a complaint worked from registration to its final response, with its history and `as_of` views at each step."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import OrganisationKind, Role
from shared.calendar import add_months
from shared.clock import FixedClock, business_date
from shared.complaints.signposting import ANNEX_1_TEXT
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, assert_problem, error_fields, eventually, list_all, register_ok
from tests.api.test_intake_work import draft_body, post, post_ok, response_body, today


def worker(auth: TokenFactory, provider: Provider, subject: str) -> dict[str, str]:
    return auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, subject=subject)


@pytest.fixture
def people(auth: TokenFactory, provider: Provider) -> dict[str, dict[str, str]]:
    """ann wrote stage 1 (reviewed by bob); cat writes the final response."""
    return {name: worker(auth, provider, name) for name in ("ann", "bob", "cat", "dan")}


async def _answered_at_stage_1(
    client: httpx.AsyncClient, provider: Provider, people: dict[str, dict[str, str]], clock: FixedClock
) -> str:
    created = await register_ok(client, provider.caseworker, provider.body())
    complaint_id: str = created["complaint_id"]
    await post_ok(client, people["ann"], complaint_id, "responses", response_body(clock, reviewer_user_id="bob"))
    return complaint_id


def final_body(clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "stage": 2,
        "final": True,
        "reviewer_user_id": "dan",
        "findings": [{"element_id": "E1", "desired_outcome_achievable": False, "why_not": "The rota is fixed."}],
    }
    fields.update(overrides)
    return response_body(clock, **fields)


async def test_the_final_response_carries_the_standard_signposting_and_the_ice_date(
    client: httpx.AsyncClient, provider: Provider, people: dict[str, dict[str, str]], clock: FixedClock
) -> None:
    complaint_id = await _answered_at_stage_1(client, provider, people, clock)
    answered = await post_ok(client, people["cat"], complaint_id, "responses", final_body(clock))
    first, final = answered["responses"]
    assert (first["author_user_id"], first["reviewer_user_id"], first["signposting"]) == ("ann", "bob", None)
    assert (final["author_user_id"], final["reviewer_user_id"], final["final"]) == ("cat", "dan", True)
    issued_on = business_date(clock.now())
    assert final["signposting"] == {
        "text": ANNEX_1_TEXT,
        "source": "000 Annex 1",
        "ice_contact_by": add_months(issued_on, 6).isoformat(),
    }
    assert final["findings"] == [
        {"element_id": "E1", "desired_outcome_achievable": False, "why_not": "The rota is fixed."}
    ]
    assert answered["status"] == "closed"

    async def status() -> list[dict[str, Any]]:
        return await list_all(client, provider.caseworker, {"provider_organisation_id": provider.organisation_id})

    items = await eventually(
        status, lambda rows: any(r["complaint_id"] == complaint_id and r["status"] == "closed" for r in rows)
    )
    assert items


@pytest.mark.parametrize(
    "signposting_text",
    [None, "", ANNEX_1_TEXT.replace("six months", "twelve months"), "See our website."],
    ids=["null", "empty", "six-months-changed", "other-text"],
)
async def test_a_final_response_without_the_standard_signposting_is_refused(
    client: httpx.AsyncClient,
    provider: Provider,
    people: dict[str, dict[str, str]],
    clock: FixedClock,
    signposting_text: str | None,
) -> None:
    complaint_id = await _answered_at_stage_1(client, provider, people, clock)
    body = final_body(clock, signposting_text=signposting_text)
    problem = assert_problem(await post(client, people["cat"], complaint_id, "responses", body), 422, "validation")
    assert error_fields(problem) == {"signposting_text": "R7"}
    assert problem["requirement"] == "R7"
    assert problem["guidance"] == "000 14.17, Annex 1; 002 8.06"
    accepted = await post_ok(
        client, people["cat"], complaint_id, "responses", final_body(clock, signposting_text=ANNEX_1_TEXT)
    )
    assert accepted["responses"][-1]["signposting"]["text"] == ANNEX_1_TEXT


@pytest.mark.parametrize("reviewer", ["ann", "bob", "cat"])
async def test_the_final_reviewer_had_no_involvement_in_earlier_responses(
    client: httpx.AsyncClient, provider: Provider, people: dict[str, dict[str, str]], clock: FixedClock, reviewer: str
) -> None:
    complaint_id = await _answered_at_stage_1(client, provider, people, clock)
    body = final_body(clock, reviewer_user_id=reviewer)
    problem = assert_problem(await post(client, people["cat"], complaint_id, "responses", body), 409, "rule-violation")
    assert problem["requirement"] == "R7"
    assert problem["guidance"] == "001 Annex 2 3.6"
    assert problem["reviewer_user_id"] == reviewer


async def test_nothing_is_answered_after_the_final_response(
    client: httpx.AsyncClient, provider: Provider, people: dict[str, dict[str, str]], clock: FixedClock
) -> None:
    complaint_id = await _answered_at_stage_1(client, provider, people, clock)
    await post_ok(client, people["cat"], complaint_id, "responses", final_body(clock))
    again = await post(client, people["cat"], complaint_id, "responses", final_body(clock, stage=3))
    assert assert_problem(again, 409, "rule-violation")["requirement"] == "R7"


async def test_a_withdrawn_complaint_refuses_a_response(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    complaint_id = created["complaint_id"]
    await post_ok(
        client, provider.caseworker, complaint_id, "withdrawal", {"withdrawn_on": today(clock), "reason": "Sorted."}
    )
    refused = await post(client, provider.caseworker, complaint_id, "responses", response_body(clock))
    problem = assert_problem(refused, 409, "rule-violation")
    assert problem["requirement"] == "R5"
    assert "withdrawn" in problem["detail"]


# Access to Work (002 8.03)


@pytest.fixture
async def atw(provider: Provider, directory: Directory) -> dict[str, Any]:
    return provider.body(programme="atw", contract_id=await directory.contract(provider.organisation_id, "atw"))


@pytest.fixture
def atw_team(auth: TokenFactory) -> dict[str, str]:
    return auth("dwp-atw-service-delivery", OrganisationKind.DWP_BUSINESS, Role.ATW_SERVICE_DELIVERY, subject="sd-1")


async def test_an_atw_response_is_sent_only_once_its_latest_draft_is_approved(
    client: httpx.AsyncClient, provider: Provider, atw: dict[str, Any], atw_team: dict[str, str], clock: FixedClock
) -> None:
    complaint_id = (await register_ok(client, provider.caseworker, atw))["complaint_id"]
    direct = await post(client, provider.caseworker, complaint_id, "responses", response_body(clock))
    problem = assert_problem(direct, 409, "rule-violation")
    assert (problem["requirement"], problem["guidance"]) == ("R7", "002 8.03")

    await post_ok(client, provider.caseworker, complaint_id, "response-drafts", draft_body())
    send = {"issued_on": today(clock)}
    early = await post(client, provider.caseworker, complaint_id, "response-drafts/D1/sending", send)
    problem = assert_problem(early, 409, "rule-violation")
    assert (problem["requirement"], problem["guidance"]) == ("R7", "002 8.03")

    reword = {"comments": "Explain the rota."}
    await post_ok(client, atw_team, complaint_id, "response-drafts/D1/rewording-request", reword)
    still = await post(client, provider.caseworker, complaint_id, "response-drafts/D1/sending", send)
    assert "submit a new draft" in assert_problem(still, 409)["detail"]

    await post_ok(client, provider.caseworker, complaint_id, "response-drafts", draft_body(text="The rota, explained."))
    approved = await post_ok(client, atw_team, complaint_id, "response-drafts/D2/approval", None)
    assert [(d["draft_id"], d["status"], d["decided_by_user_id"]) for d in approved["response_drafts"]] == [
        ("D1", "superseded", "sd-1"),
        ("D2", "approved", "sd-1"),
    ]
    stale_draft = await post(client, provider.caseworker, complaint_id, "response-drafts/D1/sending", send)
    assert "superseded by D2" in assert_problem(stale_draft, 409)["detail"]
    sent = await post_ok(client, provider.caseworker, complaint_id, "response-drafts/D2/sending", send)
    assert [(r["stage"], r["draft_id"], r["text"]) for r in sent["responses"]] == [(1, "D2", "The rota, explained.")]


async def test_only_dwps_atw_team_approves(
    client: httpx.AsyncClient, provider: Provider, atw: dict[str, Any], auth: TokenFactory
) -> None:
    complaint_id = (await register_ok(client, provider.caseworker, atw))["complaint_id"]
    await post_ok(client, provider.caseworker, complaint_id, "response-drafts", draft_body())
    own = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.ATW_SERVICE_DELIVERY, Role.CASEWORKER)
    problem = assert_problem(await post(client, own, complaint_id, "response-drafts/D1/approval", None), 403)
    assert (problem["requirement"], problem["guidance"]) == ("R7", "002 8.03")


async def test_an_unknown_draft_is_404(
    client: httpx.AsyncClient, provider: Provider, atw: dict[str, Any], atw_team: dict[str, str]
) -> None:
    complaint_id = (await register_ok(client, provider.caseworker, atw))["complaint_id"]
    problem = assert_problem(await post(client, atw_team, complaint_id, "response-drafts/D4/approval", None), 404)
    assert problem["requirement"] == "R7"


async def test_drafts_are_for_atw_only(client: httpx.AsyncClient, provider: Provider) -> None:
    complaint_id = (await register_ok(client, provider.caseworker, provider.body()))["complaint_id"]
    refused = await post(client, provider.caseworker, complaint_id, "response-drafts", draft_body())
    assert assert_problem(refused, 409, "rule-violation")["guidance"] == "002 8.03"


# The journey: registered, acknowledged, worked, answered at stage 1, answered finally


async def test_a_complaint_from_registration_to_final_response(
    client: httpx.AsyncClient, provider: Provider, people: dict[str, dict[str, str]], clock: FixedClock
) -> None:
    ann, cat = people["ann"], people["cat"]
    created = await register_ok(client, ann, provider.body())
    complaint_id = created["complaint_id"]
    moments: list[tuple[datetime, int, str]] = [(clock.now(), 1, "complaint.registered.v1")]
    day = today(clock)
    steps: list[tuple[dict[str, str], str, dict[str, Any], str]] = [
        (ann, "acknowledgement", {"acknowledged_on": day, "method": "letter"}, "complaint.acknowledged.v1"),
        (
            ann,
            "process-explanation",
            {"explained_on": "2026-10-01", "evidence": "signature", "evidence_reference": "Form CP1, signed"},
            "complaint.process_explained.v1",
        ),
        (
            ann,
            "discussions",
            {"held_on": day, "held_with": "complainant", "summary": "Sam wants a fixed slot."},
            "complaint.discussion_recorded.v1",
        ),
        (
            ann,
            "desired-outcomes",
            {"element_id": "E1", "desired_outcome": "A fixed Tuesday slot."},
            "complaint.desired_outcome_recorded.v1",
        ),
        (
            ann,
            "resolution-actions",
            {
                "actions": [
                    {"description": "Book Tuesdays", "due_on": "2026-11-27", "owner": "ann"},
                    {"description": "Review in a month", "due_on": "2026-12-23", "owner": "ann"},
                ]
            },
            "complaint.resolution_action_planned.v1",
        ),
        (ann, "resolution-actions/A1/completion", {"completed_on": day}, "complaint.resolution_action_completed.v1"),
        (ann, "responses", response_body(clock, reviewer_user_id="bob"), "complaint.response_issued.v1"),
        (cat, "responses", final_body(clock), "complaint.response_issued.v1"),
        (
            cat,
            "outcomes",
            {"element_id": "E1", "outcomes": ["explanation", "corrective_action"]},
            "complaint.outcome_recorded.v1",
        ),
    ]
    version = 1
    for headers, path, body, event_type in steps:
        clock.advance(timedelta(minutes=1))
        result = await post_ok(client, headers, complaint_id, path, body)
        version = result["version"]
        moments.append((clock.now(), version, event_type))
    final = result
    assert final["status"] == "closed"
    assert final["process_explanation"]["evidence_reference"] == "Form CP1, signed"
    assert final["elements"][0]["desired_outcome"] == "A fixed Tuesday slot."
    assert [(a["action_id"], a["completed_on"]) for a in final["resolution_plan"]] == [("A1", day), ("A2", None)]
    assert final["responses"][1]["outstanding_actions"] == [{"action_id": "A2", "due_on": "2026-12-23"}]
    assert final["responses"][1]["signposting"]["ice_contact_by"] == add_months(date.fromisoformat(day), 6).isoformat()
    assert final["outcomes"] == [
        {"element_id": "E1", "outcomes": ["explanation", "corrective_action"], "financial_redress_pence": None}
    ]

    history = (await client.get(f"/complaints/{complaint_id}/events", headers=ann)).json()
    expected_types = ["complaint.registered.v1"] + [
        t for _, _, t in moments[1:] for _ in range(2 if t == "complaint.resolution_action_planned.v1" else 1)
    ]
    assert [e["type"] for e in history] == expected_types
    assert [e["version"] for e in history] == list(range(1, len(expected_types) + 1))
    assert {e["actor"]["user_id"] for e in history[-2:]} == {"cat"}

    for instant, at_version, _ in moments:
        as_of = (instant + timedelta(seconds=30)).isoformat()
        then = await client.get(f"/complaints/{complaint_id}", headers=ann, params={"as_of": as_of})
        assert then.status_code == 200, then.text
        view = then.json()
        assert view["version"] == at_version
        assert then.headers["etag"] == f'"{at_version}"'
        past = await client.get(f"/complaints/{complaint_id}/events", headers=ann, params={"as_of": as_of})
        assert [e["version"] for e in past.json()] == list(range(1, at_version + 1))
    at_stage_1 = moments[7]
    view = (
        await client.get(
            f"/complaints/{complaint_id}",
            headers=ann,
            params={"as_of": (at_stage_1[0] + timedelta(seconds=30)).isoformat()},
        )
    ).json()
    assert (view["status"], len(view["responses"]), view["outcomes"]) == ("open", 1, [])
    assert view["responses"][0]["signposting"] is None
