"""`POST /complaints/{id}/escalations`: the complainant is dissatisfied, the complaint moves on a stage (R20, R25)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from services.escalation import handlers
from services.escalation.api import examples
from services.escalation.api.access import ComplaintId, visible_complaint
from services.escalation.api.deadlines import DeadlinesOut, stream_view
from services.escalation.api.schemas import EscalationIn
from shared.http.deps import CommandContextDep, IdempotencyKeyHeader, IfMatch, PlatformDep, require
from shared.http.problems import problem_responses

router = APIRouter(prefix="/complaints", tags=["escalations"])


@router.post(
    "/{complaint_id}/escalations",
    name="escalate",
    summary="Escalate the complaint to the next stage",
    description="'If the complainant tells us they are dissatisfied with our attempts to resolve their complaint, "
    "we escalate their complaint to the next stage of our complaints process' (001 Annex 2 3.5) (R20). The new "
    "stage's deadline runs from `escalated_on`, by the timescale of the process profile the complaint recorded. "
    "Refused (409, naming the requirement): before the current stage has its response; after the final response "
    "(the next step is ICE, within six months: R24, 000 14.23); at the profile's last stage (a final response is "
    "owed); on a withdrawn complaint (R5). After a mixed complaint's joint response, name the provider's elements "
    "in `element_ids`: they go to the provider's next stage, owned by the provider, and the Jobcentre deals with "
    "the rest itself (R25; 000 14.21-14.22). Answers with the complaint's stages and deadlines; send `If-Match` "
    "with the ETag you read (412 if the complaint changed since, R63).",
    response_model=DeadlinesOut,
    dependencies=[Depends(require(*handlers.WORKING_ROLES, requirement="R20"))],
    responses={**problem_responses(403, 404, 409, 412), **examples.returns(examples.ESCALATED)},
)
async def escalate(
    complaint_id: ComplaintId,
    body: EscalationIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> DeadlinesOut:
    loaded = await visible_complaint(platform, ctx.principal, complaint_id)
    outcome = await handlers.escalate(platform, str(complaint_id), loaded, body, ctx, if_match)
    return await stream_view(platform, outcome.recorded, response)
