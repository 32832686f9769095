"""The Parliamentary and Health Service Ombudsman after ICE (R38; 000 14.38; 001 ch.5; 004 Part B 11)."""

from __future__ import annotations

from shared.complaints.checks import refuse_if
from shared.decider import DomainEvent
from shared.errors import Conflict, FieldError, RuleViolation
from shared.ice.commands import AcceptPhsoReferral, CompletePhsoRecommendation, IssuePhsoReport, ReferToPhso
from shared.ice.events import PhsoAccepted, PhsoRecommendationCompleted, PhsoReferralReceived, PhsoReportIssued
from shared.ice.rules import dated, referred, refuse_bad_date, unique
from shared.ice.state import FEE, IceCaseState, PhsoState
from shared.ice.vocabulary import CaseStatus, PhsoRoute

PHSO = "000 14.38; 001 ch.5"
NORTHERN_IRELAND = "northern_ireland"


def refer_to_phso(command: ReferToPhso, state: IceCaseState) -> list[DomainEvent]:
    referred(state)
    assert state.case_id is not None
    if state.phso is not None:
        raise Conflict(detail="the case is already referred to the ombudsman", requirement="R38")
    errors: list[FieldError] = []
    northern_ireland = state.nation == NORTHERN_IRELAND
    if northern_ireland and command.route is not PhsoRoute.NI_OMBUDSMAN_VIA_MLA:
        errors.append(FieldError("route", "R38", "in Northern Ireland the NI Ombudsman takes the case, via an MLA"))
    if not northern_ireland and command.route is PhsoRoute.NI_OMBUDSMAN_VIA_MLA:
        errors.append(FieldError("route", "R38", "outside Northern Ireland the PHSO takes the case, via an MP"))
    dated(
        errors,
        "referred_on",
        command.referred_on,
        today=command.today,
        not_before=state.referred_on,
        what="the ICE referral",
        rule="R38",
    )
    refuse_if(errors, "R38", PHSO)
    return [
        PhsoReferralReceived(
            case_id=state.case_id, route=command.route, referred_on=command.referred_on, member_name=command.member_name
        )
    ]


def _phso(state: IceCaseState) -> PhsoState:
    referred(state)
    if state.phso is None:
        raise RuleViolation(detail="the case is not referred to the ombudsman", requirement="R38")
    return state.phso


def accept_phso_referral(command: AcceptPhsoReferral, state: IceCaseState) -> list[DomainEvent]:
    """The PHSO may accept a case that has not exhausted ICE (001 ch.5): accepted, and flagged."""
    phso = _phso(state)
    assert state.case_id is not None
    if phso.accepted_on is not None:
        raise RuleViolation(detail="the ombudsman already accepted the case", requirement="R38")
    refuse_bad_date(
        "accepted_on",
        command.accepted_on,
        today=command.today,
        not_before=phso.referred_on,
        what="the referral to the ombudsman",
        rule="R38",
    )
    exhausted = state.status is CaseStatus.CLOSED
    return [PhsoAccepted(case_id=state.case_id, accepted_on=command.accepted_on, ice_exhausted=exhausted)]


def issue_phso_report(command: IssuePhsoReport, state: IceCaseState) -> list[DomainEvent]:
    phso = _phso(state)
    assert state.case_id is not None
    if phso.accepted_on is None:
        raise RuleViolation(detail="the ombudsman has not accepted the case", requirement="R38")
    if phso.report_issued_on is not None:
        raise Conflict(detail="the ombudsman's report is already recorded", requirement="R38")
    errors: list[FieldError] = []
    unique(errors, "recommendations", [r.recommendation_id for r in command.recommendations], "recommendation")
    # Additional redress is paid by recommendation id: it must not be an id payments already go to.
    targets = {FEE, *(dict(state.final_report.redress) if state.final_report else {})}
    if taken := [r.recommendation_id for r in command.recommendations if r.recommendation_id in targets]:
        errors.append(FieldError("recommendations", "R38", "ids already used for payments: " + ", ".join(taken)))
    dated(
        errors,
        "issued_on",
        command.issued_on,
        today=command.today,
        not_before=phso.accepted_on,
        what="the ombudsman's acceptance",
        rule="R38",
    )
    refuse_if(errors, "R38", PHSO)
    return [
        PhsoReportIssued(
            case_id=state.case_id,
            issued_on=command.issued_on,
            upheld=command.upheld,
            recommendations=command.recommendations,
        )
    ]


def complete_phso_recommendation(command: CompletePhsoRecommendation, state: IceCaseState) -> list[DomainEvent]:
    """The provider must action every PHSO recommendation (004 Part B 11)."""
    phso = _phso(state)
    assert state.case_id is not None
    if command.recommendation_id not in dict(phso.recommendations):
        raise RuleViolation(detail=f"no ombudsman recommendation {command.recommendation_id}", requirement="R38")
    if command.recommendation_id in phso.completed:
        raise RuleViolation(
            detail=f"recommendation {command.recommendation_id} is already completed", requirement="R38"
        )
    errors: list[FieldError] = []
    assert phso.report_issued_on is not None
    dated(
        errors,
        "completed_on",
        command.completed_on,
        today=command.today,
        not_before=phso.report_issued_on,
        what="the ombudsman's report",
        rule="R38",
    )
    refuse_if(errors, "R38", "004 Part B 11")
    return [
        PhsoRecommendationCompleted(
            case_id=state.case_id, recommendation_id=command.recommendation_id, completed_on=command.completed_on
        )
    ]
