"""ICE's stage 1 Resolution and stage 2 Settlement, with evidence item by item (R32, R33, R37;
000 14.28-14.31; 002 8.08-8.09, 8.13; 004 Part B 3-4, 8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from services.ice_gateway import evidence, handlers
from services.ice_gateway.api import schemas as s
from services.ice_gateway.api.common import CONCURRENCY, CaseId, RefId, answer, visible
from services.ice_gateway.api.examples import CASE, returns
from services.ice_gateway.views import IceCaseOut
from shared.http.deps import CommandContextDep, CurrentPrincipal, IdempotencyKeyHeader, IfMatch, PlatformDep
from shared.http.problems import problem_responses

router = APIRouter(prefix="/ice-cases", tags=["ice"])
R = {**problem_responses(403, 404, 409, 412, 422), **returns(CASE)}
CONTENT_PATH = "/{case_id}/evidence-requests/{request_id}/items/{item_id}/content"
UPLOAD_ROUTE = ("PUT", r"/ice-cases/[^/]+/evidence-requests/[^/]+/items/[^/]+/content")
"""For the streaming-upload middleware: this route's body is streamed, up to EVIDENCE_MAX_BYTES."""


@router.post(
    "/{case_id}/resolution",
    name="agree-resolution",
    summary="Stage 1: record the resolution ICE brokered",
    description="ICE liaised between the parties and reached an agreement (R32; 000 14.29; 002 8.08). Each agreed "
    "action is monitored until completed; the case closes when the last one is, with no finding of fault and no "
    "contribution to costs. With no actions it closes at once." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def agree_resolution(
    case_id: CaseId,
    body: s.ResolutionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.agree_resolution(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/actions/{action_id}/completion",
    name="complete-action",
    summary="An agreed action is completed",
    description="The provider (or ICE, monitoring it) records an agreed action done (R32; 002 8.08). The last action "
    "of a resolution closes the case." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def complete_action(
    case_id: CaseId,
    action_id: RefId,
    body: s.CompletionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.complete_agreed_action(platform, str(case_id), action_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/next-stage",
    name="move-to-next-stage",
    summary="ICE moves the case to its next stage",
    description="Resolution could not be reached: stage 2, Settlement (000 14.30); or settlement could not be "
    "agreed: stage 3, Investigation (000 14.32)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def move_to_next_stage(
    case_id: CaseId,
    body: s.MoveIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.move_to_next_stage(platform, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/evidence-requests",
    name="request-evidence",
    summary="ICE requests the evidence, item by item",
    description="Stage 2 (or 3): every item of evidence about the complaint: case papers, call and assessment "
    "recordings, letters (R33; 000 14.30; 004 Part B 4). Due at most five working days after the request (R31). "
    "The request is complete only when every item is uploaded or marked not held." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def request_evidence(
    case_id: CaseId,
    body: s.EvidenceRequestIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.request_evidence(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.put(
    CONTENT_PATH,
    name="upload-evidence",
    summary="The provider uploads an evidence item's content",
    description="The request body is the file itself (any `Content-Type`), streamed to the evidence store without "
    "being held in memory, up to `EVIDENCE_MAX_BYTES` (413 beyond it, nothing kept). Its size and SHA-256 are "
    "recorded with the content type (R33; 004 Part B 4). One upload per item (409 once answered). A retry with the "
    "same `Idempotency-Key` after success answers with the case as it is." + CONCURRENCY,
    response_model=IceCaseOut,
    responses={**problem_responses(403, 404, 409, 412, 413, 422), **returns(CASE)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_evidence(
    case_id: CaseId,
    request_id: RefId,
    item_id: RefId,
    request: Request,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    content_type: Annotated[str | None, Header(max_length=255, include_in_schema=False)] = None,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
    media_type: Annotated[
        str | None,
        Query(
            max_length=255,
            pattern=r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$",
            description="The file's media type (e.g. `application/pdf`), for clients whose HTTP library sends "
            "every binary body as `application/octet-stream`; otherwise the request's `Content-Type` is recorded",
        ),
    ] = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    replayed = await evidence.upload(
        platform,
        loaded,
        str(case_id),
        request_id,
        item_id,
        request.stream(),
        media_type or content_type,
        idempotency_key,
        ctx,
        if_match,
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return await answer(platform, ctx.principal, case_id, response)


@router.get(
    CONTENT_PATH,
    name="download-evidence",
    summary="An evidence item's content",
    description="The uploaded file, streamed, with its content type, length and SHA-256 (`ETag`). 404 if never "
    "uploaded; 410 Gone once destroyed after ICE's examination concluded (R37; 004 Part B 8).",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        **problem_responses(404, 410),
    },
)
async def download_evidence(
    case_id: CaseId, request_id: RefId, item_id: RefId, principal: CurrentPrincipal, platform: PlatformDep
) -> StreamingResponse:
    loaded = await visible(platform, principal, case_id)
    chunks, content_type, size, sha256 = await evidence.download(platform, loaded.state, request_id, item_id)
    headers = {"Content-Length": str(size), "ETag": f'"{sha256}"', "X-Content-SHA256": sha256}
    return StreamingResponse(chunks, media_type=content_type, headers=headers)


@router.post(
    "/{case_id}/evidence-requests/{request_id}/items/{item_id}/not-held",
    name="evidence-not-held",
    summary="The provider does not hold an evidence item",
    description="An item the provider cannot supply, with the reason (required, R33). It answers the item."
    + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def evidence_not_held(
    case_id: CaseId,
    request_id: RefId,
    item_id: RefId,
    body: s.NotHeldIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.mark_evidence_not_held(
        platform, loaded.state, str(case_id), request_id, item_id, body, ctx, if_match
    )
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/proposals",
    name="propose-way-forward",
    summary="ICE proposes a way forward",
    description="After reviewing all the evidence (409 while any request is incomplete), ICE proposes a way forward "
    "(R33; 000 14.31; 002 8.09)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def propose_way_forward(
    case_id: CaseId,
    body: s.ProposalIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.propose_way_forward(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/proposals/{proposal_id}/provider-answer",
    name="answer-way-forward",
    summary="The provider agrees the proposed way forward, or not",
    description="If the provider agrees and the complainant is satisfied, the case closes at settlement with no "
    "finding of fault and no contribution to costs (R33; 000 14.31)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def answer_way_forward(
    case_id: CaseId,
    proposal_id: RefId,
    body: s.ProviderAnswerIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.answer_way_forward(platform, str(case_id), proposal_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/proposals/{proposal_id}/complainant-satisfaction",
    name="record-complainant-satisfaction",
    summary="ICE records whether the complainant is satisfied",
    description="Whether the complainant is satisfied the proposal addresses their complaint (R33; 000 14.31)."
    + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def record_complainant_satisfaction(
    case_id: CaseId,
    proposal_id: RefId,
    body: s.SatisfactionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.record_complainant_satisfaction(platform, str(case_id), proposal_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)
