"""Journey 3: a mixed complaint. The Jobcentre logs and leads it, asks for the provider's contribution, the
provider submits it within the stated timescale, and the Jobcentre issues the joint response (000 14.03-14.05,
14.20-14.22); the escalation service shows who owns it and that the contribution deadline was met."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from complaints_intake_client.api.complaints import (
    complaints_issue_joint_response,
    complaints_request_contribution,
    complaints_submit_contribution,
)
from complaints_intake_client.models import (
    Category,
    ComplaintAbout,
    ComplaintOut,
    ContributionIn,
    ContributionRequestIn,
    FindingIn,
    JointResponseIn,
)

from shared.auth import OrganisationKind, Role
from tests.e2e.journeys.sdk import etag, expect, key, refused
from tests.e2e.journeys.steps import deadlines, element, read, register, responses
from tests.e2e.journeys.world import Journeyed, Ledger, System

pytestmark = pytest.mark.e2e_journeys


async def test_mixed_complaint_with_the_provider_contribution_and_the_joint_response(
    system: System, ledger: Ledger
) -> None:
    provider = await system.provider("e2e-j3")
    jobcentre_id = await system.organisation("e2e-j3-jobcentre", OrganisationKind.JOBCENTRE)
    jobcentre = system.staff(jobcentre_id, OrganisationKind.JOBCENTRE, Role.CASEWORKER, name="jcp")
    worker = system.staff(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, name="pw")
    on = system.today()

    complaint = await register(
        jobcentre,
        provider,
        on,
        about=ComplaintAbout.MIXED,
        elements=[
            element(Category.D_YOU_TAKE_TOO_LONG, "The provider cancelled my appointments"),
            element(Category.E_YOUVE_GOT_IT_WRONG, "The Jobcentre lost my form"),
        ],
    )
    complaint_id = UUID(complaint.complaint_id)
    assert complaint.logged_by_organisation_id == jobcentre_id
    led = await deadlines(worker, complaint.complaint_id)  # the provider sees the complaint it contributes to
    assert (led.owner.value, led.stage) == ("jobcentre", 1), led.to_dict()

    asked = expect(
        await complaints_request_contribution.asyncio_detailed(
            complaint_id,
            client=jobcentre.intake,
            body=ContributionRequestIn(requested_on=on),
            idempotency_key=key(),
            if_match=etag(complaint.version),
        ),
        ComplaintOut,
        what="the Jobcentre asks for the provider's contribution",
    )
    early = await complaints_issue_joint_response.asyncio_detailed(
        complaint_id, client=jobcentre.intake, body=_joint(on, asked), idempotency_key=key()
    )
    assert refused(early, 409, what="a joint response before the contribution")["requirement"] == "R25"

    contributed = expect(
        await complaints_submit_contribution.asyncio_detailed(
            complaint_id,
            client=worker.intake,
            body=ContributionIn(submitted_on=on, text="We rebooked the appointment for 1 December."),
            idempotency_key=key(),
            if_match=etag(asked.version),
        ),
        ComplaintOut,
        what="the provider submits its contribution",
    )
    (contribution,) = [
        d
        for d in (await deadlines(jobcentre, complaint.complaint_id)).deadlines
        if d.kind.value == "mixed_contribution"
    ]
    assert (contribution.owner.value, contribution.met_on, contribution.status.value) == ("provider", on, "met")

    joint = expect(
        await complaints_issue_joint_response.asyncio_detailed(
            complaint_id,
            client=jobcentre.intake,
            body=_joint(on, contributed),
            idempotency_key=key(),
            if_match=etag(contributed.version),
        ),
        ComplaintOut,
        what="the Jobcentre issues the joint response",
    )
    assert [(r.stage, r.final, r.author_user_id) for r in responses(joint)] == [(1, False, jobcentre.subject)]
    after = await deadlines(jobcentre, complaint.complaint_id)
    assert [(s.number, s.owner.value, s.responded_on) for s in after.stages] == [(1, "jobcentre", on)]
    assert responses(await read(worker, complaint.complaint_id))[0].stage == 1  # both sides see the answer

    ledger.record(
        Journeyed(
            journey="3",
            provider_id=provider.organisation_id,
            complaint_ids=[complaint.complaint_id],
            received_on=[on],
            responses=1,
            logged_by_jobcentre=jobcentre_id,
        )
    )


def _joint(on: date, complaint: ComplaintOut) -> JointResponseIn:
    return JointResponseIn(
        issued_on=on,
        text="Dear Sam, the Jobcentre and your provider have looked into your complaint.",
        findings=[FindingIn(element_id=e.element_id, desired_outcome_achievable=True) for e in complaint.elements],
    )
