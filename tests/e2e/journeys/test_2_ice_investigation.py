"""Journey 2: an ICE investigation. A draft report, a factual challenge by the provider's complaints lead, formal
escalation to the Adjudication Manager, a revised draft, the reply, the provider agrees, comments on the revised
draft, the final report upholds the complaint, the fee is assessed by the process manager (polled), and the fee
and the redress are paid in full."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from complaints_ice_gateway_client.api.ice import (
    ice_allocate_investigator,
    ice_comment_on_draft,
    ice_escalate_challenge,
    ice_issue_draft_report,
    ice_issue_final_report,
    ice_move_to_next_stage,
    ice_raise_challenge,
    ice_record_adjudication_reply,
    ice_record_payment,
    ice_respond_to_adjudication,
)
from complaints_ice_gateway_client.models import (
    AdjudicationReplyIn,
    AllocationIn,
    CaseStatus,
    ChallengeGround,
    ChallengeIn,
    ChallengeResponseIn,
    ChallengeStatus,
    Closure,
    CommentsIn,
    DraftReportIn,
    FinalReportIn,
    Finding,
    FindingIn,
    FormalEscalationIn,
    GroundIn,
    IceCaseOut,
    IceStage,
    MoveIn,
    PassageIn,
    PaymentIn,
    RecommendationIn,
    RecommendationKind,
    RedressIn,
    RedressKind,
    ReportOutcome,
)

from shared.auth import OrganisationKind, Role
from tests.e2e.journeys.harness import eventually
from tests.e2e.journeys.sdk import expect, key
from tests.e2e.journeys.steps import accept_and_pass_gateway, ice_case, refer, register, respond
from tests.e2e.journeys.world import Journeyed, Ledger, System

pytestmark = pytest.mark.e2e_journeys

CONSOLATORY = 10_000
COSTS = 2_550


def draft(draft_id: str, on: Any, elements: list[str], p2: str, challenge_id: str | None = None) -> DraftReportIn:
    return DraftReportIn(
        draft_id=draft_id,
        issued_on=on,
        challenge_id=challenge_id,
        passages=[
            PassageIn(passage_id="p1", text="The adviser cancelled the appointment three times."),
            PassageIn(passage_id="p2", text=p2),
        ],
        findings=[
            FindingIn(element_id=e, finding=Finding.UPHELD, maladministration=True, passage_ids=["p1", "p2"])
            for e in elements
        ],
        recommendations=[RecommendationIn(recommendation_id="r1", kind=RecommendationKind.SYSTEMIC, text="Reword it.")],
        proposed_redress=[RedressIn(redress_id="cp1", kind=RedressKind.CONSOLATORY_PAYMENT, amount_pence=CONSOLATORY)],
    )


async def test_investigation_challenge_revised_draft_upheld_report_fee_and_redress_paid(
    system: System, ledger: Ledger
) -> None:
    provider = await system.provider("e2e-j2")
    org = provider.organisation_id
    ann = system.staff(org, OrganisationKind.PROVIDER, Role.CASEWORKER, name="ann")
    cat = system.staff(org, OrganisationKind.PROVIDER, Role.CASEWORKER, name="cat")
    lead = system.staff(org, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD, Role.CASEWORKER, name="lead")
    examiner, manager = system.examiner, system.adjudication_manager
    on = system.today()

    complaint = await register(ann, provider, on)
    complaint_id = complaint.complaint_id
    answered = await respond(ann, complaint, on, stage=1, final=False, reviewer=f"bob-{org}")
    await respond(cat, answered, on, stage=2, final=True, reviewer=f"dan-{org}")
    elements = [e.element_id for e in complaint.elements]

    case = await refer(examiner, complaint_id, on)
    case = await accept_and_pass_gateway(examiner, lead, case, on)
    case_id = UUID(case.case_id)
    for expected in (IceStage.SETTLEMENT, IceStage.INVESTIGATION):
        moved = expect(
            await ice_move_to_next_stage.asyncio_detailed(
                case_id, client=examiner.ice, body=MoveIn(moved_on=on), idempotency_key=key()
            ),
            IceCaseOut,
            what=f"ICE moves the case to {expected.value}",
        )
        assert moved.stage is expected, moved.to_dict()
    expect(
        await ice_allocate_investigator.asyncio_detailed(
            case_id,
            client=examiner.ice,
            body=AllocationIn(investigator_user_id="investigator-1", allocated_on=on),
            idempotency_key=key(),
        ),
        IceCaseOut,
        what="ICE allocates an investigator",
    )
    expect(
        await ice_issue_draft_report.asyncio_detailed(
            case_id,
            client=examiner.ice,
            body=draft("d1", on, elements, "No letter was sent explaining why."),
            idempotency_key=key(),
        ),
        IceCaseOut,
        what="ICE issues the draft report",
    )

    # The complaints lead challenges a fact; the Adjudication Manager takes it formally.
    challenge = ChallengeIn(
        challenge_id="c1",
        draft_id="d1",
        raised_on=on,
        grounds=[
            GroundIn(ground=ChallengeGround.FACTUAL_INACCURACY, passage_id="p2", detail="A letter was sent on 4 March.")
        ],
    )
    expect(
        await ice_raise_challenge.asyncio_detailed(case_id, client=lead.ice, body=challenge, idempotency_key=key()),
        IceCaseOut,
        what="the complaints lead raises a factual challenge",
    )
    escalated = expect(
        await ice_escalate_challenge.asyncio_detailed(
            case_id, "c1", client=manager.ice, body=FormalEscalationIn(escalated_on=on), idempotency_key=key()
        ),
        IceCaseOut,
        what="the challenge is escalated formally",
    )
    assert escalated.challenges[0].status is ChallengeStatus.FORMAL_STAGE_1, escalated.to_dict()["challenges"]

    # A revised draft answers the challenge; the provider agrees with the reply.
    revised = draft("d2", on, elements, "A letter was sent on 4 March but did not explain why.", challenge_id="c1")
    expect(
        await ice_issue_draft_report.asyncio_detailed(
            case_id, client=examiner.ice, body=revised, idempotency_key=key()
        ),
        IceCaseOut,
        what="ICE issues the revised draft",
    )
    expect(
        await ice_record_adjudication_reply.asyncio_detailed(
            case_id,
            "c1",
            client=manager.ice,
            body=AdjudicationReplyIn(replied_on=on, reply="Passage p2 corrected.", revised_draft_id="d2"),
            idempotency_key=key(),
        ),
        IceCaseOut,
        what="the Adjudication Manager replies",
    )
    agreed = expect(
        await ice_respond_to_adjudication.asyncio_detailed(
            case_id,
            "c1",
            client=lead.ice,
            body=ChallengeResponseIn(agrees=True, responded_on=on),
            idempotency_key=key(),
        ),
        IceCaseOut,
        what="the provider agrees with the reply",
    )
    assert agreed.challenges[0].status is ChallengeStatus.CLOSED, agreed.to_dict()["challenges"]
    assert [d.revision for d in agreed.drafts] == [1, 2], agreed.to_dict()["drafts"]
    expect(
        await ice_comment_on_draft.asyncio_detailed(
            case_id, "d2", client=lead.ice, body=CommentsIn(comments="Agreed.", submitted_on=on), idempotency_key=key()
        ),
        IceCaseOut,
        what="the provider comments on the revised draft",
    )

    # The final report upholds the complaint, with redress.
    report = FinalReportIn(
        report_id="fr1",
        report_date=on,
        findings=[FindingIn(element_id=e, finding=Finding.UPHELD, maladministration=True) for e in elements],
        recommendations=[RecommendationIn(recommendation_id="r1", kind=RecommendationKind.SYSTEMIC, text="Reword it.")],
        redress=[
            RedressIn(redress_id="cp1", kind=RedressKind.CONSOLATORY_PAYMENT, amount_pence=CONSOLATORY),
            RedressIn(redress_id="costs1", kind=RedressKind.COSTS, amount_pence=COSTS),
        ],
    )
    reported = expect(
        await ice_issue_final_report.asyncio_detailed(case_id, client=examiner.ice, body=report, idempotency_key=key()),
        IceCaseOut,
        what="ICE issues the final report",
    )
    final_report = reported.final_report
    assert final_report is not None, reported.to_dict()
    assert final_report.outcome is ReportOutcome.UPHELD, final_report.to_dict()
    assert reported.status is CaseStatus.CLOSED, reported.to_dict()
    closure = reported.closure
    assert closure is not None, reported.to_dict()
    assert (closure.closure, closure.fault_found) == (Closure.FINAL_REPORT, True), closure.to_dict()

    # The fee process manager (a subscriber of the log) assesses the contribution to costs: poll for it.
    assessed = await eventually(
        lambda: ice_case(lead, case.case_id),
        lambda c: c.contribution_to_costs is not None,
        what="the contribution to costs assessed by the fee process manager",
    )
    fee = assessed.contribution_to_costs
    assert fee is not None, assessed.to_dict()
    assert fee.due is True, fee.to_dict()
    assert fee.amount_pence > 0, fee.to_dict()
    owed = {p.target: p.owed_pence for p in assessed.payments}
    assert owed == {"fee": fee.amount_pence, "cp1": CONSOLATORY, "costs1": COSTS}, owed

    for n, (target, amount) in enumerate(owed.items(), start=1):
        expect(
            await ice_record_payment.asyncio_detailed(
                case_id,
                client=lead.ice,
                body=PaymentIn(payment_id=f"pay-{n}", target=target, amount_pence=amount, paid_on=on),
                idempotency_key=key(),
            ),
            IceCaseOut,
            what=f"the provider pays {target}",
        )
    paid = await ice_case(examiner, case.case_id)
    statuses = {p.target: (p.status, p.outstanding_pence) for p in paid.payments}
    assert statuses == {"fee": ("paid", 0), "cp1": ("paid", 0), "costs1": ("paid", 0)}, statuses

    ledger.record(
        Journeyed(
            journey="2",
            provider_id=org,
            complaint_ids=[complaint_id],
            received_on=[on],
            responses=2,
            final_responses=1,
            ice_case_ids=[complaint_id],
        )
    )
