"""Referral, acceptance, the gateway check and ICE correspondence (R30, R31; 000 14.23-14.25; 002 8.07-8.11)."""

from __future__ import annotations

from datetime import date

from shared.calendar import add_months, add_weeks
from shared.complaints.checks import refuse_if
from shared.decider import DomainEvent
from shared.errors import Conflict, FieldError, RuleViolation
from shared.ice.commands import (
    AcceptReferral,
    AnswerRequest,
    ComplaintFacts,
    ConfirmGatewaySteps,
    DeclineReferral,
    MakeRequest,
    PassGateway,
    RecordReferral,
    ReportRevisitedSteps,
    ReturnToProvider,
)
from shared.ice.events import (
    Eligibility,
    GatewayPassed,
    GatewayStepsConfirmed,
    ReferralAccepted,
    ReferralDeclined,
    ReferralReceived,
    RequestAnswered,
    RequestMade,
    ReturnedToProvider,
    RevisitedStepsReported,
)
from shared.ice.rules import GATEWAY_GUIDANCE, dated, due_within, open_case, referred, refuse_bad_date
from shared.ice.state import IceCaseState, RequestState
from shared.ice.vocabulary import CaseStatus, EligibilityBasis, RequestKind

EIGHT_WEEKS = 8
SIX_MONTHS = 6
FIVE_WORKING_DAYS = "at most five working days (R31; 000 14.25)"


def eligibility(complaint: ComplaintFacts, day: date) -> Eligibility:
    """R23/R24: within six months of the final response, or after eight weeks with none. Pure."""
    final = complaint.final_response_on
    if final is not None:
        window_ends = add_months(final, SIX_MONTHS)
        if day <= window_ends:
            return Eligibility(eligible=True, basis=EligibilityBasis.FINAL_RESPONSE_WITHIN_SIX_MONTHS)
        return Eligibility(
            eligible=False,
            flags=(
                f"referred on {day.isoformat()}, after the six months from the final response of "
                f"{final.isoformat()} ended on {window_ends.isoformat()} (R24; 000 14.23; 002 8.07)",
            ),
        )
    right_after = add_weeks(complaint.received_on, EIGHT_WEEKS)
    if day > right_after:
        return Eligibility(eligible=True, basis=EligibilityBasis.EIGHT_WEEKS_WITHOUT_FINAL_RESPONSE)
    return Eligibility(
        eligible=False,
        flags=(
            f"no final response yet, and the eight weeks from receipt on {complaint.received_on.isoformat()} run "
            f"to {right_after.isoformat()}: the provider's process is not finished (R23; 000 14.02)",
        ),
    )


def record_referral(command: RecordReferral, state: IceCaseState) -> list[DomainEvent]:
    complaint = command.complaint
    if state.exists:
        raise Conflict(detail=f"complaint {complaint.complaint_id} is already referred to ICE", requirement="R30")
    if complaint.withdrawn:
        raise RuleViolation(detail="the complaint was withdrawn: there is nothing to refer", requirement="R30")
    errors: list[FieldError] = []
    if complaint.provider_organisation_id is None:
        errors.append(FieldError("complaint_id", "R30", "the ICE gateway here examines complaints about a provider"))
    dated(
        errors,
        "referred_on",
        command.referred_on,
        today=command.today,
        not_before=complaint.received_on,
        what="the complaint's receipt",
        rule="R30",
    )
    refuse_if(errors, "R30")
    assert complaint.provider_organisation_id is not None
    return [
        ReferralReceived(
            case_id=complaint.complaint_id,
            complaint_id=complaint.complaint_id,
            subject_id=complaint.subject_id,
            provider_organisation_id=complaint.provider_organisation_id,
            logged_by_organisation_id=complaint.logged_by_organisation_id,
            programme=complaint.programme,
            nation=complaint.nation,
            element_ids=complaint.element_ids,
            complaint_received_on=complaint.received_on,
            final_response_on=complaint.final_response_on,
            referred_on=command.referred_on,
            contract=command.contract,
            eligibility=eligibility(complaint, command.referred_on),
            restricted=complaint.restricted,
            routed_to_organisation_id=complaint.routed_to_organisation_id,
        )
    ]


def _awaiting_acceptance(state: IceCaseState) -> IceCaseState:
    referred(state)
    if state.status is not CaseStatus.REFERRED:
        assert state.status is not None
        raise RuleViolation(
            detail=f"the referral was already decided: the case is {state.status.value}", requirement="R30"
        )
    return state


def accept_referral(command: AcceptReferral, state: IceCaseState) -> list[DomainEvent]:
    _awaiting_acceptance(state)
    assert state.case_id is not None
    assert state.eligibility is not None
    errors: list[FieldError] = []
    dated(
        errors,
        "accepted_on",
        command.accepted_on,
        today=command.today,
        not_before=state.referred_on,
        what="the referral",
        rule="R30",
    )
    if not state.eligibility.eligible and command.justification is None and not state.clerical:
        errors.append(
            FieldError(
                "justification",
                "R30",
                "the referral is outside the time limits (" + "; ".join(state.eligibility.flags) + "): accepting it "
                "needs a recorded justification",
            )
        )
    refuse_if(errors, "R30")
    return [
        ReferralAccepted(case_id=state.case_id, accepted_on=command.accepted_on, justification=command.justification)
    ]


def decline_referral(command: DeclineReferral, state: IceCaseState) -> list[DomainEvent]:
    _awaiting_acceptance(state)
    assert state.case_id is not None
    errors: list[FieldError] = []
    dated(
        errors,
        "declined_on",
        command.declined_on,
        today=command.today,
        not_before=state.referred_on,
        what="the referral",
        rule="R30",
    )
    if command.reason is None and not state.clerical:
        errors.append(FieldError("reason", "R30", "say why ICE declines the referral"))
    refuse_if(errors, "R30")
    return [ReferralDeclined(case_id=state.case_id, declined_on=command.declined_on, reason=command.reason)]


def make_request(command: MakeRequest, state: IceCaseState) -> list[DomainEvent]:
    open_case(state)
    assert state.case_id is not None
    if state.request(command.request_id) is not None:
        raise Conflict(detail=f"request {command.request_id} already exists", requirement="R31")
    errors: list[FieldError] = []
    if command.kind is RequestKind.EVIDENCE:
        errors.append(FieldError("kind", "R33", "ask for evidence item by item with an evidence request"))
    if command.kind is RequestKind.CONFIRMATION:
        if state.status is not CaseStatus.GATEWAY:
            raise RuleViolation(
                detail="ICE asks the provider to confirm its process steps at the gateway, before the stages",
                requirement="R30",
                guidance=GATEWAY_GUIDANCE,
            )
        if not command.steps:
            errors.append(FieldError("steps", "R30", "name each step of the internal process to confirm"))
    elif command.steps:
        errors.append(FieldError("steps", "R30", "steps belong to a gateway confirmation request"))
    dated(
        errors,
        "made_on",
        command.made_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R31",
    )
    due_on = due_within(
        errors, "due_on", command.due_on, command.made_on, command.latest_due_on, rule="R31", limit=FIVE_WORKING_DAYS
    )
    refuse_if(errors, "R31", "000 14.25")
    return [
        RequestMade(
            case_id=state.case_id,
            request_id=command.request_id,
            kind=command.kind,
            made_on=command.made_on,
            due_on=due_on,
            steps=command.steps,
        )
    ]


def answer_request(command: AnswerRequest, state: IceCaseState) -> list[DomainEvent]:
    referred(state)
    assert state.case_id is not None
    request = _unanswered(state, command.request_id)
    if request.kind is RequestKind.CONFIRMATION:
        raise RuleViolation(
            detail="a gateway confirmation is answered by confirming the steps",
            requirement="R30",
            guidance=GATEWAY_GUIDANCE,
        )
    refuse_bad_date(
        "answered_on",
        command.answered_on,
        today=command.today,
        not_before=request.made_on,
        what="the request",
        rule="R31",
    )
    return [RequestAnswered(case_id=state.case_id, request_id=request.request_id, answered_on=command.answered_on)]


def _unanswered(state: IceCaseState, request_id: str) -> RequestState:
    request = state.request(request_id)
    if request is None:
        raise RuleViolation(detail=f"no request {request_id} on this case", requirement="R31")
    if request.answered_on is not None:
        raise RuleViolation(
            detail=f"request {request_id} was answered on {request.answered_on.isoformat()}", requirement="R31"
        )
    return request


def confirm_gateway_steps(command: ConfirmGatewaySteps, state: IceCaseState) -> list[DomainEvent]:
    _at_gateway(state)  # not while returned: the case is confirmed again once the steps are revisited
    assert state.case_id is not None
    request = _unanswered(state, command.request_id)
    if request.kind is not RequestKind.CONFIRMATION:
        raise RuleViolation(detail=f"request {request.request_id} is not a gateway confirmation", requirement="R30")
    refuse_bad_date(
        "confirmed_on",
        command.confirmed_on,
        today=command.today,
        not_before=request.made_on,
        what="the request",
        rule="R30",
    )
    return [
        GatewayStepsConfirmed(
            case_id=state.case_id,
            request_id=request.request_id,
            confirmed_on=command.confirmed_on,
            steps=request.steps,
        ),
        RequestAnswered(case_id=state.case_id, request_id=request.request_id, answered_on=command.confirmed_on),
    ]


def _at_gateway(state: IceCaseState) -> IceCaseState:
    open_case(state)
    if state.status is not CaseStatus.GATEWAY:
        assert state.status is not None
        raise RuleViolation(
            detail=f"the case is {state.status.value}, not at the gateway", requirement="R30", guidance=GATEWAY_GUIDANCE
        )
    return state


def return_to_provider(command: ReturnToProvider, state: IceCaseState) -> list[DomainEvent]:
    _at_gateway(state)
    assert state.case_id is not None
    errors: list[FieldError] = []
    if not command.steps:
        errors.append(FieldError("steps", "R30", "name the steps the provider is to revisit"))
    dated(
        errors,
        "returned_on",
        command.returned_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R30",
    )
    refuse_if(errors, "R30", GATEWAY_GUIDANCE)
    return [
        ReturnedToProvider(
            case_id=state.case_id, returned_on=command.returned_on, steps=command.steps, reason=command.reason
        )
    ]


def report_revisited_steps(command: ReportRevisitedSteps, state: IceCaseState) -> list[DomainEvent]:
    open_case(state)
    assert state.case_id is not None
    if state.status is not CaseStatus.RETURNED_TO_PROVIDER:
        raise RuleViolation(detail="the case was not returned to the provider", requirement="R30")
    errors: list[FieldError] = []
    missing = [s for s in state.returned_steps if s not in command.steps]
    if missing:
        errors.append(FieldError("steps", "R30", "still to revisit: " + ", ".join(missing)))
    unknown = [s for s in command.steps if s not in state.returned_steps]
    if unknown:
        errors.append(FieldError("steps", "R30", "not steps ICE returned: " + ", ".join(unknown)))
    dated(errors, "reported_on", command.reported_on, today=command.today, not_before=None, what="", rule="R30")
    refuse_if(errors, "R30", GATEWAY_GUIDANCE)
    return [RevisitedStepsReported(case_id=state.case_id, reported_on=command.reported_on, steps=command.steps)]


def pass_gateway(command: PassGateway, state: IceCaseState) -> list[DomainEvent]:
    _at_gateway(state)
    assert state.case_id is not None
    if not state.gateway_confirmed:
        raise RuleViolation(
            detail="the provider has not confirmed each step of its internal process was completed",
            requirement="R30",
            guidance=GATEWAY_GUIDANCE,
        )
    refuse_bad_date(
        "passed_on",
        command.passed_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R30",
    )
    return [GatewayPassed(case_id=state.case_id, passed_on=command.passed_on)]
