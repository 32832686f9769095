"""What an ICE case puts on a provider's worklist and before the watcher (R21, R26, R31, R36): pure, from its state."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.escalation.domain.ice_work import provider_work, still_owed
from services.escalation.projections.ice_cases import readable_ice_cases
from shared.complaints.deadlines import DeadlineStatus, Owner, Policy
from shared.ice.deadlines import IceStandards
from shared.ice.state import FEE, FeeState, FinalReportState, IceCaseState, RequestState
from shared.ice.vocabulary import CaseStatus, Closure, ReportOutcome, RequestKind
from shared.vocabulary import Nation

ACCEPTED = date(2026, 11, 2)  # a Monday
REQUEST = RequestState("gw", RequestKind.CONFIRMATION, made_on=ACCEPTED, due_on=date(2026, 11, 9))
EXAMINING = IceCaseState(exists=True, status=CaseStatus.GATEWAY, referred_on=ACCEPTED, accepted_on=ACCEPTED)
REPORT = FinalReportState(
    report_id="r1",
    report_date=date(2027, 3, 1),
    outcome=ReportOutcome.UPHELD,
    payments_due_on=date(2027, 3, 29),
    redress=(("redress-1", 25_000),),
    recommendations=(),
)
CLOSED_OWING = replace(
    EXAMINING,
    status=CaseStatus.CLOSED,
    closed_on=REPORT.report_date,
    closure=Closure.FINAL_REPORT,
    final_report=REPORT,
)


def _work(state: IceCaseState, today: date) -> dict[tuple[str, str | None], tuple[Owner, DeadlineStatus]]:
    found = provider_work(state, today, Nation.ENGLAND, Policy(), IceStandards())
    return {(d.kind.value, d.reference): (d.owner, d.status) for d in found}


def test_an_unanswered_request_is_the_providers_work_and_overdue_after_five_working_days():
    state = replace(EXAMINING, requests=(REQUEST,))
    assert still_owed(state)
    # ICE's own standards (R40) are ICE's work, not the provider's: only the request is.
    assert _work(state, date(2026, 11, 10)) == {("ice_request", "gw"): (Owner.PROVIDER, DeadlineStatus.OVERDUE)}


def test_a_case_the_provider_owes_nothing_on_is_not_open_however_long_ice_has_it():
    assert not still_owed(EXAMINING)
    answered = replace(REQUEST, answered_on=date(2026, 11, 6))
    assert not still_owed(replace(EXAMINING, requests=(answered,)))
    assert _work(replace(EXAMINING, requests=(answered,)), date(2026, 11, 10)) == {
        ("ice_request", "gw"): (Owner.PROVIDER, DeadlineStatus.MET)
    }


def test_a_closed_case_stays_open_while_a_payment_is_owed():
    assert still_owed(CLOSED_OWING)
    work = _work(CLOSED_OWING, date(2027, 3, 30))
    assert work == {("payment", "redress-1"): (Owner.PROVIDER, DeadlineStatus.OVERDUE)}


def test_a_closed_case_paid_in_full_or_a_declined_one_owes_nothing():
    paid = replace(CLOSED_OWING, paid_in_full=(("redress-1", date(2027, 3, 10)),))
    assert not still_owed(paid)
    assert not still_owed(replace(EXAMINING, status=CaseStatus.DECLINED))
    assert not still_owed(IceCaseState())


def test_a_fee_owed_after_the_report_keeps_the_case_open():
    owing = replace(CLOSED_OWING, final_report=replace(REPORT, redress=()), fee=FeeState(True, 120_000, None))
    assert still_owed(owing)
    assert ("payment", FEE) in _work(owing, date(2027, 3, 2))


def test_a_case_this_code_cannot_fold_is_left_out_not_fatal():
    """An event type of a newer release (after a rollback) must not stop every worklist and sweep."""
    row = {"complaint_id": "c-1", "timeline": "{}", "events": '[[1, "ice.something_new", 1, {}]]'}
    assert readable_ice_cases([row]) == []
