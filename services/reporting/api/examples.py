"""Success-response examples of the reporting service's figures, shown in Swagger UI (issue 7).

Two IPES prime providers in the last quarter of 2026 (the ICE figures over the 2026-27 financial year), as a DWP MI
user sees them: the read model has applied every event up to the stated last one and is three events behind.
Each figure's CSV example is the same rows as CSV. tests/unit/test_openapi_examples.py validates each against
`Figure`.
"""

from __future__ import annotations

from typing import Any

from services.reporting.api.query import to_csv
from shared.http.examples import JSON, returns

ALPHA = "provider-alpha"
BETA = "provider-beta"
LAST_EVENT_AT = "2027-01-04T16:42:07Z"
Q4_2026 = {"date_from": "2026-10-01", "date_to": "2026-12-31"}
FY_2026 = {"date_from": "2026-04-01", "date_to": "2027-03-31"}
ICE_DATED_BY = "the date of each fact counted: referred, accepted, returned, closed, report date, assessed, paid"


def figure(name: str, dates: dict[str, str], dated_by: str, group_by: list[str], rows: list[JSON]) -> JSON:
    """A `Figure` answer: its columns are the groups, then the measures, in the rows' order."""
    return {
        "figure": name,
        **dates,
        "dated_by": dated_by,
        "group_by": group_by,
        "last_event_at": LAST_EVENT_AT,
        "events_behind": 3,
        "columns": list(rows[0]),
        "rows": rows,
    }


def figure_responses(example: JSON) -> dict[int | str, dict[str, Any]]:
    """A figure's success response: the JSON example, and the same rows as CSV."""
    csv = to_csv(example["columns"], example["rows"])
    return returns(example, also={"text/csv": {"schema": {"type": "string"}, "example": csv}})


COMPLAINTS_RECEIVED = figure(
    "complaints_received",
    Q4_2026,
    "received_on",
    ["provider", "month"],
    [
        {"provider": ALPHA, "month": "2026-10", "complaints": 41, "withdrawn": 2},
        {"provider": ALPHA, "month": "2026-11", "complaints": 37, "withdrawn": 1},
        {"provider": ALPHA, "month": "2026-12", "complaints": 29, "withdrawn": 0},
        {"provider": BETA, "month": "2026-10", "complaints": 18, "withdrawn": 1},
        {"provider": BETA, "month": "2026-11", "complaints": 22, "withdrawn": 0},
        {"provider": BETA, "month": "2026-12", "complaints": 15, "withdrawn": 1},
    ],
)
RESPONSES = figure(
    "responses",
    Q4_2026,
    "issued_on",
    ["provider", "stage"],
    [
        {"provider": ALPHA, "stage": 1, "responses": 96, "within_timescale": 88, "final_responses": 0},
        {"provider": ALPHA, "stage": 2, "responses": 14, "within_timescale": 12, "final_responses": 14},
        {"provider": BETA, "stage": 1, "responses": 51, "within_timescale": 49, "final_responses": 0},
        {"provider": BETA, "stage": 2, "responses": 6, "within_timescale": 6, "final_responses": 6},
    ],
)
OUTCOMES = figure(
    "outcomes",
    Q4_2026,
    "recorded_on",
    ["quarter", "outcome"],
    [
        {"quarter": "2026-Q4", "outcome": "apology", "elements": 58, "redress_pence": 0},
        {"quarter": "2026-Q4", "outcome": "corrective_action", "elements": 23, "redress_pence": 0},
        {"quarter": "2026-Q4", "outcome": "explanation", "elements": 112, "redress_pence": 0},
        {"quarter": "2026-Q4", "outcome": "financial_redress", "elements": 7, "redress_pence": 41_500},
    ],
)
DISSATISFACTIONS = figure(
    "dissatisfactions",
    Q4_2026,
    "raised_on",
    ["category"],
    [
        {"category": "b_not_given_the_information_i_need", "dissatisfactions": 64},
        {"category": "d_you_take_too_long", "dissatisfactions": 31},
        {"category": "e_youve_got_it_wrong", "dissatisfactions": 12},
    ],
)
STAGE_ESCALATIONS = figure(
    "stage_escalations",
    Q4_2026,
    "issued_on of the stage's response",
    ["provider", "stage"],
    [
        {"provider": ALPHA, "stage": 1, "answered": 96, "escalated": 14, "escalation_rate": 0.1458},
        {"provider": BETA, "stage": 1, "answered": 51, "escalated": 6, "escalation_rate": 0.1176},
    ],
)
ICE_ESCALATIONS = figure(
    "ice_escalations",
    Q4_2026,
    "issued_on of the final response",
    ["provider"],
    [
        {"provider": ALPHA, "final_responses": 14, "referred_to_ice": 3, "referral_rate": 0.2143},
        {"provider": BETA, "final_responses": 6, "referred_to_ice": 1, "referral_rate": 0.1667},
    ],
)
ICE_CASES = figure(
    "ice_cases",
    Q4_2026,
    ICE_DATED_BY,
    ["quarter"],
    [
        {
            "quarter": "2026-Q4",
            "referrals": 9,
            "referrals_eligible": 8,
            "referrals_flagged": 1,
            "accepted": 7,
            "declined": 1,
            "gateway_returns": 2,
            "gateway_passed": 6,
            "closed_at_resolution": 2,
            "closed_at_settlement": 1,
            "closed_by_final_report": 3,
            "closed_withdrawn": 1,
            "final_reports": 3,
            "upheld": 2,
            "partly_upheld": 1,
            "not_upheld": 1,
            "upheld_rate": 0.6667,
        }
    ],
)
ICE_FEES_AND_REDRESS = figure(
    "ice_fees_and_redress",
    Q4_2026,
    ICE_DATED_BY,
    ["provider"],
    [
        {
            "provider": ALPHA,
            "fees_raised": 2,
            "fees_raised_pence": 380_000,
            "fees_recovered_pence": 190_000,
            "fees_outstanding_pence": 190_000,
            "redress_owed_pence": 25_000,
            "redress_paid_pence": 25_000,
            "redress_outstanding_pence": 0,
            "phso_redress_owed_pence": 0,
            "phso_redress_paid_pence": 0,
            "phso_redress_outstanding_pence": 0,
        }
    ],
)
PHSO = figure(
    "phso",
    FY_2026,
    ICE_DATED_BY,
    ["nation"],
    [
        {
            "nation": "england",
            "phso_referrals": 3,
            "phso_accepted": 2,
            "accepted_before_ice_exhausted": 0,
            "phso_reports": 2,
            "phso_upheld": 1,
            "phso_not_upheld": 1,
            "phso_upheld_rate": 0.5,
        }
    ],
)


def _annual(provider: str, received: int, resolved: int, settled: int, upheld: int, partly: int, not_: int) -> JSON:
    investigated = upheld + not_
    return {
        "provider": provider,
        "complaints_received": received,
        "resolved": resolved,
        "settled": settled,
        "investigated": investigated,
        "upheld": upheld,
        "partly_upheld": partly,
        "not_upheld": not_,
        "upheld_rate": round(upheld / investigated, 4),
        "fees_raised_pence": upheld * 190_000,
        "fees_recovered_pence": (upheld - 1) * 190_000,
        "fees_outstanding_pence": 190_000,
        "redress_owed_pence": partly * 15_000,
        "redress_paid_pence": partly * 15_000,
    }


ICE_ANNUAL_SUMMARY = figure(
    "ice_annual_summary",
    FY_2026,
    ICE_DATED_BY,
    ["provider"],
    [_annual(ALPHA, 31, 9, 6, 7, 3, 5), _annual(BETA, 12, 4, 3, 2, 1, 2)],
)


def _open(provider: str, stage: str, overdue: int, due_soon: int, on_time: int, none: int) -> JSON:
    counts = {"overdue": overdue, "due_soon": due_soon, "on_time": on_time, "none": none}
    return {"provider": provider, "stage": stage, "open_complaints": sum(counts.values()), **counts}


OPEN_CASELOAD = figure(
    "open_caseload",
    {"date_from": "2027-01-05", "date_to": "2027-01-05"},
    "as_of: open on that date, with deadline statuses as they stood then",
    ["provider", "stage"],
    [
        _open(ALPHA, "1", 3, 5, 19, 0),
        _open(ALPHA, "2", 1, 1, 4, 0),
        _open(ALPHA, "ice", 0, 1, 5, 1),
        _open(ALPHA, "phso", 0, 0, 0, 2),
        _open(BETA, "1", 0, 2, 11, 0),
        _open(BETA, "ice", 0, 0, 2, 0),
    ],
)

FIGURES: dict[str, JSON] = {
    example["figure"]: example
    for example in (
        COMPLAINTS_RECEIVED,
        RESPONSES,
        OUTCOMES,
        DISSATISFACTIONS,
        STAGE_ESCALATIONS,
        ICE_ESCALATIONS,
        ICE_CASES,
        ICE_FEES_AND_REDRESS,
        PHSO,
        ICE_ANNUAL_SUMMARY,
        OPEN_CASELOAD,
    )
}
"""Every figure's example by its name (the `figure` field)."""
