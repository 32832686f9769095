"""Stage 1 Resolution, stage 2 Settlement with its evidence requests, moving on, and allocation (R32, R33, R40)."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.decider import DomainEvent
from shared.errors import Conflict, RuleViolation
from shared.ice import commands as c
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
from shared.ice.vocabulary import CaseStatus, Closure, IceStage
from tests.unit.ice.helpers import (
    ACCEPTED,
    CASE_ID,
    DAY,
    EVIDENCE_ASKED,
    EVIDENCE_DUE,
    INVESTIGATION_FROM,
    PASSED,
    REFERRED,
    SETTLEMENT_FROM,
    TODAY,
    action,
    agree_resolution,
    allocate,
    at_gateway,
    at_investigation,
    at_resolution,
    at_settlement,
    complainant_says,
    complete_action,
    evidence_complete,
    evidence_item,
    given,
    history,
    invalid,
    move_on,
    not_held,
    propose,
    provider_answers,
    record_referral,
    refused,
    request_evidence,
    then,
    upload,
)

RESOLUTION = "000 14.29; 002 8.08"
SETTLEMENT = "000 14.30-14.31; 002 8.09; 004 Part B 4"
AGREED = date(2026, 3, 16)


def closed(stage: IceStage, closure: Closure, on: date) -> CaseClosed:
    return CaseClosed(case_id=CASE_ID, stage=stage, closure=closure, closed_on=on, fault_found=False)


# R40: allocation to an investigator


def test_an_investigator_is_allocated_at_any_stage() -> None:
    events = then(at_resolution(), allocate())
    assert events == [InvestigatorAllocated(case_id=CASE_ID, investigator_user_id="ice-ivy", allocated_on=PASSED)]
    assert given(*at_resolution(), *events).allocated_on == PASSED
    assert len(then(at_settlement(), allocate())) == 1
    assert len(then(at_investigation(), allocate())) == 1


def test_reallocation_keeps_the_first_allocation_date() -> None:
    events = history(
        allocate(), allocate(investigator_user_id="ice-ian", allocated_on=date(2026, 4, 2)), start=at_resolution()
    )
    assert given(*events).allocated_on == PASSED


def test_allocation_waits_for_the_gateway() -> None:
    problem = refused(RuleViolation, at_gateway(), allocate(), "R40", "ICE service standards")
    assert "gateway" in problem.detail


def test_allocation_date_between_acceptance_and_today() -> None:
    invalid(at_resolution(), allocate(allocated_on=ACCEPTED - DAY), "R40", "allocated_on")
    invalid(at_resolution(), allocate(allocated_on=TODAY + DAY), "R40", "allocated_on")


# R32: stage 1 Resolution


def test_resolution_agreed_with_actions_stays_open() -> None:
    command = agree_resolution(action("A1"), action("A2", date(2026, 4, 15)))
    events = then(at_resolution(), command)
    assert events == [ResolutionAgreed(case_id=CASE_ID, agreed_on=AGREED, actions=command.actions)]
    state = given(*at_resolution(), *events)
    assert state.resolution_agreed is True
    assert state.status is CaseStatus.RESOLUTION
    assert [(a.action_id, a.due_on, a.completed_on) for a in state.actions] == [
        ("A1", date(2026, 3, 31), None),
        ("A2", date(2026, 4, 15), None),
    ]


def test_the_case_closes_with_no_fault_only_when_the_last_action_completes() -> None:
    agreed = history(agree_resolution(action("A1"), action("A2")), start=at_resolution())
    first = then(agreed, complete_action("A2"))
    assert first == [AgreedActionCompleted(case_id=CASE_ID, action_id="A2", completed_on=date(2026, 3, 25))]
    assert given(*agreed, *first).status is CaseStatus.RESOLUTION
    last = then([*agreed, *first], complete_action("A1", completed_on=date(2026, 3, 27)))
    assert last == [
        AgreedActionCompleted(case_id=CASE_ID, action_id="A1", completed_on=date(2026, 3, 27)),
        closed(IceStage.RESOLUTION, Closure.RESOLVED, date(2026, 3, 27)),
    ]
    state = given(*agreed, *first, *last)
    assert state.status is CaseStatus.CLOSED
    assert state.closure is Closure.RESOLVED
    assert state.closed_on == date(2026, 3, 27)
    assert state.final_report is None
    assert state.fee is None


def test_an_agreement_with_no_actions_closes_at_once() -> None:
    events = then(at_resolution(), agree_resolution())
    assert events == [
        ResolutionAgreed(case_id=CASE_ID, agreed_on=AGREED, actions=()),
        closed(IceStage.RESOLUTION, Closure.RESOLVED, AGREED),
    ]
    assert given(*at_resolution(), *events).closure is Closure.RESOLVED


def test_a_resolution_is_agreed_once() -> None:
    agreed = history(agree_resolution(action()), start=at_resolution())
    refused(Conflict, agreed, agree_resolution(action("A9")), "R32")


def test_resolution_belongs_to_stage_1() -> None:
    problem = refused(RuleViolation, at_settlement(), agree_resolution(), "R32", RESOLUTION)
    assert "settlement" in problem.detail
    refused(RuleViolation, at_gateway(), agree_resolution(), "R32", RESOLUTION)


def test_resolution_field_refusals() -> None:
    invalid(at_resolution(), agree_resolution(action("A1"), action("A1")), "R32", "actions", "unique")
    invalid(at_resolution(), agree_resolution(action("A1", AGREED - DAY)), "R32", "actions.0.due_on")
    invalid(at_resolution(), agree_resolution(agreed_on=ACCEPTED - DAY), "R32", "agreed_on", guidance=RESOLUTION)
    invalid(at_resolution(), agree_resolution(agreed_on=TODAY + DAY), "R32", "agreed_on")


def test_action_completion_refusals() -> None:
    agreed = history(agree_resolution(action("A1"), action("A2")), start=at_resolution())
    refused(RuleViolation, agreed, complete_action("A9"), "R32")
    invalid(agreed, complete_action(completed_on=ACCEPTED - DAY), "R32", "completed_on")
    invalid(agreed, complete_action(completed_on=TODAY + DAY), "R32", "completed_on")
    done = history(complete_action("A1"), start=agreed)
    problem = refused(RuleViolation, done, complete_action("A1"), "R32")
    assert "2026-03-25" in problem.detail


def test_a_closed_case_refuses_further_stage_work() -> None:
    resolved = history(agree_resolution(), start=at_resolution())
    problem = refused(RuleViolation, resolved, move_on(), "R30")
    assert "closed on 2026-03-16 (resolved)" in problem.detail
    refused(RuleViolation, resolved, allocate(), "R30")


# Moving on


def test_stage_1_moves_to_settlement_and_stage_2_to_investigation() -> None:
    events = then(at_resolution(), move_on())
    assert events == [
        MovedToNextStage(
            case_id=CASE_ID, from_stage=IceStage.RESOLUTION, to_stage=IceStage.SETTLEMENT, moved_on=SETTLEMENT_FROM
        )
    ]
    state = given(*at_resolution(), *events)
    assert state.stage is IceStage.SETTLEMENT
    assert state.status is CaseStatus.SETTLEMENT
    events = then(at_settlement(), move_on(moved_on=INVESTIGATION_FROM))
    assert events == [
        MovedToNextStage(
            case_id=CASE_ID,
            from_stage=IceStage.SETTLEMENT,
            to_stage=IceStage.INVESTIGATION,
            moved_on=INVESTIGATION_FROM,
        )
    ]
    state = given(*at_settlement(), *events)
    assert state.stage is IceStage.INVESTIGATION
    assert state.status is CaseStatus.INVESTIGATION


def test_moving_on_refusals() -> None:
    refused(RuleViolation, at_gateway(), move_on(), "R33", "000 14.28-14.32")
    refused(RuleViolation, at_investigation(), move_on(), "R33", "000 14.28-14.32")
    agreed = history(agree_resolution(action()), start=at_resolution())
    problem = refused(RuleViolation, agreed, move_on(), "R32")
    assert "monitored" in problem.detail
    invalid(at_resolution(), move_on(moved_on=ACCEPTED - DAY), "R33", "moved_on")
    invalid(at_resolution(), move_on(moved_on=TODAY + DAY), "R33", "moved_on")


# R33: the evidence request, item by item


def test_evidence_is_requested_item_by_item() -> None:
    command = request_evidence("I1", "I2", "I3")
    events = then(at_settlement(), command)
    assert events == [
        EvidenceRequested(
            case_id=CASE_ID, request_id="EV1", items=command.items, requested_on=EVIDENCE_ASKED, due_on=EVIDENCE_DUE
        )
    ]
    (request,) = given(*at_settlement(), *events).evidence_requests
    assert [i.item_id for i in request.items] == ["I1", "I2", "I3"]
    assert request.completed_on is None


def test_evidence_request_due_dates_follow_r31() -> None:
    (kept,) = then(at_settlement(), request_evidence(due_on=date(2026, 4, 7)))
    assert isinstance(kept, EvidenceRequested)
    assert kept.due_on == date(2026, 4, 7)
    error = invalid(at_settlement(), request_evidence(due_on=EVIDENCE_DUE + DAY), "R31", "due_on", guidance=SETTLEMENT)
    assert "five working days" in error.message
    invalid(at_settlement(), request_evidence(due_on=EVIDENCE_ASKED - DAY), "R31", "due_on")


def test_evidence_request_refusals() -> None:
    refused(RuleViolation, at_resolution(), request_evidence(), "R33", SETTLEMENT)
    asked = history(request_evidence(), start=at_settlement())
    refused(Conflict, asked, request_evidence(), "R33")
    invalid(at_settlement(), request_evidence(items=()), "R33", "items")
    invalid(
        at_settlement(), request_evidence(items=(evidence_item("I1"), evidence_item("I1"))), "R33", "items", "unique"
    )
    invalid(at_settlement(), request_evidence(requested_on=ACCEPTED - DAY), "R33", "requested_on")
    invalid(at_settlement(), request_evidence(requested_on=TODAY + DAY), "R33", "requested_on")


def test_evidence_may_also_be_requested_at_investigation() -> None:
    (event,) = then(at_investigation(), request_evidence(request_id="EV2", requested_on=INVESTIGATION_FROM))
    assert isinstance(event, EvidenceRequested)
    assert event.request_id == "EV2"


def test_an_upload_records_the_blob_its_type_and_hash() -> None:
    asked = history(request_evidence("I1", "I2"), start=at_settlement())
    events = then(asked, upload("I1"))
    assert events == [
        EvidenceItemUploaded(
            case_id=CASE_ID,
            request_id="EV1",
            item_id="I1",
            blob_key=f"ice/{CASE_ID}/EV1/I1",
            content_type="application/pdf",
            size_bytes=1024,
            sha256="ab" * 32,
            uploaded_on=date(2026, 4, 8),
        )
    ]
    (request,) = given(*asked, *events).evidence_requests
    first = request.item("I1")
    assert first is not None
    assert first.blob_key == f"ice/{CASE_ID}/EV1/I1"
    assert first.answered_on == date(2026, 4, 8)
    assert request.completed_on is None


def test_an_item_not_held_needs_a_reason() -> None:
    asked = history(request_evidence("I1", "I2"), start=at_settlement())
    invalid(asked, not_held("I2", reason=None), "R33", "reason", guidance=SETTLEMENT)
    events = then(asked, not_held("I2"))
    assert len(events) == 1
    assert isinstance(events[0], EvidenceItemNotHeld)
    item = given(*asked, *events).evidence_requests[0].item("I2")
    assert item is not None
    assert item.not_held is True
    assert item.blob_key is None


def test_the_request_is_complete_only_when_every_item_is_answered() -> None:
    asked = history(request_evidence("I1", "I2", "I3"), start=at_settlement())
    one = history(upload("I1"), start=asked)
    two = history(not_held("I3"), start=one)
    assert [e.event_type for e in two[len(asked) :]] == [
        EvidenceItemUploaded.event_type,
        EvidenceItemNotHeld.event_type,
    ]
    assert given(*two).evidence_requests[0].completed_on is None
    last = then(two, upload("I2", today=date(2026, 4, 9)))
    assert last[-1] == EvidenceRequestCompleted(case_id=CASE_ID, request_id="EV1", completed_on=date(2026, 4, 9))
    assert given(*two, *last).evidence_requests[0].completed_on == date(2026, 4, 9)


def test_marking_the_last_item_not_held_completes_the_request() -> None:
    asked = history(request_evidence("I1"), start=at_settlement())
    events = then(asked, not_held("I1"))
    assert [e.event_type for e in events] == [EvidenceItemNotHeld.event_type, EvidenceRequestCompleted.event_type]


def test_evidence_answer_refusals() -> None:
    asked = history(request_evidence("I1", "I2"), start=at_settlement())
    refused(RuleViolation, asked, upload("I1", request_id="EV9"), "R33")
    refused(RuleViolation, asked, upload("I9"), "R33")
    refused(RuleViolation, asked, not_held("I9"), "R33")
    uploaded = history(upload("I1"), start=asked)
    problem = refused(RuleViolation, uploaded, upload("I1"), "R33")
    assert "uploaded" in problem.detail
    refused(RuleViolation, uploaded, not_held("I1"), "R33")
    marked = history(not_held("I2"), start=uploaded)
    problem = refused(RuleViolation, marked, upload("I2"), "R33")
    assert "marked not held" in problem.detail


def test_no_evidence_is_recorded_on_a_closed_case() -> None:
    asked = history(request_evidence("I1", "I2"), start=at_settlement())
    settled = history(
        propose(),
        provider_answers(True),
        complainant_says(True),
        start=history(upload("I1"), not_held("I2"), start=asked),
    )
    refused(RuleViolation, settled, upload("I1"), "R30")


# R33: the way forward


def test_way_forward_refused_before_evidence_is_requested_or_complete() -> None:
    problem = refused(RuleViolation, at_settlement(), propose(), "R33", SETTLEMENT)
    assert "no evidence was requested" in problem.detail
    partial = history(request_evidence("I1", "I2"), upload("I1"), start=at_settlement())
    problem = refused(RuleViolation, partial, propose(), "R33", SETTLEMENT)
    assert "still incomplete: EV1" in problem.detail


def test_ice_proposes_a_way_forward_once_the_evidence_is_complete() -> None:
    command = propose("P1", action("S1", date(2026, 5, 1)))
    events = then(evidence_complete(), command)
    assert events == [
        WayForwardProposed(
            case_id=CASE_ID,
            proposal_id="P1",
            proposed_on=date(2026, 4, 15),
            proposal=command.proposal,
            actions=command.actions,
        )
    ]
    state = given(*evidence_complete(), *events)
    proposal = state.proposal("P1")
    assert proposal is not None
    assert proposal.provider_agrees is None
    assert proposal.complainant_satisfied is None
    assert state.action("S1") is not None


def test_way_forward_refusals() -> None:
    refused(RuleViolation, at_resolution(), propose(), "R33", SETTLEMENT)
    proposed = history(propose("P1", action("S1")), start=evidence_complete())
    refused(Conflict, proposed, propose("P1"), "R33")
    invalid(evidence_complete(), propose("P2", action("S1"), action("S1")), "R33", "actions", "unique")
    error = invalid(proposed, propose("P2", action("S1")), "R33", "actions", "unique")
    assert "S1" in error.message
    invalid(evidence_complete(), propose(proposed_on=ACCEPTED - DAY), "R33", "proposed_on")
    invalid(evidence_complete(), propose(proposed_on=TODAY + DAY), "R33", "proposed_on")


def _settled_in(order: str) -> list[DomainEvent]:
    proposed = history(propose(), start=evidence_complete())
    if order == "provider_first":
        return history(provider_answers(True), complainant_says(True), start=proposed)
    return history(complainant_says(True), provider_answers(True), start=proposed)


def test_provider_agrees_then_complainant_satisfied_closes_settled_no_fault() -> None:
    proposed = history(propose(), start=evidence_complete())
    agreed = then(proposed, provider_answers(True))
    assert agreed == [
        WayForwardAnswered(case_id=CASE_ID, proposal_id="P1", provider_agrees=True, answered_on=date(2026, 4, 20))
    ]
    assert given(*proposed, *agreed).status is CaseStatus.SETTLEMENT
    satisfied = then([*proposed, *agreed], complainant_says(True))
    assert satisfied == [
        ComplainantSatisfactionRecorded(
            case_id=CASE_ID, proposal_id="P1", satisfied=True, recorded_on=date(2026, 4, 22)
        ),
        closed(IceStage.SETTLEMENT, Closure.SETTLED, date(2026, 4, 22)),
    ]
    state = given(*_settled_in("provider_first"))
    assert state.status is CaseStatus.CLOSED
    assert state.closure is Closure.SETTLED
    assert state.fee is None


def test_complainant_satisfied_then_provider_agrees_closes_settled_no_fault() -> None:
    proposed = history(complainant_says(True), start=history(propose(), start=evidence_complete()))
    events = then(proposed, provider_answers(True))
    assert events[-1] == closed(IceStage.SETTLEMENT, Closure.SETTLED, date(2026, 4, 20))
    assert given(*_settled_in("complainant_first")).closure is Closure.SETTLED


def test_provider_disagrees_the_case_stays_open_and_can_move_to_investigation() -> None:
    proposed = history(propose(), start=evidence_complete())
    disagreed = history(provider_answers(False), complainant_says(True), start=proposed)
    assert [e.event_type for e in disagreed[len(proposed) :]] == [
        WayForwardAnswered.event_type,
        ComplainantSatisfactionRecorded.event_type,
    ]
    state = given(*disagreed)
    assert state.status is CaseStatus.SETTLEMENT
    assert state.closure is None
    (moved,) = then(disagreed, move_on(moved_on=INVESTIGATION_FROM))
    assert isinstance(moved, MovedToNextStage)
    assert moved.to_stage is IceStage.INVESTIGATION


def test_complainant_not_satisfied_keeps_the_case_open() -> None:
    proposed = history(propose(), start=evidence_complete())
    events = history(complainant_says(False), provider_answers(True), start=proposed)
    assert not any(isinstance(e, CaseClosed) for e in events)
    assert given(*events).status is CaseStatus.SETTLEMENT


def test_a_second_proposal_after_the_first_failed() -> None:
    first = history(propose(), provider_answers(False), start=evidence_complete())
    settled = history(propose("P2"), provider_answers(True, "P2"), complainant_says(True, "P2"), start=first)
    assert given(*settled).closure is Closure.SETTLED


def test_answers_to_a_proposal_are_given_once_and_to_a_known_proposal() -> None:
    proposed = history(propose(), start=evidence_complete())
    refused(RuleViolation, proposed, provider_answers(True, "P9"), "R33")
    refused(RuleViolation, proposed, complainant_says(True, "P9"), "R33")
    answered = history(provider_answers(False), complainant_says(False), start=proposed)
    refused(RuleViolation, answered, provider_answers(True), "R33")
    refused(RuleViolation, answered, complainant_says(True), "R33")


def test_answers_belong_to_settlement() -> None:
    proposed = history(propose(), start=evidence_complete())
    moved = history(move_on(moved_on=INVESTIGATION_FROM), start=proposed)
    refused(RuleViolation, moved, provider_answers(True), "R33", SETTLEMENT)
    refused(RuleViolation, moved, complainant_says(True), "R33", SETTLEMENT)


def test_settlement_actions_are_monitored_but_do_not_close_the_case() -> None:
    proposed = history(
        propose("P1", action("S1", date(2026, 5, 1))), provider_answers(False), start=evidence_complete()
    )
    events = then(proposed, complete_action("S1", completed_on=date(2026, 4, 25)))
    assert events == [AgreedActionCompleted(case_id=CASE_ID, action_id="S1", completed_on=date(2026, 4, 25))]


def test_settlement_actions_are_completed_after_the_case_settled() -> None:
    settled = history(
        propose("P1", action("S1", date(2026, 5, 1))),
        provider_answers(True),
        complainant_says(True),
        start=evidence_complete(),
    )
    events = then(settled, complete_action("S1", completed_on=date(2026, 4, 30)))
    assert events == [AgreedActionCompleted(case_id=CASE_ID, action_id="S1", completed_on=date(2026, 4, 30))]


def test_items_are_answered_within_their_own_request() -> None:
    """A second request may reuse item ids: answering EV2/I1 leaves EV1/I1 as it was."""
    second = history(
        request_evidence("I1", request_id="EV2", requested_on=INVESTIGATION_FROM, latest_due_on=date(2026, 5, 8)),
        start=at_investigation(),
    )
    events = then(second, upload("I1", request_id="EV2", blob_key="ice/EV2/I1", today=date(2026, 5, 6)))
    assert events[-1] == EvidenceRequestCompleted(case_id=CASE_ID, request_id="EV2", completed_on=date(2026, 5, 6))
    state = given(*second, *events)
    first, again = state.evidence_requests
    assert first.item("I1") == given(*at_investigation()).evidence_requests[0].item("I1")
    assert first.completed_on == date(2026, 4, 8)
    item = again.item("I1")
    assert item is not None
    assert item.blob_key == "ice/EV2/I1"


def test_the_complainant_may_withdraw_at_any_stage_before_ice_concludes() -> None:
    """R5: withdrawn closes the case with no finding of fault and no fee, at whatever stage it was."""
    events = then(at_investigation(), withdraw())
    assert [type(e) for e in events] == [WithdrawalRecorded, CaseClosed]
    closed = events[1]
    assert isinstance(closed, CaseClosed)
    assert (closed.closure, closed.stage, closed.fault_found) == (Closure.WITHDRAWN, IceStage.INVESTIGATION, False)
    before_acceptance = then(history(record_referral()), withdraw())
    assert isinstance(before_acceptance[1], CaseClosed)
    assert before_acceptance[1].stage is None
    refused(RuleViolation, [*at_investigation(), *events], withdraw(), "R5")
    invalid(at_investigation(), withdraw(withdrawn_on=REFERRED - DAY), "R5", "withdrawn_on")


def withdraw(**overrides: Any) -> c.RecordWithdrawal:
    fields: dict[str, Any] = {"withdrawn_on": date(2026, 6, 1), "reason": None, "today": TODAY}
    fields.update(overrides)
    return c.RecordWithdrawal(**fields)
