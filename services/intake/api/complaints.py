"""Complaint routes: thin. Request schema -> handler -> response schema."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.intake import handlers
from services.intake.api import examples
from services.intake.api.access import ComplaintId, _visible_stream
from services.intake.api.examples import returns
from services.intake.api.schemas import (
    AcknowledgeIn,
    ComplaintOut,
    ComplaintPage,
    ComplaintSummary,
    HistoryEvent,
    RegisterComplaintIn,
)
from services.intake.views import complaint_view, history_view
from shared.complaints.scope import complaint_scope
from shared.complaints.vocabulary import Category, ComplaintStatus
from shared.db import raw_connection
from shared.errors import FieldError, ValidationProblem
from shared.http.deps import (
    AsOf,
    CommandContextDep,
    CurrentPrincipal,
    IdempotencyKeyHeader,
    IfMatch,
    PlatformDep,
    QueryDate,
    etag,
)
from shared.http.problems import problem_responses
from shared.vocabulary import ORGANISATION_ID_PATTERN, Programme

router = APIRouter(prefix="/complaints", tags=["complaints"])

Stage = Annotated[
    int | None,
    Query(
        ge=1,
        le=20,
        description="The stage the complaint is at: 1 until a later stage's response or an escalation moves it "
        "on (R20; 001 Annex 2 3.5)",
    ),
]


@router.post(
    "",
    name="register",
    summary="Register a complaint",
    description="Log a complaint with its complainant, what it is about, programme, provider and contract, channel, "
    "date received, nation and one or more elements, each with its DWP category (R1, R6; 000 14.01-14.13; "
    "004 127-131). The complainant's personal data is encrypted under their own key (R62).",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintOut,
    responses={**problem_responses(403, 409), **returns(examples.REGISTERED, 201)},
)
async def register(
    body: RegisterComplaintIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    complaint_id, outcome = await handlers.register_complaint(platform, body, ctx)
    response.headers["Location"] = f"/complaints/{complaint_id}"
    response.headers["ETag"] = etag(outcome.version)
    return complaint_view(outcome.state, outcome.recorded)


@router.get(
    "/{complaint_id}",
    name="get",
    summary="Read a complaint",
    description="The complaint's current state, or with `as_of` its state at a past instant (R60). "
    "404 for a complaint outside your organisation's scope (R61).",
    response_model=ComplaintOut,
    responses={**problem_responses(404), **returns(examples.ANSWERED_FINALLY)},
)
async def get_complaint(
    complaint_id: ComplaintId,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    response: Response,
    as_of: AsOf,
) -> ComplaintOut:
    state, recorded = await _visible_stream(platform, principal, complaint_id, as_of)
    response.headers["ETag"] = etag(recorded[-1].version)
    return complaint_view(state, recorded, as_of)


@router.get(
    "/{complaint_id}/events",
    name="history",
    summary="A complaint's event history",
    description="Every event of the complaint, oldest first, with who, when and why (R60). Personal values of an "
    "erased data subject show as `[erased]` (R62).",
    response_model=list[HistoryEvent],
    responses={**problem_responses(404), **returns(examples.HISTORY)},
)
async def history(
    complaint_id: ComplaintId, principal: CurrentPrincipal, platform: PlatformDep, as_of: AsOf
) -> list[HistoryEvent]:
    _, recorded = await _visible_stream(platform, principal, complaint_id, as_of)
    return history_view(recorded)


@router.post(
    "/{complaint_id}/acknowledgement",
    name="acknowledge",
    summary="Acknowledge receipt",
    description="Record that receipt of the complaint was acknowledged, with the date and method (R4; 003). "
    "Send `If-Match` with the ETag you read to be sure nobody changed the complaint since (412 otherwise, R63).",
    response_model=ComplaintOut,
    responses={**problem_responses(403, 404, 409, 412), **returns(examples.ACKNOWLEDGED)},
)
async def acknowledge(
    complaint_id: ComplaintId,
    body: AcknowledgeIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    await _visible_stream(platform, ctx.principal, complaint_id)
    outcome = await handlers.acknowledge_complaint(platform, str(complaint_id), body, ctx, if_match)
    response.headers["ETag"] = etag(outcome.version)
    return complaint_view(outcome.state, outcome.recorded)


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(raw[0]), str(raw[1])
    except (ValueError, binascii.Error, IndexError, KeyError, TypeError) as exc:
        raise ValidationProblem(
            detail="cursor is not one this API returned",
            errors=[FieldError("query.cursor", "cursor", "pass next_cursor from the previous page")],
        ) from exc


def _encode_cursor(registered_at: datetime, complaint_id: str) -> str:
    raw = json.dumps([registered_at.isoformat(), complaint_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@router.get(
    "",
    name="list",
    summary="List complaints in your scope",
    description="Newest first, with cursor pagination; filter by status, stage, programme, category (R6), "
    "provider and received-date range. A provider sees its own complaints and its "
    "sub-contractors'; a Jobcentre those it logged (R61); complaints about a member of staff only with the "
    "staff-complaints role (R10; 003). The list is a read model and may trail a write by "
    "a moment; a single complaint read is always current.",
    response_model=ComplaintPage,
    responses={**problem_responses(), **returns(examples.PAGE)},
)
async def list_complaints(
    principal: CurrentPrincipal,
    platform: PlatformDep,
    status_: Annotated[ComplaintStatus | None, Query(alias="status")] = None,
    programme: Programme | None = None,
    category: Category | None = None,
    provider_organisation_id: Annotated[str | None, Query(pattern=ORGANISATION_ID_PATTERN)] = None,
    received_from: QueryDate | None = None,
    received_to: QueryDate | None = None,
    stage: Stage = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ComplaintPage:
    after = _decode_cursor(cursor) if cursor else None
    async with raw_connection(platform.pool) as conn:
        scope = await complaint_scope(conn, principal)
        where, scope_args = scope.where(first=1, routed=True)
        rows = await conn.fetch(
            f"""SELECT complaint_id, status, programme, about, provider_organisation_id, logged_by_organisation_id,
                       channel, nation, received_on, categories, complainant_kind, complainant_name::text AS name,
                       registered_at, stage
                FROM intake.complaints
                WHERE {where}
                  AND ($6::text IS NULL OR status = $6)
                  AND ($7::text IS NULL OR programme = $7)
                  AND ($8::text IS NULL OR $8 = ANY(categories))
                  AND ($9::text IS NULL OR provider_organisation_id = $9)
                  AND ($10::date IS NULL OR received_on >= $10)
                  AND ($11::date IS NULL OR received_on <= $11)
                  AND ($12::int IS NULL OR stage = $12)
                  AND ($13::timestamptz IS NULL OR (registered_at, complaint_id) < ($13, $14))
                ORDER BY registered_at DESC, complaint_id DESC
                LIMIT $15""",
            *scope_args,
            status_,
            programme,
            category,
            provider_organisation_id,
            received_from,
            received_to,
            stage,
            after[0] if after else None,
            after[1] if after else None,
            limit + 1,
        )
    items = [
        ComplaintSummary(
            complaint_id=r["complaint_id"],
            status=r["status"],
            stage=r["stage"],
            programme=r["programme"],
            about=r["about"],
            provider_organisation_id=r["provider_organisation_id"],
            logged_by_organisation_id=r["logged_by_organisation_id"],
            channel=r["channel"],
            nation=r["nation"],
            received_on=r["received_on"],
            categories=r["categories"],
            complainant_kind=r["complainant_kind"],
            complainant_name=None if r["name"] is None else json.loads(r["name"]),
            registered_at=r["registered_at"],
        )
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    next_cursor = _encode_cursor(items[-1].registered_at, items[-1].complaint_id) if more and items else None
    return ComplaintPage(items=items, next_cursor=next_cursor)
