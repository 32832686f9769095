"""`GET /complaints/{id}/deadlines`: stage, owner and every deadline, computed on request (R21)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from services.escalation.domain.deadlines import DeadlineKind, DeadlineStatus, Owner, deadlines
from services.escalation.policy import policy as deadline_policy
from services.escalation.timeline import complaint_timeline
from shared.clock import business_date
from shared.complaints.scope import complaint_scope
from shared.complaints.streams import load_complaint
from shared.db import raw_connection
from shared.errors import NotFound
from shared.http.deps import AsOf, CurrentPrincipal, PlatformDep
from shared.http.problems import problem_responses
from shared.profiles import default_profiles

router = APIRouter(prefix="/complaints", tags=["deadlines"])


class DeadlineOut(BaseModel):
    kind: DeadlineKind
    label: str
    owner: Owner
    starts_on: date
    due_on: date
    met_on: date | None
    status: DeadlineStatus
    requirement: str
    guidance: str | None
    stage: int | None


class DeadlinesOut(BaseModel):
    complaint_id: str
    profile: str = Field(description="The process profile and version the complaint follows (R20), e.g. `cms@v1`")
    stage: int
    stage_name: str
    owner: Owner
    today: date = Field(description="The business date the statuses are as of")
    as_of: datetime | None
    deadlines: list[DeadlineOut]


@router.get(
    "/{complaint_id}/deadlines",
    name="get",
    summary="A complaint's stage, owner and deadlines",
    description="Every deadline with its due date and status (on time, due soon, overdue, met, met late, "
    "stopped): acknowledgement, each stage's response, the mixed-complaint contribution, the eight-week right "
    "to go to ICE (000 14.02) and the six-month ICE window (000 14.23). Computed from the events and today on "
    "every request, never stored (R21); `as_of` shows them as they stood at a past instant.",
    response_model=DeadlinesOut,
    responses=problem_responses(404),
)
async def get_deadlines(
    complaint_id: Annotated[UUID, Path()],
    principal: CurrentPrincipal,
    platform: PlatformDep,
    as_of: AsOf,
) -> DeadlinesOut:
    loaded = await load_complaint(platform.store, str(complaint_id), recorded_until=as_of)
    found = complaint_timeline(loaded.recorded, default_profiles())
    if found is not None:
        async with raw_connection(platform.pool) as conn:
            scope = await complaint_scope(conn, principal)
        visible = scope.allows(
            found.provider_organisation_id,
            found.logged_by_organisation_id,
            programme=found.programme,
            restricted=found.restricted,
            routed_to=found.routed_to_organisation_id,
        )
        if not visible:
            found = None
    if found is None:
        raise NotFound(detail=f"no complaint {complaint_id}", requirement="R61")
    today = business_date(as_of or platform.clock.now())
    policy = deadline_policy(platform.settings)
    stage = found.timeline.stages[-1].number
    profile = default_profiles().get(found.profile_ref)
    return DeadlinesOut(
        complaint_id=found.complaint_id,
        profile=profile.ref,
        stage=stage,
        stage_name=profile.stage_name(stage),
        owner=found.owner,
        today=today,
        as_of=as_of,
        deadlines=[DeadlineOut(**vars(d)) for d in deadlines(found.timeline, profile, today, policy)],
    )
