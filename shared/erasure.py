"""Erasure of a data subject's personal data (R62): an audited event, then the key is destroyed."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import OrganisationKind, Role
from shared.decider import DomainEvent, encode
from shared.errors import Forbidden, NotFound
from shared.eventstore.model import NewEvent
from shared.http.deps import CommandContextDep, IdempotencyKeyHeader, PlatformDep, require
from shared.http.examples import ERASED, returns
from shared.http.problems import problem_responses
from shared.personal_data import UnknownSubject

STREAM_TYPE = "data_subject"
ERASURE_NAMESPACE = uuid.UUID("0b8f3f53-54c1-4d0e-8f0e-4f5f6a2f2b11")


class ErasureReason(StrEnum):
    ERASURE_REQUEST = "erasure_request"  # UK GDPR article 17
    RETENTION_ENDED = "retention_ended"  # contract term plus seven years (002 8.29)


class PersonalDataErased(DomainEvent):
    event_type = "personal_data.erased"
    data_subject_id: str
    reason: ErasureReason
    reference: str


class ErasureIn(BaseModel):
    """A code and an opaque case reference, never free text: this goes into the immutable log."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "erasure_request", "reference": "DPO-2026-0042"}]},
    )

    reason: ErasureReason = Field(description="Why: an erasure request, or the end of the retention period (002 8.29)")
    reference: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9/_-]{0,63}$",
        description="Your case reference for the request (letters, digits, / _ -): no names or NI numbers",
        examples=["DPO-2026-0042"],
    )


class ErasureOut(BaseModel):
    data_subject_id: str
    erased_at: datetime
    already_erased: bool


router = APIRouter(prefix="/data-subjects", tags=["personal-data"])


@router.post(
    "/{data_subject_id}/erasure",
    name="erase",
    summary="Erase a data subject's personal data",
    description="Destroys the data subject's key (R62; 004 133-134; UK GDPR). Every past event, response and read "
    "model then shows their personal values as `[erased]`; events, counts and statistics stay intact. "
    "Data-protection officers and DWP administrators only.",
    response_model=ErasureOut,
    dependencies=[Depends(require(Role.DATA_PROTECTION_OFFICER, Role.DWP_ADMIN, requirement="R62"))],
    responses={**problem_responses(403, 404), **returns(ERASED)},
)
async def erase(
    data_subject_id: Annotated[uuid.UUID, Path()],
    body: ErasureIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    _key: IdempotencyKeyHeader = None,
) -> ErasureOut:
    if ctx.principal.organisation_kind is not OrganisationKind.DWP_BUSINESS:
        raise Forbidden(detail="erasure is carried out by DWP's data-protection officers", requirement="R62")
    known = await platform.vault.status(data_subject_id)
    if known is None:
        raise NotFound(detail=f"no data subject {data_subject_id}")
    if not isinstance(known, datetime):
        # The audit event first: if destroying the key then fails, a retry finishes the job.
        event = PersonalDataErased(data_subject_id=str(data_subject_id), reason=body.reason, reference=body.reference)
        stream_id = f"data-subject-{data_subject_id}"
        await platform.store.append(
            stream_id,
            STREAM_TYPE,
            None,
            [
                NewEvent(
                    type=event.event_type,
                    data=encode(event),
                    metadata=ctx.metadata(),
                    event_id=uuid.uuid5(ERASURE_NAMESPACE, str(data_subject_id)),
                )
            ],
        )
    try:
        newly = await platform.vault.erase(data_subject_id, ctx.now)
    except UnknownSubject as exc:
        raise NotFound(detail=str(exc)) from exc
    status = await platform.vault.status(data_subject_id)
    erased_at = status if isinstance(status, datetime) else ctx.now
    return ErasureOut(data_subject_id=str(data_subject_id), erased_at=erased_at, already_erased=not newly)
