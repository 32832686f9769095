"""Working a complaint: explain the process (R4), discuss, plan, withdraw (R5), outcomes (R8), staff (R10)."""

from __future__ import annotations

from shared.complaints.checks import business_day_between, open_for_work, personal_text, refuse_if
from shared.complaints.commands import (
    CompleteResolutionAction,
    MarkAsStaffComplaint,
    PlanResolutionActions,
    RecordDesiredOutcome,
    RecordDiscussion,
    RecordOutcome,
    RecordProcessExplanation,
    WithdrawComplaint,
)
from shared.complaints.events import (
    ComplaintMarkedAsStaffComplaint,
    ComplaintsProcessExplained,
    ComplaintWithdrawn,
    DesiredOutcomeRecorded,
    DiscussionRecorded,
    OutcomeRecorded,
    ResolutionActionCompleted,
    ResolutionActionPlanned,
)
from shared.complaints.state import ComplaintState
from shared.complaints.vocabulary import OutcomeKind
from shared.decider import DomainEvent
from shared.errors import FieldError, RuleViolation


def _id(state: ComplaintState) -> str:
    assert state.complaint_id is not None
    return state.complaint_id


def explain_process(command: RecordProcessExplanation, state: ComplaintState) -> list[DomainEvent]:
    """R4: "You must explain your complaints process to the customer in your first contact with them" (002 8.01).

    First contact may precede the complaint, so `explained_on` may be earlier than the date received.
    """
    open_for_work(state)
    if state.process_explained_on is not None:
        raise RuleViolation(
            detail=f"the complaints process was already explained on {state.process_explained_on.isoformat()}",
            requirement="R4",
            guidance="002 8.01",
        )
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "explained_on",
        command.explained_on,
        requirement="R4",
        not_before=None,
        not_before_what="",
        today=command.today,
    )
    personal_text(
        errors,
        state,
        "evidence_reference",
        command.evidence_reference,
        requirement="R4",
        what="evidence of the customer's agreement (the signature's or e-mail's reference, 002 8.02)",
    )
    refuse_if(errors, "R4", "002 8.01-8.02")
    return [
        ComplaintsProcessExplained(
            complaint_id=_id(state),
            explained_on=command.explained_on,
            evidence=command.evidence,
            evidence_reference=command.evidence_reference,
        )
    ]


def record_discussion(command: RecordDiscussion, state: ComplaintState) -> list[DomainEvent]:
    """R5: "We retain a record of any discussion with the complainant or their representative" (001 Annex 2 3.3)."""
    open_for_work(state)
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "held_on",
        command.held_on,
        requirement="R5",
        not_before=state.received_on,
        not_before_what="the date received",
        today=command.today,
    )
    personal_text(errors, state, "summary", command.summary, requirement="R5", what="a summary of the discussion")
    refuse_if(errors, "R5", "001 Annex 2 3.3")
    return [
        DiscussionRecorded(
            complaint_id=_id(state),
            discussion_id=f"C{state.discussions + 1}",
            held_on=command.held_on,
            held_with=command.held_with,
            held_by_user_id=command.held_by_user_id,
            summary=command.summary,
        )
    ]


def record_desired_outcome(command: RecordDesiredOutcome, state: ComplaintState) -> list[DomainEvent]:
    """R5: "a clear articulation of what action they would like to see taken" per element (001 Annex 2 3.1)."""
    open_for_work(state)
    errors: list[FieldError] = []
    if command.element_id not in state.element_ids:
        errors.append(
            FieldError("element_id", "R5", f"no element {command.element_id}: the elements are {_ids(state)}")
        )
    personal_text(
        errors, state, "desired_outcome", command.desired_outcome, requirement="R5", what="the desired outcome"
    )
    if state.special_customer_record and command.desired_outcome is None:
        errors.append(FieldError("desired_outcome", "R11", "a Special Customer Record's desired outcome is clerical"))
    refuse_if(errors, "R5", "001 Annex 2 3.1")
    assert command.desired_outcome is not None
    return [
        DesiredOutcomeRecorded(
            complaint_id=_id(state), element_id=command.element_id, desired_outcome=command.desired_outcome
        )
    ]


def plan_actions(command: PlanResolutionActions, state: ComplaintState) -> list[DomainEvent]:
    """R5: "draw up a resolution plan ... setting clear time scales and objectives" (003; 001 Annex 2 3.2)."""
    open_for_work(state)
    errors: list[FieldError] = []
    if not command.actions:
        errors.append(FieldError("actions", "R5", "a resolution plan has at least one action"))
    for i, action in enumerate(command.actions):
        assert state.received_on is not None
        if action.due_on < state.received_on:
            errors.append(
                FieldError(f"actions.{i}.due_on", "R5", f"cannot precede the date received ({state.received_on})")
            )
        if not action.owner.strip():
            errors.append(FieldError(f"actions.{i}.owner", "R5", "every action has an owner"))
        personal_text(
            errors,
            state,
            f"actions.{i}.description",
            action.description,
            requirement="R5",
            what="a description of the action",
        )
    refuse_if(errors, "R5", "003")
    first = len(state.actions) + 1
    return [
        ResolutionActionPlanned(
            complaint_id=_id(state),
            action_id=f"A{first + i}",
            description=action.description,
            due_on=action.due_on,
            owner=action.owner.strip(),
        )
        for i, action in enumerate(command.actions)
    ]


def complete_action(command: CompleteResolutionAction, state: ComplaintState) -> list[DomainEvent]:
    """R5: an action of the plan done. Outstanding actions may be completed after the final response (3.4)."""
    open_for_work(state)
    action = state.action(command.action_id)
    if action is None:
        known = ", ".join(a.action_id for a in state.actions) or "none"
        refuse_if(
            [FieldError("action_id", "R5", f"no action {command.action_id} in the plan (actions: {known})")], "R5"
        )
    assert action is not None
    if action.completed_on is not None:
        raise RuleViolation(
            detail=f"action {action.action_id} was already completed on {action.completed_on.isoformat()}",
            requirement="R5",
            guidance="003",
        )
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "completed_on",
        command.completed_on,
        requirement="R5",
        not_before=state.received_on,
        not_before_what="the date received",
        today=command.today,
    )
    refuse_if(errors, "R5", "003")
    return [
        ResolutionActionCompleted(
            complaint_id=_id(state), action_id=action.action_id, completed_on=command.completed_on
        )
    ]


def withdraw(command: WithdrawComplaint, state: ComplaintState) -> list[DomainEvent]:
    """R5: the complainant may withdraw at any point, at the provider or at ICE; it closes as withdrawn."""
    open_for_work(state)
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "withdrawn_on",
        command.withdrawn_on,
        requirement="R5",
        not_before=state.received_on,
        not_before_what="the date received",
        today=command.today,
    )
    personal_text(errors, state, "reason", command.reason, requirement="R5", what="the reason for the withdrawal")
    refuse_if(errors, "R5")
    return [ComplaintWithdrawn(complaint_id=_id(state), withdrawn_on=command.withdrawn_on, reason=command.reason)]


def record_outcome(command: RecordOutcome, state: ComplaintState) -> list[DomainEvent]:
    """R8: the outcome per element (001 Annex 2 5.5), with the amount of any financial redress (5.7)."""
    open_for_work(state)
    errors: list[FieldError] = []
    if command.element_id not in state.element_ids:
        errors.append(
            FieldError("element_id", "R8", f"no element {command.element_id}: the elements are {_ids(state)}")
        )
    if not command.outcomes:
        errors.append(FieldError("outcomes", "R8", "name at least one outcome"))
    if len(set(command.outcomes)) != len(command.outcomes):
        errors.append(FieldError("outcomes", "R8", "each outcome once"))
    redress = OutcomeKind.FINANCIAL_REDRESS in command.outcomes
    amount = command.financial_redress_pence
    if redress and (amount is None or amount <= 0):
        errors.append(
            FieldError("financial_redress_pence", "R8", "financial redress needs its amount in pence, more than 0")
        )
    if not redress and amount is not None:
        errors.append(
            FieldError("financial_redress_pence", "R8", "an amount is recorded only with the financial_redress outcome")
        )
    refuse_if(errors, "R8", "001 Annex 2 5.5, 5.7")
    return [
        OutcomeRecorded(
            complaint_id=_id(state),
            element_id=command.element_id,
            outcomes=command.outcomes,
            financial_redress_pence=amount,
        )
    ]


def mark_staff_complaint(command: MarkAsStaffComplaint, state: ComplaintState) -> list[DomainEvent]:
    """R10: a complaint about a member of staff is restricted; only the responsible team leader is recorded."""
    open_for_work(state)
    if state.staff_complaint:
        raise RuleViolation(
            detail="the complaint is already marked as a complaint about a member of staff",
            requirement="R10",
            guidance="003",
        )
    return [ComplaintMarkedAsStaffComplaint(complaint_id=_id(state), marker=command.marker)]


def _ids(state: ComplaintState) -> str:
    return ", ".join(state.element_ids)
