"""Success-response examples of the intake API: each operation shows the answer it really gives.

They are OpenAPI media-type examples (`responses={200: {"content": {"application/json": {"example": ...}}}}`),
which Swagger UI shows as the response's example value and which stay on the operation in the generated
document. Each shows the complaint as that operation leaves it, so they are built from one registered
complaint step by step. tests/api/test_conventions.py validates every one against its response model.

FastAPI drops `null` values from examples when it writes the document (fastapi#5559), so a field that is
required but may be null is never null here: the documented example must still be a valid answer.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from services.intake.letters import Letter, as_html, as_text
from shared.complaints.signposting import ANNEX_1_TEXT, ice_contact_by
from shared.http.examples import returns as returns

JSON = dict[str, Any]

COMPLAINT_ID = "0d5c8a52-3f1e-4b7a-9c2d-6e8f1a4b7c90"
DISSATISFACTION_ID = "5e2f7a10-9c3b-4d6e-8a1f-b0c4d2e6f893"
SUBJECT_ID = "7b3e9f10-2a4c-4d8e-b1f6-5c9a0e2d4f83"
PROVIDER = "provider-alpha"
JOBCENTRE = "jobcentre-leeds"
REGISTERED_AT = "2026-11-23T10:02:11.402000Z"
STAGE_1_ON = date(2026, 12, 4)
FINAL_ON = date(2026, 12, 21)

_REGISTERED: JSON = {
    "complaint_id": COMPLAINT_ID,
    "status": "open",
    "version": 1,
    "complainant": {
        "kind": "participant",
        "data_subject_id": SUBJECT_ID,
        "name": "Sam Example",
        "address": "1 Example Street, Leeds LS1 1AA",
        "email": "sam@example.org",
        "phone": "0113 496 0000",
        "national_insurance_number": "AB123456C",
    },
    "special_customer_record": None,
    "about": "provider",
    "programme": "ipes",
    "provider_organisation_id": PROVIDER,
    "contract_id": "ipes-ew-alpha",
    "channel": "phone",
    "received_on": "2026-11-20",
    "nation": "england",
    "raised_via": "complainant",
    "case_closed_on": None,
    "staff_complaint": None,
    "converted_from_dissatisfaction_id": None,
    "elements": [
        {
            "element_id": "E1",
            "category": "d_you_take_too_long",
            "summary": "My appointment was cancelled three times.",
            "desired_outcome": "A fixed appointment and an apology.",
        }
    ],
    "logged_by_organisation_id": PROVIDER,
    "registered_at": REGISTERED_AT,
    "acknowledgement": None,
    "process_explanation": None,
    "discussions": [],
    "resolution_plan": [],
    "response_drafts": [],
    "responses": [],
    "outcomes": [],
    "withdrawal": None,
    "routing": [],
    "owner_organisation_id": None,
    "as_of": None,
}

_ACKNOWLEDGEMENT: JSON = {"acknowledged_on": "2026-11-23", "method": "letter"}
_PLANNED: JSON = {
    "action_id": "A1",
    "description": "Rebook the appointment",
    "due_on": "2026-12-04",
    "owner": "leeds-team",
}
_FINDING_ACHIEVABLE: JSON = {"element_id": "E1", "desired_outcome_achievable": True, "why_not": None}
_FINDING_NOT_ACHIEVABLE: JSON = {
    "element_id": "E1",
    "desired_outcome_achievable": False,
    "why_not": "Appointments follow the adviser rota, which we cannot fix for one person.",
}
_STAGE_1_TEXT = "We have looked into your complaint and rebooked your appointment for 4 December."
_FINAL_TEXT = (
    "We have looked again at everything you told us about your cancelled appointments.\n\n"
    "We are sorry that they were cancelled, and we have asked the adviser's team leader to make sure it does not "
    "happen again."
)


def complaint(**changes: Any) -> JSON:
    """The registered complaint with some top-level fields changed (a fresh copy each time)."""
    changed = copy.deepcopy(_REGISTERED)
    changed.update(copy.deepcopy(changes))
    return changed


def _stage_1(draft_id: str | None = None) -> JSON:
    return {
        "stage": 1,
        "final": False,
        "issued_on": STAGE_1_ON.isoformat(),
        "author_user_id": "caseworker-ann",
        "reviewer_user_id": "team-leader-bob",
        "text": _STAGE_1_TEXT,
        "findings": [_FINDING_ACHIEVABLE],
        "draft_id": draft_id,
        "signposting": None,
        "outstanding_actions": [],
    }


def _final() -> JSON:
    return {
        "stage": 2,
        "final": True,
        "issued_on": FINAL_ON.isoformat(),
        "author_user_id": "caseworker-cat",
        "reviewer_user_id": "complaints-lead-dan",
        "text": _FINAL_TEXT,
        "findings": [_FINDING_NOT_ACHIEVABLE],
        "draft_id": None,
        "signposting": {
            "text": ANNEX_1_TEXT,
            "source": "000 Annex 1",
            "ice_contact_by": ice_contact_by(FINAL_ON).isoformat(),
        },
        "outstanding_actions": [{"action_id": "A1", "due_on": "2027-01-08"}],
    }


def _draft(status: str, **changes: Any) -> JSON:
    draft: JSON = {
        "draft_id": "D1",
        "stage": 1,
        "final": False,
        "author_user_id": "caseworker-ann",
        "reviewer_user_id": "team-leader-bob",
        "text": _STAGE_1_TEXT,
        "findings": [_FINDING_ACHIEVABLE],
        "status": status,
        "decided_by_user_id": None,
        "rewording_comments": None,
    }
    draft.update(changes)
    return draft


def _atw(version: int, *drafts: JSON, **changes: Any) -> JSON:
    return complaint(
        version=version,
        programme="atw",
        contract_id="atw-gb-alpha",
        acknowledgement=_ACKNOWLEDGEMENT,
        response_drafts=list(drafts),
        **changes,
    )


REGISTERED = complaint()
ACKNOWLEDGED = complaint(version=2, acknowledgement=_ACKNOWLEDGEMENT)
PROCESS_EXPLAINED = complaint(
    version=3,
    acknowledgement=_ACKNOWLEDGEMENT,
    process_explanation={"explained_on": "2026-10-01", "evidence": "email", "evidence_reference": "E-mail of 2 Oct"},
)
DISCUSSED = complaint(
    version=3,
    acknowledgement=_ACKNOWLEDGEMENT,
    discussions=[
        {
            "discussion_id": "C1",
            "held_on": "2026-11-23",
            "held_with": "complainant",
            "held_by_user_id": "caseworker-ann",
            "summary": "Agreed to rebook the appointment with the same adviser.",
        }
    ],
)
DESIRED_OUTCOME_CHANGED = complaint(
    version=3,
    acknowledgement=_ACKNOWLEDGEMENT,
    elements=[{**_REGISTERED["elements"][0], "desired_outcome": "A written apology."}],
)
PLANNED = complaint(version=3, acknowledgement=_ACKNOWLEDGEMENT, resolution_plan=[{**_PLANNED, "completed_on": None}])
ACTION_COMPLETED = complaint(
    version=4, acknowledgement=_ACKNOWLEDGEMENT, resolution_plan=[{**_PLANNED, "completed_on": "2026-11-27"}]
)
WITHDRAWN = complaint(
    version=3,
    status="withdrawn",
    acknowledgement=_ACKNOWLEDGEMENT,
    withdrawal={"withdrawn_on": "2026-11-27", "reason": "Sorted out with the adviser."},
)
OUTCOME_RECORDED = complaint(
    version=3,
    acknowledgement=_ACKNOWLEDGEMENT,
    outcomes=[{"element_id": "E1", "outcomes": ["apology", "financial_redress"], "financial_redress_pence": 5000}],
)
MARKED_AS_STAFF_COMPLAINT = complaint(
    version=3,
    acknowledgement=_ACKNOWLEDGEMENT,
    staff_complaint={"responsible_team_leader_user_id": "team-leader-3"},
)
REDIRECTED = complaint(
    version=3,
    acknowledgement=_ACKNOWLEDGEMENT,
    routing=[
        {
            "kind": "redirection",
            "reason": "programme_policy",
            "from_organisation_id": PROVIDER,
            "to_organisation_id": JOBCENTRE,
            "routed_on": "2026-11-23",
        }
    ],
    owner_organisation_id=JOBCENTRE,
)
REFERRED = complaint(
    version=2,
    channel="in_person",
    logged_by_organisation_id=JOBCENTRE,
    routing=[
        {
            "kind": "referral_to_provider",
            "reason": None,
            "from_organisation_id": JOBCENTRE,
            "to_organisation_id": PROVIDER,
            "routed_on": "2026-11-23",
        }
    ],
)
ANSWERED_FINALLY = complaint(
    version=5,
    status="closed",
    acknowledgement=_ACKNOWLEDGEMENT,
    resolution_plan=[{**_PLANNED, "due_on": "2027-01-08", "completed_on": None}],
    responses=[_stage_1(), _final()],
)
DRAFT_SUBMITTED = _atw(3, _draft("submitted"))
DRAFT_APPROVED = _atw(4, _draft("approved", decided_by_user_id="atw-service-delivery-eve"))
REWORDING_REQUESTED = _atw(
    4,
    _draft(
        "rewording_requested",
        decided_by_user_id="atw-service-delivery-eve",
        rewording_comments="Please explain the rota in plain words.",
    ),
)
DRAFT_SENT = _atw(
    5,
    _draft("sent", decided_by_user_id="atw-service-delivery-eve"),
    responses=[_stage_1(draft_id="D1")],
)
CONVERTED = complaint(
    channel="in_person",
    converted_from_dissatisfaction_id=DISSATISFACTION_ID,
    elements=[
        {
            "element_id": "E1",
            "category": "d_you_take_too_long",
            "summary": "Waited 40 minutes for an appointment, and again the week after.",
            "desired_outcome": "Appointments that start on time.",
        }
    ],
)

PAGE: JSON = {
    "items": [
        {
            "complaint_id": COMPLAINT_ID,
            "status": "open",
            "stage": 2,
            "programme": "ipes",
            "about": "provider",
            "provider_organisation_id": PROVIDER,
            "logged_by_organisation_id": PROVIDER,
            "channel": "phone",
            "nation": "england",
            "received_on": "2026-11-20",
            "categories": ["d_you_take_too_long"],
            "complainant_kind": "participant",
            "complainant_name": "Sam Example",
            "registered_at": REGISTERED_AT,
        },
        {
            "complaint_id": "9a4e1c7b-2d3f-4e5a-8b6c-0f1d2e3a4b5c",
            "status": "closed",
            "stage": 1,
            "programme": "ipes",
            "about": "provider",
            "provider_organisation_id": "provider-alpha-sub",
            "logged_by_organisation_id": "provider-alpha-sub",
            "channel": "elected_member",
            "nation": "wales",
            "received_on": "2026-11-18",
            "categories": ["b_not_given_the_information_i_need", "e_youve_got_it_wrong"],
            "complainant_kind": "ms_am",
            "complainant_name": "[erased]",
            "registered_at": "2026-11-19T15:40:03.118000Z",
        },
    ],
    # The cursor this API returns after the second item.
    "next_cursor": "WyIyMDI2LTExLTE5VDE1OjQwOjAzLjExODAwMCswMDowMCIsICI5YTRlMWM3Yi0yZDNmLTRlNWEtOGI2Yy0wZjFkMmUzYTRiNWMiXQ",
}


def _actor(user_id: str, organisation_id: str = PROVIDER, kind: str = "provider") -> JSON:
    return {"user_id": user_id, "organisation_id": organisation_id, "organisation_kind": kind, "role": "caseworker"}


HISTORY: list[JSON] = [
    {
        "event_id": "c1a2b3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        "version": 1,
        "type": "complaint.registered.v1",
        "recorded_at": REGISTERED_AT,
        "business_date": "2026-11-23",
        "actor": _actor("caseworker-ann"),
        "correlation_id": "b7e0f5a2-1c3d-4e6f-9a8b-7c6d5e4f3a21",
        "causation_id": "b7e0f5a2-1c3d-4e6f-9a8b-7c6d5e4f3a21",
        "data": {
            "complaint_id": COMPLAINT_ID,
            "complainant": {
                "kind": "participant",
                "subject_id": SUBJECT_ID,
                "name": "Sam Example",
                "address": "1 Example Street, Leeds LS1 1AA",
                "email": "sam@example.org",
                "phone": "0113 496 0000",
                "national_insurance_number": "AB123456C",
            },
            "about": "provider",
            "programme": "ipes",
            "provider_organisation_id": PROVIDER,
            "contract_id": "ipes-ew-alpha",
            "channel": "phone",
            "received_on": "2026-11-20",
            "nation": "england",
            "elements": [
                {
                    "element_id": "E1",
                    "category": "d_you_take_too_long",
                    "summary": "My appointment was cancelled three times.",
                    "desired_outcome": "A fixed appointment and an apology.",
                }
            ],
            "logged_by_organisation_id": PROVIDER,
            "logged_by_organisation_kind": "provider",
            "raised_via": "complainant",
        },
    },
    {
        "event_id": "d2b3c4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
        "version": 2,
        "type": "complaint.acknowledged.v1",
        "recorded_at": "2026-11-23T10:15:42.007000Z",
        "business_date": "2026-11-23",
        "actor": _actor("caseworker-ann"),
        "correlation_id": "0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b",
        "causation_id": "0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b",
        "data": {"complaint_id": COMPLAINT_ID, "acknowledged_on": "2026-11-23", "method": "letter"},
    },
]

DISSATISFACTION: JSON = {
    "dissatisfaction_id": DISSATISFACTION_ID,
    "version": 1,
    "person": {"kind": "participant", "data_subject_id": SUBJECT_ID, "name": "Sam Example"},
    "about": "provider",
    "programme": "ipes",
    "provider_organisation_id": PROVIDER,
    "contract_id": "ipes-ew-alpha",
    "channel": "in_person",
    "nation": "england",
    "category": "d_you_take_too_long",
    "raised_on": "2026-11-20",
    "resolved_on": "2026-11-20",
    "summary": "Waited 40 minutes for an appointment.",
    "resolution": "Seen at once by another adviser and apologised to.",
    "logged_by_organisation_id": PROVIDER,
    "recorded_at": "2026-11-20T14:31:09.250000Z",
    "converted": None,
}
DISSATISFACTION_CONVERTED: JSON = {
    **DISSATISFACTION,
    "version": 2,
    "converted": {"complaint_id": COMPLAINT_ID, "converted_on": "2026-11-23"},
}
DISSATISFACTION_HISTORY: list[JSON] = [
    {
        "event_id": "e3c4d5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f",
        "version": 1,
        "type": "dissatisfaction.recorded.v1",
        "recorded_at": DISSATISFACTION["recorded_at"],
        "business_date": "2026-11-20",
        "actor": _actor("caseworker-ann"),
        "correlation_id": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
        "causation_id": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
        "data": {
            "dissatisfaction_id": DISSATISFACTION_ID,
            "person": {"kind": "participant", "subject_id": SUBJECT_ID, "name": "Sam Example"},
            "category": "d_you_take_too_long",
            "raised_on": "2026-11-20",
            "resolved_on": "2026-11-20",
            "summary": "Waited 40 minutes for an appointment.",
            "resolution": "Seen at once by another adviser and apologised to.",
        },
    },
    {
        "event_id": "f4d5e6a7-b8c9-4d0e-9f1a-3b4c5d6e7f80",
        "version": 2,
        "type": "dissatisfaction.converted.v1",
        "recorded_at": REGISTERED_AT,
        "business_date": "2026-11-23",
        "actor": _actor("caseworker-ann"),
        "correlation_id": "b7e0f5a2-1c3d-4e6f-9a8b-7c6d5e4f3a21",
        "causation_id": "b7e0f5a2-1c3d-4e6f-9a8b-7c6d5e4f3a21",
        "data": {"dissatisfaction_id": DISSATISFACTION_ID, "complaint_id": COMPLAINT_ID, "converted_on": "2026-11-23"},
    },
]

FINAL_LETTER = Letter(
    complaint_id=COMPLAINT_ID,
    stage=2,
    final=True,
    issued_on=FINAL_ON,
    recipient="Sam Example",
    address_lines=("1 Example Street", "Leeds LS1 1AA"),
    paragraphs=tuple(_FINAL_TEXT.split("\n\n")),
    cannot_do=(("E1", str(_FINDING_NOT_ACHIEVABLE["why_not"])),),
    signposting=ANNEX_1_TEXT,
    ice_contact_by=ice_contact_by(FINAL_ON),
)


def returns_letter() -> dict[int | str, dict[str, Any]]:
    """The letter route's success response: HTML, or plain text, each with the final response letter."""
    return {
        200: {
            "content": {
                "text/html": {"schema": {"type": "string"}, "example": as_html(FINAL_LETTER)},
                "text/plain": {"schema": {"type": "string"}, "example": as_text(FINAL_LETTER)},
            }
        }
    }
