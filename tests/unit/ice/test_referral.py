"""Referral and eligibility, acceptance, the gateway check, and ICE's requests to the provider (R30, R31)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from shared.decider import DomainEvent, encode
from shared.errors import Conflict, NotFound, RuleViolation, ValidationProblem
from shared.ice.commands import ComplaintFacts, RecordReferral
from shared.ice.decider import ICE_DECIDER, decide, evolve, ice_stream, is_terminal
from shared.ice.events import (
    ICE_CODEC,
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
from shared.ice.referral import eligibility
from shared.ice.state import IceCaseState
from shared.ice.vocabulary import CaseStatus, EligibilityBasis, IceStage, RequestKind
from shared.personal_data import open_value
from tests.unit.ice.helpers import (
    ACCEPTED,
    CASE_ID,
    CONFIRMED,
    DAY,
    ELEMENTS,
    FINAL_RESPONSE,
    GATEWAY_ASKED,
    GATEWAY_DUE,
    KEY,
    PASSED,
    PROVIDER,
    RECEIVED,
    REFERRED,
    STEPS,
    SUBJECT,
    TODAY,
    accept,
    answer,
    ask_comments,
    at_gateway,
    at_resolution,
    confirm,
    contract,
    decline,
    facts,
    fields_of,
    gateway_confirmed,
    given,
    history,
    invalid,
    make_request,
    pass_gateway,
    record_referral,
    referred,
    refused,
    report_revisited,
    return_to_provider,
    sealed,
    then,
)

# The stream and the decider's shape


def test_one_stream_per_referred_complaint() -> None:
    assert ice_stream(CASE_ID) == f"ice-{CASE_ID}"


def test_the_initial_state_is_no_case() -> None:
    assert ICE_DECIDER.initial_state == IceCaseState()
    assert given().exists is False
    assert is_terminal(given()) is False


def test_decide_rejects_a_command_of_another_stream_type() -> None:
    with pytest.raises(TypeError, match="not an ICE command"):
        decide(facts(), given())


def test_evolve_ignores_an_event_of_another_stream_type() -> None:
    class Foreign(DomainEvent):
        event_type = "test.foreign"

    state = given(*at_gateway())
    assert evolve(state, Foreign()) == state


def test_every_event_the_journeys_produce_round_trips_through_the_codec() -> None:
    from tests.unit.ice.helpers import assessed

    events = assessed()
    for event in events:
        assert ICE_CODEC.knows(event.event_type)
        assert type(event).model_validate(encode(event)) == event
    assert all(t.startswith("ice.") for t in ICE_CODEC.types)


def test_a_command_before_any_referral_is_not_found() -> None:
    for command in (accept(), decline(), make_request(), confirm(), pass_gateway(), answer()):
        refused(NotFound, [], command, "R30")


# R30: eligibility (R23, R24)


def test_final_response_within_six_months_is_eligible() -> None:
    (event,) = then([], record_referral(referred_on=date(2026, 8, 20)))
    assert isinstance(event, ReferralReceived)
    assert event.eligibility == Eligibility(eligible=True, basis=EligibilityBasis.FINAL_RESPONSE_WITHIN_SIX_MONTHS)


def test_final_response_the_day_after_six_months_is_flagged_with_the_reason() -> None:
    (event,) = then([], record_referral(referred_on=date(2026, 8, 21)))
    assert isinstance(event, ReferralReceived)
    assert event.eligibility.eligible is False
    assert event.eligibility.basis is None
    (flag,) = event.eligibility.flags
    assert "2026-08-20" in flag
    assert "R24" in flag
    assert "000 14.23" in flag


@pytest.mark.parametrize(
    ("final_response_on", "last_day"),
    [
        (date(2025, 8, 31), date(2026, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),  # a leap year
        (date(2025, 8, 29), date(2026, 2, 28)),
        (date(2026, 4, 30), date(2026, 10, 30)),
    ],
)
def test_six_month_window_clamps_to_the_end_of_a_shorter_month(final_response_on: date, last_day: date) -> None:
    complaint = facts(received_on=final_response_on - DAY * 30, final_response_on=final_response_on)
    assert eligibility(complaint, last_day).eligible is True
    late = eligibility(complaint, last_day + DAY)
    assert late.eligible is False
    assert last_day.isoformat() in late.flags[0]


def test_no_final_response_and_eight_weeks_passed_is_eligible() -> None:
    # Received Monday 5 January 2026: the eight weeks run to 2 March; the right arises after it (R23).
    complaint = facts(final_response_on=None)
    (event,) = then([], record_referral(complaint, referred_on=date(2026, 3, 3)))
    assert isinstance(event, ReferralReceived)
    assert event.eligibility == Eligibility(eligible=True, basis=EligibilityBasis.EIGHT_WEEKS_WITHOUT_FINAL_RESPONSE)


def test_no_final_response_and_eight_weeks_not_passed_is_flagged() -> None:
    complaint = facts(final_response_on=None)
    (event,) = then([], record_referral(complaint, referred_on=date(2026, 3, 2)))
    assert isinstance(event, ReferralReceived)
    assert event.eligibility.eligible is False
    (flag,) = event.eligibility.flags
    assert "2026-03-02" in flag
    assert "R23" in flag


# R30: the referral


def test_referral_records_the_complaint_facts_and_the_contract() -> None:
    (event,) = then([], record_referral())
    assert event == ReferralReceived(
        case_id=CASE_ID,
        complaint_id=CASE_ID,
        subject_id=str(SUBJECT),
        provider_organisation_id=PROVIDER,
        logged_by_organisation_id=PROVIDER,
        programme="ipes",
        nation="england",
        element_ids=ELEMENTS,
        complaint_received_on=RECEIVED,
        final_response_on=FINAL_RESPONSE,
        referred_on=REFERRED,
        contract=contract(),
        eligibility=Eligibility(eligible=True, basis=EligibilityBasis.FINAL_RESPONSE_WITHIN_SIX_MONTHS),
    )
    state = given(event)
    assert state.exists
    assert state.status is CaseStatus.REFERRED
    assert state.stage is None
    assert state.element_ids == ELEMENTS
    assert state.contract == contract()
    assert state.referred_on == REFERRED


def test_a_complaint_is_referred_once() -> None:
    refused(Conflict, referred(), record_referral(), "R30")


def test_a_withdrawn_complaint_cannot_be_referred() -> None:
    refused(RuleViolation, [], record_referral(facts(withdrawn=True)), "R30")


def test_the_gateway_examines_complaints_about_a_provider() -> None:
    invalid([], record_referral(facts(provider_organisation_id=None)), "R30", "complaint_id")


def test_referral_date_between_receipt_and_today() -> None:
    invalid([], record_referral(referred_on=RECEIVED - DAY), "R30", "referred_on")
    invalid([], record_referral(referred_on=TODAY + DAY), "R30", "referred_on")


# R30: acceptance


def test_an_eligible_referral_is_accepted_without_a_justification() -> None:
    events = then(referred(), accept())
    assert events == [ReferralAccepted(case_id=CASE_ID, accepted_on=ACCEPTED, justification=None)]
    state = given(*referred(), *events)
    assert state.status is CaseStatus.GATEWAY
    assert state.accepted_on == ACCEPTED


def test_accepting_a_late_referral_needs_a_justification() -> None:
    late = referred(final_response_on=date(2025, 8, 31), received_on=date(2025, 7, 1))
    flagged = given(*late).eligibility
    assert flagged is not None
    assert flagged.eligible is False
    assert flagged.flags
    error = invalid(late, accept(), "R30", "justification")
    assert "six months" in error.message


def test_a_late_referral_is_accepted_with_a_recorded_justification() -> None:
    late = referred(final_response_on=date(2025, 8, 31), received_on=date(2025, 7, 1))
    why = sealed("The complainant was in hospital for five months.")
    (event,) = then(late, accept(justification=why))
    assert isinstance(event, ReferralAccepted)
    assert event.justification is not None
    assert open_value(KEY, event.justification) == "The complainant was in hospital for five months."
    assert given(*late, event).status is CaseStatus.GATEWAY


def test_acceptance_date_between_referral_and_today() -> None:
    invalid(referred(), accept(accepted_on=REFERRED - DAY), "R30", "accepted_on")
    invalid(referred(), accept(accepted_on=TODAY + DAY, today=TODAY), "R30", "accepted_on")


def test_a_referral_is_decided_once() -> None:
    refused(RuleViolation, at_gateway(), accept(), "R30")
    refused(RuleViolation, at_gateway(), decline(), "R30")
    declined = history(decline(), start=referred())
    refused(RuleViolation, declined, accept(), "R30")


def test_declining_records_the_reason_and_ends_the_case() -> None:
    events = then(referred(), decline())
    assert len(events) == 1
    assert isinstance(events[0], ReferralDeclined)
    assert events[0].declined_on == ACCEPTED
    state = given(*referred(), *events)
    assert state.status is CaseStatus.DECLINED
    assert is_terminal(state) is True
    assert is_terminal(given(*at_gateway())) is False


def test_declining_needs_a_reason_and_a_date_in_range() -> None:
    invalid(referred(), decline(reason=None), "R30", "reason")
    invalid(referred(), decline(declined_on=REFERRED - DAY), "R30", "declined_on")
    invalid(referred(), decline(declined_on=TODAY + DAY), "R30", "declined_on")


def test_nothing_more_is_recorded_on_a_declined_or_unaccepted_referral() -> None:
    declined = history(decline(), start=referred())
    problem = refused(RuleViolation, declined, ask_comments(), "R30")
    assert "declined" in problem.detail
    problem = refused(RuleViolation, referred(), ask_comments(), "R30")
    assert "not yet accepted" in problem.detail


# R30: the gateway


def test_ice_asks_the_provider_to_confirm_each_step() -> None:
    events = then(at_gateway(), make_request())
    assert events == [
        RequestMade(
            case_id=CASE_ID,
            request_id="Q1",
            kind=RequestKind.CONFIRMATION,
            made_on=GATEWAY_ASKED,
            due_on=GATEWAY_DUE,
            steps=STEPS,
        )
    ]
    (request,) = given(*at_gateway(), *events).requests
    assert request.steps == STEPS
    assert request.answered_on is None


def test_a_confirmation_request_names_the_steps() -> None:
    invalid(at_gateway(), make_request(steps=()), "R30", "steps", guidance="000 14.25")


def test_a_confirmation_request_belongs_to_the_gateway() -> None:
    problem = refused(RuleViolation, at_resolution(), make_request(request_id="Q9"), "R30", "000 14.24; 002 8.10")
    assert "gateway" in problem.detail
    returned = history(make_request(), return_to_provider(), start=at_gateway())
    refused(RuleViolation, returned, make_request(request_id="Q9"), "R30")


def test_the_provider_confirms_the_steps() -> None:
    asked = history(make_request(), start=at_gateway())
    events = then(asked, confirm())
    assert events == [
        GatewayStepsConfirmed(case_id=CASE_ID, request_id="Q1", confirmed_on=CONFIRMED, steps=STEPS),
        RequestAnswered(case_id=CASE_ID, request_id="Q1", answered_on=CONFIRMED),
    ]
    state = given(*asked, *events)
    assert state.gateway_confirmed is True
    request = state.request("Q1")
    assert request is not None
    assert request.answered_on == CONFIRMED


def test_confirmation_refusals() -> None:
    asked = history(make_request(), ask_comments(), start=at_gateway())
    refused(RuleViolation, asked, confirm("Q404"), "R31")
    refused(RuleViolation, asked, confirm("Q2"), "R30")  # not a confirmation request
    invalid(asked, confirm(confirmed_on=GATEWAY_ASKED - DAY), "R30", "confirmed_on")
    invalid(asked, confirm(confirmed_on=TODAY + DAY), "R30", "confirmed_on")
    problem = refused(RuleViolation, gateway_confirmed(), confirm(), "R31")  # already answered
    assert CONFIRMED.isoformat() in problem.detail


def test_the_gateway_passes_once_the_provider_confirmed() -> None:
    events = then(gateway_confirmed(), pass_gateway())
    assert events == [GatewayPassed(case_id=CASE_ID, passed_on=PASSED)]
    state = given(*gateway_confirmed(), *events)
    assert state.status is CaseStatus.RESOLUTION
    assert state.stage is IceStage.RESOLUTION


def test_the_gateway_does_not_pass_without_confirmation() -> None:
    problem = refused(RuleViolation, at_gateway(), pass_gateway(), "R30", "000 14.24; 002 8.10")
    assert "confirmed" in problem.detail
    asked = history(make_request(), start=at_gateway())
    refused(RuleViolation, asked, pass_gateway(), "R30")


def test_the_gateway_passes_once() -> None:
    refused(RuleViolation, at_resolution(), pass_gateway(), "R30", "000 14.24; 002 8.10")


def test_passing_date_between_acceptance_and_today() -> None:
    invalid(gateway_confirmed(), pass_gateway(passed_on=ACCEPTED - DAY), "R30", "passed_on")
    invalid(gateway_confirmed(), pass_gateway(passed_on=TODAY + DAY), "R30", "passed_on")


def test_ice_returns_the_case_naming_the_steps_to_revisit() -> None:
    events = then(gateway_confirmed(), return_to_provider())
    assert len(events) == 1
    assert isinstance(events[0], ReturnedToProvider)
    assert events[0].steps == ("stage_1_response", "final_response")
    state = given(*gateway_confirmed(), *events)
    assert state.status is CaseStatus.RETURNED_TO_PROVIDER
    assert state.returned_steps == ("stage_1_response", "final_response")
    assert state.gateway_confirmed is False


def test_returning_needs_steps_and_a_date_in_range() -> None:
    invalid(at_gateway(), return_to_provider(steps=()), "R30", "steps", guidance="000 14.24; 002 8.10")
    invalid(at_gateway(), return_to_provider(returned_on=ACCEPTED - DAY), "R30", "returned_on")
    invalid(at_gateway(), return_to_provider(returned_on=TODAY + DAY), "R30", "returned_on")


def test_only_a_case_at_the_gateway_is_returned() -> None:
    refused(RuleViolation, at_resolution(), return_to_provider(), "R30")
    returned = history(return_to_provider(), start=at_gateway())
    refused(RuleViolation, returned, return_to_provider(), "R30")


def test_revisited_steps_must_cover_every_returned_step() -> None:
    returned = history(return_to_provider(), start=at_gateway())
    error = invalid(returned, report_revisited(steps=("stage_1_response",)), "R30", "steps")
    assert "final_response" in error.message
    error = invalid(
        returned, report_revisited(steps=("stage_1_response", "final_response", "acknowledged")), "R30", "steps"
    )
    assert "acknowledged" in error.message
    invalid(returned, report_revisited(reported_on=TODAY + DAY), "R30", "reported_on")


def test_revisited_steps_are_reported_only_on_a_returned_case() -> None:
    refused(RuleViolation, at_gateway(), report_revisited(), "R30")


def test_the_case_resumes_at_the_gateway_and_is_confirmed_again_before_it_passes() -> None:
    returned = history(make_request(), confirm(), return_to_provider(), start=at_gateway())
    refused(RuleViolation, returned, pass_gateway(), "R30")
    events = then(returned, report_revisited())
    assert events == [
        RevisitedStepsReported(
            case_id=CASE_ID, reported_on=date(2026, 3, 20), steps=("stage_1_response", "final_response")
        )
    ]
    resumed = [*returned, *events]
    state = given(*resumed)
    assert state.status is CaseStatus.GATEWAY
    assert state.returned_steps == ()
    assert state.gateway_confirmed is False
    # The earlier confirmation does not count: ICE asks again and the provider confirms again.
    refused(RuleViolation, resumed, pass_gateway(passed_on=date(2026, 3, 23)), "R30")
    again = history(
        make_request(request_id="Q3", made_on=date(2026, 3, 20), latest_due_on=date(2026, 3, 27)),
        confirm("Q3", confirmed_on=date(2026, 3, 23)),
        start=resumed,
    )
    assert then(again, pass_gateway(passed_on=date(2026, 3, 24))) == [
        GatewayPassed(case_id=CASE_ID, passed_on=date(2026, 3, 24))
    ]


def test_an_outstanding_confirmation_is_not_confirmed_while_the_case_is_returned() -> None:
    """A confirmation given while the provider is still revisiting steps would let the case pass the gateway
    without being confirmed again after the revisit."""
    returned = history(make_request(), return_to_provider(), start=at_gateway())
    refused(RuleViolation, returned, confirm(), "R30", "000 14.24; 002 8.10")
    resumed = history(report_revisited(), start=returned)
    refused(RuleViolation, resumed, pass_gateway(passed_on=date(2026, 3, 23)), "R30")


# R31: requests due in at most five working days


def test_a_request_with_no_due_date_is_due_on_the_latest_allowed() -> None:
    (event,) = then(at_gateway(), ask_comments())
    assert isinstance(event, RequestMade)
    assert event.due_on == GATEWAY_DUE
    assert event.kind is RequestKind.COMMENTS
    assert event.steps == ()


def test_an_earlier_due_date_is_kept() -> None:
    (event,) = then(at_gateway(), ask_comments(due_on=date(2026, 3, 6)))
    assert isinstance(event, RequestMade)
    assert event.due_on == date(2026, 3, 6)


def test_a_due_date_on_the_latest_allowed_is_kept() -> None:
    (event,) = then(at_gateway(), ask_comments(due_on=GATEWAY_DUE))
    assert isinstance(event, RequestMade)
    assert event.due_on == GATEWAY_DUE


def test_a_due_date_later_than_five_working_days_is_refused() -> None:
    error = invalid(at_gateway(), ask_comments(due_on=GATEWAY_DUE + DAY), "R31", "due_on", guidance="000 14.25")
    assert GATEWAY_DUE.isoformat() in error.message


def test_a_due_date_before_the_request_is_refused() -> None:
    invalid(at_gateway(), ask_comments(due_on=GATEWAY_ASKED - DAY), "R31", "due_on")


def test_request_date_between_acceptance_and_today() -> None:
    invalid(at_gateway(), ask_comments(made_on=ACCEPTED - DAY), "R31", "made_on")
    invalid(at_gateway(), ask_comments(made_on=TODAY + DAY), "R31", "made_on")


def test_requests_go_on_after_the_gateway_and_while_returned() -> None:
    (event,) = then(at_resolution(), make_request(request_id="Q5", kind=RequestKind.INFORMATION, steps=()))
    assert isinstance(event, RequestMade)
    assert event.kind is RequestKind.INFORMATION
    returned = history(return_to_provider(), start=at_gateway())
    assert len(then(returned, ask_comments())) == 1


def test_request_ids_are_unique() -> None:
    asked = history(ask_comments(), start=at_gateway())
    refused(Conflict, asked, ask_comments(), "R31")


def test_evidence_is_asked_for_item_by_item_not_by_a_plain_request() -> None:
    invalid(at_resolution(), make_request(request_id="Q5", kind=RequestKind.EVIDENCE, steps=()), "R33", "kind")


def test_steps_belong_only_to_a_confirmation_request() -> None:
    invalid(at_gateway(), make_request(kind=RequestKind.COMMENTS, steps=("acknowledged",)), "R30", "steps")


def test_the_provider_answers_a_request() -> None:
    asked = history(ask_comments(), start=at_gateway())
    events = then(asked, answer())
    assert events == [RequestAnswered(case_id=CASE_ID, request_id="Q2", answered_on=CONFIRMED)]
    request = given(*asked, *events).request("Q2")
    assert request is not None
    assert request.answered_on == CONFIRMED


def test_answer_refusals() -> None:
    asked = history(make_request(), ask_comments(), start=at_gateway())
    refused(RuleViolation, asked, answer("Q404"), "R31")
    problem = refused(RuleViolation, asked, answer("Q1"), "R30", "000 14.24; 002 8.10")
    assert "confirming the steps" in problem.detail
    invalid(asked, answer(answered_on=GATEWAY_ASKED - DAY), "R31", "answered_on")
    invalid(asked, answer(answered_on=TODAY + DAY), "R31", "answered_on")
    answered = history(answer(), start=asked)
    refused(RuleViolation, answered, answer(), "R31")


def test_a_refusal_names_every_broken_rule_at_once() -> None:
    problem = refused(
        ValidationProblem,
        at_gateway(),
        make_request(steps=(), made_on=TODAY + DAY, due_on=TODAY + DAY * 30),
        "R30",
    )
    assert fields_of(problem) == {"steps": "R30", "made_on": "R31", "due_on": "R31"}


def test_referral_command_and_state_are_frozen() -> None:
    command = record_referral()
    assert isinstance(command, RecordReferral)
    assert isinstance(command.complaint, ComplaintFacts)
    state = given(*at_gateway())
    with pytest.raises(AttributeError):
        state.status = CaseStatus.CLOSED  # type: ignore[misc]
    assert replace(state, status=CaseStatus.CLOSED).status is CaseStatus.CLOSED
