"""The facts the projection draws from single ICE events (services/reporting/projections/ice.py), and the year the
annual summary covers; expected rows written out by hand."""

from __future__ import annotations

from datetime import date

from services.reporting.api.ice import YearBasis, year_range
from services.reporting.domain.ice_facts import IceFact
from services.reporting.projections.ice import FACTS_OF, FactRow
from shared.decider import DomainEvent
from shared.ice.vocabulary import Closure, IceStage, ReportOutcome
from tests.unit.reporting.journeys import (
    InMemoryLog,
    closed,
    fee,
    final_report,
    phso_accepted,
    phso_report,
    referral,
    returned,
)


def facts(*events: DomainEvent) -> list[FactRow]:
    rows: list[FactRow] = []
    for recorded in InMemoryLog().add(list(events)):
        rows.extend(FACTS_OF[recorded.type](recorded))
    return rows


def test_a_partly_upheld_final_report_is_one_report_and_one_row_per_redress_item() -> None:
    report = final_report("c1", "p1", "2026-06-15", ReportOutcome.PARTLY_UPHELD, {"r1": 10_000, "r2": 2_500})
    assert facts(report) == [
        FactRow("c1", IceFact.REPORT_PARTLY_UPHELD, "2026-06-15", "c1-report"),
        FactRow("c1", IceFact.REDRESS_OWED, "2026-06-15", "r1", 10_000, "r1"),
        FactRow("c1", IceFact.REDRESS_OWED, "2026-06-15", "r2", 2_500, "r2"),
    ]


def test_a_fee_not_due_is_no_fee_and_a_flagged_referral_is_flagged() -> None:
    assert facts(fee("c1", "2026-06-30", 0, due=False)) == []
    assert facts(fee("c1", "2026-06-30", 150_000)) == [
        FactRow("c1", IceFact.FEE_RAISED, "2026-06-30", "c1-report", 150_000, "fee")
    ]
    assert facts(referral("c1", "p1", "2026-04-15", eligible=False)) == [
        FactRow("c1", IceFact.REFERRAL_FLAGGED, "2026-04-15")
    ]


def test_each_gateway_return_counts_and_closure_names_the_stage() -> None:
    rows = facts(
        returned("c1", "2026-04-20"),
        returned("c1", "2026-04-28"),
        closed("c1", Closure.SETTLED, "2026-06-10", IceStage.SETTLEMENT),
    )
    assert rows == [
        FactRow("c1", IceFact.RETURNED_TO_PROVIDER, "2026-04-20", "1"),
        FactRow("c1", IceFact.RETURNED_TO_PROVIDER, "2026-04-28", "2"),
        FactRow("c1", IceFact.CLOSED_SETTLED, "2026-06-10"),
    ]


def test_the_phso_before_ice_is_exhausted_and_only_additional_redress_is_owed() -> None:
    rows = facts(
        phso_accepted("c1", "2026-06-06", ice_exhausted=False),
        phso_report("c1", "2026-08-15", upheld=True, redress={"pr1": 5_000, "pr2": 0}),
    )
    assert rows == [
        FactRow("c1", IceFact.PHSO_ACCEPTED, "2026-06-06"),
        FactRow("c1", IceFact.PHSO_ACCEPTED_BEFORE_ICE_EXHAUSTED, "2026-06-06"),
        FactRow("c1", IceFact.PHSO_UPHELD, "2026-08-15"),
        FactRow("c1", IceFact.PHSO_REDRESS_OWED, "2026-08-15", "pr1", 5_000, "pr1"),
    ]


def test_the_annual_summary_year_is_the_financial_year_unless_asked_for_the_calendar_one() -> None:
    assert year_range(2026, YearBasis.FINANCIAL) == (date(2026, 4, 1), date(2027, 3, 31))
    assert year_range(2026, YearBasis.CALENDAR) == (date(2026, 1, 1), date(2026, 12, 31))
