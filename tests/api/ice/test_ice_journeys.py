"""Whole ICE journeys through the API (issue 5, Must show): resolution at stage 1; settlement at stage 2 with
evidence; investigation with a factual challenge, a revised draft, an upheld final report, fee and redress paid,
one paid late and shown overdue until paid."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from shared.clock import FixedClock
from tests.api.helpers import eventually
from tests.api.ice.conftest import Refer, Referred
from tests.api.ice.helpers import draft_body, today


async def test_resolution_at_stage_1_closes_with_no_fault_and_no_fee(referred: Referred) -> None:
    case = referred.case
    await case.accept_and_pass_gateway()
    agreed = await case.post(
        "/resolution",
        case.office.examiner,
        {
            "agreed_on": case.on,
            "actions": [{"action_id": "a1", "description": "Rebook the appointment", "due_on": case.on}],
        },
    )
    assert agreed["status"] == "resolution"
    assert agreed["closure"] is None, "a resolution closes only when its actions are completed (002 8.08)"
    closed = await case.post("/actions/a1/completion", referred.lead, {"completed_on": case.on})
    assert closed["status"] == "closed"
    assert closed["closure"]["closure"] == "resolved"
    assert closed["closure"]["fault_found"] is False
    assert closed["final_report"] is None
    assert closed["contribution_to_costs"] is None
    assert closed["payments"] == []


async def test_settlement_at_stage_2_with_evidence(referred: Referred, ice: httpx.AsyncClient) -> None:
    case = referred.case
    await case.to_settlement()
    requested = await case.post(
        "/evidence-requests",
        case.office.examiner,
        {
            "request_id": "ev1",
            "requested_on": case.on,
            "items": [
                {"item_id": "papers", "kind": "case_papers", "description": "The complaint file"},
                {"item_id": "call", "kind": "call_recording", "description": "Call of 3 March"},
            ],
        },
    )
    assert requested["evidence_requests"][0]["completed_on"] is None
    content = b"%PDF-1.7 case papers\n" * 1000
    uploaded = await ice.put(
        f"{case.path}/evidence-requests/ev1/items/papers/content",
        headers={**referred.lead, "Content-Type": "application/pdf"},
        content=content,
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["evidence_requests"][0]["completed_on"] is None, "one item is still unanswered (R33)"
    refused = await ice.post(
        f"{case.path}/proposals",
        headers=case.office.examiner,
        json={"proposal_id": "p1", "proposed_on": case.on, "proposal": "An apology."},
    )
    assert refused.status_code == 409, refused.text
    done = await case.post(
        "/evidence-requests/ev1/items/call/not-held", referred.lead, {"reason": "Calls before April are not recorded."}
    )
    assert done["evidence_requests"][0]["completed_on"] == case.on
    await case.post(
        "/proposals", case.office.examiner, {"proposal_id": "p1", "proposed_on": case.on, "proposal": "An apology."}
    )
    await case.post("/proposals/p1/provider-answer", referred.lead, {"provider_agrees": True, "answered_on": case.on})
    settled = await case.post(
        "/proposals/p1/complainant-satisfaction", case.office.examiner, {"satisfied": True, "recorded_on": case.on}
    )
    assert settled["status"] == "closed"
    assert settled["closure"] == {
        **settled["closure"],
        "closure": "settled",
        "stage": "settlement",
        "fault_found": False,
    }
    assert settled["contribution_to_costs"] is None


async def test_investigation_challenge_revised_draft_upheld_report_fee_and_redress_paid(
    refer: Refer, clock: FixedClock
) -> None:
    # Dated five weeks back, so the four weeks to pay run out by today without moving the session clock.
    referred = await refer(days_ago=35)
    case = referred.case
    on = date.fromisoformat(case.on)
    await case.to_investigation(referred.element_ids)
    await case.post("/investigator", case.office.examiner, {"investigator_user_id": "inv-1", "allocated_on": case.on})
    await case.post("/draft-reports", case.office.examiner, draft_body("d1", case.on, referred.element_ids))
    await case.post(
        "/challenges",
        referred.lead,
        {
            "challenge_id": "c1",
            "draft_id": "d1",
            "raised_on": case.on,
            "grounds": [
                {"ground": "factual_inaccuracy", "passage_id": "p2", "detail": "A letter was sent on 4 March."}
            ],
        },
    )
    escalated = await case.post(
        "/challenges/c1/formal-escalation", case.office.adjudication_manager, {"escalated_on": case.on}
    )
    assert escalated["challenges"][0]["status"] == "formal_stage_1"
    revised = draft_body(
        "d2",
        case.on,
        referred.element_ids,
        challenge_id="c1",
        passages=[
            {"passage_id": "p1", "text": "The adviser cancelled the appointment three times."},
            {"passage_id": "p2", "text": "A letter was sent on 4 March but did not explain why."},
        ],
    )
    await case.post("/draft-reports", case.office.examiner, revised)
    await case.post(
        "/challenges/c1/adjudication-reply",
        case.office.adjudication_manager,
        {"replied_on": case.on, "reply": "Passage p2 corrected.", "revised_draft_id": "d2"},
    )
    agreed = await case.post(
        "/challenges/c1/provider-response", referred.lead, {"agrees": True, "responded_on": case.on}
    )
    assert agreed["challenges"][0]["status"] == "closed"
    assert [d["revision"] for d in agreed["drafts"]] == [1, 2]

    # The report is finalised once the provider's comments on the current draft are in (000 14.33).
    await case.post("/draft-reports/d2/comments", referred.lead, {"comments": "Agreed.", "submitted_on": case.on})
    report = await case.post(
        "/final-report",
        case.office.examiner,
        {
            "report_id": "fr1",
            "report_date": case.on,
            "findings": [
                {"element_id": e, "finding": "upheld", "maladministration": True} for e in referred.element_ids
            ],
            "recommendations": [{"recommendation_id": "r2", "kind": "systemic", "text": "Reword the letter."}],
            "redress": [
                {"redress_id": "cp1", "kind": "consolatory_payment", "amount_pence": 10_000},
                {"redress_id": "costs1", "kind": "costs", "amount_pence": 2_550},
            ],
        },
    )
    assert report["final_report"]["outcome"] == "upheld"
    due_on = (on + timedelta(weeks=4)).isoformat()
    assert report["final_report"]["payments_due_on"] == due_on

    # The fee process manager assesses the contribution to costs, once (R36).
    assessed = await eventually(case.get, lambda c: c["contribution_to_costs"] is not None, what="the fee assessed")
    fee = assessed["contribution_to_costs"]
    assert fee["due"] is True
    assert fee["amount_pence"] == 500_000
    assert fee["rule_version"].startswith("fee-rule@v1")
    assert fee["schedule_version"] == "2011-04-01"
    # The report is five weeks old: all three were due a week ago and are overdue until paid.
    assert {p["target"]: p["status"] for p in assessed["payments"]} == {
        "cp1": "overdue",
        "costs1": "overdue",
        "fee": "overdue",
    }
    assert {p["due_on"] for p in assessed["payments"]} == {due_on}

    await case.post(
        "/payments",
        referred.lead,
        {"payment_id": "pay-1", "target": "fee", "amount_pence": 200_000, "paid_on": case.on},
    )
    await case.post(
        "/payments",
        referred.lead,
        {"payment_id": "pay-2", "target": "fee", "amount_pence": 300_000, "paid_on": case.on},
    )
    await case.post(
        "/payments", referred.lead, {"payment_id": "pay-3", "target": "cp1", "amount_pence": 10_000, "paid_on": case.on}
    )

    # Four weeks from the report have passed: the unpaid costs are overdue until paid, then paid late.
    late = await case.get(referred.lead)
    statuses = {p["target"]: p["status"] for p in late["payments"]}
    assert statuses == {"fee": "paid", "cp1": "paid", "costs1": "overdue"}
    paid_on = today(clock).isoformat()
    await case.post(
        "/payments",
        referred.lead,
        {"payment_id": "pay-4", "target": "costs1", "amount_pence": 2_550, "paid_on": paid_on},
    )
    settled = await case.get(referred.lead)
    assert {p["target"]: p["status"] for p in settled["payments"]} == {
        "fee": "paid",
        "cp1": "paid",
        "costs1": "paid_late",
    }
    costs = next(p for p in settled["payments"] if p["target"] == "costs1")
    assert costs["paid_in_full_on"] == paid_on
    assert costs["outstanding_pence"] == 0
    # Still one assessment, however often the report event is seen.
    history = [d for d in settled["deadlines"] if d["kind"] == "payment"]
    assert {d["reference"] for d in history} == {"fee", "cp1", "costs1"}
