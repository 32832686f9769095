"""Steps several journeys take, each through the generated clients and each asserting its own success, so a
failure names the step that broke rather than a later one."""

from __future__ import annotations

import uuid
from datetime import date
from uuid import UUID

from complaints_escalation_client.api.deadlines import deadlines_get
from complaints_escalation_client.models import DeadlinesOut
from complaints_ice_gateway_client.api.ice import (
    ice_accept,
    ice_confirm_steps,
    ice_get,
    ice_make_request,
    ice_pass_gateway,
    ice_refer,
)
from complaints_ice_gateway_client.models import (
    AcceptanceIn,
    CaseStatus,
    ConfirmationIn,
    IceCaseOut,
    IceStage,
    PassIn,
    ReferralIn,
    RequestIn,
    RequestKind,
)
from complaints_intake_client.api.complaints import complaints_get, complaints_issue_response, complaints_register
from complaints_intake_client.models import (
    Category,
    Channel,
    ComplainantIn,
    ComplainantKind,
    ComplaintAbout,
    ComplaintOut,
    ComplaintStatus,
    ElementIn,
    FindingIn,
    Nation,
    Programme,
    RegisterComplaintIn,
    ResponseIn,
    ResponseOut,
    RoutingOut,
)
from complaints_intake_client.types import Unset

from tests.e2e.journeys.sdk import etag, expect, key
from tests.e2e.journeys.world import Caller, ProviderOrg


def complainant(tag: str | None = None) -> ComplainantIn:
    tag = tag or uuid.uuid4().hex[:8]
    return ComplainantIn(
        kind=ComplainantKind.PARTICIPANT,
        name=f"Sam Example-{tag}",
        address=f"{tag} Example Street, Leeds LS1 1AA",
        email=f"sam.{tag}@example.org",
        phone="0113 496 0000",
        national_insurance_number="AB123456C",
    )


def element(category: Category = Category.D_YOU_TAKE_TOO_LONG, what: str = "My appointment was cancelled") -> ElementIn:
    return ElementIn(category=category, summary=f"{what}.", desired_outcome="A fixed appointment and an apology.")


async def register(
    by: Caller,
    provider: ProviderOrg,
    received_on: date,
    *,
    about: ComplaintAbout = ComplaintAbout.PROVIDER,
    elements: list[ElementIn] | None = None,
    person: ComplainantIn | None = None,
) -> ComplaintOut:
    body = RegisterComplaintIn(
        about=about,
        channel=Channel.PHONE,
        elements=elements or [element()],
        nation=Nation.ENGLAND,
        programme=Programme.IPES,
        received_on=received_on,
        complainant=person or complainant(),
        provider_organisation_id=provider.organisation_id,
        contract_id=provider.contract_id,
    )
    answer = await complaints_register.asyncio_detailed(client=by.intake, body=body, idempotency_key=key())
    created = expect(answer, ComplaintOut, 201, what=f"{by.label} registers a complaint")
    assert created.status is ComplaintStatus.OPEN, created.to_dict()
    return created


def responses(complaint: ComplaintOut) -> list[ResponseOut]:
    """The complaint's responses (the generated model allows the field to be left out: see the report)."""
    found: list[ResponseOut] | Unset = complaint.responses
    assert not isinstance(found, Unset), "the server left out the complaint's responses"
    return found


def routing(complaint: ComplaintOut) -> list[RoutingOut]:
    found: list[RoutingOut] | Unset = complaint.routing
    assert not isinstance(found, Unset), "the server left out the complaint's routing"
    return found


async def read(by: Caller, complaint_id: str) -> ComplaintOut:
    answer = await complaints_get.asyncio_detailed(UUID(complaint_id), client=by.intake)
    return expect(answer, ComplaintOut, what=f"{by.label} reads complaint {complaint_id}")


async def respond(
    by: Caller,
    complaint: ComplaintOut,
    on: date,
    *,
    stage: int,
    final: bool,
    reviewer: str | None,
    achievable: bool = True,
    free_text: bool = True,
) -> ComplaintOut:
    """`free_text=False`: no letter text or reasons, which are the complainant's personal data (sealed, R62)."""
    findings = [
        FindingIn(
            element_id=e.element_id,
            desired_outcome_achievable=achievable,
            why_not=None if achievable else "The appointment rota is fixed by the contract.",
        )
        for e in complaint.elements
    ]
    body = ResponseIn(
        stage=stage,
        final=final,
        issued_on=on,
        findings=findings,
        text=f"Dear Sam, our {'final ' if final else ''}response at stage {stage}." if free_text else None,
        reviewer_user_id=reviewer,
    )
    answer = await complaints_issue_response.asyncio_detailed(
        UUID(complaint.complaint_id),
        client=by.intake,
        body=body,
        idempotency_key=key(),
        if_match=etag(complaint.version),
    )
    return expect(answer, ComplaintOut, what=f"{by.label} issues the stage {stage} response")


async def deadlines(by: Caller, complaint_id: str) -> DeadlinesOut:
    answer = await deadlines_get.asyncio_detailed(UUID(complaint_id), client=by.escalation)
    return expect(answer, DeadlinesOut, what=f"{by.label} reads the deadlines of {complaint_id}")


# ICE


async def ice_case(by: Caller, case_id: str) -> IceCaseOut:
    answer = await ice_get.asyncio_detailed(UUID(case_id), client=by.ice)
    return expect(answer, IceCaseOut, what=f"{by.label} reads ICE case {case_id}")


async def refer(examiner: Caller, complaint_id: str, on: date) -> IceCaseOut:
    answer = await ice_refer.asyncio_detailed(
        client=examiner.ice, body=ReferralIn(complaint_id=UUID(complaint_id), referred_on=on), idempotency_key=key()
    )
    case = expect(answer, IceCaseOut, 201, what=f"ICE records the referral of {complaint_id}")
    assert answer.headers["location"] == f"/ice-cases/{complaint_id}", answer.headers
    return case


async def accept_and_pass_gateway(examiner: Caller, lead: Caller, case: IceCaseOut, on: date) -> IceCaseOut:
    """Acceptance, the gateway's confirmation request answered by the provider's lead, and the pass (R30)."""
    case_id = UUID(case.case_id)
    accepted = expect(
        await ice_accept.asyncio_detailed(
            case_id, client=examiner.ice, body=AcceptanceIn(accepted_on=on), idempotency_key=key()
        ),
        IceCaseOut,
        what="ICE accepts the referral",
    )
    assert accepted.status is CaseStatus.GATEWAY, accepted.to_dict()
    request = RequestIn(
        request_id="gw", kind=RequestKind.CONFIRMATION, made_on=on, steps=["Stage 1 response", "Final response"]
    )
    expect(
        await ice_make_request.asyncio_detailed(case_id, client=examiner.ice, body=request, idempotency_key=key()),
        IceCaseOut,
        what="ICE asks the provider to confirm its process steps",
    )
    confirmed = expect(
        await ice_confirm_steps.asyncio_detailed(
            case_id, "gw", client=lead.ice, body=ConfirmationIn(confirmed_on=on), idempotency_key=key()
        ),
        IceCaseOut,
        what="the provider confirms its process steps",
    )
    answered = [(r.request_id, r.answered_on) for r in confirmed.requests]
    assert answered == [("gw", on)], answered
    passed = expect(
        await ice_pass_gateway.asyncio_detailed(
            case_id,
            client=examiner.ice,
            body=PassIn(passed_on=on),
            idempotency_key=key(),
            if_match=etag(confirmed.version),
        ),
        IceCaseOut,
        what="ICE passes the gateway",
    )
    assert (passed.status, passed.stage) == (CaseStatus.RESOLUTION, IceStage.RESOLUTION), passed.to_dict()
    return passed
