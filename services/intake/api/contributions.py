"""Mixed complaints (R25): the Jobcentre asks for the provider's contribution, the provider submits it, the
Jobcentre issues the joint response. Thin routes: role, then scope, then handler, then the complaint."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from services.intake import handlers
from services.intake.api.access import ComplaintId, _visible_stream, answer
from services.intake.api.contribution_schemas import (
    CONTRIBUTION_REQUESTED,
    CONTRIBUTION_SUBMITTED,
    JOINTLY_ANSWERED,
    ContributionIn,
    ContributionRequestIn,
    JointResponseIn,
)
from services.intake.api.examples import returns
from services.intake.api.schemas import ComplaintOut
from shared.http.deps import CommandContextDep, IdempotencyKeyHeader, IfMatch, PlatformDep, require
from shared.http.problems import problem_responses

router = APIRouter(prefix="/complaints", tags=["complaints"])

WORKING = [Depends(require(*handlers.WORKING_ROLES, requirement="R25"))]
PROBLEMS = problem_responses(403, 404, 409, 412)
CONCURRENCY = " Send `If-Match` with the ETag you read (412 if the complaint changed since, R63)."
DEADLINES = " The escalation service's `GET /complaints/{id}/deadlines` shows the contribution's deadline."


@router.post(
    "/{complaint_id}/contribution-request",
    name="request-contribution",
    summary="Ask the provider for its contribution to a mixed complaint's response",
    description="A complaint against both the provider and the Jobcentre is led by the Jobcentre, which asks the "
    "provider for a contribution (000 14.03, 14.20) (R25). It is due within the provider's stated timescale and at "
    "most five working days (14.05), worked out on the complaint's calendar. Only the Jobcentre leading the "
    "complaint asks (403), once (409); a complaint not `about: mixed` has no contribution (409); a mixed "
    "complaint raised with the provider is redirected to the Jobcentre first (409)." + DEADLINES + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(CONTRIBUTION_REQUESTED)},
)
async def request_contribution(
    complaint_id: ComplaintId,
    body: ContributionRequestIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, recorded = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.request_contribution(platform, str(complaint_id), state, recorded, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/contribution",
    name="submit-contribution",
    summary="Submit the provider's contribution to a mixed complaint's response",
    description="'You should return any paperwork or contribution to a reply within stated timescales and at most "
    "within five working days' (000 14.05) (R25). Only the complaint's provider submits it (403), once it was asked "
    "(409), once. The text is personal data (R62), refused for a Special Customer Record (R11)."
    + DEADLINES
    + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(CONTRIBUTION_SUBMITTED)},
)
async def submit_contribution(
    complaint_id: ComplaintId,
    body: ContributionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.submit_contribution(platform, str(complaint_id), state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/joint-response",
    name="issue-joint-response",
    summary="Issue a mixed complaint's joint response",
    description="The Jobcentre agrees a response with the provider and issues it (000 14.20); the provider treats "
    "it as the first stage of its process (14.21) (R25): it is recorded as the stage-1 response, never final. It "
    "needs the provider's contribution, unless that is overdue: once its due date has passed without it, the "
    "Jobcentre may respond without it (409 before). Only the Jobcentre leading the complaint issues it (403). A "
    "mixed complaint's stage 1 is always this joint response: `POST /complaints/{id}/responses` refuses it (409). "
    "If the complainant remains dissatisfied, the escalation service's `POST /complaints/{id}/escalations` with the "
    "provider's `element_ids` moves those to the provider's next stage (14.21-14.22)." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(JOINTLY_ANSWERED)},
)
async def issue_joint_response(
    complaint_id: ComplaintId,
    body: JointResponseIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.issue_joint_response(platform, str(complaint_id), state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)
