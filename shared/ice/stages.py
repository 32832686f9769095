"""ICE's stage 1 Resolution and stage 2 Settlement, with the evidence request (R32, R33, R40;
000 14.28-14.31; 002 8.08-8.09, 8.13; 004 Part B 3-4)."""

from __future__ import annotations

from datetime import date

from shared.complaints.checks import refuse_if
from shared.decider import DomainEvent
from shared.errors import Conflict, FieldError, RuleViolation
from shared.ice.commands import (
    AgreeResolution,
    AllocateInvestigator,
    AnswerWayForward,
    CompleteAgreedAction,
    MarkEvidenceNotHeld,
    MoveToNextStage,
    ProposeWayForward,
    RecordComplainantSatisfaction,
    RecordEvidenceUpload,
    RecordWithdrawal,
    RequestEvidence,
)
from shared.ice.events import (
    AgreedActionCompleted,
    CaseClosed,
    ComplainantSatisfactionRecorded,
    EvidenceItemNotHeld,
    EvidenceItemUploaded,
    EvidenceRequestCompleted,
    EvidenceRequested,
    InvestigatorAllocated,
    MovedToNextStage,
    ResolutionAgreed,
    WayForwardAnswered,
    WayForwardProposed,
    WithdrawalRecorded,
)
from shared.ice.rules import at_stage, dated, due_within, open_case, referred, refuse_bad_date, unique
from shared.ice.state import EvidenceItemState, EvidenceRequestState, IceCaseState, ProposalState
from shared.ice.vocabulary import CaseStatus, Closure, IceStage

RESOLUTION = "000 14.29; 002 8.08"
SETTLEMENT = "000 14.30-14.31; 002 8.09; 004 Part B 4"
NEXT_STAGE = {IceStage.RESOLUTION: IceStage.SETTLEMENT, IceStage.SETTLEMENT: IceStage.INVESTIGATION}


def record_withdrawal(command: RecordWithdrawal, state: IceCaseState) -> list[DomainEvent]:
    """The complainant may withdraw at any point before ICE concludes (R5): closed, no fault, no fee."""
    referred(state)
    assert state.case_id is not None
    if state.status in (CaseStatus.CLOSED, CaseStatus.DECLINED):
        assert state.status is not None
        raise RuleViolation(detail=f"the case is already {state.status.value}", requirement="R5")
    refuse_bad_date(
        "withdrawn_on",
        command.withdrawn_on,
        today=command.today,
        not_before=state.referred_on,
        what="the referral",
        rule="R5",
    )
    return [
        WithdrawalRecorded(case_id=state.case_id, withdrawn_on=command.withdrawn_on, reason=command.reason),
        CaseClosed(
            case_id=state.case_id,
            stage=state.stage,
            closure=Closure.WITHDRAWN,
            closed_on=command.withdrawn_on,
            fault_found=False,
        ),
    ]


def allocate_investigator(command: AllocateInvestigator, state: IceCaseState) -> list[DomainEvent]:
    at_stage(
        state,
        IceStage.RESOLUTION,
        IceStage.SETTLEMENT,
        IceStage.INVESTIGATION,
        requirement="R40",
        guidance="ICE service standards",
    )
    assert state.case_id is not None
    refuse_bad_date(
        "allocated_on",
        command.allocated_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R40",
    )
    return [
        InvestigatorAllocated(
            case_id=state.case_id, investigator_user_id=command.investigator_user_id, allocated_on=command.allocated_on
        )
    ]


def agree_resolution(command: AgreeResolution, state: IceCaseState) -> list[DomainEvent]:
    at_stage(state, IceStage.RESOLUTION, requirement="R32", guidance=RESOLUTION)
    assert state.case_id is not None
    if state.resolution_agreed:
        raise Conflict(detail="a resolution was already agreed on this case", requirement="R32")
    errors: list[FieldError] = []
    unique(errors, "actions", [a.action_id for a in command.actions], "action")
    dated(
        errors,
        "agreed_on",
        command.agreed_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R32",
    )
    for i, action in enumerate(command.actions):
        if action.due_on < command.agreed_on:
            errors.append(FieldError(f"actions.{i}.due_on", "R32", "cannot precede the agreement"))
    refuse_if(errors, "R32", RESOLUTION)
    events: list[DomainEvent] = [
        ResolutionAgreed(case_id=state.case_id, agreed_on=command.agreed_on, actions=command.actions)
    ]
    if not command.actions:
        events.append(_closed(state, IceStage.RESOLUTION, Closure.RESOLVED, command.agreed_on))
    return events


def complete_agreed_action(command: CompleteAgreedAction, state: IceCaseState) -> list[DomainEvent]:
    """Agreed actions are monitored until completed (002 8.08); the last one closes a resolution."""
    referred(state)
    assert state.case_id is not None
    action = state.action(command.action_id)
    if action is None:
        raise RuleViolation(detail=f"no agreed action {command.action_id} on this case", requirement="R32")
    if action.completed_on is not None:
        raise RuleViolation(
            detail=f"action {action.action_id} was completed on {action.completed_on.isoformat()}", requirement="R32"
        )
    refuse_bad_date(
        "completed_on",
        command.completed_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R32",
    )
    events: list[DomainEvent] = [
        AgreedActionCompleted(case_id=state.case_id, action_id=action.action_id, completed_on=command.completed_on)
    ]
    others_done = all(a.completed_on is not None for a in state.actions if a.action_id != action.action_id)
    if state.stage is IceStage.RESOLUTION and state.closure is None and others_done:
        events.append(_closed(state, IceStage.RESOLUTION, Closure.RESOLVED, command.completed_on))
    return events


def move_to_next_stage(command: MoveToNextStage, state: IceCaseState) -> list[DomainEvent]:
    at_stage(state, IceStage.RESOLUTION, IceStage.SETTLEMENT, requirement="R33", guidance="000 14.28-14.32")
    assert state.case_id is not None
    assert state.stage is not None
    if state.stage is IceStage.RESOLUTION and state.resolution_agreed:
        raise RuleViolation(
            detail="a resolution was agreed: its actions are monitored until completed (002 8.08)",
            requirement="R32",
        )
    refuse_bad_date(
        "moved_on",
        command.moved_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R33",
    )
    return [
        MovedToNextStage(
            case_id=state.case_id, from_stage=state.stage, to_stage=NEXT_STAGE[state.stage], moved_on=command.moved_on
        )
    ]


def request_evidence(command: RequestEvidence, state: IceCaseState) -> list[DomainEvent]:
    at_stage(state, IceStage.SETTLEMENT, IceStage.INVESTIGATION, requirement="R33", guidance=SETTLEMENT)
    assert state.case_id is not None
    if state.evidence_request(command.request_id) is not None:
        raise Conflict(detail=f"evidence request {command.request_id} already exists", requirement="R33")
    errors: list[FieldError] = []
    if not command.items:
        errors.append(FieldError("items", "R33", "list each item of evidence wanted"))
    unique(errors, "items", [i.item_id for i in command.items], "item")
    dated(
        errors,
        "requested_on",
        command.requested_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R33",
    )
    due_on = due_within(
        errors,
        "due_on",
        command.due_on,
        command.requested_on,
        command.latest_due_on,
        rule="R31",
        limit="at most five working days (R31; 000 14.25)",
    )
    refuse_if(errors, "R33", SETTLEMENT)
    return [
        EvidenceRequested(
            case_id=state.case_id,
            request_id=command.request_id,
            items=command.items,
            requested_on=command.requested_on,
            due_on=due_on,
        )
    ]


def unanswered_item(
    state: IceCaseState, request_id: str, item_id: str
) -> tuple[EvidenceRequestState, EvidenceItemState]:
    open_case(state)
    request = state.evidence_request(request_id)
    if request is None:
        raise RuleViolation(detail=f"no evidence request {request_id} on this case", requirement="R33")
    item = request.item(item_id)
    if item is None:
        raise RuleViolation(detail=f"evidence request {request_id} lists no item {item_id}", requirement="R33")
    if item.answered_on is not None:
        how = "marked not held" if item.not_held else "uploaded"
        raise RuleViolation(
            detail=f"item {item_id} was already {how} on {item.answered_on.isoformat()}", requirement="R33"
        )
    return request, item


def _completion(state: IceCaseState, request: EvidenceRequestState, item_id: str, day: date) -> list[DomainEvent]:
    rest = [i for i in request.items if i.item_id != item_id and i.answered_on is None]
    if rest:
        return []
    assert state.case_id is not None
    return [EvidenceRequestCompleted(case_id=state.case_id, request_id=request.request_id, completed_on=day)]


def record_evidence_upload(command: RecordEvidenceUpload, state: IceCaseState) -> list[DomainEvent]:
    request, item = unanswered_item(state, command.request_id, command.item_id)
    assert state.case_id is not None
    return [
        EvidenceItemUploaded(
            case_id=state.case_id,
            request_id=request.request_id,
            item_id=item.item_id,
            blob_key=command.blob_key,
            content_type=command.content_type,
            size_bytes=command.size_bytes,
            sha256=command.sha256,
            uploaded_on=command.today,
        ),
        *_completion(state, request, item.item_id, command.today),
    ]


def mark_evidence_not_held(command: MarkEvidenceNotHeld, state: IceCaseState) -> list[DomainEvent]:
    request, item = unanswered_item(state, command.request_id, command.item_id)
    assert state.case_id is not None
    if command.reason is None and not state.clerical:
        refuse_if([FieldError("reason", "R33", "say why the item is not held")], "R33", SETTLEMENT)
    return [
        EvidenceItemNotHeld(
            case_id=state.case_id,
            request_id=request.request_id,
            item_id=item.item_id,
            reason=command.reason,
            answered_on=command.today,
        ),
        *_completion(state, request, item.item_id, command.today),
    ]


def propose_way_forward(command: ProposeWayForward, state: IceCaseState) -> list[DomainEvent]:
    at_stage(state, IceStage.SETTLEMENT, requirement="R33", guidance=SETTLEMENT)
    assert state.case_id is not None
    if state.proposal(command.proposal_id) is not None:
        raise Conflict(detail=f"proposal {command.proposal_id} already exists", requirement="R33")
    incomplete = [r.request_id for r in state.evidence_requests if r.completed_on is None]
    if not state.evidence_requests or incomplete:
        raise RuleViolation(
            detail="ICE proposes a way forward after reviewing all the evidence: "
            + ("no evidence was requested" if not incomplete else "still incomplete: " + ", ".join(incomplete)),
            requirement="R33",
            guidance=SETTLEMENT,
        )
    errors: list[FieldError] = []
    unique(errors, "actions", [a.action_id for a in command.actions], "action")
    taken = [a.action_id for a in command.actions if state.action(a.action_id) is not None]
    if taken:
        errors.append(FieldError("actions", "unique", "action ids already used on this case: " + ", ".join(taken)))
    dated(
        errors,
        "proposed_on",
        command.proposed_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R33",
    )
    refuse_if(errors, "R33", SETTLEMENT)
    return [
        WayForwardProposed(
            case_id=state.case_id,
            proposal_id=command.proposal_id,
            proposed_on=command.proposed_on,
            proposal=command.proposal,
            actions=command.actions,
        )
    ]


def _pending_proposal(state: IceCaseState, proposal_id: str) -> ProposalState:
    at_stage(state, IceStage.SETTLEMENT, requirement="R33", guidance=SETTLEMENT)
    proposal = state.proposal(proposal_id)
    if proposal is None:
        raise RuleViolation(detail=f"no proposal {proposal_id} on this case", requirement="R33")
    return proposal


def answer_way_forward(command: AnswerWayForward, state: IceCaseState) -> list[DomainEvent]:
    proposal = _pending_proposal(state, command.proposal_id)
    assert state.case_id is not None
    if proposal.provider_agrees is not None:
        raise RuleViolation(detail="the provider already answered this proposal", requirement="R33")
    events: list[DomainEvent] = [
        WayForwardAnswered(
            case_id=state.case_id,
            proposal_id=proposal.proposal_id,
            provider_agrees=command.provider_agrees,
            answered_on=command.answered_on,
        )
    ]
    if command.provider_agrees and proposal.complainant_satisfied:
        events.append(_closed(state, IceStage.SETTLEMENT, Closure.SETTLED, command.answered_on))
    return events


def record_complainant_satisfaction(command: RecordComplainantSatisfaction, state: IceCaseState) -> list[DomainEvent]:
    proposal = _pending_proposal(state, command.proposal_id)
    assert state.case_id is not None
    if proposal.complainant_satisfied is not None:
        raise RuleViolation(detail="the complainant's view of this proposal is already recorded", requirement="R33")
    events: list[DomainEvent] = [
        ComplainantSatisfactionRecorded(
            case_id=state.case_id,
            proposal_id=proposal.proposal_id,
            satisfied=command.satisfied,
            recorded_on=command.recorded_on,
        )
    ]
    if command.satisfied and proposal.provider_agrees:
        events.append(_closed(state, IceStage.SETTLEMENT, Closure.SETTLED, command.recorded_on))
    return events


def _closed(state: IceCaseState, stage: IceStage, closure: Closure, on: date) -> CaseClosed:
    """Closed at stage 1 or 2: no determination of fault, no contribution to costs (000 14.29, 14.31)."""
    assert state.case_id is not None
    return CaseClosed(case_id=state.case_id, stage=stage, closure=closure, closed_on=on, fault_found=False)
