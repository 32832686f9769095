"""Routing a complaint (R3): thin routes. Role, then scope, then handler, then the complaint.

Included in the work router (`services.intake.api.work`), so under `/complaints`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from services.intake import handlers
from services.intake.api import examples
from services.intake.api.access import ComplaintId, _visible_stream, answer
from services.intake.api.examples import returns
from services.intake.api.routing_schemas import RedirectionIn, ReferralIn
from services.intake.api.schemas import ComplaintOut
from shared.http.deps import CommandContextDep, IdempotencyKeyHeader, IfMatch, PlatformDep, require
from shared.http.problems import problem_responses

router = APIRouter(tags=["complaints"])

ROUTING = [Depends(require(*handlers.WORKING_ROLES))]
CONCURRENCY = " Send `If-Match` with the ETag you read (412 if the complaint changed since, R63)."


@router.post(
    "/{complaint_id}/redirection",
    name="redirect",
    summary="Redirect the complaint to the Jobcentre",
    description="A provider directs to the Jobcentre a complaint about programme policy, e.g. IPES policy "
    "(000 14.09), and a mixed complaint against both it and the Jobcentre, where the Jobcentre leads (000 14.03-14.04, "
    "14.20) (R3). The redirection is an event, never a deletion: from then on the receiving Jobcentre owns the "
    "complaint and sees it, the provider still sees it, and the provider's work on it is refused (409, R3). "
    "`to_organisation_id` must be a registered Jobcentre (422). A redirected, withdrawn or finally answered "
    "complaint cannot be redirected (409); a `mixed_complaint` redirection needs `about: mixed` (422 naming "
    "`reason`)." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=ROUTING,
    responses={**problem_responses(403, 404, 409, 412, 422), **returns(examples.REDIRECTED)},
)
async def redirect(
    complaint_id: ComplaintId,
    body: RedirectionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.redirect(platform, str(complaint_id), body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/referral-to-provider",
    name="refer-to-provider",
    summary="Refer the complaint to its provider",
    description="A complaint against a provider raised with the Jobcentre is referred to the provider so it has "
    "a chance to resolve it (000 14.06); the provider follows its procedure as normal and deals with it exactly as "
    "if raised directly (14.07-14.08) (R3). Only the Jobcentre that logged the complaint may refer it (403), and "
    "only a complaint `about: provider` (409)." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=ROUTING,
    responses={**problem_responses(403, 404, 409, 412, 422), **returns(examples.REFERRED)},
)
async def refer_to_provider(
    complaint_id: ComplaintId,
    body: ReferralIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.refer_to_provider(platform, str(complaint_id), body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)
