"""Journey 4: no final response within eight weeks of receipt, so the complainant goes directly to ICE (R23; 000
14.02). The test clock file is moved forward eight weeks and a day: every service process reads the new "now"."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from complaints_escalation_client.models import DeadlinesOut
from complaints_ice_gateway_client.api.ice import ice_accept
from complaints_ice_gateway_client.models import AcceptanceIn, CaseStatus, EligibilityBasis, IceCaseOut
from complaints_intake_client.api.complaints import complaints_acknowledge
from complaints_intake_client.models import AcknowledgeIn, AcknowledgementMethod, ComplaintOut

from shared.auth import OrganisationKind, Role
from tests.e2e.journeys.harness import eventually
from tests.e2e.journeys.sdk import expect, key
from tests.e2e.journeys.steps import deadlines, refer, register
from tests.e2e.journeys.world import Journeyed, Ledger, System

pytestmark = pytest.mark.e2e_journeys

EIGHT_WEEKS = "eight_week_final_response"


def eight_week(view: DeadlinesOut) -> tuple[str, str]:
    (found,) = [d for d in view.deadlines if d.kind.value == EIGHT_WEEKS]
    return found.due_on.isoformat(), found.status.value


async def test_no_final_response_within_eight_weeks_then_direct_referral_to_ice(system: System, ledger: Ledger) -> None:
    provider = await system.provider("e2e-j4")
    worker = system.staff(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER)
    received = system.today()
    complaint = await register(worker, provider, received)
    complaint_id = complaint.complaint_id
    expect(
        await complaints_acknowledge.asyncio_detailed(
            UUID(complaint_id),
            client=worker.intake,
            body=AcknowledgeIn(acknowledged_on=received, method=AcknowledgementMethod.LETTER),
            idempotency_key=key(),
        ),
        ComplaintOut,
        what="the provider acknowledges the complaint",
    )
    due = (received + timedelta(weeks=8)).isoformat()
    before = await deadlines(worker, complaint_id)
    assert before.today == received
    assert eight_week(before) == (due, "on_time")

    # Eight weeks and a day later, still no final response.
    later = system.clock.advance(timedelta(weeks=8, days=1))
    after = await eventually(
        lambda: deadlines(worker, complaint_id),
        lambda view: view.today == later,
        what=f"the escalation service's today to be {later} (the test clock file moved)",
    )
    assert eight_week(after) == (due, "overdue"), after.to_dict()

    # ICE takes it directly: eligible on the eight-week basis, accepted without a justification.
    case = await refer(system.examiner, complaint_id, later)
    referral = case.referral
    eligibility = referral.eligibility
    assert (eligibility.eligible, eligibility.basis, eligibility.flags) == (
        True,
        EligibilityBasis.EIGHT_WEEKS_WITHOUT_FINAL_RESPONSE,
        [],
    ), eligibility.to_dict()
    assert (referral.complaint_received_on, referral.final_response_on) == (received, None), referral.to_dict()
    accepted = expect(
        await ice_accept.asyncio_detailed(
            UUID(case.case_id), client=system.examiner.ice, body=AcceptanceIn(accepted_on=later), idempotency_key=key()
        ),
        IceCaseOut,
        what="ICE accepts the referral without a justification",
    )
    assert accepted.status is CaseStatus.GATEWAY, accepted.to_dict()
    acceptance = accepted.accepted
    assert acceptance is not None, accepted.to_dict()
    assert (acceptance.accepted_on, acceptance.justification) == (later, None), acceptance.to_dict()

    ledger.record(
        Journeyed(
            journey="4",
            provider_id=provider.organisation_id,
            complaint_ids=[complaint_id],
            received_on=[received],
            ice_case_ids=[complaint_id],
        )
    )
