"""Mixed complaints (R25): against both the provider and the Jobcentre, the Jobcentre leads.

- The Jobcentre asks the provider for a contribution (000 14.03, 14.20), due within the profile's stated
  timescale and at most five working days (14.05); the handler works the due date out on the complaint's
  calendar and the request records it, as stated to the provider.
- Only the complaint's provider submits it, and only once asked.
- The Jobcentre issues the joint response, agreed with the provider (14.20); it counts as stage 1 of the
  provider's process (14.21). It needs the contribution, with one exception decided here: once the
  contribution's due date has passed without it, the Jobcentre may respond without it, so a provider that
  does not answer cannot hold the complainant's response up (the missed contribution stays on record as
  a missed deadline).
- A mixed complaint's first response is always the joint one: a plain stage-1 response is refused
  (`responses`). What follows the joint response is escalation (`stages`, 14.21-14.22).
"""

from __future__ import annotations

from shared.complaints.checks import business_day_between, open_for_work, personal_text, refuse_if
from shared.complaints.commands import IssueJointResponse, RequestContribution, SubmitContribution
from shared.complaints.events import ContributionRequested, ContributionSubmitted
from shared.complaints.responses import _issued, _issued_on, _validate
from shared.complaints.state import ComplaintState
from shared.complaints.vocabulary import ComplaintAbout
from shared.decider import DomainEvent
from shared.errors import FieldError, Forbidden, RuleViolation

CONTRIBUTION_GUIDANCE = "000 14.03-14.05"
JOINT_GUIDANCE = "000 14.20-14.21"


def _id(state: ComplaintState) -> str:
    assert state.complaint_id is not None
    return state.complaint_id


def _mixed(state: ComplaintState, guidance: str) -> None:
    open_for_work(state)
    if state.about is not ComplaintAbout.MIXED:
        about = state.about.value if state.about else "unknown"
        raise RuleViolation(
            detail=f"only a mixed complaint (against both the provider and the Jobcentre) has a contribution and a "
            f"joint response; this one is about: {about}",
            requirement="R25",
            guidance=guidance,
        )
    final = state.final_response
    if final is not None:
        raise RuleViolation(
            detail=f"the final response was issued on {final.issued_on.isoformat()}",
            requirement="R25",
            guidance=guidance,
        )
    if state.joint_response_on is not None:
        raise RuleViolation(
            detail=f"the joint response was issued on {state.joint_response_on.isoformat()}: what remains is "
            "escalated (000 14.21-14.22)",
            requirement="R25",
            guidance=guidance,
        )


def _lead(state: ComplaintState, acting_organisation_id: str, what: str, guidance: str) -> None:
    lead = state.lead_organisation_id
    if lead is None:
        raise RuleViolation(
            detail="a mixed complaint raised with the provider is first redirected to the Jobcentre, which leads "
            "on it (000 14.04)",
            requirement="R25",
            guidance="000 14.03-14.04",
        )
    if acting_organisation_id != lead:
        raise Forbidden(
            detail=f"the Jobcentre leading the complaint ({lead}) {what}", requirement="R25", guidance=guidance
        )


def request_contribution(command: RequestContribution, state: ComplaintState) -> list[DomainEvent]:
    _mixed(state, CONTRIBUTION_GUIDANCE)
    _lead(state, command.acting_organisation_id, "asks the provider for its contribution", CONTRIBUTION_GUIDANCE)
    if state.contribution_requested_on is not None:
        assert state.contribution_due_on is not None
        raise RuleViolation(
            detail=f"the provider's contribution was already requested on "
            f"{state.contribution_requested_on.isoformat()}, due {state.contribution_due_on.isoformat()}",
            requirement="R25",
            guidance=CONTRIBUTION_GUIDANCE,
        )
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "requested_on",
        command.requested_on,
        requirement="R25",
        not_before=state.received_on,
        not_before_what="the date received",
        today=command.today,
    )
    refuse_if(errors, "R25", CONTRIBUTION_GUIDANCE)
    assert state.provider_organisation_id is not None, "a mixed complaint names its provider (R1)"
    return [
        ContributionRequested(
            complaint_id=_id(state),
            requested_on=command.requested_on,
            due_on=command.due_on,
            requested_by_organisation_id=command.acting_organisation_id,
            provider_organisation_id=state.provider_organisation_id,
        )
    ]


def submit_contribution(command: SubmitContribution, state: ComplaintState) -> list[DomainEvent]:
    _mixed(state, CONTRIBUTION_GUIDANCE)
    if command.acting_organisation_id != state.provider_organisation_id:
        raise Forbidden(
            detail=f"only the complaint's provider ({state.provider_organisation_id}) submits its contribution",
            requirement="R25",
            guidance="000 14.05",
        )
    requested = state.contribution_requested_on
    if requested is None:
        raise RuleViolation(
            detail="the Jobcentre has not asked for the provider's contribution yet",
            requirement="R25",
            guidance=CONTRIBUTION_GUIDANCE,
        )
    if state.contribution_received_on is not None:
        raise RuleViolation(
            detail=f"the contribution was already submitted on {state.contribution_received_on.isoformat()}",
            requirement="R25",
            guidance=CONTRIBUTION_GUIDANCE,
        )
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "submitted_on",
        command.submitted_on,
        requirement="R25",
        not_before=requested,
        not_before_what="the request",
        today=command.today,
    )
    personal_text(errors, state, "text", command.text, requirement="R25", what="the contribution")
    refuse_if(errors, "R25", "000 14.05")
    return [
        ContributionSubmitted(
            complaint_id=_id(state),
            submitted_on=command.submitted_on,
            submitted_by_organisation_id=command.acting_organisation_id,
            text=command.text,
        )
    ]


def _contribution_in(command: IssueJointResponse, state: ComplaintState) -> None:
    """The joint response is agreed with the provider (14.20): with its contribution, or once that is overdue."""
    if state.contribution_requested_on is None:
        raise RuleViolation(
            detail="ask the provider for its contribution first: the joint response is agreed with the provider",
            requirement="R25",
            guidance=JOINT_GUIDANCE,
        )
    due = state.contribution_due_on
    assert due is not None
    if state.contribution_received_on is None and command.issued_on <= due:
        raise RuleViolation(
            detail=f"the provider's contribution is due by {due.isoformat()} and has not arrived: the joint response "
            "is agreed with the provider; without its contribution it may be issued only after that date",
            requirement="R25",
            guidance=JOINT_GUIDANCE,
            extra={"contribution_due_on": due.isoformat()},
        )


def issue_joint_response(command: IssueJointResponse, state: ComplaintState) -> list[DomainEvent]:
    _mixed(state, JOINT_GUIDANCE)
    _lead(state, command.acting_organisation_id, "issues the joint response", JOINT_GUIDANCE)
    _contribution_in(command, state)
    content = command.content
    errors: list[FieldError] = []
    if content.stage != 1:
        errors.append(FieldError("stage", "R25", "the joint response is the provider's stage 1 (000 14.21)"))
    if content.final:
        errors.append(
            FieldError("final", "R25", "the joint response is stage 1: the provider's process goes on (000 14.21)")
        )
    _issued_on(errors, command.issued_on, command.today, state)
    _validate(content, state, errors)
    return [
        _issued(
            state,
            stage=1,
            final=False,
            issued_on=command.issued_on,
            author_user_id=content.author_user_id,
            reviewer_user_id=content.reviewer_user_id,
            text=content.text,
            findings=content.findings,
            draft_id=None,
            joint=True,
        )
    ]
