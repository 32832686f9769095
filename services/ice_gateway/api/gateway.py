"""The gateway check and ICE's correspondence with the provider (R30, R31, R40; 000 14.24-14.25; 002 8.10-8.11)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.ice_gateway import handlers
from services.ice_gateway.api import schemas as s
from services.ice_gateway.api.common import CONCURRENCY, CaseId, RefId, answer, visible
from services.ice_gateway.api.examples import CASE, returns
from services.ice_gateway.views import IceCaseOut
from shared.http.deps import CommandContextDep, IdempotencyKeyHeader, IfMatch, PlatformDep
from shared.http.problems import problem_responses

router = APIRouter(prefix="/ice-cases", tags=["ice"])
R = {**problem_responses(403, 404, 409, 412, 422), **returns(CASE)}


@router.post(
    "/{case_id}/requests",
    name="make-request",
    summary="ICE writes to the provider",
    description="Any request from ICE to the provider: a gateway `confirmation` that each named step of the internal "
    "process was completed (R30; 000 14.24; 002 8.10), `comments` or `information`. Due within the date ICE states, "
    "at most five working days on the complaint's nation's calendar; omitted, exactly five (R31; 000 14.25). "
    "Evidence is asked for with an evidence request." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def make_request(
    case_id: CaseId,
    body: s.RequestIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.make_request(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/requests/{request_id}/answer",
    name="answer-request",
    summary="The provider answers ICE's request",
    description="The provider dealt with ICE's `comments` or `information` request (R31; 000 14.25; 002 8.11). "
    "A gateway confirmation is answered by confirming the steps." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def answer_request(
    case_id: CaseId,
    request_id: RefId,
    body: s.AnswerIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.answer_request(platform, str(case_id), request_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/requests/{request_id}/confirmation",
    name="confirm-steps",
    summary="The provider confirms its process steps were completed",
    description="The provider confirms each step named in ICE's gateway request was completed (R30; 000 14.24; "
    "002 8.10)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def confirm_steps(
    case_id: CaseId,
    request_id: RefId,
    body: s.ConfirmationIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.confirm_gateway_steps(platform, str(case_id), request_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/return-to-provider",
    name="return-to-provider",
    summary="ICE returns the case to the provider",
    description="ICE is not satisfied the provider completed its process and returns the case to revisit the named "
    "steps before ICE goes on (R30; 000 14.24; 002 8.10)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def return_to_provider(
    case_id: CaseId,
    body: s.ReturnIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.return_to_provider(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/revisited-steps",
    name="report-revisited-steps",
    summary="The provider reports the returned steps done",
    description="The provider revisited every step ICE returned (422 naming any missing); the case resumes at the "
    "gateway, where ICE asks for confirmation again (R30; 000 14.24)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def report_revisited_steps(
    case_id: CaseId,
    body: s.RevisitIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.report_revisited_steps(platform, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/gateway-pass",
    name="pass-gateway",
    summary="ICE passes the gateway: stage 1, Resolution, begins",
    description="The provider confirmed its process was completed; ICE goes on to examine the complaint, first "
    "trying to broker a resolution (R30, R32; 000 14.28-14.29)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def pass_gateway(
    case_id: CaseId,
    body: s.PassIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.pass_gateway(platform, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/investigator",
    name="allocate-investigator",
    summary="ICE allocates an investigator",
    description="Starts ICE's own service standards: settle within 15 weeks and report within 20 weeks of "
    "allocation (R40; configurable)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def allocate_investigator(
    case_id: CaseId,
    body: s.AllocationIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.allocate_investigator(platform, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)
