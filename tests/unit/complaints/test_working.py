"""Working a complaint: process explained (R4), discussions, desired outcomes, resolution plan, withdrawal (R5),
outcomes per element (R8), and the staff-complaint marker (R10)."""

from __future__ import annotations

from datetime import date

import pytest

from shared.complaints.commands import (
    AcknowledgeComplaint,
    CompleteResolutionAction,
    IssueResponse,
    MarkAsStaffComplaint,
    PlannedAction,
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
    StaffComplaintMarker,
)
from shared.complaints.vocabulary import (
    AcknowledgementMethod,
    AgreementEvidence,
    ComplaintStatus,
    DiscussionParty,
    OutcomeKind,
)
from shared.decider import Command
from shared.errors import NotFound, RuleViolation, ValidationProblem
from shared.personal_data import open_value
from tests.unit.complaints.helpers import (
    COMPLAINT_ID,
    KEY,
    TODAY,
    content,
    element,
    fields_of,
    given,
    history,
    refused,
    registered,
    registered_scr,
    sealed,
    then,
)

# R4: the complaints process explained at first contact (002 8.01-8.02; 000 14.15)


def explain(**overrides: object) -> RecordProcessExplanation:
    fields: dict[str, object] = {
        "explained_on": date(2026, 10, 1),
        "evidence": AgreementEvidence.SIGNATURE,
        "evidence_reference": sealed("Signed agreement form, scanned 2026-10-01"),
        "today": TODAY,
    }
    fields.update(overrides)
    return RecordProcessExplanation(**fields)


def test_the_explanation_is_recorded_with_evidence_of_agreement() -> None:
    command = explain()
    (event,) = then(given(registered()), command)
    assert event == ComplaintsProcessExplained(
        complaint_id=COMPLAINT_ID,
        explained_on=date(2026, 10, 1),
        evidence=AgreementEvidence.SIGNATURE,
        evidence_reference=command.evidence_reference,
    )
    assert given(registered(), event).process_explained_on == date(2026, 10, 1)


def test_first_contact_may_precede_the_complaint_but_not_today() -> None:
    (event,) = then(given(registered()), explain(explained_on=date(2025, 1, 6), evidence=AgreementEvidence.EMAIL))
    assert isinstance(event, ComplaintsProcessExplained)
    problem = refused(ValidationProblem, given(registered()), explain(explained_on=date(2026, 11, 24)), "R4")
    assert fields_of(problem) == {"explained_on": "R4"}


def test_the_explanation_needs_evidence_of_agreement() -> None:
    problem = refused(ValidationProblem, given(registered()), explain(evidence_reference=None), "R4")
    assert fields_of(problem) == {"evidence_reference": "R4"}
    assert problem.guidance == "002 8.01-8.02"


def test_the_explanation_is_recorded_once() -> None:
    state = given(*history(explain()))
    problem = refused(RuleViolation, state, explain(), "R4")
    assert problem.status == 409
    assert "2026-10-01" in problem.detail


def test_an_scr_explanation_keeps_its_evidence_on_the_clerical_file() -> None:
    (event,) = then(given(registered_scr()), explain(evidence_reference=None))
    assert isinstance(event, ComplaintsProcessExplained)
    assert event.evidence_reference is None
    problem = refused(ValidationProblem, given(registered_scr()), explain(), "R11")
    assert fields_of(problem) == {"evidence_reference": "R11"}


# R5: discussions (001 Annex 2 3.3)


def discuss(**overrides: object) -> RecordDiscussion:
    fields: dict[str, object] = {
        "held_on": date(2026, 11, 21),
        "held_with": DiscussionParty.REPRESENTATIVE,
        "held_by_user_id": "ann",
        "summary": sealed("Discussed the cancelled appointments with Sam's sister."),
        "today": TODAY,
    }
    fields.update(overrides)
    return RecordDiscussion(**fields)


def test_discussions_are_recorded_and_numbered() -> None:
    events = history(discuss(), discuss(held_with=DiscussionParty.COMPLAINANT, held_on=TODAY))
    first, second = events[1:]
    assert isinstance(first, DiscussionRecorded)
    assert isinstance(second, DiscussionRecorded)
    assert (first.discussion_id, first.held_with, first.held_by_user_id) == (
        "C1",
        DiscussionParty.REPRESENTATIVE,
        "ann",
    )
    assert (second.discussion_id, second.held_on) == ("C2", TODAY)
    assert open_value(KEY, first.summary or {}) == "Discussed the cancelled appointments with Sam's sister."
    assert given(*events).discussions == 2


@pytest.mark.parametrize(("held_on", "field"), [(date(2026, 11, 19), "held_on"), (date(2026, 11, 24), "held_on")])
def test_a_discussion_is_dated_between_receipt_and_today(held_on: date, field: str) -> None:
    problem = refused(ValidationProblem, given(registered()), discuss(held_on=held_on), "R5")
    assert fields_of(problem) == {field: "R5"}


def test_a_discussion_needs_a_summary_except_for_an_scr() -> None:
    problem = refused(ValidationProblem, given(registered()), discuss(summary=None), "R5")
    assert fields_of(problem) == {"summary": "R5"}
    (event,) = then(given(registered_scr()), discuss(summary=None))
    assert isinstance(event, DiscussionRecorded)
    problem = refused(ValidationProblem, given(registered_scr()), discuss(), "R11")
    assert fields_of(problem) == {"summary": "R11"}


# R5: desired outcome per element (001 Annex 2 3.1)


def test_the_desired_outcome_is_set_and_changed_per_element() -> None:
    two = registered(elements=(element("E1"), element("E2")))
    first = RecordDesiredOutcome(element_id="E2", desired_outcome=sealed("An apology."))
    second = RecordDesiredOutcome(element_id="E2", desired_outcome=sealed("An apology and a refund."))
    events = history(first, second, start=(two,))
    assert events[1:] == [
        DesiredOutcomeRecorded(complaint_id=COMPLAINT_ID, element_id="E2", desired_outcome=first.desired_outcome),
        DesiredOutcomeRecorded(complaint_id=COMPLAINT_ID, element_id="E2", desired_outcome=second.desired_outcome),
    ]


def test_a_desired_outcome_for_an_unknown_element_is_refused() -> None:
    command = RecordDesiredOutcome(element_id="E9", desired_outcome=sealed("x"))
    problem = refused(ValidationProblem, given(registered()), command, "R5")
    assert fields_of(problem) == {"element_id": "R5"}
    assert "E1" in problem.detail


def test_a_desired_outcome_is_text_and_never_held_for_an_scr() -> None:
    problem = refused(
        ValidationProblem, given(registered()), RecordDesiredOutcome(element_id="E1", desired_outcome=None)
    )
    assert fields_of(problem) == {"desired_outcome": "R5"}
    for value in (None, sealed("x")):
        command = RecordDesiredOutcome(element_id="E1", desired_outcome=value)
        problem = refused(ValidationProblem, given(registered_scr()), command, "R11")
        assert fields_of(problem) == {"desired_outcome": "R11"}


# R5: the resolution plan (003; 001 Annex 2 3.2)


def action(
    due_on: date = date(2026, 12, 4), owner: str = "Leeds team leader", text: str | None = "Rebook"
) -> PlannedAction:
    return PlannedAction(description=sealed(text) if text else None, due_on=due_on, owner=owner)


def plan(*actions: PlannedAction) -> PlanResolutionActions:
    return PlanResolutionActions(actions=actions or (action(),), today=TODAY)


def complete(action_id: str = "A1", completed_on: date = TODAY) -> CompleteResolutionAction:
    return CompleteResolutionAction(action_id=action_id, completed_on=completed_on, today=TODAY)


def test_actions_are_planned_with_due_dates_and_owners() -> None:
    events = history(plan(action(), action(date(2026, 12, 11), "Area manager")), plan(action(date(2027, 1, 8))))
    planned = events[1:]
    assert all(isinstance(e, ResolutionActionPlanned) for e in planned)
    assert [(e.action_id, e.due_on, e.owner) for e in planned] == [  # type: ignore[attr-defined]
        ("A1", date(2026, 12, 4), "Leeds team leader"),
        ("A2", date(2026, 12, 11), "Area manager"),
        ("A3", date(2027, 1, 8), "Leeds team leader"),
    ]
    assert [a.action_id for a in given(*events).actions] == ["A1", "A2", "A3"]


def test_a_plan_names_each_broken_rule_by_action() -> None:
    bad = plan(action(), action(date(2026, 11, 19), owner=" "), action(text=None))
    problem = refused(ValidationProblem, given(registered()), bad, "R5")
    assert fields_of(problem) == {
        "actions.1.due_on": "R5",
        "actions.1.owner": "R5",
        "actions.2.description": "R5",
    }


def test_an_empty_plan_is_refused() -> None:
    problem = refused(ValidationProblem, given(registered()), PlanResolutionActions(actions=(), today=TODAY), "R5")
    assert fields_of(problem) == {"actions": "R5"}


def test_an_action_is_completed_once() -> None:
    events = history(plan(), complete())
    assert events[-1] == ResolutionActionCompleted(complaint_id=COMPLAINT_ID, action_id="A1", completed_on=TODAY)
    assert given(*events).actions[0].completed_on == TODAY
    problem = refused(RuleViolation, given(*events), complete(), "R5")
    assert "already completed on 2026-11-23" in problem.detail


def test_completing_an_unknown_action_is_refused() -> None:
    problem = refused(ValidationProblem, given(*history(plan())), complete("A7"), "R5")
    assert fields_of(problem) == {"action_id": "R5"}
    assert "A1" in problem.detail


def test_completion_is_dated_between_receipt_and_today() -> None:
    problem = refused(ValidationProblem, given(*history(plan())), complete(completed_on=date(2026, 11, 24)), "R5")
    assert fields_of(problem) == {"completed_on": "R5"}


# R5: withdrawal at any point


def withdraw(**overrides: object) -> WithdrawComplaint:
    fields: dict[str, object] = {
        "withdrawn_on": TODAY,
        "reason": sealed("Sorted out with the adviser."),
        "today": TODAY,
    }
    fields.update(overrides)
    return WithdrawComplaint(**fields)


def test_a_withdrawal_closes_the_complaint_as_withdrawn() -> None:
    command = withdraw()
    events = history(command)
    assert events[-1] == ComplaintWithdrawn(complaint_id=COMPLAINT_ID, withdrawn_on=TODAY, reason=command.reason)
    state = given(*events)
    assert state.status is ComplaintStatus.WITHDRAWN
    assert state.withdrawn_on == TODAY


def test_a_withdrawal_needs_a_date_and_a_reason() -> None:
    problem = refused(
        ValidationProblem, given(registered()), withdraw(withdrawn_on=date(2026, 11, 19), reason=None), "R5"
    )
    assert fields_of(problem) == {"withdrawn_on": "R5", "reason": "R5"}


def test_a_withdrawal_is_possible_after_the_final_response() -> None:
    """At the provider or at ICE (R5): the final response does not stop a withdrawal."""
    final = IssueResponse(content=content(final=True, reviewer_user_id="bob"), issued_on=TODAY, today=TODAY)
    events = history(final, withdraw())
    assert isinstance(events[-1], ComplaintWithdrawn)


WORK_AFTER_WITHDRAWAL: list[Command] = [
    withdraw(),
    AcknowledgeComplaint(acknowledged_on=TODAY, method=AcknowledgementMethod.LETTER, today=TODAY),
    explain(),
    discuss(),
    RecordDesiredOutcome(element_id="E1", desired_outcome=sealed("x")),
    plan(),
    RecordOutcome(element_id="E1", outcomes=(OutcomeKind.APOLOGY,)),
    MarkAsStaffComplaint(marker=StaffComplaintMarker(responsible_team_leader_user_id="tl")),
    IssueResponse(content=content(), issued_on=TODAY, today=TODAY),
]


@pytest.mark.parametrize("command", WORK_AFTER_WITHDRAWAL, ids=lambda c: type(c).__name__)
def test_a_withdrawn_complaint_refuses_later_work(command: Command) -> None:
    state = given(*history(withdraw()))
    problem = refused(RuleViolation, state, command, "R5")
    assert problem.status == 409
    assert "withdrawn on 2026-11-23" in problem.detail


def test_completing_an_action_after_withdrawal_is_refused() -> None:
    state = given(*history(plan(), withdraw()))
    refused(RuleViolation, state, complete(), "R5")


@pytest.mark.parametrize("command", WORK_AFTER_WITHDRAWAL, ids=lambda c: type(c).__name__)
def test_work_on_an_unregistered_complaint_is_not_found(command: Command) -> None:
    refused(NotFound, given(), command)


# R8: outcomes per element (001 Annex 2 5.5, 5.7)


def test_outcomes_are_recorded_per_element() -> None:
    command = RecordOutcome(element_id="E1", outcomes=(OutcomeKind.APOLOGY, OutcomeKind.EXPLANATION))
    (event,) = then(given(registered()), command)
    assert event == OutcomeRecorded(
        complaint_id=COMPLAINT_ID, element_id="E1", outcomes=(OutcomeKind.APOLOGY, OutcomeKind.EXPLANATION)
    )
    assert given(registered(), event).elements_with_outcome == frozenset({"E1"})


@pytest.mark.parametrize("kind", list(OutcomeKind))
def test_every_kind_of_outcome_can_be_recorded(kind: OutcomeKind) -> None:
    amount = 5000 if kind is OutcomeKind.FINANCIAL_REDRESS else None
    (event,) = then(
        given(registered()), RecordOutcome(element_id="E1", outcomes=(kind,), financial_redress_pence=amount)
    )
    assert isinstance(event, OutcomeRecorded)
    assert event.financial_redress_pence == amount


@pytest.mark.parametrize("amount", [None, 0, -100])
def test_financial_redress_needs_an_amount_in_pence(amount: int | None) -> None:
    command = RecordOutcome(element_id="E1", outcomes=(OutcomeKind.FINANCIAL_REDRESS,), financial_redress_pence=amount)
    problem = refused(ValidationProblem, given(registered()), command, "R8")
    assert fields_of(problem) == {"financial_redress_pence": "R8"}
    assert problem.guidance == "001 Annex 2 5.5, 5.7"


def test_an_amount_without_financial_redress_is_refused() -> None:
    command = RecordOutcome(element_id="E1", outcomes=(OutcomeKind.APOLOGY,), financial_redress_pence=2500)
    problem = refused(ValidationProblem, given(registered()), command, "R8")
    assert fields_of(problem) == {"financial_redress_pence": "R8"}


def test_an_outcome_names_a_known_element_and_at_least_one_outcome() -> None:
    problem = refused(ValidationProblem, given(registered()), RecordOutcome(element_id="E2", outcomes=()), "R8")
    assert fields_of(problem) == {"element_id": "R8", "outcomes": "R8"}
    twice = RecordOutcome(element_id="E1", outcomes=(OutcomeKind.APOLOGY, OutcomeKind.APOLOGY))
    assert fields_of(refused(ValidationProblem, given(registered()), twice)) == {"outcomes": "R8"}


# R10: a complaint found to be about a member of staff


def test_marking_a_staff_complaint_restricts_it() -> None:
    marker = StaffComplaintMarker(responsible_team_leader_user_id="tl-jo")
    events = history(MarkAsStaffComplaint(marker=marker))
    assert events[-1] == ComplaintMarkedAsStaffComplaint(complaint_id=COMPLAINT_ID, marker=marker)
    state = given(*events)
    assert state.staff_complaint is True
    assert state.responsible_team_leader_user_id == "tl-jo"
    problem = refused(RuleViolation, state, MarkAsStaffComplaint(marker=marker), "R10")
    assert problem.guidance == "003"


def test_a_complaint_registered_as_a_staff_complaint_is_already_marked() -> None:
    marker = StaffComplaintMarker(responsible_team_leader_user_id="tl-jo")
    refused(RuleViolation, given(registered(staff_complaint=marker)), MarkAsStaffComplaint(marker=marker), "R10")
