"""What reporting counts about an ICE case (R50, R51): one dated fact per thing that happened.

`reporting.ice_facts` holds one row per fact: (case, fact, item, date, pence, target). A figure for a
date range counts the facts dated in it, so a case referred in March and closed in May counts as a
referral in March and a closure in May, the way the ICE annual report counts its year's work.
"""

from __future__ import annotations

from enum import StrEnum


class IceFact(StrEnum):
    REFERRAL_ELIGIBLE = "referral_eligible"
    """A referral received within the time limits (R23, R24)."""
    REFERRAL_FLAGGED = "referral_flagged"
    """A referral received outside them: flagged for ICE to decide (R30)."""
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RETURNED_TO_PROVIDER = "returned_to_provider"
    """A gateway return (000 14.24; 002 8.10): one per return, a case may be returned more than once."""
    GATEWAY_PASSED = "gateway_passed"
    CLOSED_RESOLVED = "closed_resolved"
    """Closed at stage 1, Resolution (000 14.29)."""
    CLOSED_SETTLED = "closed_settled"
    """Closed at stage 2, Settlement (000 14.31)."""
    CLOSED_FINAL_REPORT = "closed_final_report"
    """Closed at stage 3, Investigation, by the final report (000 14.33-14.38)."""
    CLOSED_WITHDRAWN = "closed_withdrawn"
    REPORT_UPHELD = "report_upheld"
    REPORT_PARTLY_UPHELD = "report_partly_upheld"
    REPORT_NOT_UPHELD = "report_not_upheld"
    FEE_RAISED = "fee_raised"
    """The contribution to costs assessed as due (R36); its pence are the fee."""
    FEE_PAID = "fee_paid"
    REDRESS_OWED = "redress_owed"
    """One redress item of a final report (001 Annex 1 2.11.3)."""
    REDRESS_PAID = "redress_paid"
    PHSO_REFERRAL = "phso_referral"
    PHSO_ACCEPTED = "phso_accepted"
    PHSO_ACCEPTED_BEFORE_ICE_EXHAUSTED = "phso_accepted_before_ice_exhausted"
    """Accepted by the ombudsman at its discretion before ICE had finished (001 ch.5); also an acceptance."""
    PHSO_UPHELD = "phso_upheld"
    PHSO_NOT_UPHELD = "phso_not_upheld"
    PHSO_REDRESS_OWED = "phso_redress_owed"
    """Additional redress of one PHSO recommendation (004 Part B 11)."""
    PHSO_REDRESS_PAID = "phso_redress_paid"


PAID_BY: dict[IceFact, IceFact] = {
    IceFact.FEE_RAISED: IceFact.FEE_PAID,
    IceFact.REDRESS_OWED: IceFact.REDRESS_PAID,
    IceFact.PHSO_REDRESS_OWED: IceFact.PHSO_REDRESS_PAID,
}
"""What is owed -> the payments that settle it (matched on the case and the target)."""

FEE_TARGET = "fee"
"""A payment's target when it pays the fee; otherwise a redress item's or PHSO recommendation's id."""

CLOSED_BY_CLOSURE: dict[str, IceFact] = {
    "resolved": IceFact.CLOSED_RESOLVED,
    "settled": IceFact.CLOSED_SETTLED,
    "final_report": IceFact.CLOSED_FINAL_REPORT,
    "withdrawn": IceFact.CLOSED_WITHDRAWN,
}

REPORT_BY_OUTCOME: dict[str, IceFact] = {
    "upheld": IceFact.REPORT_UPHELD,
    "partly_upheld": IceFact.REPORT_PARTLY_UPHELD,
    "not_upheld": IceFact.REPORT_NOT_UPHELD,
}
