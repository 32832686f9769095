"""The ombudsman after ICE: referral via an MP (an MLA in Northern Ireland), acceptance, report, recommendations
with additional redress tracked to completion (R38; 000 14.38; 001 ch.5; 004 Part B 11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from shared.decider import DomainEvent
from shared.errors import Conflict, NotFound, RuleViolation
from shared.ice.events import (
    FinalReportIssued,
    PaymentRecorded,
    PhsoAccepted,
    PhsoRecommendation,
    PhsoRecommendationCompleted,
    PhsoReferralReceived,
    PhsoReportIssued,
)
from shared.ice.vocabulary import PhsoRoute
from tests.unit.ice.helpers import (
    CASE_ID,
    DAY,
    REFERRED,
    TODAY,
    accept_phso,
    assessed,
    at_gateway,
    complete_phso,
    drafted,
    given,
    history,
    invalid,
    issue_final,
    pay,
    phso_recommendation,
    phso_report,
    redress,
    refer_to_phso,
    referred,
    refused,
    reported,
    then,
)

PHSO = "000 14.38; 001 ch.5"
REFERRED_TO_PHSO = date(2026, 7, 1)
PHSO_ACCEPTED = date(2026, 7, 15)
PHSO_REPORTED = date(2026, 9, 1)


def phso_reported(*recommendations: PhsoRecommendation, start: list[DomainEvent] | None = None) -> list[DomainEvent]:
    recs = recommendations or (phso_recommendation("PR1", 15_000), phso_recommendation("PR2"))
    return history(refer_to_phso(), accept_phso(), phso_report(*recs), start=start or assessed())


# Referral: the route matches the nation


@pytest.mark.parametrize(
    ("nation", "route"),
    [
        ("england", PhsoRoute.PHSO_VIA_MP),
        ("wales", PhsoRoute.PHSO_VIA_MP),
        ("scotland", PhsoRoute.PHSO_VIA_MP),
        ("northern_ireland", PhsoRoute.NI_OMBUDSMAN_VIA_MLA),
    ],
)
def test_the_route_matches_the_nation(nation: str, route: PhsoRoute) -> None:
    command = refer_to_phso(route)
    events = then(referred(nation=nation), command)
    assert events == [
        PhsoReferralReceived(
            case_id=CASE_ID, route=route, referred_on=REFERRED_TO_PHSO, member_name=command.member_name
        )
    ]
    phso = given(*referred(nation=nation), *events).phso
    assert phso is not None
    assert phso.route is route
    assert phso.accepted_on is None


@pytest.mark.parametrize(
    ("nation", "route", "says"),
    [
        ("northern_ireland", PhsoRoute.PHSO_VIA_MP, "MLA"),
        ("england", PhsoRoute.NI_OMBUDSMAN_VIA_MLA, "MP"),
        ("scotland", PhsoRoute.NI_OMBUDSMAN_VIA_MLA, "MP"),
    ],
)
def test_a_route_not_matching_the_nation_is_refused(nation: str, route: PhsoRoute, says: str) -> None:
    error = invalid(referred(nation=nation), refer_to_phso(route), "R38", "route", guidance=PHSO)
    assert says in error.message


def test_referral_to_the_ombudsman_refusals() -> None:
    refused(NotFound, [], refer_to_phso(), "R30")
    once = history(refer_to_phso(), start=referred())
    refused(Conflict, once, refer_to_phso(), "R38")
    invalid(referred(), refer_to_phso(referred_on=REFERRED - DAY), "R38", "referred_on")
    invalid(referred(), refer_to_phso(referred_on=TODAY + DAY), "R38", "referred_on")


# Acceptance: possibly before ICE is exhausted, flagged


@pytest.mark.parametrize("start", [referred, at_gateway, drafted], ids=["referred", "gateway", "investigation"])
def test_acceptance_before_ice_closed_is_flagged_not_exhausted(start: Callable[[], list[DomainEvent]]) -> None:
    before = history(refer_to_phso(), start=start())
    events = then(before, accept_phso())
    assert events == [PhsoAccepted(case_id=CASE_ID, accepted_on=PHSO_ACCEPTED, ice_exhausted=False)]
    phso = given(*before, *events).phso
    assert phso is not None
    assert phso.ice_exhausted is False
    assert phso.accepted_on == PHSO_ACCEPTED


def test_acceptance_after_ice_closed_is_exhausted() -> None:
    after = history(refer_to_phso(), start=reported())
    events = then(after, accept_phso())
    assert events == [PhsoAccepted(case_id=CASE_ID, accepted_on=PHSO_ACCEPTED, ice_exhausted=True)]


def test_acceptance_refusals() -> None:
    refused(RuleViolation, reported(), accept_phso(), "R38")  # not referred to the ombudsman
    refused(NotFound, [], accept_phso(), "R30")
    asked = history(refer_to_phso(), start=reported())
    invalid(asked, accept_phso(accepted_on=REFERRED_TO_PHSO - DAY), "R38", "accepted_on")
    invalid(asked, accept_phso(accepted_on=TODAY + DAY), "R38", "accepted_on")
    accepted = history(accept_phso(), start=asked)
    refused(RuleViolation, accepted, accept_phso(), "R38")


# The ombudsman's report and its recommendations


def test_the_report_records_recommendations_with_additional_redress() -> None:
    accepted = history(refer_to_phso(), accept_phso(), start=assessed())
    command = phso_report(phso_recommendation("PR1", 15_000), phso_recommendation("PR2"))
    events = then(accepted, command)
    assert events == [
        PhsoReportIssued(case_id=CASE_ID, issued_on=PHSO_REPORTED, upheld=True, recommendations=command.recommendations)
    ]
    state = given(*accepted, *events)
    assert state.phso is not None
    assert state.phso.recommendations == (("PR1", 15_000), ("PR2", 0))
    assert state.owed("PR1") == 15_000
    assert state.owed("PR2") is None  # no redress in it: nothing to pay


def test_additional_redress_is_a_payment_target() -> None:
    done = phso_reported()
    events = then(done, pay("PR1", 10_000, "PAY-PR1"))
    assert events == [
        PaymentRecorded(
            case_id=CASE_ID, payment_id="PAY-PR1", target="PR1", amount_pence=10_000, paid_on=date(2026, 6, 10)
        )
    ]
    part = [*done, *events]
    invalid(part, pay("PR1", 5_001, "PAY-PR1b"), "R36", "amount_pence")
    paid = history(pay("PR1", 5_000, "PAY-PR1b"), start=part)
    assert given(*paid).paid_to("PR1") == 15_000
    invalid(paid, pay("PR1", 1, "PAY-PR1c"), "R36", "target")
    invalid(done, pay("PR2", 1, "PAY-PR2"), "R36", "target")


def test_report_refusals() -> None:
    asked = history(refer_to_phso(), start=reported())
    refused(RuleViolation, asked, phso_report(), "R38")  # not accepted yet
    refused(RuleViolation, reported(), phso_report(), "R38")  # not referred
    accepted = history(accept_phso(), start=asked)
    invalid(
        accepted,
        phso_report(phso_recommendation("PR1"), phso_recommendation("PR1")),
        "R38",
        "recommendations",
        "unique",
        guidance=PHSO,
    )
    invalid(accepted, phso_report(issued_on=PHSO_ACCEPTED - DAY), "R38", "issued_on")
    invalid(accepted, phso_report(issued_on=TODAY + DAY), "R38", "issued_on")
    issued = history(phso_report(phso_recommendation("PR1")), start=accepted)
    refused(Conflict, issued, phso_report(), "R38")


def test_each_recommendation_is_completed_by_the_provider() -> None:
    done = phso_reported()
    first = then(done, complete_phso("PR2"))
    assert first == [
        PhsoRecommendationCompleted(case_id=CASE_ID, recommendation_id="PR2", completed_on=date(2026, 9, 15))
    ]
    both = history(complete_phso("PR1", completed_on=date(2026, 9, 20)), start=[*done, *first])
    phso = given(*both).phso
    assert phso is not None
    assert phso.completed == frozenset({"PR1", "PR2"})
    refused(RuleViolation, both, complete_phso("PR1"), "R38")


def test_completion_refusals() -> None:
    done = phso_reported()
    refused(RuleViolation, done, complete_phso("PR9"), "R38")
    accepted_only = history(refer_to_phso(), accept_phso(), start=reported())
    refused(RuleViolation, accepted_only, complete_phso("PR1"), "R38")  # no report yet
    refused(RuleViolation, reported(), complete_phso("PR1"), "R38")  # not referred
    invalid(
        done, complete_phso("PR1", completed_on=PHSO_REPORTED - DAY), "R38", "completed_on", guidance="004 Part B 11"
    )
    invalid(done, complete_phso("PR1", completed_on=TODAY + DAY), "R38", "completed_on")


@pytest.mark.parametrize("taken", ["C1", "K1", "fee"])
def test_a_recommendation_id_already_used_for_payments_is_refused(taken: str) -> None:
    """Additional redress is paid by recommendation id: reusing a redress id or the fee would pay the wrong thing."""
    accepted = history(refer_to_phso(), accept_phso(), start=assessed())
    error = invalid(accepted, phso_report(phso_recommendation(taken, 15_000)), "R38", "recommendations", guidance=PHSO)
    assert taken in error.message


def test_a_final_report_redress_id_already_used_by_the_ombudsman_is_refused() -> None:
    """The ombudsman may report before ICE has finished (001 ch.5); the final report then avoids its ids."""
    early = history(refer_to_phso(), accept_phso(), phso_report(phso_recommendation("C1", 15_000)), start=drafted())
    error = invalid(early, issue_final(), "R35", "redress")
    assert "C1" in error.message
    events = then(early, issue_final(redress=(redress("C2", 25_000),)))
    assert isinstance(events[0], FinalReportIssued)
    state = given(*early, *events)
    assert state.owed("C1") == 15_000
    assert state.owed("C2") == 25_000
