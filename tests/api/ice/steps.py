"""Who calls the ICE gateway in these tests, and the steps that bring a fresh case to the state an endpoint needs.

Every step asserts its own success, so a refusal seen later is the endpoint's, never a broken set-up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from shared.auth import OrganisationKind, Role
from shared.http.platform import Platform
from tests.api.conftest import TokenFactory
from tests.api.helpers import eventually, unique
from tests.api.ice.conftest import Referred
from tests.api.ice.helpers import Case, IceOffice, draft_body

Headers = dict[str, str]


@dataclass(frozen=True)
class World:
    """A freshly referred case and everyone who calls about it."""

    case: Case
    provider_id: str
    element_ids: list[str]
    office: IceOffice
    lead: Headers
    """The provider's complaints lead."""
    caseworker: Headers
    provider_analyst: Headers
    """Of the provider: sees its cases, but holds none of the roles that act on them."""
    ice_analyst: Headers
    """Of the ICE office: sees every case, but holds none of ICE's case roles."""
    other: Headers
    """Another provider's complaints lead, senior manager and caseworker at once."""
    admin: Headers
    """A DWP administrator: sees every case, acts on none."""

    @property
    def on(self) -> str:
        return self.case.on

    @property
    def path(self) -> str:
        return self.case.path


def world_of(referred: Referred, auth: TokenFactory, office: IceOffice) -> World:
    org = referred.provider.organisation_id
    other = unique("other-provider")
    return World(
        case=referred.case,
        provider_id=org,
        element_ids=referred.element_ids,
        office=office,
        lead=referred.lead,
        caseworker=referred.provider.caseworker,
        provider_analyst=auth(org, OrganisationKind.PROVIDER, Role.MI_ANALYST),
        ice_analyst=auth("ice", OrganisationKind.ICE, Role.MI_ANALYST),
        other=auth(other, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD, Role.SENIOR_MANAGER, Role.CASEWORKER),
        admin=auth("dwp", OrganisationKind.DWP_BUSINESS, Role.DWP_ADMIN),
    )


async def send(
    ice: httpx.AsyncClient,
    path: str,
    headers: Headers,
    body: dict[str, Any] | None,
    *,
    key: str | None = None,
    if_match: str | None = None,
) -> httpx.Response:
    sent = {**headers, "Idempotency-Key": key or str(uuid.uuid4())}
    if if_match is not None:
        sent["If-Match"] = if_match
    return await ice.post(path, headers=sent, json=body)


async def version_of(w: World) -> int:
    response = await w.case.ice.get(w.path, headers=w.office.examiner)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    version: int = response.json()["version"]
    return version


async def event_types(platform: Platform, case_id: str) -> list[str]:
    return [r.type for r in await platform.store.read_stream("ice-" + case_id)]


# Steps: each brings the case one state further, asserting success.


async def nothing(w: World) -> None:
    return None


async def accepted(w: World) -> None:
    await w.case.post("/acceptance", w.office.examiner, {"accepted_on": w.on})


async def information_requested(w: World) -> None:
    await accepted(w)
    await w.case.post("/requests", w.office.examiner, {"request_id": "info-1", "kind": "information", "made_on": w.on})


async def confirmation_requested(w: World) -> None:
    await accepted(w)
    await w.case.post(
        "/requests",
        w.office.examiner,
        {"request_id": "gw", "kind": "confirmation", "made_on": w.on, "steps": ["Stage 1", "Final response"]},
    )


async def steps_confirmed(w: World) -> None:
    await confirmation_requested(w)
    await w.case.post("/requests/gw/confirmation", w.lead, {"confirmed_on": w.on})


async def returned(w: World) -> None:
    await accepted(w)
    await w.case.post(
        "/return-to-provider",
        w.office.examiner,
        {"returned_on": w.on, "steps": ["Final response"], "reason": "The final response missed element 2."},
    )


async def resolution(w: World) -> None:
    await w.case.accept_and_pass_gateway()


async def resolution_agreed(w: World) -> None:
    await resolution(w)
    await w.case.post(
        "/resolution",
        w.office.examiner,
        {"agreed_on": w.on, "actions": [{"action_id": "a1", "description": "Rebook the appointment", "due_on": w.on}]},
    )


async def settlement(w: World) -> None:
    await w.case.to_settlement()


async def evidence_requested(w: World) -> None:
    await settlement(w)
    await w.case.post(
        "/evidence-requests",
        w.office.examiner,
        {
            "request_id": "ev1",
            "requested_on": w.on,
            "items": [
                {"item_id": "papers", "kind": "case_papers", "description": "The complaint file"},
                {"item_id": "call", "kind": "call_recording", "description": "Call of 3 March"},
            ],
        },
    )


async def evidence_answered(w: World) -> None:
    await evidence_requested(w)
    for item in ("papers", "call"):
        await w.case.post(f"/evidence-requests/ev1/items/{item}/not-held", w.lead, {"reason": "Not kept."})


async def proposed(w: World) -> None:
    await evidence_answered(w)
    await w.case.post("/proposals", w.office.examiner, proposal_body(w))


async def investigation(w: World) -> None:
    await w.case.to_investigation(w.element_ids)


async def drafted(w: World) -> None:
    await investigation(w)
    await w.case.post("/draft-reports", w.office.examiner, draft_body("d1", w.on, w.element_ids))


async def challenged(w: World) -> None:
    await drafted(w)
    await w.case.post("/challenges", w.lead, challenge_body(w))


async def escalated(w: World) -> None:
    await challenged(w)
    await w.case.post("/challenges/c1/formal-escalation", w.office.adjudication_manager, {"escalated_on": w.on})


async def replied(w: World) -> None:
    await escalated(w)
    await w.case.post(
        "/challenges/c1/adjudication-reply",
        w.office.adjudication_manager,
        {"replied_on": w.on, "reply": "The draft stands."},
    )


async def head_of_office_wrote(w: World) -> None:
    await replied(w)
    await w.case.post(
        "/challenges/c1/head-of-office-letter", w.office.head_of_office, {"written_on": w.on, "director_name": "A. D."}
    )


async def commented(w: World) -> None:
    await drafted(w)
    await w.case.post("/draft-reports/d1/comments", w.lead, {"comments": "We accept it.", "submitted_on": w.on})


async def reported(w: World) -> None:
    """The final report upheld, and the fee assessed: nothing more will be appended behind the test's back."""
    await commented(w)
    await w.case.post("/final-report", w.office.examiner, final_report_body(w))
    await fee_assessed(w)


async def fee_assessed(w: World) -> None:
    await eventually(w.case.get, lambda c: c["contribution_to_costs"] is not None, what="the fee assessed")


async def phso_referred(w: World) -> None:
    await reported(w)
    await w.case.post("/phso-referral", w.office.phso, phso_referral_body(w))


async def phso_accepted(w: World) -> None:
    await phso_referred(w)
    await w.case.post("/phso-acceptance", w.office.phso, {"accepted_on": w.on})


async def phso_reported(w: World) -> None:
    await phso_accepted(w)
    await w.case.post("/phso-report", w.office.phso, phso_report_body(w))


# Bodies


def proposal_body(w: World) -> dict[str, Any]:
    return {"proposal_id": "p1", "proposed_on": w.on, "proposal": "An apology and a fixed appointment."}


def challenge_body(w: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "challenge_id": "c1",
        "draft_id": "d1",
        "raised_on": w.on,
        "grounds": [{"ground": "factual_inaccuracy", "passage_id": "p2", "detail": "A letter was sent on 4 March."}],
    }
    body.update(overrides)
    return body


def final_report_body(w: World, finding: str = "upheld", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "report_id": "fr1",
        "report_date": w.on,
        "findings": [{"element_id": e, "finding": finding, "maladministration": True} for e in w.element_ids],
        "recommendations": [
            {"recommendation_id": "r1", "kind": "case_specific", "text": "Apologise in writing."},
            {"recommendation_id": "r2", "kind": "systemic", "text": "Reword the cancellation letter."},
        ],
        "redress": [{"redress_id": "cp1", "kind": "consolatory_payment", "amount_pence": 10_000}],
    }
    body.update(overrides)
    return body


def phso_referral_body(w: World, route: str = "phso_via_mp") -> dict[str, Any]:
    return {"route": route, "referred_on": w.on, "member_name": "A. Member MP"}


def phso_report_body(w: World) -> dict[str, Any]:
    return {
        "issued_on": w.on,
        "upheld": True,
        "recommendations": [
            {"recommendation_id": "phso-1", "text": "Pay a further £150.", "additional_redress_pence": 15_000},
            {"recommendation_id": "phso-2", "text": "Review the appointment rota."},
        ],
    }
