"""Management information (R50, R51): complaints received, responses, outcomes and dissatisfactions, for any
date range and grouping, JSON or CSV (the machinery is in api/query.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from services.reporting.api import examples
from services.reporting.api.examples import figure_responses
from services.reporting.api.query import COMMON, Dimension, Figure, FigureQuery, FigureSpec, answer
from shared.http.deps import CurrentPrincipal, PlatformDep
from shared.http.problems import problem_responses

router = APIRouter(prefix="/figures", tags=["reports"])


COMPLAINTS_RECEIVED = FigureSpec(
    name="complaints_received",
    source="reporting.complaints c",
    dated_by="received_on",
    date_column="c.received_on",
    measures=(
        ("complaints", "count(DISTINCT c.complaint_id)"),
        ("withdrawn", "count(DISTINCT c.complaint_id) FILTER (WHERE c.withdrawn_on IS NOT NULL)"),
    ),
)
RESPONSES = FigureSpec(
    name="responses",
    source="reporting.responses r JOIN reporting.complaints c ON c.complaint_id = r.complaint_id",
    dated_by="issued_on",
    date_column="r.issued_on",
    measures=(
        ("responses", "count(DISTINCT (r.complaint_id, r.stage))"),
        ("within_timescale", "count(DISTINCT (r.complaint_id, r.stage)) FILTER (WHERE r.issued_on <= r.due_on)"),
        ("final_responses", "count(DISTINCT (r.complaint_id, r.stage)) FILTER (WHERE r.final)"),
    ),
)
OUTCOMES = FigureSpec(
    name="outcomes",
    source="reporting.outcomes o JOIN reporting.complaints c ON c.complaint_id = o.complaint_id",
    dated_by="recorded_on",
    date_column="o.recorded_on",
    measures=(
        ("elements", "count(DISTINCT (o.complaint_id, o.element_id))"),
        ("redress_pence", "coalesce(sum(o.redress_pence), 0)::bigint"),
    ),
    category="el.category",
    category_join="JOIN reporting.elements el ON el.complaint_id = o.complaint_id AND el.element_id = o.element_id",
)
DISSATISFACTIONS = FigureSpec(
    name="dissatisfactions",
    source="reporting.dissatisfactions c",
    dated_by="raised_on",
    date_column="c.raised_on",
    measures=(("dissatisfactions", "count(*)"),),
    category="c.category",
    category_join="",
    unsupported=frozenset({Dimension.COMPLAINANT_KIND}),
)


@router.get(
    "/complaints-received",
    name="complaints-received",
    summary="Complaints received, grouped",
    description="Complaints received (by date received), and how many of them were withdrawn (R5) (000 14.19; "
    "004 Annex 2 §8). A complaint with elements in two categories counts once in each. " + COMMON,
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.COMPLAINTS_RECEIVED)},
)
async def complaints_received(
    q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep
) -> Any:
    return await answer(COMPLAINTS_RECEIVED, q, request, principal, platform)


@router.get(
    "/responses",
    name="responses",
    summary="Responses issued, and how many within the stated timescale",
    description="Responses issued (by date issued), with how many were issued within the stage's stated timescale "
    "from the complaint's process profile, and how many were final (R20, R50; 001 Annex 2 §4-5). `by_stage` "
    "adds a `stage` column. " + COMMON,
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.RESPONSES)},
)
async def responses(
    q: FigureQuery,
    request: Request,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    by_stage: Annotated[bool, Query(description="Group by stage too")] = False,
) -> Any:
    return await answer(RESPONSES, q, request, principal, platform, ("stage", "r.stage") if by_stage else None)


@router.get(
    "/outcomes",
    name="outcomes",
    summary="Outcomes by type, and redress",
    description="Elements resolved by each kind of outcome (explanation, assurance, information, apology, "
    "corrective action, financial redress) and the financial redress in pence, by the date recorded; an "
    "`outcome` column always (R8, R50; 001 Annex 2 5.5, 5.7). " + COMMON,
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.OUTCOMES)},
)
async def outcomes(q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep) -> Any:
    return await answer(OUTCOMES, q, request, principal, platform, ("outcome", "o.outcome"))


@router.get(
    "/dissatisfactions",
    name="dissatisfactions",
    summary="Dissatisfactions resolved as normal business",
    description="Expressions of dissatisfaction resolved on the spot, which are not complaints (R2; 004 Annex 2 "
    "Part A §2), by the date raised; not by complainant kind. " + COMMON,
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.DISSATISFACTIONS)},
)
async def dissatisfactions(q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep) -> Any:
    return await answer(DISSATISFACTIONS, q, request, principal, platform)
