"""Dissatisfactions (R2): recorded as resolved as normal business, not counted as complaints; convertible."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response, status

from services.intake import handlers
from services.intake.api import examples
from services.intake.api.dissatisfaction_schemas import (
    ConversionOut,
    DissatisfactionIn,
    DissatisfactionOut,
    PersonOut,
)
from services.intake.api.examples import returns
from services.intake.api.schemas import ComplaintOut, HistoryEvent, RegisterComplaintIn
from services.intake.domain.dissatisfaction import (
    DISSATISFACTION_CODEC,
    DISSATISFACTION_DECIDER,
    DissatisfactionConverted,
    DissatisfactionRecorded,
    DissatisfactionState,
    dissatisfaction_stream,
)
from services.intake.views import complaint_view, history_view
from shared.auth import Principal
from shared.commands import load
from shared.complaints.scope import complaint_scope
from shared.complaints.streams import load_complaint
from shared.db import raw_connection
from shared.errors import NotFound
from shared.eventstore.model import RecordedEvent
from shared.http.deps import CommandContextDep, CurrentPrincipal, IdempotencyKeyHeader, IfMatch, PlatformDep, etag
from shared.http.platform import Platform
from shared.http.problems import problem_responses

router = APIRouter(prefix="/dissatisfactions", tags=["dissatisfactions"])
DissatisfactionId = Annotated[UUID, Path(description="The dissatisfaction's id")]
DEFINITION = (
    "A complaint is 'any expression of dissatisfaction about the service provided which is not resolved by "
    "operational staff as normal business' (003; 004 Annex 2 Part A §2)."
)


async def _visible(
    platform: Platform, principal: Principal, dissatisfaction_id: UUID
) -> tuple[DissatisfactionState, list[RecordedEvent]]:
    loaded = await load(
        platform.store, dissatisfaction_stream(str(dissatisfaction_id)), DISSATISFACTION_DECIDER, DISSATISFACTION_CODEC
    )
    if loaded.state.recorded:
        async with raw_connection(platform.pool) as conn:
            scope = await complaint_scope(conn, principal)
        if scope.allows(loaded.state.provider_organisation_id, loaded.state.logged_by_organisation_id):
            return loaded.state, loaded.recorded
    raise NotFound(detail=f"no dissatisfaction {dissatisfaction_id}", requirement="R61")


def _view(recorded: list[RecordedEvent]) -> DissatisfactionOut:
    first = recorded[0]
    event = DissatisfactionRecorded.model_validate(first.data)
    converted = next(
        (
            DissatisfactionConverted.model_validate(r.data)
            for r in recorded
            if r.type == DissatisfactionConverted.event_type
        ),
        None,
    )
    return DissatisfactionOut(
        dissatisfaction_id=event.dissatisfaction_id,
        version=recorded[-1].version,
        person=PersonOut(kind=event.person.kind, data_subject_id=event.person.subject_id, name=event.person.name),
        about=event.about,
        programme=event.programme,
        provider_organisation_id=event.provider_organisation_id,
        contract_id=event.contract_id,
        channel=event.channel,
        nation=event.nation,
        category=event.category,
        raised_on=event.raised_on,
        resolved_on=event.resolved_on,
        summary=event.summary,
        resolution=event.resolution,
        logged_by_organisation_id=event.logged_by_organisation_id,
        recorded_at=first.recorded_at,
        converted=ConversionOut(complaint_id=converted.complaint_id, converted_on=converted.converted_on)
        if converted
        else None,
    )


@router.post(
    "",
    name="record",
    summary="Record a dissatisfaction resolved as normal business",
    description=DEFINITION + " 'If you can resolve their dissatisfaction, take the appropriate action to do so and "
    "record this on the system as a dissatisfaction, rather than a complaint' (003) (R2). It is not counted as a "
    "complaint. The person's details and the free text are personal data, sealed under their own key (R62).",
    status_code=status.HTTP_201_CREATED,
    response_model=DissatisfactionOut,
    responses={**problem_responses(403), **returns(examples.DISSATISFACTION, 201)},
)
async def record(
    body: DissatisfactionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    _key: IdempotencyKeyHeader = None,
) -> DissatisfactionOut:
    dissatisfaction_id, outcome = await handlers.record_dissatisfaction(platform, body, ctx)
    _, recorded = await _visible(platform, ctx.principal, UUID(dissatisfaction_id))
    response.headers["Location"] = f"/dissatisfactions/{dissatisfaction_id}"
    response.headers["ETag"] = etag(outcome.version)
    return _view(recorded)


@router.get(
    "/{dissatisfaction_id}",
    name="get",
    summary="Read a dissatisfaction",
    description="The dissatisfaction, and the complaint it became if it was converted (R2). 404 outside your "
    "organisation's scope (R61).",
    response_model=DissatisfactionOut,
    responses={**problem_responses(404), **returns(examples.DISSATISFACTION_CONVERTED)},
)
async def get_dissatisfaction(
    dissatisfaction_id: DissatisfactionId, principal: CurrentPrincipal, platform: PlatformDep, response: Response
) -> DissatisfactionOut:
    _, recorded = await _visible(platform, principal, dissatisfaction_id)
    response.headers["ETag"] = etag(recorded[-1].version)
    return _view(recorded)


@router.get(
    "/{dissatisfaction_id}/events",
    name="history",
    summary="A dissatisfaction's event history",
    description="Every event of the dissatisfaction, oldest first, with who, when and why (R60); its conversion "
    "into a complaint included (R2).",
    response_model=list[HistoryEvent],
    responses={**problem_responses(404), **returns(examples.DISSATISFACTION_HISTORY)},
)
async def history(
    dissatisfaction_id: DissatisfactionId, principal: CurrentPrincipal, platform: PlatformDep
) -> list[HistoryEvent]:
    _, recorded = await _visible(platform, principal, dissatisfaction_id)
    return history_view(recorded)


@router.post(
    "/{dissatisfaction_id}/conversion",
    name="convert",
    summary="Raise a dissatisfaction as a complaint",
    description="'When it is not possible to resolve, raise this as a complaint' (003) (R2). Takes a complaint "
    "registration (as `POST /complaints`, R1); the complaint names the dissatisfaction, its complainant's personal "
    "data shares the dissatisfaction's data subject, and the dissatisfaction's history stays. Converted once: 409 "
    "after. `If-Match` takes the dissatisfaction's ETag (412 if it changed, R63).",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintOut,
    responses={**problem_responses(403, 404, 409, 412), **returns(examples.CONVERTED, 201)},
)
async def convert(
    dissatisfaction_id: DissatisfactionId,
    body: RegisterComplaintIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> ComplaintOut:
    state, _ = await _visible(platform, ctx.principal, dissatisfaction_id)
    complaint_id, outcome = await handlers.convert_dissatisfaction(
        platform, str(dissatisfaction_id), state, body, ctx, if_match
    )
    loaded = await load_complaint(platform.store, complaint_id)
    response.headers["Location"] = f"/complaints/{complaint_id}"
    response.headers["ETag"] = etag(outcome.version)
    return complaint_view(loaded.state, loaded.recorded)
