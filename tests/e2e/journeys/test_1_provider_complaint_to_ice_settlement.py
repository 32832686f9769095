"""Journey 1: a provider complaint through both of the provider's stages to ICE, settled with evidence.

Stage 1 response (intake), escalation (escalation service), the final response with the standard signposting and
an independent reviewer (intake), referral to ICE, acceptance, the gateway's confirmation and pass, settlement
with an evidence upload, a way forward the provider agrees, the complainant satisfied: closed (ICE gateway).
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import io
from datetime import date
from uuid import UUID

import pytest
from complaints_escalation_client.api.escalations import escalations_escalate
from complaints_escalation_client.models import DeadlinesOut, EscalationIn
from complaints_ice_gateway_client.api.ice import (
    ice_answer_way_forward,
    ice_download_evidence,
    ice_evidence_not_held,
    ice_move_to_next_stage,
    ice_propose_way_forward,
    ice_record_complainant_satisfaction,
    ice_request_evidence,
    ice_upload_evidence,
)
from complaints_ice_gateway_client.models import (
    CaseStatus,
    Closure,
    EligibilityBasis,
    EvidenceItemIn,
    EvidenceKind,
    EvidenceRequestIn,
    IceCaseOut,
    IceStage,
    MoveIn,
    NotHeldIn,
    ProposalIn,
    ProviderAnswerIn,
    SatisfactionIn,
)
from complaints_ice_gateway_client.types import File
from complaints_intake_client.api.complaints import complaints_record_outcome
from complaints_intake_client.models import ComplaintOut, ComplaintStatus, OutcomeIn, OutcomeKind, SignpostingOut

from shared.auth import OrganisationKind, Role
from tests.e2e.journeys.sdk import Answer, etag, expect, key
from tests.e2e.journeys.steps import accept_and_pass_gateway, deadlines, refer, register, respond, responses
from tests.e2e.journeys.world import Caller, Journeyed, Ledger, System

pytestmark = pytest.mark.e2e_journeys

EVIDENCE = b"%PDF-1.7\n% the complaint file, as the provider holds it\n" + bytes(range(256)) * 64


def six_months_after(day: date) -> date:
    """The same day six months on, clamped to the month's end (000 14.23)."""
    index = day.month - 1 + 6
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def test_provider_complaint_two_stages_then_ice_settlement_with_evidence(system: System, ledger: Ledger) -> None:
    provider = await system.provider("e2e-j1")
    org = provider.organisation_id
    ann = system.staff(org, OrganisationKind.PROVIDER, Role.CASEWORKER, name="ann")
    cat = system.staff(org, OrganisationKind.PROVIDER, Role.CASEWORKER, name="cat")
    lead = system.staff(org, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD, Role.CASEWORKER, name="lead")
    on = system.today()

    # The provider's stage 1, reviewed by a colleague.
    complaint = await register(ann, provider, on)
    complaint_id = complaint.complaint_id
    answered = await respond(ann, complaint, on, stage=1, final=False, reviewer=f"bob-{org}")
    assert [(r.stage, r.final, r.author_user_id) for r in responses(answered)] == [(1, False, ann.subject)]

    # Dissatisfied: the escalation service moves it to stage 2, with the ETag intake gave.
    escalated = expect(
        await escalations_escalate.asyncio_detailed(
            UUID(complaint_id),
            client=ann.escalation,
            body=EscalationIn(escalated_on=on),
            idempotency_key=key(),
            if_match=etag(answered.version),
        ),
        DeadlinesOut,
        what="the caseworker escalates to stage 2",
    )
    assert (escalated.stage, escalated.owner.value) == (2, "provider"), escalated.to_dict()
    assert [(s.number, s.started_on) for s in escalated.stages] == [(1, on), (2, on)]

    # An apology recorded as the outcome, then the final response by someone else, reviewed by someone
    # involved in neither earlier response.
    current = expect(
        await complaints_record_outcome.asyncio_detailed(
            UUID(complaint_id),
            client=cat.intake,
            body=OutcomeIn(element_id="E1", outcomes=[OutcomeKind.APOLOGY]),
            idempotency_key=key(),
        ),
        ComplaintOut,
        what="the caseworker records the outcome",
    )
    reviewer = f"independent-reviewer-{org}"
    final = await respond(cat, current, on, stage=2, final=True, reviewer=reviewer, achievable=False)
    assert final.status is ComplaintStatus.CLOSED, final.to_dict()
    last = responses(final)[-1]
    assert (last.stage, last.final, last.author_user_id, last.reviewer_user_id) == (2, True, cat.subject, reviewer)
    signposting = last.signposting
    assert isinstance(signposting, SignpostingOut), last.to_dict()
    assert "Independent Case Examiner" in signposting.text, signposting.text
    assert signposting.ice_contact_by == six_months_after(on)
    window = [d for d in (await deadlines(ann, complaint_id)).deadlines if d.kind.value == "ice_window"]
    assert [(d.owner.value, d.due_on) for d in window] == [("complainant", six_months_after(on))]

    # ICE: referral within six months of the final response, accepted, through the gateway.
    case = await refer(system.examiner, complaint_id, on)
    eligibility = case.referral.eligibility
    assert (eligibility.eligible, eligibility.basis, eligibility.flags) == (
        True,
        EligibilityBasis.FINAL_RESPONSE_WITHIN_SIX_MONTHS,
        [],
    ), eligibility.to_dict()
    assert case.referral.final_response_on == on, case.referral.to_dict()
    case = await accept_and_pass_gateway(system.examiner, lead, case, on)
    case_id = UUID(case.case_id)

    # Stage 2 of ICE, settlement: evidence requested item by item, one uploaded, one not held.
    settling = expect(
        await ice_move_to_next_stage.asyncio_detailed(
            case_id, client=system.examiner.ice, body=MoveIn(moved_on=on), idempotency_key=key()
        ),
        IceCaseOut,
        what="ICE moves the case to settlement",
    )
    assert (settling.status, settling.stage) == (CaseStatus.SETTLEMENT, IceStage.SETTLEMENT)
    request = EvidenceRequestIn(
        request_id="ev1",
        requested_on=on,
        items=[
            EvidenceItemIn(item_id="papers", kind=EvidenceKind.CASE_PAPERS, description="The complaint file"),
            EvidenceItemIn(item_id="call", kind=EvidenceKind.CALL_RECORDING, description="The call of 3 March"),
        ],
    )
    expect(
        await ice_request_evidence.asyncio_detailed(
            case_id, client=system.examiner.ice, body=request, idempotency_key=key()
        ),
        IceCaseOut,
        what="ICE requests the evidence",
    )
    # The SDK's binary upload. Its async call cannot send a file object (httpx refuses a sync stream on an
    # AsyncClient), so the generated sync call runs in a thread: still the generated client, still streamed.
    uploaded = expect(
        await _upload(lead, case_id, EVIDENCE),
        IceCaseOut,
        what="the provider uploads the case papers",
    )
    (items,) = [r.items for r in uploaded.evidence_requests]
    papers = next(i for i in items if i.item_id == "papers")
    assert (papers.status, papers.size_bytes, papers.sha256, papers.content_type) == (
        "uploaded",
        len(EVIDENCE),
        hashlib.sha256(EVIDENCE).hexdigest(),
        "application/pdf",
    ), papers.to_dict()
    downloaded = await ice_download_evidence.asyncio_detailed(case_id, "ev1", "papers", client=system.examiner.ice)
    assert downloaded.status_code == 200, downloaded.content[:500]
    assert downloaded.content == EVIDENCE
    answered_all = expect(
        await ice_evidence_not_held.asyncio_detailed(
            case_id,
            "ev1",
            "call",
            client=lead.ice,
            body=NotHeldIn(reason="Calls before April are not recorded."),
            idempotency_key=key(),
        ),
        IceCaseOut,
        what="the provider answers that the call is not held",
    )
    assert answered_all.evidence_requests[0].completed_on == on, answered_all.to_dict()["evidence_requests"]

    # The way forward: proposed, agreed by the provider, the complainant satisfied: settled and closed.
    expect(
        await ice_propose_way_forward.asyncio_detailed(
            case_id,
            client=system.examiner.ice,
            body=ProposalIn(proposal_id="p1", proposed_on=on, proposal="An apology and a fixed appointment."),
            idempotency_key=key(),
        ),
        IceCaseOut,
        what="ICE proposes a way forward",
    )
    expect(
        await ice_answer_way_forward.asyncio_detailed(
            case_id,
            "p1",
            client=lead.ice,
            body=ProviderAnswerIn(provider_agrees=True, answered_on=on),
            idempotency_key=key(),
        ),
        IceCaseOut,
        what="the provider agrees the way forward",
    )
    settled = expect(
        await ice_record_complainant_satisfaction.asyncio_detailed(
            case_id,
            "p1",
            client=system.examiner.ice,
            body=SatisfactionIn(satisfied=True, recorded_on=on),
            idempotency_key=key(),
        ),
        IceCaseOut,
        what="ICE records the complainant satisfied",
    )
    assert settled.status is CaseStatus.CLOSED, settled.to_dict()
    closure = settled.closure
    assert closure is not None, settled.to_dict()
    assert (closure.closure, closure.stage) == (Closure.SETTLED, IceStage.SETTLEMENT), closure.to_dict()
    assert settled.contribution_to_costs is None, "no fee without an upheld final report (R36)"

    ledger.record(
        Journeyed(
            journey="1",
            provider_id=org,
            complaint_ids=[complaint_id],
            received_on=[on],
            responses=2,
            final_responses=1,
            outcomes={"apology": 1},
            ice_case_ids=[complaint_id],
        )
    )


async def _upload(lead: Caller, case_id: UUID, content: bytes) -> Answer:
    return await asyncio.to_thread(
        ice_upload_evidence.sync_detailed,
        case_id,
        "ev1",
        "papers",
        client=lead.ice,
        body=File(payload=io.BytesIO(content), file_name="papers.pdf", mime_type="application/pdf"),
        media_type="application/pdf",
        idempotency_key=key(),
    )
