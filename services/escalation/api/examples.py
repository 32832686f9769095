"""Success-response examples of the escalation service's complaint operations, shown in Swagger UI.

One IPES complaint received on Friday 20 November 2026, answered at stage 1 on 4 December and escalated by the
dissatisfied complainant on 7 December (R20); tests/unit/escalation/test_examples.py validates each against its
response model.
"""

from __future__ import annotations

from typing import Any

from shared.http.examples import returns as returns

JSON = dict[str, Any]
COMPLAINT_ID = "0d5c8a52-3f1e-4b7a-9c2d-6e8f1a4b7c90"
REFERRED_COMPLAINT_ID = "7b2e4f19-8c3a-4d6e-a1f5-2c9b8e7d4a36"
"""A complaint before ICE: its case's deadlines are on the provider's worklist (R31)."""


def _deadline(
    kind: str, label: str, owner: str, starts: str, due: str, met: str | None, status: str, **more: Any
) -> JSON:
    return {
        "kind": kind,
        "label": label,
        "owner": owner,
        "starts_on": starts,
        "due_on": due,
        "met_on": met,
        "status": status,
        "requirement": more.get("requirement", "R20"),
        "guidance": more.get("guidance", "000 14.02"),
        "stage": more.get("stage"),
        "reference": more.get("reference"),
    }


ESCALATED: JSON = {
    "complaint_id": COMPLAINT_ID,
    "version": 4,
    "profile": "provider-default@v1",
    "stage": 2,
    "stage_name": "Provider stage 2 (final)",
    "owner": "provider",
    "stages": [
        {
            "number": 1,
            "name": "Provider stage 1",
            "owner": "provider",
            "started_on": "2026-11-20",
            "responded_on": "2026-12-04",
            "element_ids": [],
        },
        {
            "number": 2,
            "name": "Provider stage 2 (final)",
            "owner": "provider",
            "started_on": "2026-12-07",
            "responded_on": None,
            "element_ids": ["E1"],
        },
    ],
    "kept_by_jobcentre": [],
    "dg_caselist": None,
    "today": "2026-12-07",
    "as_of": None,
    "deadlines": [
        _deadline(
            "acknowledgement",
            "Acknowledge receipt",
            "provider",
            "2026-11-20",
            "2026-11-24",
            "2026-11-23",
            "met",
            requirement="R4",
            guidance="003",
        ),
        _deadline(
            "stage_response",
            "Respond at Provider stage 1",
            "provider",
            "2026-11-20",
            "2026-12-11",
            "2026-12-04",
            "met",
            stage=1,
        ),
        _deadline(
            "stage_response",
            "Respond at Provider stage 2 (final)",
            "provider",
            "2026-12-07",
            "2027-01-07",
            None,
            "on_time",
            stage=2,
        ),
        _deadline(
            "eight_week_final_response",
            "Final response within eight weeks of receipt; after it the complainant may go to ICE directly",
            "provider",
            "2026-11-20",
            "2027-01-15",
            None,
            "on_time",
            requirement="R23",
        ),
    ],
}
FLAGGED: JSON = {**ESCALATED, "version": 5, "dg_caselist": {"reason": "high_profile", "flagged_on": "2026-12-07"}}
WORKLIST: JSON = {
    "today": "2027-01-05",
    "items": [
        {
            "complaint_id": REFERRED_COMPLAINT_ID,
            "stage": 2,
            "stage_name": "Provider stage 2 (final)",
            "owner": "provider",
            "kind": "ice_request",
            "label": "Answer ICE's confirmation request",
            "deadline_stage": None,
            "due_on": "2027-01-04",
            "status": "overdue",
            "requirement": "R31",
            "dg_caselist": False,
            "reference": "gw",
        },
        {
            "complaint_id": COMPLAINT_ID,
            "stage": 2,
            "stage_name": "Provider stage 2 (final)",
            "owner": "provider",
            "kind": "stage_response",
            "label": "Respond at Provider stage 2 (final)",
            "deadline_stage": 2,
            "due_on": "2027-01-07",
            "status": "due_soon",
            "requirement": "R20",
            "dg_caselist": True,
            "reference": None,
        },
    ],
}
CASELIST: JSON = {
    "today": "2027-01-05",
    "items": [
        {
            "complaint_id": COMPLAINT_ID,
            "reason": "high_profile",
            "flagged_on": "2026-12-07",
            "status": "open",
            "stage": 2,
            "stage_name": "Provider stage 2 (final)",
            "owner": "provider",
            "next_due_on": "2027-01-07",
            "next_due_status": "due_soon",
        }
    ],
}
