"""Every state-changing ICE case endpoint through HTTP (R30-R39, R61, R63, R64): success; a caller who sees the case
but may not do this (403); another provider (404, R61); a stale If-Match (412) with nothing appended; an idempotent
retry replaying the first answer with no second event; and representative bad input (422 naming the field and rule).

The referral itself is in test_ice_referral.py, the appeal in test_ice_reports.py, evidence uploads in
test_ice_evidence.py. The rules are tested on the decider (tests/unit/ice)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from services.ice_gateway.main import SPEC
from shared.auth import OrganisationKind, Role
from shared.calendar import working_days_for
from shared.clock import FixedClock
from shared.http.platform import Platform
from shared.vocabulary import Nation
from tests.api.conftest import TokenFactory
from tests.api.helpers import Provider, assert_problem, error_fields, register_ok
from tests.api.ice import steps
from tests.api.ice.conftest import Referred
from tests.api.ice.helpers import IceOffice, draft_body, received_long_ago, today
from tests.api.ice.steps import Headers, World, send, version_of, world_of

Step = Callable[[World], Awaitable[None]]
Who = Callable[[World], Headers]


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    """After the case's path."""
    setup: Step
    actor: Who
    wrong: Callable[[World], list[Headers]]
    """Callers who see the case but may not do this: 403."""
    body: Callable[[World], dict[str, Any]]
    done: Callable[[World, dict[str, Any]], bool]
    """Whether the answer shows the change."""
    settle: Step = steps.nothing
    """What to wait for after success before the stream is quiet (the fee process manager after a report)."""
    outsider: Callable[[World], tuple[Headers, str]] = field(default=lambda w: (w.other, w.path))
    """Who may not see the case at all, and the case path they use: 404."""


def _examiner(w: World) -> Headers:
    return w.office.examiner


def _manager(w: World) -> Headers:
    return w.office.adjudication_manager


def _head(w: World) -> Headers:
    return w.office.head_of_office


def _phso(w: World) -> Headers:
    return w.office.phso


def _lead(w: World) -> Headers:
    return w.lead


def _not_ice(w: World) -> list[Headers]:
    """The provider (wrong kind of organisation), ICE without a case role, a DWP administrator."""
    return [w.lead, w.ice_analyst, w.admin]


def _not_provider(w: World) -> list[Headers]:
    """ICE (wrong kind of organisation), the provider's MI analyst (no complaints role), a DWP administrator."""
    return [w.office.examiner, w.provider_analyst, w.admin]


def _challenge_status(body: dict[str, Any]) -> str:
    status: str = body["challenges"][0]["status"]
    return status


def _phso_referral_outsider(w: World) -> tuple[Headers, str]:
    # The ombudsman's own referral is the only route it reaches a case by: an unknown case is 404.
    return w.office.phso, f"/ice-cases/{uuid.uuid4()}"


ENDPOINTS = [
    Endpoint(
        "accept",
        "/acceptance",
        steps.nothing,
        _examiner,
        _not_ice,
        lambda w: {"accepted_on": w.on},
        lambda w, c: c["status"] == "gateway" and c["accepted"]["accepted_on"] == w.on,
    ),
    Endpoint(
        "decline",
        "/decline",
        steps.nothing,
        _examiner,
        _not_ice,
        lambda w: {"declined_on": w.on, "reason": "Not a complaint about the provider's service."},
        lambda w, c: c["status"] == "declined" and c["declined"]["declined_on"] == w.on,
    ),
    Endpoint(
        "withdraw",
        "/withdrawal",
        steps.accepted,
        _examiner,
        _not_ice,
        lambda w: {"withdrawn_on": w.on},
        lambda w, c: c["status"] == "closed" and c["closure"]["closure"] == "withdrawn",
    ),
    Endpoint(
        "make-request",
        "/requests",
        steps.accepted,
        _examiner,
        _not_ice,
        lambda w: {"request_id": "info-1", "kind": "information", "made_on": w.on},
        lambda w, c: [r["request_id"] for r in c["requests"]] == ["info-1"],
    ),
    Endpoint(
        "answer-request",
        "/requests/info-1/answer",
        steps.information_requested,
        _lead,
        _not_provider,
        lambda w: {"answered_on": w.on},
        lambda w, c: c["requests"][0]["answered_on"] == w.on,
    ),
    Endpoint(
        "confirm-steps",
        "/requests/gw/confirmation",
        steps.confirmation_requested,
        _lead,
        _not_provider,
        lambda w: {"confirmed_on": w.on},
        lambda w, c: [g["event"] for g in c["gateway"]] == ["gateway_steps_confirmed"],
    ),
    Endpoint(
        "return-to-provider",
        "/return-to-provider",
        steps.accepted,
        _examiner,
        _not_ice,
        lambda w: {"returned_on": w.on, "steps": ["Final response"], "reason": "Element 2 was not answered."},
        lambda w, c: c["status"] == "returned_to_provider",
    ),
    Endpoint(
        "report-revisited-steps",
        "/revisited-steps",
        steps.returned,
        _lead,
        _not_provider,
        lambda w: {"reported_on": w.on, "steps": ["Final response"]},
        lambda w, c: c["status"] == "gateway",
    ),
    Endpoint(
        "pass-gateway",
        "/gateway-pass",
        steps.steps_confirmed,
        _examiner,
        _not_ice,
        lambda w: {"passed_on": w.on},
        lambda w, c: (c["status"], c["stage"]) == ("resolution", "resolution"),
    ),
    Endpoint(
        "allocate-investigator",
        "/investigator",
        steps.resolution,
        _examiner,
        _not_ice,
        lambda w: {"investigator_user_id": "inv-7", "allocated_on": w.on},
        lambda w, c: c["investigator"]["investigator_user_id"] == "inv-7",
    ),
    Endpoint(
        "agree-resolution",
        "/resolution",
        steps.resolution,
        _examiner,
        _not_ice,
        lambda w: {
            "agreed_on": w.on,
            "actions": [{"action_id": "a1", "description": "Rebook the appointment", "due_on": w.on}],
        },
        lambda w, c: c["resolution"] == {"agreed_on": w.on} and c["status"] == "resolution",
    ),
    Endpoint(
        "complete-action",
        "/actions/a1/completion",
        steps.resolution_agreed,
        _lead,
        # ICE may record it too (it monitors the actions); not the provider's analyst, nor a DWP administrator.
        lambda w: [w.provider_analyst, w.admin, w.ice_analyst],
        lambda w: {"completed_on": w.on},
        lambda w, c: c["status"] == "closed" and c["closure"]["closure"] == "resolved",
    ),
    Endpoint(
        "move-to-next-stage",
        "/next-stage",
        steps.resolution,
        _examiner,
        _not_ice,
        lambda w: {"moved_on": w.on},
        lambda w, c: (c["status"], c["stage"]) == ("settlement", "settlement"),
    ),
    Endpoint(
        "request-evidence",
        "/evidence-requests",
        steps.settlement,
        _examiner,
        _not_ice,
        lambda w: {
            "request_id": "ev1",
            "requested_on": w.on,
            "items": [{"item_id": "papers", "kind": "case_papers", "description": "The complaint file"}],
        },
        lambda w, c: [i["status"] for i in c["evidence_requests"][0]["items"]] == ["awaiting"],
    ),
    Endpoint(
        "evidence-not-held",
        "/evidence-requests/ev1/items/call/not-held",
        steps.evidence_requested,
        _lead,
        _not_provider,
        lambda w: {"reason": "Calls before April are not recorded."},
        lambda w, c: [i["status"] for i in c["evidence_requests"][0]["items"]] == ["awaiting", "not_held"],
    ),
    Endpoint(
        "propose-way-forward",
        "/proposals",
        steps.evidence_answered,
        _examiner,
        _not_ice,
        steps.proposal_body,
        lambda w, c: [p["proposal_id"] for p in c["proposals"]] == ["p1"],
    ),
    Endpoint(
        "answer-way-forward",
        "/proposals/p1/provider-answer",
        steps.proposed,
        _lead,
        _not_provider,
        lambda w: {"provider_agrees": True, "answered_on": w.on},
        lambda w, c: c["proposals"][0]["provider_agrees"] is True,
    ),
    Endpoint(
        "record-complainant-satisfaction",
        "/proposals/p1/complainant-satisfaction",
        steps.proposed,
        _examiner,
        _not_ice,
        lambda w: {"satisfied": False, "recorded_on": w.on},
        lambda w, c: c["proposals"][0]["complainant_satisfied"] is False,
    ),
    Endpoint(
        "issue-draft-report",
        "/draft-reports",
        steps.investigation,
        _examiner,
        _not_ice,
        lambda w: draft_body("d1", w.on, w.element_ids),
        lambda w, c: [d["draft_id"] for d in c["drafts"]] == ["d1"],
    ),
    Endpoint(
        "comment-on-draft",
        "/draft-reports/d1/comments",
        steps.drafted,
        _lead,
        _not_provider,
        lambda w: {"comments": "We accept the findings.", "submitted_on": w.on},
        lambda w, c: c["drafts"][0]["comments"]["submitted_on"] == w.on,
    ),
    Endpoint(
        "raise-challenge",
        "/challenges",
        steps.drafted,
        _lead,
        # A caseworker of the provider may not raise it (R34; 002 8.16).
        lambda w: [w.caseworker, w.provider_analyst, w.office.examiner, w.admin],
        steps.challenge_body,
        lambda w, c: _challenge_status(c) == "raised",
    ),
    Endpoint(
        "resolve-challenge-informally",
        "/challenges/c1/informal-resolution",
        steps.challenged,
        _manager,
        lambda w: [w.office.examiner, w.office.head_of_office, w.lead],
        lambda w: {"resolved_on": w.on, "outcome": "Discussed by phone; withdrawn."},
        lambda w, c: _challenge_status(c) == "closed",
    ),
    Endpoint(
        "escalate-challenge",
        "/challenges/c1/formal-escalation",
        steps.challenged,
        _manager,
        lambda w: [w.office.examiner, w.lead],
        lambda w: {"escalated_on": w.on},
        lambda w, c: _challenge_status(c) == "formal_stage_1",
    ),
    Endpoint(
        "record-adjudication-reply",
        "/challenges/c1/adjudication-reply",
        steps.escalated,
        _manager,
        lambda w: [w.office.examiner, w.lead],
        lambda w: {"replied_on": w.on, "reply": "The draft stands."},
        lambda w, c: _challenge_status(c) == "awaiting_provider",
    ),
    Endpoint(
        "respond-to-adjudication",
        "/challenges/c1/provider-response",
        steps.replied,
        _lead,
        lambda w: [w.caseworker, w.office.examiner],
        lambda w: {"agrees": True, "responded_on": w.on},
        lambda w, c: _challenge_status(c) == "closed",
    ),
    Endpoint(
        "record-head-of-office-letter",
        "/challenges/c1/head-of-office-letter",
        steps.replied,
        _head,
        lambda w: [w.office.adjudication_manager, w.office.examiner, w.lead],
        lambda w: {"written_on": w.on, "director_name": "A. Director"},
        lambda w, c: _challenge_status(c) == "formal_stage_2",
    ),
    Endpoint(
        "record-challenge-outcome",
        "/challenges/c1/outcome",
        steps.head_of_office_wrote,
        _head,
        lambda w: [w.office.adjudication_manager, w.lead],
        lambda w: {"closed_on": w.on, "outcome": "The director agreed the draft."},
        lambda w, c: _challenge_status(c) == "closed",
    ),
    Endpoint(
        "issue-final-report",
        "/final-report",
        steps.commented,
        _examiner,
        _not_ice,
        steps.final_report_body,
        lambda w, c: c["final_report"]["outcome"] == "upheld" and c["status"] == "closed",
        settle=steps.fee_assessed,
    ),
    Endpoint(
        "record-payment",
        "/payments",
        steps.reported,
        _lead,
        lambda w: [w.office.examiner, w.provider_analyst, w.admin],
        lambda w: {"payment_id": "pay-1", "target": "cp1", "amount_pence": 4_000, "paid_on": w.on},
        lambda w, c: {p["target"]: p["paid_pence"] for p in c["payments"]}["cp1"] == 4_000,
    ),
    Endpoint(
        "action-recommendation",
        "/recommendations/r2/actioned",
        steps.reported,
        _lead,
        _not_provider,
        lambda w: {"actioned_on": w.on},
        lambda w, c: [r["recommendation_id"] for r in c["recommendations_actioned"]] == ["r2"],
    ),
    Endpoint(
        "phso-refer",
        "/phso-referral",
        steps.reported,
        _phso,
        lambda w: [w.office.examiner, w.lead, w.admin],
        steps.phso_referral_body,
        lambda w, c: c["phso"]["referral"]["route"] == "phso_via_mp",
        outsider=_phso_referral_outsider,
    ),
    Endpoint(
        "phso-accept",
        "/phso-acceptance",
        steps.phso_referred,
        _phso,
        lambda w: [w.office.examiner, w.lead, w.admin],
        lambda w: {"accepted_on": w.on},
        lambda w, c: c["phso"]["accepted"]["ice_exhausted"] is True,
    ),
    Endpoint(
        "phso-report",
        "/phso-report",
        steps.phso_accepted,
        _phso,
        lambda w: [w.office.examiner, w.lead, w.admin],
        steps.phso_report_body,
        lambda w, c: c["phso"]["report"]["upheld"] is True,
    ),
    Endpoint(
        "phso-complete-recommendation",
        "/phso-recommendations/phso-2/completion",
        steps.phso_reported,
        _lead,
        lambda w: [w.office.phso, w.office.examiner, w.provider_analyst],
        lambda w: {"completed_on": w.on},
        lambda w, c: [r["recommendation_id"] for r in c["phso"]["completed"]] == ["phso-2"],
    ),
]
BY_NAME = {e.name: e for e in ENDPOINTS}


def _ids(endpoint: Endpoint) -> str:
    return endpoint.name


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_ids)
async def test_refusals_change_nothing_then_the_right_caller_succeeds(
    endpoint: Endpoint, referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await endpoint.setup(w)
    path = w.path + endpoint.path
    body = endpoint.body(w)
    version = await version_of(w)

    for caller in endpoint.wrong(w):
        problem = assert_problem(await send(ice, path, caller, body), 403, "forbidden")
        assert problem["requirement"], problem

    outsider, case_path = endpoint.outsider(w)
    problem = assert_problem(await send(ice, case_path + endpoint.path, outsider, body), 404, "not-found")
    assert problem["requirement"] == "R61"

    stale = await send(ice, path, endpoint.actor(w), body, if_match=f'"{version - 1}"')
    problem = assert_problem(stale, 412, "precondition-failed")
    assert problem["requirement"] == "R63"
    assert problem["current_version"] == version

    assert await version_of(w) == version, "a refused request appended nothing"
    done = await send(ice, path, endpoint.actor(w), body, if_match=f'"{version}"')
    assert done.status_code == 200, done.text
    assert endpoint.done(w, done.json()), done.json()
    assert done.json()["version"] > version
    assert done.headers["etag"] == f'"{done.json()["version"]}"'


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_ids)
async def test_a_retry_with_the_same_key_replays_the_answer_and_appends_nothing(
    endpoint: Endpoint,
    referred: Referred,
    auth: TokenFactory,
    office: IceOffice,
    ice: httpx.AsyncClient,
    ice_platform: Platform,
) -> None:
    w = world_of(referred, auth, office)
    await endpoint.setup(w)
    path = w.path + endpoint.path
    body = endpoint.body(w)
    key = str(uuid.uuid4())

    first = await send(ice, path, endpoint.actor(w), body, key=key)
    assert first.status_code == 200, first.text
    assert "idempotent-replayed" not in first.headers
    assert endpoint.done(w, first.json()), first.json()
    await endpoint.settle(w)
    version = await version_of(w)
    events = await steps.event_types(ice_platform, w.case.case_id)

    again = await send(ice, path, endpoint.actor(w), body, key=key)
    assert again.status_code == first.status_code
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.headers["etag"] == first.headers["etag"]
    assert again.json() == first.json()
    assert await version_of(w) == version
    assert await steps.event_types(ice_platform, w.case.case_id) == events


def test_every_state_changing_route_is_covered() -> None:
    """The table above follows the routers: a new route without tests fails here."""
    routes = {
        (method, route.path)
        for router in SPEC.routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or set()
        if method in {"POST", "PUT", "PATCH", "DELETE"}
    }
    covered = {("POST", "/ice-cases/{case_id}" + _template(e.path)) for e in ENDPOINTS}
    elsewhere = {
        ("POST", "/ice-cases"),  # test_ice_referral.py
        ("POST", "/ice-cases/{case_id}/appeals"),  # test_ice_reports.py
        ("PUT", "/ice-cases/{case_id}/evidence-requests/{request_id}/items/{item_id}/content"),  # evidence
    }
    assert routes == covered | elsewhere


def _template(path: str) -> str:
    replacements = {
        "/requests/info-1/": "/requests/{request_id}/",
        "/requests/gw/": "/requests/{request_id}/",
        "/actions/a1/": "/actions/{action_id}/",
        "/evidence-requests/ev1/items/call/": "/evidence-requests/{request_id}/items/{item_id}/",
        "/proposals/p1/": "/proposals/{proposal_id}/",
        "/draft-reports/d1/": "/draft-reports/{draft_id}/",
        "/challenges/c1/": "/challenges/{challenge_id}/",
        "/recommendations/r2/": "/recommendations/{recommendation_id}/",
        "/phso-recommendations/phso-2/": "/phso-recommendations/{recommendation_id}/",
    }
    for concrete, template in replacements.items():
        path = path.replace(concrete, template)
    return path


# Bad input: 422 naming the field and the rule (R64)


def _latest(platform: Platform, start: date, days: int = 5) -> date:
    return working_days_for(platform.settings.bank_holiday_overrides_file).add(Nation.ENGLAND, start, days)


@pytest.mark.parametrize(
    ("setup", "suffix", "build"),
    [
        (
            steps.accepted,
            "/requests",
            lambda w, due: {"request_id": "info-1", "kind": "information", "made_on": w.on, "due_on": due},
        ),
        (
            steps.settlement,
            "/evidence-requests",
            lambda w, due: {
                "request_id": "ev1",
                "requested_on": w.on,
                "due_on": due,
                "items": [{"item_id": "papers", "kind": "case_papers", "description": "The complaint file"}],
            },
        ),
    ],
    ids=["request", "evidence-request"],
)
async def test_a_due_date_later_than_five_working_days_is_refused(
    setup: Step,
    suffix: str,
    build: Callable[[World, str], dict[str, Any]],
    referred: Referred,
    auth: TokenFactory,
    office: IceOffice,
    ice: httpx.AsyncClient,
    ice_platform: Platform,
) -> None:
    w = world_of(referred, auth, office)
    await setup(w)
    latest = _latest(ice_platform, date.fromisoformat(w.on))
    too_late = (latest + timedelta(days=1)).isoformat()
    problem = assert_problem(await send(ice, w.path + suffix, office.examiner, build(w, too_late)), 422, "validation")
    assert error_fields(problem) == {"due_on": "R31"}
    assert problem["requirement"] == "R31"
    assert latest.isoformat() in problem["detail"]
    done = await send(ice, w.path + suffix, office.examiner, build(w, latest.isoformat()))
    assert done.status_code == 200, done.text
    found = done.json()
    wanted = found["requests"] if suffix == "/requests" else found["evidence_requests"]
    assert wanted[0]["due_on"] == latest.isoformat()


async def test_a_request_without_a_due_date_is_due_in_exactly_five_working_days(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice_platform: Platform
) -> None:
    w = world_of(referred, auth, office)
    await steps.accepted(w)
    made = await w.case.post("/requests", office.examiner, {"request_id": "q", "kind": "comments", "made_on": w.on})
    assert made["requests"][0]["due_on"] == _latest(ice_platform, date.fromisoformat(w.on)).isoformat()


async def test_draft_comments_due_later_than_five_working_days_are_refused(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient, ice_platform: Platform
) -> None:
    w = world_of(referred, auth, office)
    await steps.investigation(w)
    too_late = (_latest(ice_platform, date.fromisoformat(w.on)) + timedelta(days=1)).isoformat()
    body = draft_body("d1", w.on, w.element_ids, comments_due_on=too_late)
    problem = assert_problem(await send(ice, w.path + "/draft-reports", office.examiner, body), 422, "validation")
    assert error_fields(problem) == {"comments_due_on": "R34"}


@pytest.mark.parametrize(
    ("grounds", "field_name"),
    [
        ([("level_of_redress", "p2")], "grounds.0.ground"),
        ([("difference_of_opinion", "p2")], "grounds.0.ground"),
        ([("factual_inaccuracy", "p1"), ("level_of_redress", "p2")], "grounds.1.ground"),
    ],
    ids=["level-of-redress", "difference-of-opinion", "second-ground"],
)
async def test_a_challenge_on_the_level_of_redress_or_a_difference_of_opinion_is_refused(
    grounds: list[tuple[str, str]],
    field_name: str,
    referred: Referred,
    auth: TokenFactory,
    office: IceOffice,
    ice: httpx.AsyncClient,
) -> None:
    w = world_of(referred, auth, office)
    await steps.drafted(w)
    body = steps.challenge_body(
        w, grounds=[{"ground": g, "passage_id": p, "detail": "We see it differently."} for g, p in grounds]
    )
    problem = assert_problem(await send(ice, w.path + "/challenges", w.lead, body), 422, "validation")
    assert error_fields(problem) == {field_name: "R34"}
    assert problem["requirement"] == "R34"
    assert problem["guidance"] == "002 8.17"
    assert (await w.case.get())["challenges"] == []


async def test_a_challenge_by_a_caseworker_is_forbidden_citing_r34(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.drafted(w)
    problem = assert_problem(await send(ice, w.path + "/challenges", w.caseworker, steps.challenge_body(w)), 403)
    assert problem["requirement"] == "R34"
    assert problem["guidance"] == "002 8.16"
    senior = auth(w.provider_id, OrganisationKind.PROVIDER, Role.SENIOR_MANAGER)
    raised = await send(ice, w.path + "/challenges", senior, steps.challenge_body(w))
    assert raised.status_code == 200, raised.text
    assert raised.json()["challenges"][0]["raised_by_role"] == "senior_manager"


@pytest.mark.parametrize(
    ("name", "body", "fields"),
    [
        ("accept", {"accepted_on": "not-a-date"}, {"accepted_on": "date_from_datetime_parsing"}),
        ("accept", {"accepted_on": "2026-11-23", "surprise": 1}, {"surprise": "extra_forbidden"}),
        ("decline", {"declined_on": "2026-11-23"}, {"reason": "R30"}),
        ("return-to-provider", {"returned_on": "2026-11-23", "steps": []}, {"steps": "too_short"}),
        ("make-request", {"request_id": "has space", "kind": "information", "made_on": "2026-11-23"}, None),
        ("record-payment", {"payment_id": "p", "target": "cp1", "amount_pence": 0, "paid_on": "2026-11-23"}, None),
        ("phso-refer", {"route": "by_carrier_pigeon", "referred_on": "2026-11-23"}, {"route": "enum"}),
    ],
    ids=["date", "extra-field", "missing-reason", "no-steps", "bad-id", "zero-payment", "route"],
)
async def test_malformed_bodies_are_refused_naming_the_field(
    name: str,
    body: dict[str, Any],
    fields: dict[str, str] | None,
    referred: Referred,
    auth: TokenFactory,
    office: IceOffice,
    ice: httpx.AsyncClient,
) -> None:
    endpoint = BY_NAME[name]
    w = world_of(referred, auth, office)
    version = await version_of(w)
    problem = assert_problem(await send(ice, w.path + endpoint.path, endpoint.actor(w), body), 422, "validation")
    found = error_fields(problem)
    if fields is None:
        assert len(found) == 1, found
        (field_name,) = found
        assert field_name in body, found
    else:
        assert found == fields
    assert await version_of(w) == version


@pytest.mark.parametrize("field_name", ["accepted_on", "passed_on"])
async def test_a_date_after_today_is_refused(
    field_name: str, referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    tomorrow = (date.fromisoformat(w.on) + timedelta(days=1)).isoformat()
    if field_name == "passed_on":
        await steps.steps_confirmed(w)
        path = "/gateway-pass"
    else:
        path = "/acceptance"
    problem = assert_problem(await send(ice, w.path + path, office.examiner, {field_name: tomorrow}), 422)
    assert error_fields(problem) == {field_name: "R30"}


async def test_revisiting_fewer_steps_than_returned_names_the_missing_ones(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.accepted(w)
    await w.case.post(
        "/return-to-provider", office.examiner, {"returned_on": w.on, "steps": ["Stage 1", "Final response"]}
    )
    body = {"reported_on": w.on, "steps": ["Stage 1"]}
    problem = assert_problem(await send(ice, w.path + "/revisited-steps", w.lead, body), 422, "validation")
    assert error_fields(problem) == {"steps": "R30"}
    assert "Final response" in problem["detail"]


async def test_a_resolution_action_due_before_the_agreement_is_refused(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.resolution(w)
    earlier = (date.fromisoformat(w.on) - timedelta(days=1)).isoformat()
    body = {"agreed_on": w.on, "actions": [{"action_id": "a1", "description": "Rebook", "due_on": earlier}]}
    problem = assert_problem(await send(ice, w.path + "/resolution", office.examiner, body), 422, "validation")
    assert error_fields(problem) == {"actions.0.due_on": "R32"}


async def test_a_way_forward_keeps_its_actions_as_proposed_and_the_case_follows_them(
    referred: Referred, auth: TokenFactory, office: IceOffice
) -> None:
    """The proposal's actions stay as proposed; the case's `actions` follow them to completion (R32; 000 14.31).
    The provider's answer is absent from the proposal, not null, until given."""
    w = world_of(referred, auth, office)
    await steps.evidence_answered(w)
    action = {"action_id": "a1", "description": "Rebook the appointment", "due_on": w.on}
    case = await w.case.post("/proposals", office.examiner, {**steps.proposal_body(w), "actions": [action]})
    (proposal,) = case["proposals"]
    assert (proposal["actions"], proposal["provider_agrees"]) == ([action], None)
    assert "provider_answered_on" not in proposal
    assert case["actions"] == [{**action, "completed_on": None, "agreed_in": "p1"}]
    done = await w.case.post("/actions/a1/completion", w.lead, {"completed_on": w.on})
    assert done["proposals"][0]["actions"] == [action]
    assert done["actions"] == [{**action, "completed_on": w.on, "agreed_in": "p1"}]


async def test_a_final_report_missing_an_element_is_refused(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.commented(w)
    body = steps.final_report_body(w, findings=[{"element_id": "E-none", "finding": "upheld"}])
    problem = assert_problem(await send(ice, w.path + "/final-report", office.examiner, body), 422, "validation")
    assert error_fields(problem) == {"findings": "R35"}
    assert w.element_ids[0] in problem["detail"]


async def test_a_payment_over_what_is_outstanding_is_refused(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.reported(w)
    body = {"payment_id": "pay-1", "target": "cp1", "amount_pence": 10_001, "paid_on": w.on}
    problem = assert_problem(await send(ice, w.path + "/payments", w.lead, body), 422, "validation")
    assert error_fields(problem) == {"amount_pence": "R36"}
    unknown = {**body, "target": "nothing-owed", "amount_pence": 1}
    problem = assert_problem(await send(ice, w.path + "/payments", w.lead, unknown), 422, "validation")
    assert error_fields(problem) == {"target": "R36"}


async def test_a_key_reused_with_another_body_is_refused(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    key = str(uuid.uuid4())
    first = await send(ice, w.path + "/acceptance", office.examiner, {"accepted_on": w.on}, key=key)
    assert first.status_code == 200, first.text
    other = {"accepted_on": w.on, "justification": "Another body."}
    problem = assert_problem(await send(ice, w.path + "/acceptance", office.examiner, other, key=key), 422)
    assert error_fields(problem) == {"header.Idempotency-Key": "reused-with-different-request"}


async def test_a_rule_of_the_process_is_a_409_naming_the_requirement(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    """Wrong stage: passing the gateway before the provider confirmed its steps (R30), a draft at resolution (R34)."""
    w = world_of(referred, auth, office)
    await steps.confirmation_requested(w)
    problem = assert_problem(await send(ice, w.path + "/gateway-pass", office.examiner, {"passed_on": w.on}), 409)
    assert problem["requirement"] == "R30"
    assert problem["guidance"] == "000 14.24; 002 8.10"
    await w.case.post("/requests/gw/confirmation", w.lead, {"confirmed_on": w.on})
    await w.case.post("/gateway-pass", office.examiner, {"passed_on": w.on})
    draft = draft_body("d1", w.on, w.element_ids)
    problem = assert_problem(await send(ice, w.path + "/draft-reports", office.examiner, draft), 409)
    assert problem["requirement"] == "R34"


# Concurrent changes (R63)


async def test_concurrent_changes_are_never_lost(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    """Without If-Match both payments are recorded (the loser of a race decides again); with the same If-Match
    exactly one wins and the other is told the case changed (412)."""
    w = world_of(referred, auth, office)
    await steps.reported(w)

    def payment(payment_id: str, pence: int) -> dict[str, Any]:
        return {"payment_id": payment_id, "target": "cp1", "amount_pence": pence, "paid_on": w.on}

    first, second = await asyncio.gather(
        send(ice, w.path + "/payments", w.lead, payment("pay-a", 1_000)),
        send(ice, w.path + "/payments", w.lead, payment("pay-b", 2_000)),
    )
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    case = await w.case.get()
    assert {p["target"]: p["paid_pence"] for p in case["payments"]}["cp1"] == 3_000

    etag = f'"{case["version"]}"'
    answers = await asyncio.gather(
        send(ice, w.path + "/payments", w.lead, payment("pay-c", 100), if_match=etag),
        send(ice, w.path + "/payments", w.lead, payment("pay-d", 200), if_match=etag),
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    paid = {p["target"]: p["paid_pence"] for p in (await w.case.get())["payments"]}["cp1"]
    assert paid in (3_100, 3_200)
    assert (await w.case.get())["version"] == case["version"] + 1


# Known gaps, recorded as failing expectations: each turns into a failure (XPASS, strict) once fixed.


async def test_a_special_customer_record_referral_is_decided_without_free_text(
    provider: Provider, client: httpx.AsyncClient, ice: httpx.AsyncClient, office: IceOffice, clock: FixedClock
) -> None:
    body = provider.body(
        received_on=received_long_ago(clock),
        special_customer_record=True,
        clerical_reference="SCR/LEEDS/0042",
        complainant_kind="participant",
        elements=[{"category": "d_you_take_too_long"}],
    )
    del body["complainant"]
    created = await register_ok(client, provider.caseworker, body)
    on = today(clock).isoformat()
    referral = await send(
        ice, "/ice-cases", office.examiner, {"complaint_id": created["complaint_id"], "referred_on": on}
    )
    assert referral.status_code == 201, referral.text
    path = f"/ice-cases/{created['complaint_id']}/decline"
    with_text = await send(ice, path, office.examiner, {"declined_on": on, "reason": "Referred too early."})
    assert error_fields(assert_problem(with_text, 422)) == {"reason": "R11"}, "the reason stays on the clerical file"
    declined = await send(ice, path, office.examiner, {"declined_on": on})
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"


# Deadlines on both sides (R31, R40)


async def test_requests_and_ices_own_standards_show_as_deadlines(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice_platform: Platform
) -> None:
    w = world_of(referred, auth, office)
    on = date.fromisoformat(w.on)
    await steps.information_requested(w)
    case = await w.case.get()
    due = {(d["kind"], d["reference"]): (d["owner"], d["due_on"], d["requirement"]) for d in case["deadlines"]}
    assert due[("ice_request", "info-1")] == ("provider", _latest(ice_platform, on).isoformat(), "R31")
    assert due[("ice_standard_resolve", None)] == ("ice", (on + timedelta(weeks=8)).isoformat(), "R40")
    assert ("ice_standard_settle", None) not in due, "it starts with the allocation to an investigator"

    await w.case.post("/requests/info-1/answer", w.lead, {"answered_on": w.on})
    await w.case.post(
        "/requests",
        office.examiner,
        {"request_id": "gw", "kind": "confirmation", "made_on": w.on, "steps": ["Final response"]},
    )
    await w.case.post("/requests/gw/confirmation", w.lead, {"confirmed_on": w.on})
    await w.case.post("/gateway-pass", office.examiner, {"passed_on": w.on})
    case = await w.case.post("/investigator", office.examiner, {"investigator_user_id": "inv-1", "allocated_on": w.on})
    deadlines = {(d["kind"], d["reference"]): d for d in case["deadlines"]}
    assert deadlines[("ice_request", "info-1")]["met_on"] == w.on
    assert deadlines[("ice_standard_settle", None)]["due_on"] == (on + timedelta(weeks=15)).isoformat()
    assert deadlines[("ice_standard_report", None)]["due_on"] == (on + timedelta(weeks=20)).isoformat()
    assert {d["owner"] for k, d in deadlines.items() if k[0].startswith("ice_standard")} == {"ice"}
