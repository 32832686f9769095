"""The ombudsman after ICE (R38; 000 14.38; 001 ch.5; 004 Part B 11)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.ice_gateway import handlers
from services.ice_gateway.api import schemas as s
from services.ice_gateway.api.common import CONCURRENCY, CaseId, RefId, answer, visible
from services.ice_gateway.api.examples import CASE, returns
from services.ice_gateway.views import IceCaseOut
from shared.http.deps import CommandContextDep, IdempotencyKeyHeader, IfMatch, PlatformDep
from shared.http.problems import problem_responses

router = APIRouter(prefix="/ice-cases", tags=["phso"])
R = {**problem_responses(403, 404, 409, 412, 422), **returns(CASE)}


@router.post(
    "/{case_id}/phso-referral",
    name="refer",
    summary="The ombudsman receives the case",
    description="The complainant asked an MP to take the case to the PHSO; in Northern Ireland an MLA takes it to the "
    "NI Ombudsman (R38; 000 14.38; 001 ch.5). Recorded by the ombudsman's office, which from then on sees the "
    "case." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def refer(
    case_id: CaseId,
    body: s.PhsoReferralIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    handlers.as_phso(ctx.principal)
    loaded = await handlers.load_case(platform, str(case_id))
    if not loaded.state.exists:
        raise handlers.not_found(str(case_id))
    await handlers.refer_to_phso(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/phso-acceptance",
    name="accept",
    summary="The ombudsman accepts the case",
    description="The ombudsman may accept a case that has not exhausted ICE: accepted, and flagged "
    "`ice_exhausted: false` (R38; 001 ch.5)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def accept(
    case_id: CaseId,
    body: s.PhsoAcceptanceIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.accept_phso_referral(platform, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/phso-report",
    name="report",
    summary="The ombudsman's report",
    description="Upheld or not, with recommendations the provider must all action, including any additional "
    "redress, payable as a payment target named by the recommendation id (R38; 000 14.38; 004 Part B 11)."
    + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def report(
    case_id: CaseId,
    body: s.PhsoReportIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.issue_phso_report(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/phso-recommendations/{recommendation_id}/completion",
    name="complete-recommendation",
    summary="The provider completed an ombudsman recommendation",
    description="Each recommendation is tracked to completion by the provider (R38; 004 Part B 11)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def complete_recommendation(
    case_id: CaseId,
    recommendation_id: RefId,
    body: s.CompletionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.complete_phso_recommendation(platform, str(case_id), recommendation_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)
