"""Escalation (R20; 001 Annex 2 3.5): given events, when the complainant is dissatisfied, then the next stage or a
refusal naming the requirement."""

from __future__ import annotations

from datetime import date

import pytest

from shared.complaints.commands import RedirectComplaint, WithdrawComplaint
from shared.complaints.decider import decide_as
from shared.complaints.events import ComplaintEscalated, ResponseIssued
from shared.complaints.vocabulary import RedirectionReason, StageOwner
from shared.errors import RuleViolation, ValidationProblem
from tests.unit.complaints.helpers import (
    COMPLAINT_ID,
    RECEIVED,
    TODAY,
    element,
    escalate,
    fields_of,
    finding,
    given,
    history,
    refused,
    registered,
    respond,
    sealed,
    then,
)

MONDAY = TODAY  # 23 November 2026
SATURDAY = date(2026, 11, 21)


def two_elements() -> tuple[object, ...]:
    return (element("E1"), element("E2"))


def test_a_dissatisfied_complainant_moves_the_complaint_to_the_next_stage() -> None:
    state = given(*history(respond(1)))
    (event,) = then(state, escalate())
    assert event == ComplaintEscalated(
        complaint_id=COMPLAINT_ID,
        from_stage=1,
        to_stage=2,
        escalated_on=MONDAY,
        element_ids=("E1",),
        owned_by=StageOwner.PROVIDER,
    )
    after = given(*history(respond(1), escalate()))
    assert (after.current_stage, after.stage_started_on, after.stage_owner) == (2, MONDAY, StageOwner.PROVIDER)


def test_the_escalated_stage_is_answered_next_and_not_before_the_escalation() -> None:
    events = history(respond(1), escalate())
    early = refused(ValidationProblem, given(*events), respond(2, issued_on=SATURDAY, final=True), "R7")
    assert fields_of(early) == {"issued_on": "R7"}
    assert "escalation to stage 2" in early.detail
    (issued,) = then(given(*events), respond(2, issued_on=MONDAY, final=True))
    assert isinstance(issued, ResponseIssued)
    assert (issued.stage, issued.final) == (2, True)


def test_refused_before_the_stage_has_its_response() -> None:
    problem = refused(RuleViolation, given(registered()), escalate(), "R20")
    assert problem.guidance == "001 Annex 2 3.5"
    assert "stage 1 has no response yet" in problem.detail
    # On a three-stage profile, stage 2 too needs its response before stage 3.
    three = history(respond(1), escalate(), start=(registered(final_stage=3, process_profile="cms@v1"),))
    problem = refused(RuleViolation, given(*three), escalate(), "R20")
    assert "stage 2 has no response yet" in problem.detail


def test_refused_after_the_final_response_the_next_step_is_ice() -> None:
    events = history(respond(1), escalate(), respond(2, issued_on=MONDAY, final=True))
    problem = refused(RuleViolation, given(*events), escalate(), "R24")
    assert problem.guidance is not None
    assert "14.23" in problem.guidance
    assert "refer the complaint to ICE by 2027-05-23" in problem.detail


def test_refused_once_withdrawn() -> None:
    withdrawn = WithdrawComplaint(withdrawn_on=MONDAY, reason=sealed("Sorted out."), today=TODAY)
    events = history(respond(1), withdrawn)
    refused(RuleViolation, given(*events), escalate(), "R5")


def test_refused_at_the_profile_s_last_stage_a_final_response_is_owed() -> None:
    events = history(respond(1), escalate(), respond(2, issued_on=MONDAY))  # a stage-2 response not marked final
    problem = refused(RuleViolation, given(*events), escalate(), "R20")
    assert "stage 2 is the last stage of provider-default@v1" in problem.detail
    assert problem.extra == {"stage": 2, "final_stage": 2}


def test_the_stage_count_comes_from_the_recorded_profile() -> None:
    cms = registered(process_profile="cms@v1", final_stage=3)
    events = history(respond(1), escalate(), respond(2, issued_on=MONDAY), start=(cms,))
    (event,) = then(given(*events), escalate())
    assert isinstance(event, ComplaintEscalated)
    assert (event.from_stage, event.to_stage) == (2, 3)


def test_a_complaint_without_a_recorded_profile_uses_the_handler_s_lookup() -> None:
    old = registered(process_profile=None, final_stage=None)
    events = history(respond(1), escalate(unrecorded_final_stage=2), respond(2, issued_on=MONDAY), start=(old,))
    refused(RuleViolation, given(*events), escalate(unrecorded_final_stage=2), "R20")
    # A recorded profile wins over the lookup.
    recorded = history(respond(1), start=(registered(final_stage=2),))
    (event,) = then(given(*recorded), escalate(unrecorded_final_stage=1))
    assert isinstance(event, ComplaintEscalated)


@pytest.mark.parametrize(
    ("escalated_on", "why"), [(date(2026, 11, 19), "cannot precede stage 1's response"), (date(2026, 11, 24), "today")]
)
def test_the_escalation_date_is_after_the_response_and_not_in_the_future(escalated_on: date, why: str) -> None:
    problem = refused(ValidationProblem, given(*history(respond(1))), escalate(escalated_on=escalated_on), "R20")
    assert fields_of(problem) == {"escalated_on": "R20"}
    assert why in problem.detail


def test_only_the_elements_still_in_dispute_are_escalated_and_answered() -> None:
    start = (registered(elements=two_elements()),)
    both = (finding("E1"), finding("E2"))
    events = history(respond(1, findings=both), escalate(element_ids=("E2",)), start=start)
    escalated = events[-1]
    assert isinstance(escalated, ComplaintEscalated)
    assert escalated.element_ids == ("E2",)
    state = given(*events)
    problem = refused(ValidationProblem, state, respond(2, issued_on=MONDAY, final=True, findings=both), "R7")
    assert fields_of(problem) == {"findings.0.element_id": "R7"}
    assert "E1 was not escalated to stage 2" in problem.detail
    (issued,) = then(state, respond(2, issued_on=MONDAY, final=True, findings=(finding("E2"),)))
    assert isinstance(issued, ResponseIssued)


def test_unknown_or_repeated_elements_are_refused_by_position() -> None:
    state = given(*history(respond(1)))
    problem = refused(ValidationProblem, state, escalate(element_ids=("E1", "E9", "E1")), "R20")
    assert fields_of(problem) == {"element_ids.1": "R20", "element_ids.2": "R20"}


def test_a_redirected_complaint_is_escalated_by_the_jobcentre_which_owns_the_next_stage() -> None:
    redirect = RedirectComplaint(
        reason=RedirectionReason.PROGRAMME_POLICY,
        to_organisation_id="jobcentre-leeds",
        redirected_on=RECEIVED,
        acting_organisation_id="provider-alpha",
        today=TODAY,
    )
    events = history(redirect, respond(1))
    provider = decide_as("provider-alpha", "provider")
    with pytest.raises(RuleViolation) as caught:
        provider.decide(escalate(), given(*events))
    assert caught.value.requirement == "R3"
    jobcentre = escalate(acting_organisation_id="jobcentre-leeds", acting_organisation_kind="jobcentre")
    (event,) = decide_as("jobcentre-leeds", "jobcentre").decide(jobcentre, given(*events))
    assert isinstance(event, ComplaintEscalated)
    assert event.owned_by is StageOwner.JOBCENTRE
