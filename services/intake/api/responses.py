"""Responses (R7): issue a stage's response; for Access to Work, drafts approved by DWP's AtW team first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from services.intake import handlers
from services.intake.api import examples
from services.intake.api.access import ComplaintId, _visible_stream, answer
from services.intake.api.examples import returns
from services.intake.api.schemas import ComplaintOut
from services.intake.api.work_schemas import DraftIn, ResponseIn, RewordingIn, SendDraftIn
from shared.http.deps import CommandContextDep, IdempotencyKeyHeader, IfMatch, PlatformDep, require
from shared.http.problems import problem_responses

router = APIRouter(prefix="/complaints", tags=["complaints"])

WORKING = [Depends(require(*handlers.WORKING_ROLES, requirement="R7"))]
APPROVING = [Depends(require(*handlers.APPROVER_ROLES, requirement="R7"))]
PROBLEMS = problem_responses(403, 404, 409, 412)
CONCURRENCY = " Send `If-Match` with the ETag you read (412 if the complaint changed since, R63)."
DraftId = Annotated[str, Path(pattern=r"^D[0-9]{1,4}$", description="The draft's id, e.g. `D1`")]
FINAL = (
    " A **final** response ends the provider's process: the standard ICE signposting text (000 14.17, Annex 1; "
    "AtW 002 8.06, Annex H) and the date by which to contact ICE, six months from the response date (000 14.23; "
    "002 8.07), are inserted; leave `signposting_text` out, or send exactly the standard wording. It names a "
    "`reviewer_user_id` who neither wrote nor reviewed an earlier response on the complaint (001 Annex 2 3.6): "
    "409 otherwise. Each element says whether the desired outcome can be achieved and, if not, why (3.7)."
)


@router.post(
    "/{complaint_id}/responses",
    name="issue-response",
    summary="Issue a stage's response",
    description="Each stage of the provider's process ends with a response (R7; 001 Annex 2 3.5); stages are "
    "answered in order, once each. You are recorded as its author." + FINAL + " Access to Work responses go "
    "through a draft instead (002 8.03): 409 here." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.ANSWERED_FINALLY)},
)
async def issue_response(
    complaint_id: ComplaintId,
    body: ResponseIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.issue_response(platform, str(complaint_id), state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/response-drafts",
    name="submit-draft",
    summary="Submit an Access to Work draft response for approval",
    description="'A drafted response should be submitted to the AtW Service Delivery team ... before replying "
    "to the Customer's complaint' (002 8.03) (R7). The draft is numbered `D1`, `D2`, ...; a new draft supersedes "
    "the one before. Checked like a response." + FINAL + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.DRAFT_SUBMITTED)},
)
async def submit_draft(
    complaint_id: ComplaintId,
    body: DraftIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.submit_draft(platform, str(complaint_id), state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/response-drafts/{draft_id}/approval",
    name="approve-draft",
    summary="Approve an Access to Work draft response",
    description="DWP's AtW Service Delivery team (role `atw_service_delivery` in a DWP business) approves the "
    "latest draft, after which it may be sent (R7; 002 8.03)." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=APPROVING,
    responses={**PROBLEMS, **returns(examples.DRAFT_APPROVED)},
)
async def approve_draft(
    complaint_id: ComplaintId,
    draft_id: DraftId,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.approve_draft(platform, str(complaint_id), draft_id, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/response-drafts/{draft_id}/rewording-request",
    name="request-rewording",
    summary="Ask for an Access to Work draft to be reworded",
    description="The AtW Service Delivery team 'will review the draft response and either request it to be "
    "reworded or confirm their approval' (002 8.03) (R7). After a rewording request only a new draft can go "
    "forward." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=APPROVING,
    responses={**PROBLEMS, **returns(examples.REWORDING_REQUESTED)},
)
async def request_rewording(
    complaint_id: ComplaintId,
    draft_id: DraftId,
    body: RewordingIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.request_rewording(platform, str(complaint_id), draft_id, state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/response-drafts/{draft_id}/sending",
    name="send-draft",
    summary="Send an approved Access to Work draft as the response",
    description="'Once you have received an approval from AtW Service Delivery team, the response should then be "
    "sent to the Customer' (002 8.03) (R7): only the latest draft, only once approved (409 otherwise). A final "
    "response gets the ICE signposting and date inserted here." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.DRAFT_SENT)},
)
async def send_draft(
    complaint_id: ComplaintId,
    draft_id: DraftId,
    body: SendDraftIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.send_draft(platform, str(complaint_id), draft_id, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)
