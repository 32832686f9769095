"""The Director General caselist (R26; 003): flag a complaint onto it, clear it, and list it per organisation.

"If a complaint is held on the Director General Caselist (e.g., high profile or parliamentary contact)
ensure the caselist is updated throughout the lifecycle of the complaint" (003).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from services.escalation import handlers
from services.escalation.api import examples
from services.escalation.api.access import ComplaintId, visible_complaint
from services.escalation.api.deadlines import DeadlinesOut, stream_view
from services.escalation.api.schemas import DgClearanceIn, DgFlagIn
from shared.clock import business_date
from shared.complaints.deadlines import DeadlineStatus, Owner, deadlines
from shared.complaints.deadlines import policy_for as deadline_policy
from shared.complaints.scope import complaint_scope
from shared.complaints.timeline import ComplaintTimeline, from_json
from shared.complaints.vocabulary import ComplaintStatus, DgCaselistReason
from shared.db import raw_connection
from shared.http.deps import CommandContextDep, CurrentPrincipal, IdempotencyKeyHeader, IfMatch, PlatformDep, require
from shared.http.problems import problem_responses
from shared.profiles import default_profiles
from shared.vocabulary import IsoDate

router = APIRouter(tags=["dg-caselist"])
WORKING = [Depends(require(*handlers.WORKING_ROLES, requirement="R26"))]
OPEN_STATUSES = (DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON, DeadlineStatus.ON_TIME)
CONCURRENCY = " Send `If-Match` with the ETag you read (412 if the complaint changed since, R63)."


@router.post(
    "/complaints/{complaint_id}/dg-caselist",
    name="flag",
    summary="Hold the complaint on the Director General caselist",
    description="A high-profile complaint, or one with parliamentary contact, is held on the Director General "
    "caselist (R26; 003). A complaint raised by an elected member is flagged at registration. One flag at a time: "
    "409 if it is already on the caselist (clear it to change the reason); 409 on a withdrawn complaint (R5)."
    + CONCURRENCY,
    response_model=DeadlinesOut,
    dependencies=WORKING,
    responses={**problem_responses(403, 404, 409, 412), **examples.returns(examples.FLAGGED)},
)
async def flag(
    complaint_id: ComplaintId,
    body: DgFlagIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> DeadlinesOut:
    await visible_complaint(platform, ctx.principal, complaint_id)
    outcome = await handlers.flag_on_dg_caselist(platform, str(complaint_id), body, ctx, if_match)
    return await stream_view(platform, outcome.recorded, response)


@router.post(
    "/complaints/{complaint_id}/dg-caselist/clearance",
    name="clear",
    summary="Take the complaint off the Director General caselist",
    description="Kept current through the complaint's lifecycle (R26; 003): a flag may be cleared at any point, "
    "after the final response or a withdrawal too. 409 if the complaint is not on the caselist." + CONCURRENCY,
    response_model=DeadlinesOut,
    dependencies=WORKING,
    responses={**problem_responses(403, 404, 409, 412), **examples.returns(examples.ESCALATED)},
)
async def clear(
    complaint_id: ComplaintId,
    body: DgClearanceIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> DeadlinesOut:
    await visible_complaint(platform, ctx.principal, complaint_id)
    outcome = await handlers.clear_from_dg_caselist(platform, str(complaint_id), body, ctx, if_match)
    return await stream_view(platform, outcome.recorded, response)


class CaselistItem(BaseModel):
    complaint_id: str
    reason: DgCaselistReason
    flagged_on: IsoDate
    status: ComplaintStatus = Field(description="Open, closed by its final response, or withdrawn")
    stage: int
    stage_name: str
    owner: Owner
    next_due_on: IsoDate | None = Field(description="The earliest unmet deadline's due date, if any")
    next_due_status: DeadlineStatus | None


class Caselist(BaseModel):
    today: IsoDate
    items: list[CaselistItem] = Field(description="By next due date (none last), then flagged date")


def _status(found: ComplaintTimeline) -> ComplaintStatus:
    if found.timeline.withdrawn_on is not None:
        return ComplaintStatus.WITHDRAWN
    if found.timeline.final_response_on is not None:
        return ComplaintStatus.CLOSED
    return ComplaintStatus.OPEN


@router.get(
    "/worklist/dg-caselist",
    name="list",
    summary="The Director General caselist in your scope",
    description="Every complaint held on the Director General caselist (high profile or parliamentary contact) in "
    "your organisation's scope, as the worklist is scoped, with its stage, owner and next deadline (R26; 003). "
    "Flags are set and cleared by events, so the list is current.",
    response_model=Caselist,
    responses={**problem_responses(), **examples.returns(examples.CASELIST)},
)
async def caselist(
    principal: CurrentPrincipal,
    platform: PlatformDep,
    reason: Annotated[DgCaselistReason | None, Query(description="Only this reason")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Caselist:
    today = business_date(platform.clock.now())
    policy = deadline_policy(platform.settings)
    profiles = default_profiles()
    async with raw_connection(platform.pool) as conn:
        scope = await complaint_scope(conn, principal)
        where, args = scope.where(1, routed=True)
        rows = await conn.fetch(
            f"""SELECT timeline::text AS timeline FROM escalation.timelines
                WHERE timeline->>'dg_caselist' IS NOT NULL AND {where}""",
            *args,
        )
    items: list[CaselistItem] = []
    for row in rows:
        found = from_json(json.loads(row["timeline"]))
        assert found.dg_caselist is not None
        assert found.dg_flagged_on is not None
        if reason is not None and found.dg_caselist != reason.value:
            continue
        profile = profiles.get(found.profile_ref)
        running = [d for d in deadlines(found.timeline, profile, today, policy) if d.status in OPEN_STATUSES]
        following = min(running, key=lambda d: d.due_on, default=None)
        items.append(
            CaselistItem(
                complaint_id=found.complaint_id,
                reason=DgCaselistReason(found.dg_caselist),
                flagged_on=found.dg_flagged_on,
                status=_status(found),
                stage=found.stage,
                stage_name=profile.stage_name(found.stage),
                owner=found.owner,
                next_due_on=following.due_on if following else None,
                next_due_status=following.status if following else None,
            )
        )
    items.sort(key=lambda i: (i.next_due_on is None, i.next_due_on or i.flagged_on, i.flagged_on, i.complaint_id))
    return Caselist(today=today, items=items[:limit])
