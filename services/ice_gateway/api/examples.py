"""The success-response example every ICE case operation shows in /docs and the SDKs: a case at investigation,
after a factual challenge closed at formal stage 1 and a revised draft (R30-R36). Checked against IceCaseOut by
tests/unit/ice_gateway/test_examples.py, so it cannot drift from the schema."""

from __future__ import annotations

from typing import Any

from shared.http.examples import returns as returns

CASE_ID = "3f1c6c1e-5d7a-4a53-9b7e-0a4c1f7f2f11"
ON = "2026-11-23"

FINDINGS = [{"element_id": "E1", "finding": "upheld", "maladministration": True, "passage_ids": ["p2"]}]
RECOMMENDATIONS = [
    {"recommendation_id": "r1", "kind": "case_specific", "text": "Apologise in writing."},
    {"recommendation_id": "r2", "kind": "systemic", "text": "Reword the cancellation letter."},
]

CASE: dict[str, Any] = {
    "case_id": CASE_ID,
    "complaint_id": CASE_ID,
    "provider_organisation_id": "provider-alpha",
    "status": "investigation",
    "stage": "investigation",
    "version": 17,
    "referral": {
        "complaint_id": CASE_ID,
        "subject_id": "6f1c2a64-3b1e-4c39-9a55-0d1f4b0c2e11",
        "provider_organisation_id": "provider-alpha",
        "logged_by_organisation_id": "provider-alpha",
        "programme": "ipes",
        "nation": "england",
        "element_ids": ["E1"],
        "complaint_received_on": "2026-08-03",
        "final_response_on": "2026-09-28",
        "referred_on": "2026-10-05",
        "contract": {"contract_id": "ipes-north-1", "value_pence": 1250000000, "let_or_renewed_on": "2024-04-01"},
        "eligibility": {"eligible": True, "basis": "final_response_within_six_months", "flags": []},
        "restricted": False,
        "routed_to_organisation_id": None,
    },
    "accepted": {"accepted_on": "2026-10-06", "justification": None},
    "declined": None,
    "gateway": [
        {
            "event": "gateway_steps_confirmed",
            "request_id": "gw",
            "confirmed_on": "2026-10-08",
            "steps": ["Final response"],
        },
        {"event": "gateway_passed", "passed_on": "2026-10-09"},
    ],
    "requests": [
        {
            "request_id": "gw",
            "kind": "confirmation",
            "made_on": "2026-10-06",
            "due_on": "2026-10-13",
            "answered_on": "2026-10-08",
            "steps": ["Final response"],
        }
    ],
    "investigator": {"investigator_user_id": "ice-investigator-7", "allocated_on": "2026-10-20"},
    "resolution": None,
    "actions": [],
    "evidence_requests": [
        {
            "request_id": "ev1",
            "requested_on": "2026-10-21",
            "due_on": "2026-10-28",
            "completed_on": "2026-10-27",
            "items": [
                {
                    "item_id": "call",
                    "kind": "call_recording",
                    "description": "Call of 3 March",
                    "status": "uploaded",
                    "content_type": "audio/mpeg",
                    "size_bytes": 12582912,
                    "sha256": "9f2b5c0d4e1a7b3c8d6e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e",
                    "uploaded_on": "2026-10-27",
                    "not_held_reason": None,
                    "content_url": f"/ice-cases/{CASE_ID}/evidence-requests/ev1/items/call/content",
                }
            ],
        }
    ],
    "proposals": [],
    "drafts": [
        {
            "draft_id": "d2",
            "revision": 2,
            "issued_on": "2026-11-16",
            "comments_due_on": "2026-11-23",
            "passages": [{"passage_id": "p2", "text": "A letter was sent on 4 March but did not explain why."}],
            "findings": FINDINGS,
            "recommendations": RECOMMENDATIONS,
            "proposed_redress": [{"redress_id": "cp1", "kind": "consolatory_payment", "amount_pence": 10000}],
            "challenge_id": "c1",
            "comments": None,
        }
    ],
    "challenges": [
        {
            "challenge_id": "c1",
            "draft_id": "d1",
            "raised_on": "2026-11-10",
            "raised_by_user_id": "lead-1",
            "raised_by_role": "complaints_lead",
            "addressed_to": "adjudication_manager",
            "grounds": [
                {"ground": "factual_inaccuracy", "passage_id": "p2", "detail": "A letter was sent on 4 March."}
            ],
            "status": "closed",
            "history": [
                {
                    "event": "challenge_formally_escalated",
                    "challenge_id": "c1",
                    "escalated_on": "2026-11-11",
                    "reply_due_on": "2026-11-25",
                },
                {
                    "event": "challenge_closed",
                    "challenge_id": "c1",
                    "closed_on": "2026-11-18",
                    "closure": "agreed_at_stage_1",
                    "outcome": None,
                },
            ],
        }
    ],
    "final_report": None,
    "contribution_to_costs": None,
    "payments": [],
    "recommendations_actioned": [],
    "closure": None,
    "evidence_destroyed": [],
    "phso": None,
    "deadlines": [
        {
            "kind": "draft_report_comments",
            "label": "Comment on draft report revision 2",
            "owner": "provider",
            "starts_on": "2026-11-16",
            "due_on": ON,
            "met_on": None,
            "stopped_on": None,
            "requirement": "R34",
            "guidance": "000 14.33",
            "reference": "d2",
        },
        {
            "kind": "ice_standard_report",
            "label": "ICE issues the investigation report",
            "owner": "ice",
            "starts_on": "2026-10-20",
            "due_on": "2027-03-09",
            "met_on": None,
            "stopped_on": None,
            "requirement": "R40",
            "guidance": "ICE service standards",
            "reference": None,
        },
    ],
    "no_appeal": "The provider has no right of appeal against ICE's decision (000 14.38).",
}

PAGE: dict[str, Any] = {
    "items": [
        {
            "case_id": CASE_ID,
            "provider_organisation_id": "provider-alpha",
            "programme": "ipes",
            "nation": "england",
            "status": "investigation",
            "stage": "investigation",
            "eligible": True,
            "referred_on": "2026-10-05",
            "closed_on": None,
            "closure": None,
            "outcome": None,
            "phso_referred_on": None,
        }
    ],
    "next_cursor": None,
}

RECOMMENDATION_LIST: list[dict[str, Any]] = [
    {
        "case_id": CASE_ID,
        "recommendation_id": "r2",
        "provider_organisation_id": "provider-alpha",
        "kind": "systemic",
        "report_date": "2026-12-07",
        "actioned_on": None,
    }
]
