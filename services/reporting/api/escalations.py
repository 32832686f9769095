"""Escalation rates (R50; 004 Annex 2 Part A §8; 001 Annex 2 4.1): stage to stage, and provider to ICE.

Both are rates of a cohort: the responses issued in the date range, and how many of those complaints
went on (to the next stage, or to ICE), whenever they did, up to the last event included.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.reporting.api import examples
from services.reporting.api.examples import figure_responses
from services.reporting.api.query import COMMON, Figure, FigureQuery, FigureSpec, answer, rate
from shared.http.deps import CurrentPrincipal, PlatformDep
from shared.http.problems import problem_responses

router = APIRouter(prefix="/figures", tags=["reports"])

_ANSWERED = "count(DISTINCT (r.complaint_id, r.stage))"
_ESCALATED = f"{_ANSWERED} FILTER (WHERE x.complaint_id IS NOT NULL)"
STAGE_ESCALATIONS = FigureSpec(
    name="stage_escalations",
    source="""reporting.responses r JOIN reporting.complaints c ON c.complaint_id = r.complaint_id
              LEFT JOIN reporting.escalations x ON x.complaint_id = r.complaint_id AND x.from_stage = r.stage""",
    dated_by="issued_on of the stage's response",
    date_column="r.issued_on",
    measures=(
        ("answered", _ANSWERED),
        ("escalated", _ESCALATED),
        ("escalation_rate", rate(_ESCALATED, _ANSWERED)),
    ),
)

_FINAL = "count(DISTINCT r.complaint_id)"
_REFERRED = f"{_FINAL} FILTER (WHERE i.case_id IS NOT NULL)"
ICE_ESCALATIONS = FigureSpec(
    name="ice_escalations",
    source="""reporting.responses r JOIN reporting.complaints c ON c.complaint_id = r.complaint_id
              LEFT JOIN reporting.ice_cases i ON i.case_id = r.complaint_id""",
    dated_by="issued_on of the final response",
    date_column="r.issued_on",
    condition="r.final",
    measures=(
        ("final_responses", _FINAL),
        ("referred_to_ice", _REFERRED),
        ("referral_rate", rate(_REFERRED, _FINAL)),
    ),
)


@router.get(
    "/stage-escalations",
    name="stage-escalations",
    summary="Escalation rates, stage to stage",
    description="For each stage (a `stage` column always): the complaints answered at that stage in the date range "
    "(by the response's date), how many of them were escalated from it to the next stage (R20; 001 Annex 2 3.5), "
    "and the rate, escalated over answered, to four places (null when none were answered). Columns: the groups, "
    "`stage`, `answered`, `escalated`, `escalation_rate`. " + COMMON,
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.STAGE_ESCALATIONS)},
)
async def stage_escalations(
    q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep
) -> Any:
    return await answer(STAGE_ESCALATIONS, q, request, principal, platform, ("stage", "r.stage"))


@router.get(
    "/ice-escalations",
    name="ice-escalations",
    summary="Escalation rate, provider to ICE",
    description="The complaints given a final response in the date range (by its date), how many of them were "
    "referred to the Independent Case Examiner (R23, R24, R30), and the rate to four places. A referral made "
    "eight weeks after the complaint without a final response is counted in `/figures/ice-cases`, not here. "
    "Columns: the groups, `final_responses`, `referred_to_ice`, `referral_rate`. " + COMMON,
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.ICE_ESCALATIONS)},
)
async def ice_escalations(q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep) -> Any:
    return await answer(ICE_ESCALATIONS, q, request, principal, platform)
