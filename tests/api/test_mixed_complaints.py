"""A mixed complaint's journey through the API (R25; 000 14.03-14.05, 14.20-14.22): the Jobcentre leads and asks
for the provider's contribution, the provider submits it, the Jobcentre issues the joint response (the provider's
stage 1), and the provider's issue is escalated to the provider's stage 2 while the Jobcentre keeps its own. The
deadlines view is checked at each step. The rules themselves are tested on the decider
(tests/unit/complaints/test_mixed.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import OrganisationKind, Role
from shared.calendar import default_working_days
from shared.clock import FixedClock, business_date
from shared.vocabulary import Nation
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, assert_problem, error_fields, register_ok
from tests.api.test_escalate import escalate, events_of
from tests.api.test_intake_work import post, post_ok, today

SUBMITTED = "complaint.contribution_submitted.v1"


@dataclass(frozen=True)
class Sides:
    provider: Provider
    jobcentre: dict[str, str]
    """A caseworker of the Jobcentre that logs and leads the complaint."""


@pytest.fixture
async def sides(provider: Provider, directory: Directory, auth: TokenFactory) -> Sides:
    jobcentre_id = await directory.organisation(OrganisationKind.JOBCENTRE)
    return Sides(provider, auth(jobcentre_id, OrganisationKind.JOBCENTRE, Role.CASEWORKER))


def in_working_days(clock: FixedClock, days: int) -> str:
    return default_working_days().add(Nation.ENGLAND, business_date(clock.now()), days).isoformat()


async def deadlines(escalation: httpx.AsyncClient, headers: dict[str, str], complaint_id: str) -> dict[str, Any]:
    response = await escalation.get(f"/complaints/{complaint_id}/deadlines", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def deadline(body: dict[str, Any], kind: str, stage: int | None = None) -> tuple[str, str, str | None, str]:
    (found,) = [d for d in body["deadlines"] if d["kind"] == kind and d["stage"] == stage]
    return found["owner"], found["due_on"], found["met_on"], found["status"]


def stages(body: dict[str, Any]) -> list[tuple[int, str, list[str], str | None]]:
    return [(s["number"], s["owner"], s["element_ids"], s["responded_on"]) for s in body["stages"]]


async def mixed_complaint(client: httpx.AsyncClient, sides: Sides, clock: FixedClock) -> str:
    elements = [
        {
            "category": "d_you_take_too_long",
            "summary": "The provider cancelled my appointments.",
            "desired_outcome": "A date.",
        },
        {
            "category": "e_youve_got_it_wrong",
            "summary": "The Jobcentre lost my form.",
            "desired_outcome": "An apology.",
        },
    ]
    # Received today, whatever other tests did to the session clock, so each deadline is met on time.
    body = sides.provider.body(about="mixed", elements=elements, received_on=today(clock))
    created = await register_ok(client, sides.jobcentre, body)
    complaint_id: str = created["complaint_id"]
    return complaint_id


def joint_response(clock: FixedClock) -> dict[str, Any]:
    return {
        "issued_on": today(clock),
        "text": "Dear Sam, the Jobcentre and your provider have looked into your complaint.",
        "findings": [
            {"element_id": "E1", "desired_outcome_achievable": True},
            {"element_id": "E2", "desired_outcome_achievable": True},
        ],
    }


async def test_a_mixed_complaint_from_contribution_to_the_provider_s_stage_2(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, sides: Sides, clock: FixedClock, intake_app: FastAPI
) -> None:
    provider, jobcentre = sides.provider.caseworker, sides.jobcentre
    complaint_id = await mixed_complaint(client, sides, clock)
    body = await deadlines(escalation, jobcentre, complaint_id)
    assert (body["owner"], stages(body)) == ("jobcentre", [(1, "jobcentre", [], None)])
    assert not [d for d in body["deadlines"] if d["kind"] == "mixed_contribution"]
    assert (await deadlines(escalation, provider, complaint_id))["owner"] == "jobcentre"  # the provider sees it too

    # Only the leading Jobcentre asks; nothing is submitted or answered before it asks.
    ask = {"requested_on": today(clock)}
    assert (
        assert_problem(await post(client, provider, complaint_id, "contribution-request", ask), 403)["requirement"]
        == "R25"
    )
    contribution = {"submitted_on": today(clock), "text": "We rebooked the appointment."}
    early = await post(client, provider, complaint_id, "contribution", contribution)
    assert assert_problem(early, 409, "rule-violation")["requirement"] == "R25"
    assert_problem(await post(client, jobcentre, complaint_id, "joint-response", joint_response(clock)), 409)

    await post_ok(client, jobcentre, complaint_id, "contribution-request", ask)
    body = await deadlines(escalation, jobcentre, complaint_id)
    due = in_working_days(clock, 5)  # the profile's stated timescale: five working days, the most allowed (14.05)
    assert deadline(body, "mixed_contribution") == ("provider", due, None, "on_time")

    # The joint response waits for the contribution, which only the provider submits.
    waiting = assert_problem(await post(client, jobcentre, complaint_id, "joint-response", joint_response(clock)), 409)
    assert (waiting["requirement"], waiting["contribution_due_on"]) == ("R25", due)
    assert_problem(await post(client, jobcentre, complaint_id, "contribution", contribution), 403)
    await post_ok(client, provider, complaint_id, "contribution", contribution)
    body = await deadlines(escalation, jobcentre, complaint_id)
    assert deadline(body, "mixed_contribution") == ("provider", due, today(clock), "met")
    (submitted,) = [e for e in await events_of(client, jobcentre, complaint_id) if e["type"] == SUBMITTED]
    assert submitted["data"]["text"] == "We rebooked the appointment."  # revealed to those who may read it
    stored = await intake_app.state.platform.store.read_stream(f"complaint-{complaint_id}")
    (sealed,) = [e.data["text"] for e in stored if e.type == "complaint.contribution_submitted"]
    assert "$personal" in sealed  # stored sealed under the complainant's key (R62)
    assert "rebooked" not in str(sealed)

    # The Jobcentre's joint response is the provider's stage 1.
    answered = await post_ok(client, jobcentre, complaint_id, "joint-response", joint_response(clock))
    assert [(r["stage"], r["final"]) for r in answered["responses"]] == [(1, False)]
    body = await deadlines(escalation, jobcentre, complaint_id)
    assert stages(body) == [(1, "jobcentre", [], today(clock))]
    assert deadline(body, "stage_response", 1)[2:] == (today(clock), "met")

    # Still dissatisfied with the provider's part: E1 goes to the provider's stage 2, the Jobcentre keeps E2.
    unnamed = await escalate(escalation, provider, complaint_id, {"escalated_on": today(clock)})
    assert error_fields(assert_problem(unnamed, 422)) == {"element_ids": "R25"}
    moved = await escalate(escalation, provider, complaint_id, {"escalated_on": today(clock), "element_ids": ["E1"]})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["stage"], body["owner"], body["kept_by_jobcentre"]) == (2, "provider", ["E2"])
    assert stages(body) == [(1, "jobcentre", [], today(clock)), (2, "provider", ["E1"], None)]
    assert deadline(body, "stage_response", 2) == ("provider", in_working_days(clock, 20), None, "on_time")

    # The provider's final response answers its own issue.
    final = {
        "stage": 2,
        "final": True,
        "issued_on": today(clock),
        "text": "Dear Sam, our final response.",
        "reviewer_user_id": "rev-" + uuid.uuid4().hex[:6],
        "findings": [{"element_id": "E1", "desired_outcome_achievable": True}],
    }
    await post_ok(client, provider, complaint_id, "responses", final)
    body = await deadlines(escalation, jobcentre, complaint_id)
    assert deadline(body, "stage_response", 2)[2:] == (today(clock), "met")
    assert deadline(body, "ice_window")[0] == "complainant"


async def test_a_contribution_only_for_a_mixed_complaint(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    created = await register_ok(client, sides.jobcentre, sides.provider.body(about="provider"))
    response = await post(
        client, sides.jobcentre, created["complaint_id"], "contribution-request", {"requested_on": today(clock)}
    )
    problem = assert_problem(response, 409, "rule-violation")
    assert (problem["requirement"], problem["guidance"]) == ("R25", "000 14.03-14.05")


async def test_the_conventions(client: httpx.AsyncClient, sides: Sides, clock: FixedClock, auth: TokenFactory) -> None:
    complaint_id = await mixed_complaint(client, sides, clock)
    ask = {"requested_on": today(clock)}
    analyst = auth(sides.provider.organisation_id, OrganisationKind.PROVIDER, Role.MI_ANALYST)
    assert_problem(await post(client, analyst, complaint_id, "contribution", {"submitted_on": today(clock)}), 403)
    stranger = auth("jobcentre-elsewhere", OrganisationKind.JOBCENTRE, Role.CASEWORKER)
    assert_problem(await post(client, stranger, complaint_id, "contribution-request", ask), 404, "not-found")
    bad = await post(client, sides.jobcentre, complaint_id, "contribution-request", {"requested_on": "2026-11-19"})
    assert error_fields(assert_problem(bad, 422)) == {"requested_on": "R25"}
    stale = await post(client, sides.jobcentre, complaint_id, "contribution-request", ask, if_match='"7"')
    assert_problem(stale, 412)
    key = str(uuid.uuid4())
    first = await post(client, sides.jobcentre, complaint_id, "contribution-request", ask, key=key)
    again = await post(client, sides.jobcentre, complaint_id, "contribution-request", ask, key=key)
    assert first.status_code == again.status_code == 200, first.text
    assert again.json() == first.json()
