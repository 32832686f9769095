"""`GET /worklist`: an organisation's open deadlines, most urgent first (R26)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.escalation.domain.deadlines import DeadlineKind, DeadlineStatus, Owner, deadlines
from services.escalation.policy import policy as deadline_policy
from services.escalation.timeline import from_json
from shared.clock import business_date
from shared.complaints.scope import complaint_scope
from shared.db import raw_connection
from shared.http.deps import CurrentPrincipal, PlatformDep
from shared.http.problems import problem_responses
from shared.profiles import default_profiles

router = APIRouter(tags=["deadlines"])
OPEN_STATUSES = (DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON, DeadlineStatus.ON_TIME)


class WorklistItem(BaseModel):
    complaint_id: str
    stage: int
    stage_name: str
    owner: Owner
    kind: DeadlineKind
    label: str
    due_on: date
    status: DeadlineStatus
    requirement: str


class Worklist(BaseModel):
    today: date
    items: list[WorklistItem] = Field(description="Overdue first, then by due date")


@router.get(
    "/worklist",
    name="worklist",
    summary="Open deadlines in your scope, most urgent first",
    description="Every open complaint's unmet deadlines (overdue, due soon, on time) in your organisation's scope "
    "(a provider: its own and its sub-contractors'; a Jobcentre: what it logged), by stage and owner (R26). "
    "Due soon: within DUE_SOON_WORKING_DAYS working days.",
    response_model=Worklist,
    responses=problem_responses(),
)
async def worklist(
    principal: CurrentPrincipal,
    platform: PlatformDep,
    status: Annotated[list[DeadlineStatus] | None, Query(description="Default: overdue and due soon")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Worklist:
    wanted = set(status or (DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON)) & set(OPEN_STATUSES)
    today = business_date(platform.clock.now())
    policy = deadline_policy(platform.settings)
    profiles = default_profiles()
    async with raw_connection(platform.pool) as conn:
        scope = await complaint_scope(conn, principal)
        where, args = scope.where(1, routed=True)
        rows = await conn.fetch(
            f"SELECT timeline::text AS timeline FROM escalation.timelines WHERE open AND {where}", *args
        )
    items: list[WorklistItem] = []
    for row in rows:
        found = from_json(json.loads(row["timeline"]))
        profile = profiles.get(found.profile_ref)
        stage = found.timeline.stages[-1].number
        for d in deadlines(found.timeline, profile, today, policy):
            if d.status in wanted:
                items.append(
                    WorklistItem(
                        complaint_id=found.complaint_id,
                        stage=stage,
                        stage_name=profile.stage_name(stage),
                        owner=d.owner,
                        kind=d.kind,
                        label=d.label,
                        due_on=d.due_on,
                        status=d.status,
                        requirement=d.requirement,
                    )
                )
    items.sort(key=lambda i: (i.status is not DeadlineStatus.OVERDUE, i.due_on, i.complaint_id))
    return Worklist(today=today, items=items[:limit])
