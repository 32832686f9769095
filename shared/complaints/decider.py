"""The complaint decider: pure, `match` on the command, refusals name the requirement.

Registration and acknowledgement are here; working the complaint is in `working` (R4, R5, R8, R10),
responses in `responses` (R7), routing in `routing` (R3), escalation in `stages` (R20), mixed
complaints in `mixed` (R25) and the Director General caselist in `caselist` (R26). `evolve` folds
every event into `ComplaintState`.
"""

from __future__ import annotations

from dataclasses import replace

from shared.complaints import caselist, mixed, responses, routing, stages, working
from shared.complaints.checks import open_for_work, refuse_if
from shared.complaints.commands import (
    AcknowledgeComplaint,
    ApproveDraftResponse,
    ClearFromDgCaselist,
    CompleteResolutionAction,
    EscalateComplaint,
    FlagOnDgCaselist,
    IssueJointResponse,
    IssueResponse,
    MarkAsStaffComplaint,
    PlanResolutionActions,
    RecordDesiredOutcome,
    RecordDiscussion,
    RecordOutcome,
    RecordProcessExplanation,
    RedirectComplaint,
    ReferToProvider,
    RegisterComplaint,
    RequestContribution,
    RequestRewording,
    SendApprovedDraft,
    SubmitContribution,
    SubmitDraftResponse,
    WithdrawComplaint,
)
from shared.complaints.events import (
    ComplaintAcknowledged,
    ComplaintClearedFromDgCaselist,
    ComplaintEscalated,
    ComplaintFlaggedOnDgCaselist,
    ComplaintMarkedAsStaffComplaint,
    ComplaintRedirected,
    ComplaintReferredToProvider,
    ComplaintRegistered,
    ComplaintsProcessExplained,
    ComplaintWithdrawn,
    ContributionRequested,
    ContributionSubmitted,
    DesiredOutcomeRecorded,
    DiscussionRecorded,
    OutcomeRecorded,
    ResolutionActionCompleted,
    ResolutionActionPlanned,
    ResponseDraftApproved,
    ResponseDraftSubmitted,
    ResponseIssued,
    ResponseRewordingRequested,
)
from shared.complaints.state import ActionState, ComplaintState, DraftState, ResponseState
from shared.complaints.time_limits import exempt, last_day_to_raise, time_limit
from shared.complaints.vocabulary import (
    ELECTED_MEMBERS,
    ComplainantKind,
    ComplaintAbout,
    ComplaintStatus,
    DgCaselistReason,
    DraftStatus,
    RaisedVia,
    StageOwner,
)
from shared.decider import Command, Decider, DomainEvent
from shared.errors import Conflict, FieldError, RuleViolation

__all__ = [
    "COMPLAINT_DECIDER",
    "STREAM_TYPE",
    "ComplaintState",
    "complaint_stream",
    "decide",
    "evolve",
    "is_terminal",
]

STREAM_TYPE = "complaint"


def complaint_stream(complaint_id: str) -> str:
    return f"complaint-{complaint_id}"


def decide(command: Command, state: ComplaintState) -> list[DomainEvent]:
    match command:
        case RegisterComplaint():
            return _register(command, state)
        case AcknowledgeComplaint():
            return _acknowledge(command, open_for_work(state))
        case RecordProcessExplanation():
            return working.explain_process(command, state)
        case RecordDiscussion():
            return working.record_discussion(command, state)
        case RecordDesiredOutcome():
            return working.record_desired_outcome(command, state)
        case PlanResolutionActions():
            return working.plan_actions(command, state)
        case CompleteResolutionAction():
            return working.complete_action(command, state)
        case WithdrawComplaint():
            return working.withdraw(command, state)
        case RecordOutcome():
            return working.record_outcome(command, state)
        case MarkAsStaffComplaint():
            return working.mark_staff_complaint(command, state)
        case IssueResponse():
            return responses.issue_response(command, state)
        case SubmitDraftResponse():
            return responses.submit_draft(command, state)
        case ApproveDraftResponse():
            return responses.approve_draft(command, state)
        case RequestRewording():
            return responses.request_rewording(command, state)
        case SendApprovedDraft():
            return responses.send_approved_draft(command, state)
        case RedirectComplaint():
            return routing.redirect(command, state)
        case ReferToProvider():
            return routing.refer_to_provider(command, state)
        case EscalateComplaint():
            return stages.escalate(command, state)
        case RequestContribution():
            return mixed.request_contribution(command, state)
        case SubmitContribution():
            return mixed.submit_contribution(command, state)
        case IssueJointResponse():
            return mixed.issue_joint_response(command, state)
        case FlagOnDgCaselist():
            return caselist.flag(command, state)
        case ClearFromDgCaselist():
            return caselist.clear(command, state)
    raise TypeError(f"not a complaint command: {command!r}")


def _raised_via(command: RegisterComplaint, kind: ComplainantKind, errors: list[FieldError]) -> RaisedVia:
    member = kind in ELECTED_MEMBERS
    if command.raised_via is None:
        return RaisedVia.ELECTED_MEMBER if member else RaisedVia.COMPLAINANT
    if command.raised_via is RaisedVia.ELECTED_MEMBER and not member:
        errors.append(FieldError("raised_via", "R1", "an elected member's complaint names the member as complainant"))
    if command.raised_via is RaisedVia.COMPLAINANT and member:
        errors.append(FieldError("raised_via", "R1", "the complainant is an elected member acting on someone's behalf"))
    return command.raised_via


def _check_person(command: RegisterComplaint, errors: list[FieldError]) -> ComplainantKind | None:
    """A complainant with personal data, or a Special Customer Record with none at all (R11)."""
    scr = command.special_customer_record
    if scr is None:
        if command.complainant is None:
            errors.append(FieldError("complainant", "R1", "a complaint names its complainant"))
        for i, element in enumerate(command.elements):
            if element.summary is None:
                errors.append(FieldError(f"elements.{i}.summary", "R1", "each element says what it complains about"))
        return command.complainant.kind if command.complainant else None
    if command.complainant is not None:
        errors.append(
            FieldError(
                "complainant",
                "R11",
                "a Special Customer Record is registered with a clerical reference only: no personal data",
            )
        )
    for i, element in enumerate(command.elements):
        for name in ("summary", "desired_outcome"):
            if getattr(element, name) is not None:
                errors.append(
                    FieldError(
                        f"elements.{i}.{name}",
                        "R11",
                        "a Special Customer Record holds no free text about the person: keep it on the clerical file",
                    )
                )
    return scr.complainant_kind


def _check_time_limit(
    command: RegisterComplaint, raised_via: RaisedVia, kind: ComplainantKind, errors: list[FieldError]
) -> None:
    """R9 (003): a programme's limit for raising a complaint, none where an MP (MLA), ICE or PHSO raises it."""
    limit = time_limit(command.programme)
    closed = command.case_closed_on
    if closed is None:
        return  # the case is open: a complaint may be raised at any time during its lifecycle
    if limit is None:
        errors.append(
            FieldError(
                "case_closed_on",
                "R9",
                f"{command.programme.value} sets no time limit from a case's closure: leave it out",
            )
        )
        return
    if closed > command.today:
        errors.append(FieldError("case_closed_on", "R9", f"cannot be after today ({command.today.isoformat()})"))
        return
    last_day = last_day_to_raise(limit, closed)
    if command.received_on > last_day and not exempt(raised_via, kind):
        errors.append(
            FieldError(
                "received_on",
                "R9",
                f"a {command.programme.value.upper()} complaint is raised up to {limit.months_after_case_closed} "
                f"months after the case closed ({closed.isoformat()}), so by {last_day.isoformat()}; no limit "
                "applies when an MP, ICE or PHSO raises it",
            )
        )


def _register(command: RegisterComplaint, state: ComplaintState) -> list[DomainEvent]:
    if state.registered:
        raise Conflict(detail=f"complaint {command.complaint_id} is already registered")
    errors: list[FieldError] = []
    if command.received_on > command.today:
        errors.append(
            FieldError("received_on", "R1", f"the date received cannot be after today ({command.today.isoformat()})")
        )
    needs_provider = command.about in (ComplaintAbout.PROVIDER, ComplaintAbout.MIXED)
    if needs_provider and command.provider_organisation_id is None:
        errors.append(FieldError("provider_organisation_id", "R1", "a complaint about a provider names the provider"))
    element_ids = [e.element_id for e in command.elements]
    if not element_ids:
        errors.append(FieldError("elements", "R1", "a complaint has at least one element"))
    if len(set(element_ids)) != len(element_ids):
        errors.append(FieldError("elements", "R1", "element ids must be unique"))
    kind = _check_person(command, errors)
    if kind is not None:
        raised_via = _raised_via(command, kind, errors)
        _check_time_limit(command, raised_via, kind, errors)
    guidance = "003" if any(e.rule == "R9" for e in errors) else None
    if any(e.rule == "R11" for e in errors):
        guidance = "004 62-71"
    refuse_if(errors, "R1", guidance)
    assert kind is not None
    registered: list[DomainEvent] = [
        ComplaintRegistered(
            complaint_id=command.complaint_id,
            complainant=command.complainant,
            about=command.about,
            programme=command.programme,
            provider_organisation_id=command.provider_organisation_id,
            contract_id=command.contract_id,
            channel=command.channel,
            received_on=command.received_on,
            nation=command.nation,
            elements=command.elements,
            logged_by_organisation_id=command.logged_by_organisation_id,
            logged_by_organisation_kind=command.logged_by_organisation_kind,
            raised_via=raised_via,
            case_closed_on=command.case_closed_on,
            special_customer_record=command.special_customer_record,
            staff_complaint=command.staff_complaint,
            converted_from_dissatisfaction_id=command.converted_from_dissatisfaction_id,
            process_profile=command.process_profile,
            final_stage=command.final_stage,
        )
    ]
    if raised_via is RaisedVia.ELECTED_MEMBER:
        # An elected member's complaint is parliamentary contact: it goes on the DG caselist at once (R26; 003).
        registered.append(
            ComplaintFlaggedOnDgCaselist(
                complaint_id=command.complaint_id,
                reason=DgCaselistReason.PARLIAMENTARY_CONTACT,
                flagged_on=command.today,
            )
        )
    return registered


def _acknowledge(command: AcknowledgeComplaint, state: ComplaintState) -> list[DomainEvent]:
    if state.acknowledged_on is not None:
        raise RuleViolation(
            detail=f"receipt was already acknowledged on {state.acknowledged_on.isoformat()}",
            requirement="R4",
            guidance="003",
        )
    assert state.received_on is not None
    assert state.complaint_id is not None
    errors = []
    if command.acknowledged_on < state.received_on:
        errors.append(FieldError("acknowledged_on", "R4", "an acknowledgement cannot precede the date received"))
    if command.acknowledged_on > command.today:
        errors.append(FieldError("acknowledged_on", "R4", "an acknowledgement cannot be dated after today"))
    refuse_if(errors, "R4")
    return [
        ComplaintAcknowledged(
            complaint_id=state.complaint_id, acknowledged_on=command.acknowledged_on, method=command.method
        )
    ]


def _draft_status(state: ComplaintState, draft_id: str, status: DraftStatus) -> ComplaintState:
    return replace(
        state, drafts=tuple(replace(d, status=status) if d.draft_id == draft_id else d for d in state.drafts)
    )


def evolve(state: ComplaintState, event: DomainEvent) -> ComplaintState:
    match event:
        case ComplaintRegistered():
            return replace(
                state,
                registered=True,
                complaint_id=event.complaint_id,
                status=ComplaintStatus.OPEN,
                about=event.about,
                programme=event.programme,
                provider_organisation_id=event.provider_organisation_id,
                logged_by_organisation_id=event.logged_by_organisation_id,
                logged_by_organisation_kind=event.logged_by_organisation_kind,
                received_on=event.received_on,
                nation=event.nation,
                subject_id=event.complainant.subject_id if event.complainant else None,
                complainant_kind=event.complainant_kind,
                raised_via=event.raised_via,
                special_customer_record=event.special_customer_record is not None,
                staff_complaint=event.staff_complaint is not None,
                responsible_team_leader_user_id=(
                    event.staff_complaint.responsible_team_leader_user_id if event.staff_complaint else None
                ),
                element_ids=tuple(e.element_id for e in event.elements),
                process_profile=event.process_profile,
                final_stage=event.final_stage,
                current_stage=1,
                stage_started_on=event.received_on,
                stage_owner=StageOwner.PROVIDER if event.about is ComplaintAbout.PROVIDER else StageOwner.JOBCENTRE,
                elements_in_play=tuple(e.element_id for e in event.elements),
            )
        case ComplaintRedirected():
            return replace(
                state,
                redirected_to_organisation_id=event.to_organisation_id,
                redirected_from_organisation_id=event.from_organisation_id,
                stage_owner=StageOwner.JOBCENTRE,
            )
        case ComplaintEscalated():
            return replace(
                state,
                current_stage=event.to_stage,
                stage_started_on=event.escalated_on,
                stage_owner=event.owned_by,
                elements_in_play=event.element_ids or state.elements_in_play,
                kept_by_jobcentre=(*state.kept_by_jobcentre, *event.kept_by_jobcentre),
            )
        case ContributionRequested():
            return replace(state, contribution_requested_on=event.requested_on, contribution_due_on=event.due_on)
        case ContributionSubmitted():
            return replace(state, contribution_received_on=event.submitted_on)
        case ComplaintFlaggedOnDgCaselist():
            return replace(state, dg_caselist=event.reason, dg_flagged_on=event.flagged_on)
        case ComplaintClearedFromDgCaselist():
            return replace(state, dg_caselist=None, dg_flagged_on=None)
        case ComplaintReferredToProvider():
            return replace(state, referred_to_provider=True)
        case ComplaintAcknowledged():
            return replace(state, acknowledged_on=event.acknowledged_on, acknowledgement_method=event.method)
        case ComplaintsProcessExplained():
            return replace(state, process_explained_on=event.explained_on)
        case DiscussionRecorded():
            return replace(state, discussions=state.discussions + 1)
        case DesiredOutcomeRecorded():
            return state
        case ResolutionActionPlanned():
            return replace(state, actions=(*state.actions, ActionState(event.action_id, event.due_on)))
        case ResolutionActionCompleted():
            return replace(
                state,
                actions=tuple(
                    replace(a, completed_on=event.completed_on) if a.action_id == event.action_id else a
                    for a in state.actions
                ),
            )
        case ComplaintWithdrawn():
            return replace(state, status=ComplaintStatus.WITHDRAWN, withdrawn_on=event.withdrawn_on)
        case OutcomeRecorded():
            return replace(state, elements_with_outcome=state.elements_with_outcome | {event.element_id})
        case ComplaintMarkedAsStaffComplaint():
            return replace(
                state,
                staff_complaint=True,
                responsible_team_leader_user_id=event.marker.responsible_team_leader_user_id,
            )
        case ResponseDraftSubmitted():
            earlier = tuple(
                replace(d, status=DraftStatus.SUPERSEDED) if d.status is not DraftStatus.SENT else d
                for d in state.drafts
            )
            draft = DraftState(
                draft_id=event.draft_id,
                stage=event.stage,
                final=event.final,
                author_user_id=event.author_user_id,
                reviewer_user_id=event.reviewer_user_id,
                text=event.text,
                findings=event.findings,
                status=DraftStatus.SUBMITTED,
            )
            return replace(state, drafts=(*earlier, draft))
        case ResponseDraftApproved():
            return _draft_status(state, event.draft_id, DraftStatus.APPROVED)
        case ResponseRewordingRequested():
            return _draft_status(state, event.draft_id, DraftStatus.REWORDING_REQUESTED)
        case ResponseIssued():
            issued = ResponseState(
                stage=event.stage,
                final=event.final,
                issued_on=event.issued_on,
                author_user_id=event.author_user_id,
                reviewer_user_id=event.reviewer_user_id,
            )
            after = replace(state, responses=(*state.responses, issued))
            if event.stage > state.current_stage:
                # Answered at a stage not escalated to: it began when the previous stage was answered.
                previous = state.responses[-1].issued_on if state.responses else event.issued_on
                after = replace(after, current_stage=event.stage, stage_started_on=previous)
            if event.joint:
                after = replace(after, joint_response_on=event.issued_on)
            if event.draft_id is not None:
                after = _draft_status(after, event.draft_id, DraftStatus.SENT)
            if event.final and state.status is ComplaintStatus.OPEN:
                after = replace(after, status=ComplaintStatus.CLOSED)
            return after
    return state


def is_terminal(state: ComplaintState) -> bool:
    return state.status in (ComplaintStatus.CLOSED, ComplaintStatus.WITHDRAWN)


COMPLAINT_DECIDER: Decider[Command, DomainEvent, ComplaintState] = Decider(
    initial_state=ComplaintState(), decide=decide, evolve=evolve, is_terminal=is_terminal
)

ROUTING_COMMANDS = (
    RegisterComplaint,
    RedirectComplaint,
    ReferToProvider,
    EscalateComplaint,
    RequestContribution,
    SubmitContribution,
    IssueJointResponse,
)
"""Commands that carry their own rules on who acts (R3, R25); every other command is work on the complaint."""


def decide_as(
    organisation_id: str | None, organisation_kind: str | None
) -> Decider[Command, DomainEvent, ComplaintState]:
    """The decider for a command from an organisation: once a complaint is redirected, its receiving Jobcentre
    owns it and a provider's work on it is refused (R3; 000 14.04, 14.09). Checked on the very state decided on."""

    def acting_decide(command: Command, state: ComplaintState) -> list[DomainEvent]:
        if state.registered and not isinstance(command, ROUTING_COMMANDS):
            routing.may_act(state, organisation_id, organisation_kind)
        return decide(command, state)

    return Decider(initial_state=ComplaintState(), decide=acting_decide, evolve=evolve, is_terminal=is_terminal)
