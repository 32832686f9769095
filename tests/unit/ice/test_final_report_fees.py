"""The final report, the contribution to costs (fee), payments, evidence destruction and recommendations
(R35-R37, R39; 000 14.34-14.38; 001 Annex 1 2.11.3; 004 Part B 6-8)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from shared.decider import DomainEvent
from shared.errors import Conflict, NotFound, RuleViolation, ValidationProblem
from shared.ice import fees, reports
from shared.ice.events import (
    CaseClosed,
    ContributionToCostsAssessed,
    ElementFinding,
    EvidenceDestroyed,
    FinalReportIssued,
    PaymentRecorded,
    RecommendationActioned,
)
from shared.ice.fees import FeeRate
from shared.ice.state import FEE
from shared.ice.vocabulary import CaseStatus, Closure, IceStage, ReportOutcome
from tests.unit.ice.helpers import (
    CASE_ID,
    DAY,
    DEFAULT_RATE,
    DRAFTED,
    NOT_UPHELD,
    PARTLY_UPHELD,
    PROVIDER,
    REPORTED,
    SCHEDULE,
    TODAY,
    UPHELD,
    action_recommendation,
    agree_resolution,
    assess,
    assessed,
    at_investigation,
    at_resolution,
    comments,
    complainant_says,
    contract,
    destroy,
    drafted,
    evidence_complete,
    finding,
    given,
    history,
    invalid,
    issue_draft,
    issue_final,
    pay,
    propose,
    provider_answers,
    record_referral,
    redress,
    refused,
    reported,
    then,
)

INVESTIGATION = "000 14.32-14.33; 004 Part B 5"
PAYMENT = "001 Annex 1 2.11.3"
PAYMENTS_DUE = REPORTED + timedelta(days=28)


def investigated(
    let_or_renewed_on: date = date(2015, 6, 1), value_pence: int = 10_000_000, **final_overrides: object
) -> list[DomainEvent]:
    """A case under a contract with these terms, reported on at investigation."""
    start = history(record_referral(contract=contract(let_or_renewed_on, value_pence)))
    tail = drafted()[1:]  # the same journey after the referral
    return history(issue_final(**final_overrides), start=[*start, *tail])


def assessment(events: list[DomainEvent], schedule: tuple[FeeRate, ...] = SCHEDULE) -> ContributionToCostsAssessed:
    (event,) = then(events, assess(schedule=schedule))
    assert isinstance(event, ContributionToCostsAssessed)
    return event


# R35: the final report


@pytest.mark.parametrize(
    ("findings", "outcome", "fault_found"),
    [
        (UPHELD, ReportOutcome.UPHELD, True),
        (PARTLY_UPHELD, ReportOutcome.PARTLY_UPHELD, True),
        (NOT_UPHELD, ReportOutcome.NOT_UPHELD, False),
    ],
)
def test_final_report_outcome_closes_the_case(
    findings: tuple[ElementFinding, ...], outcome: ReportOutcome, fault_found: bool
) -> None:
    command = issue_final(findings=findings)
    events = then(drafted(), command)
    assert events == [
        FinalReportIssued(
            case_id=CASE_ID,
            report_id="FR1",
            report_date=REPORTED,
            findings=command.findings,
            outcome=outcome,
            recommendations=command.recommendations,
            redress=command.redress,
            payments_due_on=date(2026, 6, 29),
            provider_organisation_id=PROVIDER,
        ),
        CaseClosed(
            case_id=CASE_ID,
            stage=IceStage.INVESTIGATION,
            closure=Closure.FINAL_REPORT,
            closed_on=REPORTED,
            fault_found=fault_found,
        ),
    ]
    state = given(*drafted(), *events)
    assert state.status is CaseStatus.CLOSED
    assert state.closure is Closure.FINAL_REPORT
    assert state.final_report is not None
    assert state.final_report.outcome is outcome


def test_payments_fall_due_28_days_after_the_report_date() -> None:
    state = given(*reported(report_date=date(2026, 6, 15)))
    assert state.final_report is not None
    assert state.final_report.payments_due_on == date(2026, 7, 13)
    assert state.final_report.redress == (("C1", 25_000), ("K1", 4_250))


def test_report_outcome_counts_upheld_elements() -> None:
    assert reports.report_outcome((finding("E1", True),)) is ReportOutcome.UPHELD
    assert reports.report_outcome((finding("E1", True), finding("E2", False))) is ReportOutcome.PARTLY_UPHELD
    assert reports.report_outcome((finding("E1", False),)) is ReportOutcome.NOT_UPHELD


def test_the_final_report_is_issued_once() -> None:
    problem = refused(Conflict, reported(), issue_final(), "R35", "000 14.38")
    assert "already issued" in problem.detail


def test_the_final_report_follows_a_draft_at_investigation() -> None:
    refused(RuleViolation, at_investigation(), issue_final(), "R34", "000 14.33")
    refused(RuleViolation, evidence_complete(), issue_final(), "R35", INVESTIGATION)


def test_final_report_field_refusals() -> None:
    error = invalid(drafted(), issue_final(findings=(finding("E1", True),)), "R35", "findings")
    assert "E2" in error.message
    invalid(drafted(), issue_final(findings=(*UPHELD, finding("E3", True))), "R35", "findings")
    problem = refused(ValidationProblem, drafted(), issue_final(findings=(*UPHELD, finding("E1", False))), "R35")
    assert {e.field: e.rule for e in problem.errors} == {"findings": "unique"}
    invalid(drafted(), issue_final(redress=(redress("C1", 1), redress("C1", 2))), "R35", "redress", "unique")
    invalid(
        drafted(), issue_final(recommendations=issue_final().recommendations * 2), "R35", "recommendations", "unique"
    )
    error = invalid(drafted(), issue_final(redress=(redress(FEE, 100),)), "R35", "redress")
    assert "reserved" in error.message
    invalid(drafted(), issue_final(report_date=DRAFTED - DAY), "R35", "report_date")
    invalid(drafted(), issue_final(report_date=TODAY + DAY), "R35", "report_date")


def test_the_report_date_follows_the_latest_draft() -> None:
    revised = history(
        issue_draft("D2", issued_on=date(2026, 5, 25), latest_comments_due_on=date(2026, 6, 1)), start=drafted()
    )
    invalid(revised, issue_final(report_date=date(2026, 5, 24)), "R35", "report_date")


def test_there_is_no_appeal_against_the_final_report() -> None:
    with pytest.raises(RuleViolation) as caught:
        reports.no_appeal(given(*reported()))
    assert caught.value.status == 409
    assert caught.value.requirement == "R35"
    assert caught.value.guidance == "000 14.38"
    assert "no right of appeal" in caught.value.detail
    assert "PHSO" in caught.value.detail
    with pytest.raises(NotFound):
        reports.no_appeal(given())


# R36: the contribution to costs


@pytest.mark.parametrize(
    ("let_or_renewed_on", "value_pence", "due"),
    [
        (date(2011, 3, 31), 4_999_999, False),
        (date(2011, 3, 31), 5_000_000, False),
        (date(2011, 4, 1), 4_999_999, False),
        (date(2011, 4, 1), 5_000_000, True),
    ],
)
def test_fee_due_only_for_contracts_let_from_1_april_2011_valued_at_or_above_50000(
    let_or_renewed_on: date, value_pence: int, due: bool
) -> None:
    events = investigated(let_or_renewed_on, value_pence, findings=UPHELD)
    event = assessment(events)
    assert event.due is due
    assert event.amount_pence == (500_000 if due else 0)
    assert event.schedule_version == ("2011-04-01" if due else None)
    assert event.due_on == (PAYMENTS_DUE if due else None)
    assert event.rule_version == fees.RULE_VERSION
    if let_or_renewed_on < date(2011, 4, 1):
        assert "before 1 April 2011" in event.reason
    elif not due:
        assert "£49,999.99" in event.reason
        assert "below £50,000" in event.reason
    else:
        assert "£50,000.00" in event.reason
        assert "at or above £50,000" in event.reason


def test_fee_assessed_records_the_report_and_due_date() -> None:
    events = reported()
    event = assessment(events)
    assert event == ContributionToCostsAssessed(
        case_id=CASE_ID,
        report_id="FR1",
        due=True,
        amount_pence=500_000,
        reason=event.reason,
        rule_version=fees.RULE_VERSION,
        schedule_version="2011-04-01",
        due_on=PAYMENTS_DUE,
        assessed_on=REPORTED,
    )
    state = given(*events, event)
    assert state.fee is not None
    assert state.fee.due
    assert state.fee.amount_pence == 500_000
    assert state.owed(FEE) == 500_000


def test_no_fee_when_not_upheld() -> None:
    event = assessment(reported(findings=NOT_UPHELD))
    assert event.due is False
    assert event.amount_pence == 0
    assert event.due_on is None
    assert "not upheld" in event.reason
    assert event.rule_version == fees.RULE_VERSION
    assert given(*reported(findings=NOT_UPHELD), event).owed(FEE) is None


def test_fee_due_when_partly_upheld() -> None:
    event = assessment(reported(findings=PARTLY_UPHELD))
    assert event.due is True
    assert event.amount_pence == 500_000
    assert event.reason.startswith("partly_upheld at investigation")


def test_no_fee_when_no_contract_is_recorded() -> None:
    start = history(record_referral(contract=None))
    event = assessment(history(issue_final(), start=[*start, *drafted()[1:]]))
    assert event.due is False
    assert "no contract" in event.reason


def test_no_fee_at_stage_1_or_2_a_closed_case_without_a_final_report_is_not_assessed() -> None:
    resolved = history(agree_resolution(), start=at_resolution())
    settled = history(propose(), provider_answers(True), complainant_says(True), start=evidence_complete())
    for closed in (resolved, settled):
        state = given(*closed)
        assert state.status is CaseStatus.CLOSED
        assert state.final_report is None
        refused(RuleViolation, closed, assess(), "R36")
        invalid(closed, pay(FEE, 1), "R36", "target")


def test_assessment_names_the_report() -> None:
    problem = refused(RuleViolation, reported(), assess("FR9"), "R36")
    assert "FR9" in problem.detail
    refused(NotFound, [], assess(), "R30")


def test_the_fee_is_assessed_exactly_once_even_when_the_report_is_processed_twice() -> None:
    first = assessed()
    assert then(first, assess()) == []
    # A later schedule does not reassess either.
    assert then(first, assess(schedule=(FeeRate(version="x", effective_from=date(2011, 4, 1), amount_pence=1),))) == []
    assert then(history(assess(), start=first), assess()) == []


LATER_RATE = FeeRate(version="2026-06-01", effective_from=date(2026, 6, 1), amount_pence=550_000, source="review")


@pytest.mark.parametrize(
    ("report_date", "amount", "version"),
    [
        (date(2026, 5, 29), 500_000, "2011-04-01"),
        (date(2026, 6, 1), 550_000, "2026-06-01"),
        (date(2026, 7, 1), 550_000, "2026-06-01"),
    ],
)
def test_the_schedule_row_in_effect_on_the_report_date_applies(report_date: date, amount: int, version: str) -> None:
    schedule = (LATER_RATE, DEFAULT_RATE)  # order in the file does not matter
    event = assessment(reported(report_date=report_date), schedule)
    assert event.due is True
    assert event.amount_pence == amount
    assert event.schedule_version == version
    assert event.due_on == report_date + timedelta(days=28)
    assert f"schedule row of {version}" in event.reason


def test_no_fee_when_no_schedule_row_is_in_effect() -> None:
    event = assessment(reported(), (FeeRate(version="2030", effective_from=date(2030, 1, 1), amount_pence=1),))
    assert event.due is False
    assert event.schedule_version is None
    assert "2026-06-01" in event.reason


def test_rate_on_picks_the_latest_row_effective_on_the_day() -> None:
    schedule = (LATER_RATE, DEFAULT_RATE)
    assert fees.rate_on(schedule, date(2011, 3, 31)) is None
    assert fees.rate_on(schedule, date(2011, 4, 1)) == DEFAULT_RATE
    assert fees.rate_on(schedule, date(2026, 5, 31)) == DEFAULT_RATE
    assert fees.rate_on(schedule, date(2026, 6, 1)) == LATER_RATE


def test_the_default_schedule_is_5000_pounds_from_1_april_2011() -> None:
    (row,) = fees.default_schedule()
    assert row.effective_from == date(2011, 4, 1)
    assert row.amount_pence == 500_000
    assert row.version == "2011-04-01"


def test_an_annual_review_adds_a_row_to_the_schedule_file(tmp_path: Path) -> None:
    path = tmp_path / "fee_schedule.toml"
    path.write_text(
        fees.SCHEDULE_FILE.read_text()
        + '\n[[rates]]\nversion = "2026-06-01"\neffective_from = 2026-06-01\namount_pence = 550000\nsource = "review"\n'
    )
    schedule = fees.load_schedule(path)
    assert [r.version for r in schedule] == ["2011-04-01", "2026-06-01"]
    assert fees.rate_on(schedule, date(2026, 6, 1)) == LATER_RATE


# R36: payments of fee and redress


def test_partial_payments_add_up() -> None:
    events = history(pay(FEE, 200_000, "PAY1"), pay(FEE, 300_000, "PAY2"), start=assessed())
    assert events[-2:] == [
        PaymentRecorded(
            case_id=CASE_ID, payment_id="PAY1", target=FEE, amount_pence=200_000, paid_on=date(2026, 6, 10)
        ),
        PaymentRecorded(
            case_id=CASE_ID, payment_id="PAY2", target=FEE, amount_pence=300_000, paid_on=date(2026, 6, 10)
        ),
    ]
    state = given(*events)
    assert state.paid_to(FEE) == 500_000
    assert state.payment_ids == frozenset({"PAY1", "PAY2"})


def test_redress_items_are_paid_by_their_id() -> None:
    events = history(pay("C1", 25_000, "PAY1"), pay("K1", 4_000, "PAY2"), start=assessed())
    state = given(*events)
    assert state.paid_to("C1") == 25_000
    assert state.paid_to("K1") == 4_000
    assert state.paid_to(FEE) == 0


def test_an_overpayment_is_refused_naming_the_amount() -> None:
    part = history(pay(FEE, 200_000), start=assessed())
    error = invalid(part, pay(FEE, 300_001, "PAY2"), "R36", "amount_pence", guidance=PAYMENT)
    assert "300000" in error.message
    invalid(assessed(), pay("C1", 25_001), "R36", "amount_pence")


def test_a_payment_to_an_unknown_target_is_refused() -> None:
    error = invalid(assessed(), pay("X9", 100), "R36", "target")
    assert "X9" in error.message
    not_due = history(assess(), start=reported(findings=NOT_UPHELD))
    invalid(not_due, pay(FEE, 100), "R36", "target")
    invalid(reported(), pay(FEE, 100), "R36", "target")  # not yet assessed


def test_a_fully_paid_target_is_refused() -> None:
    paid = history(pay("C1", 25_000), start=assessed())
    error = invalid(paid, pay("C1", 1, "PAY2"), "R36", "target")
    assert "paid in full" in error.message


def test_a_payment_id_is_recorded_once() -> None:
    paid = history(pay("C1", 1_000), start=assessed())
    refused(Conflict, paid, pay("C1", 1_000), "R36")


def test_payment_amount_and_date_refusals() -> None:
    invalid(assessed(), pay("C1", 0), "R36", "amount_pence")
    invalid(assessed(), pay("C1", -5), "R36", "amount_pence")
    invalid(assessed(), pay("C1", 100, paid_on=TODAY + DAY), "R36", "paid_on")
    refused(NotFound, [], pay("C1", 100), "R30")


# R37: evidence destruction


def test_evidence_is_kept_until_the_case_concludes() -> None:
    refused(RuleViolation, drafted(), destroy("EV1/I1"), "R37", "004 Part B 8")
    assert reports.evidence_destroyable(given(*drafted())) == ()
    refused(NotFound, [], destroy("EV1/I1"), "R30")


def test_destruction_records_only_undestroyed_uploaded_items_and_runs_once() -> None:
    done = reported()
    assert reports.evidence_destroyable(given(*done)) == ("EV1/I1",)
    events = then(done, destroy("EV1/I1", "EV1/I2", "EV9/I1"))  # I2 was not held; EV9 does not exist
    assert events == [EvidenceDestroyed(case_id=CASE_ID, items=("EV1/I1",), destroyed_on=date(2026, 7, 1))]
    state = given(*done, *events)
    item = state.evidence_requests[0].item("I1")
    assert item is not None
    assert item.destroyed is True
    assert state.evidence_destroyed_on == date(2026, 7, 1)
    assert reports.evidence_destroyable(state) == ()
    assert then([*done, *events], destroy("EV1/I1")) == []


def test_evidence_of_a_settled_case_is_destroyed_too() -> None:
    settled = history(propose(), provider_answers(True), complainant_says(True), start=evidence_complete())
    (event,) = then(settled, destroy("EV1/I1"))
    assert isinstance(event, EvidenceDestroyed)
    assert event.items == ("EV1/I1",)


# R39: recommendations, systemic ones tracked until actioned


@pytest.mark.parametrize("recommendation_id", ["R-SYS", "R-1"])
def test_a_recommendation_is_actioned_once(recommendation_id: str) -> None:
    events = then(reported(), action_recommendation(recommendation_id))
    assert events == [
        RecommendationActioned(case_id=CASE_ID, recommendation_id=recommendation_id, actioned_on=date(2026, 7, 1))
    ]
    actioned = [*reported(), *events]
    assert given(*actioned).actioned_recommendations == frozenset({recommendation_id})
    problem = refused(RuleViolation, actioned, action_recommendation(recommendation_id), "R39")
    assert "already actioned" in problem.detail


def test_recommendation_refusals() -> None:
    refused(RuleViolation, reported(), action_recommendation("R-9"), "R39")
    refused(RuleViolation, drafted(), action_recommendation(), "R39")  # no final report yet
    invalid(reported(), action_recommendation(actioned_on=REPORTED - DAY), "R39", "actioned_on")
    invalid(reported(), action_recommendation(actioned_on=TODAY + DAY), "R39", "actioned_on")


def test_refusal_helpers_assert_the_problem_type() -> None:
    """The helper itself fails when the refusal is of another kind: the tests above can fail."""
    with pytest.raises(AssertionError):
        refused(Conflict, reported(), action_recommendation("R-9"), "R39")
    with pytest.raises(AssertionError):
        refused(RuleViolation, reported(), action_recommendation("R-9"), "R38")
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        refused(RuleViolation, reported(), action_recommendation(), "R39")


def test_the_report_waits_for_the_providers_comments_or_their_due_date() -> None:
    """000 14.33: comments are considered before the report is finalised."""
    drafted_events = drafted()
    due_on = given(*drafted_events).drafts[-1].comments_due_on
    problem = refused(RuleViolation, drafted_events, issue_final(report_date=due_on), "R34", "000 14.33")
    assert due_on.isoformat() in problem.detail
    assert then(drafted_events, issue_final(report_date=due_on + DAY))
    commented = history(comments(submitted_on=DRAFTED), start=drafted_events)
    assert then(commented, issue_final(report_date=DRAFTED))


def test_a_payment_cannot_precede_the_final_report() -> None:
    done = history(assess(), start=reported())
    report_date = given(*done).final_report
    assert report_date is not None
    invalid(done, pay(FEE, 100, paid_on=report_date.report_date - DAY), "R36", "paid_on")


def test_an_item_named_twice_is_destroyed_once() -> None:
    events = then(reported(), destroy("EV1/I1", "EV1/I1"))
    assert events == [EvidenceDestroyed(case_id=CASE_ID, items=("EV1/I1",), destroyed_on=date(2026, 7, 1))]
