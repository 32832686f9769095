"""ICE and PHSO figures (R50, R51; 000 14.19; 004 Annex 2 Part B 10-11), and the annual summary in the shape of
the ICE annual report: each counts the facts of `reporting.ice_facts` dated in the range.

What is outstanding is, of what fell due in the range, what is still unpaid at the last event included.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from services.reporting.api import examples
from services.reporting.api.examples import figure_responses
from services.reporting.api.query import (
    NOT_COMPLAINT_DIMENSIONS,
    Dimension,
    Figure,
    FigureParams,
    FigureQuery,
    FigureSpec,
    FormatQuery,
    answer,
    rate,
)
from services.reporting.domain.ice_facts import PAID_BY, IceFact
from shared.http.deps import CurrentPrincipal, PlatformDep
from shared.http.problems import problem_responses

router = APIRouter(prefix="/figures", tags=["reports"])

F = IceFact


def _in(*facts: IceFact) -> str:
    return "f.fact IN (" + ", ".join(f"'{fact.value}'" for fact in facts) + ")"


def count(*facts: IceFact) -> str:
    return f"count(*) FILTER (WHERE {_in(*facts)})"


def pence(*facts: IceFact) -> str:
    return f"coalesce(sum(f.amount_pence) FILTER (WHERE {_in(*facts)}), 0)::bigint"


def outstanding(owed: IceFact) -> str:
    return f"coalesce(sum(f.amount_pence - paid.pence) FILTER (WHERE {_in(owed)}), 0)::bigint"


_PAID_FACT = "CASE f.fact " + " ".join(f"WHEN '{o.value}' THEN '{p.value}'" for o, p in PAID_BY.items()) + " END"
ICE_SOURCE = "reporting.ice_facts f JOIN reporting.ice_cases c ON c.case_id = f.case_id"
MONEY_SOURCE = f"""{ICE_SOURCE} LEFT JOIN LATERAL (
    SELECT coalesce(sum(p.amount_pence), 0) AS pence FROM reporting.ice_facts p
    WHERE p.case_id = f.case_id AND p.target = f.target AND p.fact = {_PAID_FACT}) paid ON true"""
DATED_BY = "the date of each fact counted: referred, accepted, returned, closed, report date, assessed, paid"

REFERRALS = count(F.REFERRAL_ELIGIBLE, F.REFERRAL_FLAGGED)
REPORTS = count(F.REPORT_UPHELD, F.REPORT_PARTLY_UPHELD, F.REPORT_NOT_UPHELD)
UPHELD = count(F.REPORT_UPHELD, F.REPORT_PARTLY_UPHELD)
PHSO_REPORTS = count(F.PHSO_UPHELD, F.PHSO_NOT_UPHELD)


REFERRED = (F.REFERRAL_ELIGIBLE, F.REFERRAL_FLAGGED)
REPORTED = (F.REPORT_UPHELD, F.REPORT_PARTLY_UPHELD, F.REPORT_NOT_UPHELD)
CLOSED = (F.CLOSED_RESOLVED, F.CLOSED_SETTLED, F.CLOSED_FINAL_REPORT, F.CLOSED_WITHDRAWN)
GATEWAY = (F.ACCEPTED, F.DECLINED, F.RETURNED_TO_PROVIDER, F.GATEWAY_PASSED)
FEES = (F.FEE_RAISED, F.FEE_PAID)
REDRESS = (F.REDRESS_OWED, F.REDRESS_PAID)
PHSO_REDRESS = (F.PHSO_REDRESS_OWED, F.PHSO_REDRESS_PAID)
PHSO_CASES = (F.PHSO_REFERRAL, F.PHSO_ACCEPTED, F.PHSO_ACCEPTED_BEFORE_ICE_EXHAUSTED, F.PHSO_UPHELD, F.PHSO_NOT_UPHELD)


def _ice_spec(name: str, source: str, facts: tuple[IceFact, ...], measures: tuple[tuple[str, str], ...]) -> FigureSpec:
    """A figure over the facts it counts: a period with none of them has no row."""
    return FigureSpec(
        name=name,
        source=source,
        dated_by=DATED_BY,
        date_column="f.on_date",
        measures=measures,
        category_join="",
        unsupported=NOT_COMPLAINT_DIMENSIONS,
        condition=_in(*facts),
    )


ICE_CASES = _ice_spec(
    "ice_cases",
    ICE_SOURCE,
    (*REFERRED, *GATEWAY, *CLOSED, *REPORTED),
    (
        ("referrals", REFERRALS),
        ("referrals_eligible", count(F.REFERRAL_ELIGIBLE)),
        ("referrals_flagged", count(F.REFERRAL_FLAGGED)),
        ("accepted", count(F.ACCEPTED)),
        ("declined", count(F.DECLINED)),
        ("gateway_returns", count(F.RETURNED_TO_PROVIDER)),
        ("gateway_passed", count(F.GATEWAY_PASSED)),
        ("closed_at_resolution", count(F.CLOSED_RESOLVED)),
        ("closed_at_settlement", count(F.CLOSED_SETTLED)),
        ("closed_by_final_report", count(F.CLOSED_FINAL_REPORT)),
        ("closed_withdrawn", count(F.CLOSED_WITHDRAWN)),
        ("final_reports", REPORTS),
        ("upheld", UPHELD),
        ("partly_upheld", count(F.REPORT_PARTLY_UPHELD)),
        ("not_upheld", count(F.REPORT_NOT_UPHELD)),
        ("upheld_rate", rate(UPHELD, REPORTS)),
    ),
)
ICE_MONEY = _ice_spec(
    "ice_fees_and_redress",
    MONEY_SOURCE,
    (*FEES, *REDRESS, *PHSO_REDRESS),
    (
        ("fees_raised", count(F.FEE_RAISED)),
        ("fees_raised_pence", pence(F.FEE_RAISED)),
        ("fees_recovered_pence", pence(F.FEE_PAID)),
        ("fees_outstanding_pence", outstanding(F.FEE_RAISED)),
        ("redress_owed_pence", pence(F.REDRESS_OWED)),
        ("redress_paid_pence", pence(F.REDRESS_PAID)),
        ("redress_outstanding_pence", outstanding(F.REDRESS_OWED)),
        ("phso_redress_owed_pence", pence(F.PHSO_REDRESS_OWED)),
        ("phso_redress_paid_pence", pence(F.PHSO_REDRESS_PAID)),
        ("phso_redress_outstanding_pence", outstanding(F.PHSO_REDRESS_OWED)),
    ),
)
PHSO = _ice_spec(
    "phso",
    ICE_SOURCE,
    PHSO_CASES,
    (
        ("phso_referrals", count(F.PHSO_REFERRAL)),
        ("phso_accepted", count(F.PHSO_ACCEPTED)),
        ("accepted_before_ice_exhausted", count(F.PHSO_ACCEPTED_BEFORE_ICE_EXHAUSTED)),
        ("phso_reports", PHSO_REPORTS),
        ("phso_upheld", count(F.PHSO_UPHELD)),
        ("phso_not_upheld", count(F.PHSO_NOT_UPHELD)),
        ("phso_upheld_rate", rate(count(F.PHSO_UPHELD), PHSO_REPORTS)),
    ),
)
ANNUAL_SUMMARY = _ice_spec(
    "ice_annual_summary",
    MONEY_SOURCE,
    (*REFERRED, F.CLOSED_RESOLVED, F.CLOSED_SETTLED, *REPORTED, *FEES, *REDRESS),
    (
        ("complaints_received", REFERRALS),
        ("resolved", count(F.CLOSED_RESOLVED)),
        ("settled", count(F.CLOSED_SETTLED)),
        ("investigated", REPORTS),
        ("upheld", UPHELD),
        ("partly_upheld", count(F.REPORT_PARTLY_UPHELD)),
        ("not_upheld", count(F.REPORT_NOT_UPHELD)),
        ("upheld_rate", rate(UPHELD, REPORTS)),
        ("fees_raised_pence", pence(F.FEE_RAISED)),
        ("fees_recovered_pence", pence(F.FEE_PAID)),
        ("fees_outstanding_pence", outstanding(F.FEE_RAISED)),
        ("redress_owed_pence", pence(F.REDRESS_OWED)),
        ("redress_paid_pence", pence(F.REDRESS_PAID)),
    ),
)

ICE_COMMON = (
    "Each fact counts on its own date: a case referred in March and closed in May is a March referral and a May "
    "closure. Grouped by any of provider, contract, programme and nation (as the referral had them), and by month, "
    "quarter or year. JSON, or CSV with `format=csv` or `Accept: text/csv`. DWP MI, DWP, ICE and PHSO see every "
    "provider; a provider its own and its sub-contractors'; a Jobcentre the complaints it logged (R50, R51, R61)."
)


@router.get(
    "/ice-cases",
    name="ice-cases",
    summary="ICE referrals, gateway returns, cases closed at each stage, upheld rate",
    description="Referrals received by the Independent Case Examiner, within the time limits (`referrals_eligible`) "
    "or flagged outside them (R23, R24, R30); accepted and declined; gateway returns to the provider (each return "
    "counts) and gateway passes (000 14.24); cases closed at stage 1 Resolution, stage 2 Settlement, by the final "
    "report after stage 3 Investigation, or withdrawn; final reports, `upheld` (upheld or partly upheld), of which "
    "`partly_upheld`, `not_upheld`, and `upheld_rate` (upheld over final reports, four places). " + ICE_COMMON,
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.ICE_CASES)},
)
async def ice_cases(q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep) -> Any:
    return await answer(ICE_CASES, q, request, principal, platform)


@router.get(
    "/ice-fees-and-redress",
    name="ice-fees-and-redress",
    summary="ICE fees raised, recovered and outstanding; redress owed and paid",
    description="In pence: contributions to costs (fees) assessed as due (R36), by the date assessed, and how many; "
    "fee payments recovered, by the date paid; of the fees raised in the range, what is still outstanding; "
    "final-report redress owed (by report date), paid (by date paid) and outstanding (001 Annex 1 2.11.3; "
    "001 Annex 2 5.7); the same for additional redress the PHSO recommended. " + ICE_COMMON,
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.ICE_FEES_AND_REDRESS)},
)
async def ice_fees_and_redress(
    q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep
) -> Any:
    return await answer(ICE_MONEY, q, request, principal, platform)


@router.get(
    "/phso",
    name="phso",
    summary="PHSO referrals and outcomes",
    description="Referrals to the Parliamentary and Health Service Ombudsman (or in Northern Ireland the NI "
    "Ombudsman), acceptances, and of those how many before ICE was exhausted (001 ch.5); reports upheld and not "
    "upheld, and the upheld rate (R38; 004 Part B 11). " + ICE_COMMON,
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.PHSO)},
)
async def phso(q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep) -> Any:
    return await answer(PHSO, q, request, principal, platform)


class YearBasis(StrEnum):
    FINANCIAL = "financial"
    """1 April to 31 March, the year the ICE annual report covers."""
    CALENDAR = "calendar"


def year_range(year: int, basis: YearBasis) -> tuple[date, date]:
    if basis is YearBasis.FINANCIAL:
        return date(year, 4, 1), date(year + 1, 3, 31)
    return date(year, 1, 1), date(year, 12, 31)


@router.get(
    "/ice-annual-summary",
    name="ice-annual-summary",
    summary="The annual summary, in the shape of the ICE annual report",
    description="Per provider, for one year: complaints received by ICE (referrals), cases resolved (stage 1), "
    "settled (stage 2) and investigated (final reports), `upheld` (upheld or partly upheld), of which "
    "`partly_upheld`, `not_upheld`, the upheld rate, fees raised, recovered and outstanding, and redress owed and "
    "paid, in pence (R51; 004 Annex 2 Part B 10). `year=2026` is 1 April 2026 to 31 March 2027, or with "
    "`basis=calendar` the calendar year. Each fact counts in the year of its own date. JSON, or CSV with "
    "`format=csv` or `Accept: text/csv`; who sees which providers as for the other figures (R61).",
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.ICE_ANNUAL_SUMMARY)},
)
async def ice_annual_summary(
    year: Annotated[int, Query(ge=2000, le=2100, description="The year (a financial year starts on 1 April)")],
    request: Request,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    basis: YearBasis = YearBasis.FINANCIAL,
    format: FormatQuery = None,
) -> Any:
    date_from, date_to = year_range(year, basis)
    q = FigureParams(date_from, date_to, [Dimension.PROVIDER], None, format)
    return await answer(ANNUAL_SUMMARY, q, request, principal, platform)
