"""Every command endpoint that works or answers a complaint, through the same checks (R4, R5, R7, R8, R10):
success, bad input (422 naming the field), wrong role (403), another organisation (404), stale `If-Match` (412),
and an idempotent retry (R63). The rules themselves are tested on the decider (tests/unit/complaints)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock, business_date
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, assert_problem, error_fields, register_ok

Body = dict[str, Any] | None


def today(clock: FixedClock) -> str:
    return business_date(clock.now()).isoformat()


async def post(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    complaint_id: str,
    path: str,
    body: Body,
    *,
    if_match: str | None = None,
    key: str | None = None,
) -> httpx.Response:
    sent = {**headers, "Idempotency-Key": key or str(uuid.uuid4())}
    if if_match is not None:
        sent["If-Match"] = if_match
    return await client.post(f"/complaints/{complaint_id}/{path}", headers=sent, json=body)


async def post_ok(
    client: httpx.AsyncClient, headers: dict[str, str], complaint_id: str, path: str, body: Body
) -> dict[str, Any]:
    response = await post(client, headers, complaint_id, path, body)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    result: dict[str, Any] = response.json()
    return result


async def history_types(client: httpx.AsyncClient, headers: dict[str, str], complaint_id: str) -> list[str]:
    response = await client.get(f"/complaints/{complaint_id}/events", headers=headers)
    assert response.status_code == 200, response.text
    return [e["type"] for e in response.json()]


def response_body(clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "stage": 1,
        "final": False,
        "issued_on": today(clock),
        "text": "Dear Sam, we have looked into your complaint.",
        "findings": [{"element_id": "E1", "desired_outcome_achievable": True}],
    }
    body.update(overrides)
    return body


def draft_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "stage": 1,
        "final": False,
        "text": "Dear Sam, we have looked into your complaint.",
        "findings": [{"element_id": "E1", "desired_outcome_achievable": True}],
    }
    body.update(overrides)
    return body


@dataclass(frozen=True)
class World:
    """A provider with an IPES and an AtW contract; its caseworker, an MI analyst, DWP's AtW team, strangers."""

    provider: Provider
    atw_contract: str
    caseworker: dict[str, str]
    mi_analyst: dict[str, str]
    atw_team: dict[str, str]
    stranger: dict[str, str]
    """A caseworker of another provider."""
    jobcentre_approver: dict[str, str]
    """The AtW role held in a Jobcentre: not DWP's AtW Service Delivery team."""
    reader: dict[str, str]
    """A caseworker of the provider cleared for staff complaints (R10): sees every complaint of the provider."""

    async def complaint(self, client: httpx.AsyncClient, programme: str = "ipes", **overrides: Any) -> str:
        contract = self.atw_contract if programme == "atw" else self.provider.contract_id
        created = await register_ok(
            client, self.caseworker, self.provider.body(programme=programme, contract_id=contract, **overrides)
        )
        complaint_id: str = created["complaint_id"]
        return complaint_id


@pytest.fixture
async def world(provider: Provider, directory: Directory, auth: TokenFactory) -> World:
    atw_contract = await directory.contract(provider.organisation_id, "atw")
    other, _ = await directory.provider_with_contract()
    jobcentre = await directory.organisation(OrganisationKind.JOBCENTRE)
    return World(
        provider=provider,
        atw_contract=atw_contract,
        caseworker=provider.caseworker,
        mi_analyst=auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.MI_ANALYST),
        atw_team=auth("dwp-atw-service-delivery", OrganisationKind.DWP_BUSINESS, Role.ATW_SERVICE_DELIVERY),
        stranger=auth(other, OrganisationKind.PROVIDER, Role.CASEWORKER),
        jobcentre_approver=auth(jobcentre, OrganisationKind.JOBCENTRE, Role.ATW_SERVICE_DELIVERY, Role.CASEWORKER),
        reader=auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, Role.STAFF_COMPLAINTS),
    )


Step = tuple[str, str, Callable[[FixedClock], Body]]
"""(who: "worker" | "atw", path, body) run before the command under test."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    body: Callable[[FixedClock], Body]
    bad: Callable[[FixedClock], Body]
    bad_fields: dict[str, str]
    shows: Callable[[dict[str, Any]], bool]
    event: str
    programme: str = "ipes"
    who: str = "worker"
    bad_path: str | None = None
    setup: tuple[Step, ...] = field(default_factory=tuple)


def _explanation(evidence_reference: str | None = "E-mail of 2026-10-02, 10:14") -> Callable[[FixedClock], Body]:
    return lambda clock: {"explained_on": "2026-10-01", "evidence": "email", "evidence_reference": evidence_reference}


PLAN: Step = (
    "worker",
    "resolution-actions",
    lambda clock: {"actions": [{"description": "Rebook", "due_on": "2026-12-04", "owner": "leeds-team"}]},
)
DRAFT: Step = ("worker", "response-drafts", lambda clock: draft_body())
APPROVE: Step = ("atw", "response-drafts/D1/approval", lambda clock: None)

ENDPOINTS = [
    Endpoint(
        "explain-process",
        "process-explanation",
        _explanation(),
        lambda clock: {"explained_on": "2026-10-01", "evidence": "signature"},
        {"evidence_reference": "R4"},
        lambda c: c["process_explanation"]["evidence_reference"] == "E-mail of 2026-10-02, 10:14",
        "complaint.process_explained.v1",
    ),
    Endpoint(
        "record-discussion",
        "discussions",
        lambda clock: {"held_on": today(clock), "held_with": "complainant", "summary": "Agreed to rebook."},
        lambda clock: {"held_on": "2026-11-19", "held_with": "complainant", "summary": "Too early."},
        {"held_on": "R5"},
        lambda c: [d["summary"] for d in c["discussions"]] == ["Agreed to rebook."],
        "complaint.discussion_recorded.v1",
    ),
    Endpoint(
        "record-desired-outcome",
        "desired-outcomes",
        lambda clock: {"element_id": "E1", "desired_outcome": "A written apology."},
        lambda clock: {"element_id": "E9", "desired_outcome": "A written apology."},
        {"element_id": "R5"},
        lambda c: c["elements"][0]["desired_outcome"] == "A written apology.",
        "complaint.desired_outcome_recorded.v1",
    ),
    Endpoint(
        "plan-actions",
        "resolution-actions",
        PLAN[2],
        lambda clock: {"actions": [{"description": "Rebook", "due_on": "2026-11-01", "owner": "leeds-team"}]},
        {"actions.0.due_on": "R5"},
        lambda c: (
            [(a["action_id"], a["description"], a["due_on"], a["owner"]) for a in c["resolution_plan"]]
            == [("A1", "Rebook", "2026-12-04", "leeds-team")]
        ),
        "complaint.resolution_action_planned.v1",
    ),
    Endpoint(
        "complete-action",
        "resolution-actions/A1/completion",
        lambda clock: {"completed_on": today(clock)},
        lambda clock: {"completed_on": today(clock)},
        {"action_id": "R5"},
        lambda c: c["resolution_plan"][0]["completed_on"] is not None,
        "complaint.resolution_action_completed.v1",
        bad_path="resolution-actions/A9/completion",
        setup=(PLAN,),
    ),
    Endpoint(
        "withdraw",
        "withdrawal",
        lambda clock: {"withdrawn_on": today(clock), "reason": "Sorted out with the adviser."},
        lambda clock: {"withdrawn_on": today(clock)},
        {"reason": "R5"},
        lambda c: c["status"] == "withdrawn" and c["withdrawal"]["reason"] == "Sorted out with the adviser.",
        "complaint.withdrawn.v1",
    ),
    Endpoint(
        "record-outcome",
        "outcomes",
        lambda clock: {
            "element_id": "E1",
            "outcomes": ["apology", "financial_redress"],
            "financial_redress_pence": 5000,
        },
        lambda clock: {"element_id": "E1", "outcomes": ["financial_redress"]},
        {"financial_redress_pence": "R8"},
        lambda c: (
            c["outcomes"]
            == [{"element_id": "E1", "outcomes": ["apology", "financial_redress"], "financial_redress_pence": 5000}]
        ),
        "complaint.outcome_recorded.v1",
    ),
    Endpoint(
        "mark-staff-complaint",
        "staff-complaint-marker",
        lambda clock: {"responsible_team_leader_user_id": "team-leader-3"},
        lambda clock: {"responsible_team_leader_user_id": "team-leader-3", "staff_name": "Pat"},
        {"staff_name": "extra_forbidden"},
        lambda c: c["staff_complaint"] == {"responsible_team_leader_user_id": "team-leader-3"},
        "complaint.marked_as_staff_complaint.v1",
    ),
    Endpoint(
        "issue-response",
        "responses",
        lambda clock: response_body(clock),
        lambda clock: response_body(clock, findings=[{"element_id": "E1", "desired_outcome_achievable": False}]),
        {"findings.0.why_not": "R7"},
        lambda c: (
            [(r["stage"], r["final"], r["text"]) for r in c["responses"]]
            == [(1, False, "Dear Sam, we have looked into your complaint.")]
        ),
        "complaint.response_issued.v1",
    ),
    Endpoint(
        "submit-draft",
        "response-drafts",
        lambda clock: draft_body(),
        lambda clock: draft_body(findings=[{"element_id": "E1", "desired_outcome_achievable": False}]),
        {"findings.0.why_not": "R7"},
        lambda c: [(d["draft_id"], d["status"]) for d in c["response_drafts"]] == [("D1", "submitted")],
        "complaint.response_draft_submitted.v1",
        programme="atw",
    ),
    Endpoint(
        "approve-draft",
        "response-drafts/D1/approval",
        lambda clock: None,
        lambda clock: None,
        {"path.draft_id": "string_pattern_mismatch"},
        lambda c: c["response_drafts"][0]["status"] == "approved" and c["response_drafts"][0]["decided_by_user_id"],
        "complaint.response_draft_approved.v1",
        programme="atw",
        who="atw",
        bad_path="response-drafts/first/approval",
        setup=(DRAFT,),
    ),
    Endpoint(
        "request-rewording",
        "response-drafts/D1/rewording-request",
        lambda clock: {"comments": "Please explain the rota in plain words."},
        lambda clock: {"comments": ""},
        {"comments": "string_too_short"},
        lambda c: (
            c["response_drafts"][0]["status"] == "rewording_requested"
            and c["response_drafts"][0]["rewording_comments"] == "Please explain the rota in plain words."
        ),
        "complaint.response_rewording_requested.v1",
        programme="atw",
        who="atw",
        setup=(DRAFT,),
    ),
    Endpoint(
        "send-draft",
        "response-drafts/D1/sending",
        lambda clock: {"issued_on": today(clock)},
        lambda clock: {"issued_on": "2030-01-01"},
        {"issued_on": "R7"},
        lambda c: (
            [(r["stage"], r["draft_id"]) for r in c["responses"]] == [(1, "D1")]
            and c["response_drafts"][0]["status"] == "sent"
        ),
        "complaint.response_issued.v1",
        programme="atw",
        setup=(DRAFT, APPROVE),
    ),
]


def _who(world: World, who: str) -> dict[str, str]:
    return world.atw_team if who == "atw" else world.caseworker


async def _prepared(client: httpx.AsyncClient, world: World, clock: FixedClock, endpoint: Endpoint) -> str:
    """A complaint of the endpoint's programme, acknowledged (so its version is past 1), set up for the command."""
    complaint_id = await world.complaint(client, endpoint.programme)
    await post_ok(
        client, world.caseworker, complaint_id, "acknowledgement", {"acknowledged_on": today(clock), "method": "letter"}
    )
    for who, path, body in endpoint.setup:
        await post_ok(client, _who(world, who), complaint_id, path, body(clock))
    return complaint_id


def _wrong_role(world: World, endpoint: Endpoint) -> dict[str, str]:
    return world.caseworker if endpoint.who == "atw" else world.mi_analyst


def _outsider(world: World, endpoint: Endpoint) -> dict[str, str]:
    return world.jobcentre_approver if endpoint.who == "atw" else world.stranger


BY_NAME = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)


def test_every_endpoint_is_covered() -> None:
    assert len({e.name for e in ENDPOINTS}) == len(ENDPOINTS) == 13


@BY_NAME
async def test_success(client: httpx.AsyncClient, world: World, clock: FixedClock, endpoint: Endpoint) -> None:
    complaint_id = await _prepared(client, world, clock, endpoint)
    before = await client.get(f"/complaints/{complaint_id}", headers=world.caseworker)
    version = before.json()["version"]
    response = await post(
        client, _who(world, endpoint.who), complaint_id, endpoint.path, endpoint.body(clock), if_match=f'"{version}"'
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["version"] == version + 1
    assert response.headers["etag"] == f'"{version + 1}"'
    assert endpoint.shows(after), after
    read = await client.get(f"/complaints/{complaint_id}", headers=world.reader)
    assert read.json() == after
    types = await history_types(client, world.reader, complaint_id)
    assert types[-1] == endpoint.event


@BY_NAME
async def test_bad_input_names_the_field(
    client: httpx.AsyncClient, world: World, clock: FixedClock, endpoint: Endpoint
) -> None:
    complaint_id = await _prepared(client, world, clock, endpoint)
    response = await post(
        client, _who(world, endpoint.who), complaint_id, endpoint.bad_path or endpoint.path, endpoint.bad(clock)
    )
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == endpoint.bad_fields
    for name in endpoint.bad_fields:
        assert name in problem["detail"]
    rules = set(endpoint.bad_fields.values())
    if all(rule.startswith("R") for rule in rules):
        assert problem["requirement"] in rules


@BY_NAME
async def test_wrong_role_is_403(
    client: httpx.AsyncClient, world: World, clock: FixedClock, endpoint: Endpoint
) -> None:
    complaint_id = await _prepared(client, world, clock, endpoint)
    response = await post(client, _wrong_role(world, endpoint), complaint_id, endpoint.path, endpoint.body(clock))
    problem = assert_problem(response, 403, "forbidden")
    assert problem["requirement"] in ("R61", "R7")
    assert problem["required_roles"]


@BY_NAME
async def test_another_organisation_gets_404(
    client: httpx.AsyncClient, world: World, clock: FixedClock, endpoint: Endpoint
) -> None:
    complaint_id = await _prepared(client, world, clock, endpoint)
    response = await post(client, _outsider(world, endpoint), complaint_id, endpoint.path, endpoint.body(clock))
    problem = assert_problem(response, 404, "not-found")
    assert problem["requirement"] == "R61"
    assert problem["detail"] == f"no complaint {complaint_id}"


@BY_NAME
async def test_a_stale_if_match_is_412(
    client: httpx.AsyncClient, world: World, clock: FixedClock, endpoint: Endpoint
) -> None:
    complaint_id = await _prepared(client, world, clock, endpoint)
    current = (await client.get(f"/complaints/{complaint_id}", headers=world.reader)).json()["version"]
    response = await post(
        client, _who(world, endpoint.who), complaint_id, endpoint.path, endpoint.body(clock), if_match='"1"'
    )
    problem = assert_problem(response, 412, "precondition-failed")
    assert problem["requirement"] == "R63"
    assert problem["current_version"] == current
    unchanged = await client.get(f"/complaints/{complaint_id}", headers=world.reader)
    assert unchanged.json()["version"] == current


@BY_NAME
async def test_a_retry_with_the_same_key_replays(
    client: httpx.AsyncClient, world: World, clock: FixedClock, endpoint: Endpoint
) -> None:
    complaint_id = await _prepared(client, world, clock, endpoint)
    key = str(uuid.uuid4())
    headers = _who(world, endpoint.who)
    first = await post(client, headers, complaint_id, endpoint.path, endpoint.body(clock), key=key)
    again = await post(client, headers, complaint_id, endpoint.path, endpoint.body(clock), key=key)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    types = await history_types(client, world.reader, complaint_id)
    assert types.count(endpoint.event) == 1
