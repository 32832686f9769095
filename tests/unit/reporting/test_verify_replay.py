"""The verify tool's own recomputation (R52), in memory: crafted journeys in, figures worked out by hand out."""

from __future__ import annotations

from shared.decider import DomainEvent
from tests.unit.reporting.journeys import (
    EscalationWorld,
    IceWorld,
    InMemoryLog,
    accepted,
    escalation_journeys,
    ice_journeys,
    payment,
    referral,
)
from tools.verify_reporting import Replayed, escalation_figures, ice_figures, ratio


def replayed(events: list[DomainEvent]) -> Replayed:
    r = Replayed()
    for event in InMemoryLog().add(events):
        r.apply(event)
    return r


def test_ice_journeys_give_the_hand_counted_figures() -> None:
    w = IceWorld(prime="prime-p", sub="sub-s")
    figures = ice_figures(replayed(ice_journeys(w)))
    # a, b, c, d are the prime's: 3 eligible (a, c, d) and b flagged; d declined; b returned twice; a resolved,
    # b settled, c partly upheld by the final report.
    assert figures["ice_cases"][("prime-p",)] == {
        "referrals": 4,
        "referrals_eligible": 3,
        "referrals_flagged": 1,
        "accepted": 3,
        "declined": 1,
        "gateway_returns": 2,
        "gateway_passed": 3,
        "closed_at_resolution": 1,
        "closed_at_settlement": 1,
        "closed_by_final_report": 1,
        "closed_withdrawn": 0,
        "final_reports": 1,
        "upheld": 1,
        "partly_upheld": 1,
        "not_upheld": 0,
        "upheld_rate": 1.0,
    }
    # c: fee 1,500.00 of which 1,000.00 paid; redress 100.00 + 25.00, 100.00 paid; PHSO 50.00 paid, 0 not owed.
    assert figures["ice_fees_and_redress"][("prime-p",)] == {
        "fees_raised": 1,
        "fees_raised_pence": 150_000,
        "fees_recovered_pence": 100_000,
        "fees_outstanding_pence": 50_000,
        "redress_owed_pence": 12_500,
        "redress_paid_pence": 10_000,
        "redress_outstanding_pence": 2_500,
        "phso_redress_owed_pence": 5_000,
        "phso_redress_paid_pence": 5_000,
        "phso_redress_outstanding_pence": 0,
    }
    # e: no fee due and no redress, so the sub-contractor has no row of fees and redress at all.
    assert ("sub-s",) not in figures["ice_fees_and_redress"]
    assert figures["phso"][("sub-s",)] == {
        "phso_referrals": 1,
        "phso_accepted": 1,
        "accepted_before_ice_exhausted": 1,
        "phso_reports": 1,
        "phso_upheld": 0,
        "phso_not_upheld": 1,
        "phso_upheld_rate": 0.0,
    }


def test_a_payment_of_nothing_owed_and_facts_of_an_unreferred_case_are_not_counted() -> None:
    cases = ice_figures(replayed([accepted("never-referred", "2026-05-01"), referral("c1", "p1", "2026-05-01")]))
    assert list(cases["ice_cases"]) == [("p1",)]
    assert (cases["ice_cases"][("p1",)]["referrals"], cases["ice_cases"][("p1",)]["accepted"]) == (1, 0)
    unmatched = replayed([referral("c1", "p1", "2026-05-01"), payment("c1", "no-such-redress", 100, "2026-05-02")])
    assert ice_figures(unmatched)["ice_fees_and_redress"] == {}


def test_escalation_journeys_give_the_hand_counted_rates() -> None:
    w = EscalationWorld(provider="prov-q")
    figures = escalation_figures(replayed(escalation_journeys(w)))
    # Stage 1 answered for k1..k5, escalated for k1, k2, k5; stage 2 answered for k1, k2, escalated for none.
    assert figures["stage_escalations"] == {
        ("prov-q", 1): {"answered": 5, "escalated": 3, "escalation_rate": 0.6},
        ("prov-q", 2): {"answered": 2, "escalated": 0, "escalation_rate": 0.0},
    }
    # Final responses: k1, k2 (stage 2), k4 (stage 1); k1 and k4 went to ICE.
    assert figures["ice_escalations"] == {
        ("prov-q",): {"final_responses": 3, "referred_to_ice": 2, "referral_rate": 0.6667}
    }


def test_a_ratio_rounds_half_up_to_four_places_and_is_none_over_nothing() -> None:
    assert ratio(1, 32) == 0.0313  # 0.03125: half up, as PostgreSQL's round(numeric) does
    assert ratio(2, 3) == 0.6667
    assert ratio(0, 0) is None
