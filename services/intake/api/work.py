"""Working a complaint (R4, R5, R8, R10): thin routes. Role, then scope, then handler, then the complaint.

Every route takes `If-Match` (412 when the complaint changed since you read it, R63) and an
`Idempotency-Key` (a retry replays the first answer).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from services.intake import handlers
from services.intake.api import examples
from services.intake.api.access import ComplaintId, _visible_stream, answer
from services.intake.api.examples import returns
from services.intake.api.routing import router as routing_router
from services.intake.api.schemas import ComplaintOut
from services.intake.api.work_schemas import (
    ActionCompletionIn,
    DesiredOutcomeIn,
    DiscussionIn,
    OutcomeIn,
    ProcessExplanationIn,
    ResolutionActionsIn,
    StaffComplaintMarkerIn,
    WithdrawalIn,
)
from shared.http.deps import CommandContextDep, IdempotencyKeyHeader, IfMatch, PlatformDep, require
from shared.http.problems import problem_responses

router = APIRouter(prefix="/complaints", tags=["complaints"])

WORKING = [Depends(require(*handlers.WORKING_ROLES))]
PROBLEMS = problem_responses(403, 404, 409, 412)
CONCURRENCY = " Send `If-Match` with the ETag you read (412 if the complaint changed since, R63)."
ActionId = Annotated[str, Path(pattern=r"^A[0-9]{1,4}$", description="The action's id, e.g. `A1`")]


@router.post(
    "/{complaint_id}/process-explanation",
    name="explain-process",
    summary="Record the explanation of the complaints process",
    description="The provider explains its complaints process to the customer at first contact (000 14.15; "
    "002 8.01) and records evidence of the customer's agreement: a signature or an e-mail (002 8.02) (R4). First "
    "contact may precede the complaint. Recorded once (409 otherwise)." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.PROCESS_EXPLAINED)},
)
async def explain_process(
    complaint_id: ComplaintId,
    body: ProcessExplanationIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.explain_process(platform, str(complaint_id), state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/discussions",
    name="record-discussion",
    summary="Record a discussion with the complainant",
    description="A discussion with the complainant or their representative: date, with whom, and a summary "
    "(R5; 001 Annex 2 3.3: 'We retain a record of any discussion with the complainant or their "
    "representative'). You are recorded as having held it." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.DISCUSSED)},
)
async def record_discussion(
    complaint_id: ComplaintId,
    body: DiscussionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.record_discussion(platform, str(complaint_id), state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/desired-outcomes",
    name="record-desired-outcome",
    summary="Set or change an element's desired outcome",
    description="What the complainant wants done about one element (R5; 001 Annex 2 3.1: 'obtain a clear "
    "articulation of what action they would like to see taken'). A later record replaces the earlier one; the "
    "history keeps both." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.DESIRED_OUTCOME_CHANGED)},
)
async def record_desired_outcome(
    complaint_id: ComplaintId,
    body: DesiredOutcomeIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.record_desired_outcome(platform, str(complaint_id), state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/resolution-actions",
    name="plan-actions",
    summary="Add actions to the resolution plan",
    description="Draw up a resolution plan with clear timescales (003; 001 Annex 2 3.2): each action has a "
    "description, a due date and an owner, and is numbered `A1`, `A2`, ... (R5)." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.PLANNED)},
)
async def plan_actions(
    complaint_id: ComplaintId,
    body: ResolutionActionsIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.plan_actions(platform, str(complaint_id), state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/resolution-actions/{action_id}/completion",
    name="complete-action",
    summary="Complete an action of the resolution plan",
    description="Record that an action of the plan was done (R5; 003). An unknown action is a 422 naming "
    "`action_id`; one already completed a 409. Actions outstanding at the final response may be completed "
    "after it (001 Annex 2 3.4)." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.ACTION_COMPLETED)},
)
async def complete_action(
    complaint_id: ComplaintId,
    action_id: ActionId,
    body: ActionCompletionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.complete_action(platform, str(complaint_id), action_id, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/withdrawal",
    name="withdraw",
    summary="Record the complainant's withdrawal",
    description="The complainant may withdraw at any point, at the provider or at ICE (R5): the date and reason "
    "are recorded, the complaint closes as withdrawn, and every later command on it is refused (409, R5)."
    + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.WITHDRAWN)},
)
async def withdraw(
    complaint_id: ComplaintId,
    body: WithdrawalIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.withdraw(platform, str(complaint_id), state, body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/outcomes",
    name="record-outcome",
    summary="Record an element's outcome",
    description="The outcome of one element, in terms of the action taken: explanation, assurance, "
    "information, apology, corrective action, financial redress (R8; 001 Annex 2 5.5), with the amount of any "
    "financial redress in pence (5.7). A later record for the element replaces the earlier one." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=WORKING,
    responses={**PROBLEMS, **returns(examples.OUTCOME_RECORDED)},
)
async def record_outcome(
    complaint_id: ComplaintId,
    body: OutcomeIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.record_outcome(platform, str(complaint_id), body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


@router.post(
    "/{complaint_id}/staff-complaint-marker",
    name="mark-staff-complaint",
    summary="Mark as a complaint about a member of staff",
    description="Complaints about a member of staff are confidential: 'No details are recorded on the system' "
    "(003). The marker restricts the complaint to principals with the `staff_complaints` role (others get 404 "
    "from now on, R10) and records only the responsible team leader." + CONCURRENCY,
    response_model=ComplaintOut,
    dependencies=[Depends(require(*handlers.STAFF_MARKER_ROLES))],
    responses={**PROBLEMS, **returns(examples.MARKED_AS_STAFF_COMPLAINT)},
)
async def mark_staff_complaint(
    complaint_id: ComplaintId,
    body: StaffComplaintMarkerIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.mark_staff_complaint(platform, str(complaint_id), body, ctx, if_match)
    return await answer(platform, complaint_id, outcome, response)


# Routing (R3) lives in its own module, served under this router's prefix.
router.include_router(routing_router)
