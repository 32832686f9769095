"""`GET /worklist`: an organisation's open deadlines, by stage, most urgent first (R26)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.escalation.api import examples
from shared.auth import Principal
from shared.clock import business_date
from shared.complaints.deadlines import Deadline, DeadlineKind, DeadlineStatus, Owner, deadlines
from shared.complaints.deadlines import policy_for as deadline_policy
from shared.complaints.scope import ComplaintScope, complaint_scope
from shared.complaints.timeline import ComplaintTimeline, from_json
from shared.db import raw_connection
from shared.http.deps import CurrentPrincipal, PlatformDep
from shared.http.problems import problem_responses
from shared.profiles import default_profiles
from shared.vocabulary import IsoDate

router = APIRouter(tags=["deadlines"])
TIMELINES = "escalation.timelines"
OPEN_STATUSES = (DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON, DeadlineStatus.ON_TIME)
INTERNAL_PROCESS = frozenset(
    {
        DeadlineKind.ACKNOWLEDGEMENT,
        DeadlineKind.STAGE_RESPONSE,
        DeadlineKind.MIXED_CONTRIBUTION,
        DeadlineKind.EIGHT_WEEK_FINAL_RESPONSE,
    }
)
"""Deadlines of the internal complaints process: the final response ends it (000 14.17), so they leave the worklist."""


class WorklistItem(BaseModel):
    complaint_id: str
    stage: int = Field(description="The complaint's current stage")
    stage_name: str = Field(description="Its name in the complaint's process profile (R20)")
    owner: Owner = Field(description="Who owes this deadline")
    kind: DeadlineKind
    label: str
    deadline_stage: int | None = Field(description="The stage a stage response is owed at")
    due_on: IsoDate
    status: DeadlineStatus
    requirement: str
    dg_caselist: bool = Field(description="Held on the Director General caselist (R26; 003)")


class Worklist(BaseModel):
    today: IsoDate
    items: list[WorklistItem] = Field(description="By due date, so overdue first")


def open_in_scope(scope: ComplaintScope, table: str = TIMELINES) -> tuple[str, list[Any]] | None:
    """The query for the open timelines `scope` sees, and its arguments; None when it sees none.

    The same rows as `ComplaintScope.where(routed=True)`, written without the arms that cannot match (no
    `$see_all OR`, no empty `ANY`): every remaining arm then has its own partial index `WHERE open`
    (timelines projection), so the planner reads the caller's open complaints alone, even in a generic plan,
    whatever the history holds and however many other organisations have open complaints.
    """
    args: list[Any] = []

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    arms: list[str] = []
    if not scope.see_all:
        if scope.provider_ids:
            arms.append(f"provider_organisation_id = ANY({param(list(scope.provider_ids))}::text[])")
        if scope.logged_by is not None:
            # What it logged, and what a provider redirected to it (a Jobcentre, R3).
            own = param(scope.logged_by)
            arms += [f"logged_by_organisation_id = {own}", f"routed_to_organisation_id = {own}"]
        if scope.programmes:
            arms.append(f"programme = ANY({param(list(scope.programmes))}::text[])")
        if not arms:
            return None  # an examiner's scope, or none: their lists are of cases, not complaints
    conditions = ["open"]
    if arms:
        conditions.append(f"({' OR '.join(arms)})")
    if not scope.staff_complaints:
        conditions.append("NOT restricted")
    return f"SELECT timeline::text AS timeline FROM {table} WHERE {' AND '.join(conditions)}", args


async def open_timelines(conn: Any, principal: Principal) -> list[ComplaintTimeline]:
    """The open complaints' timelines in the principal's scope."""
    query = open_in_scope(await complaint_scope(conn, principal))
    if query is None:
        return []
    sql, args = query
    return [from_json(json.loads(row["timeline"])) for row in await conn.fetch(sql, *args)]


def _on_worklist(found: ComplaintTimeline, deadline: Deadline) -> bool:
    """Someone's work: not the complainant's own window, nor the internal process once the final response ended it."""
    if deadline.owner is Owner.COMPLAINANT:
        return False
    return not (found.timeline.final_response_on is not None and deadline.kind in INTERNAL_PROCESS)


@router.get(
    "/worklist",
    name="worklist",
    summary="Open deadlines in your scope, most urgent first",
    description="Every open complaint's unmet deadlines (overdue, due soon, on time) in your organisation's scope "
    "(a provider: its own and its sub-contractors'; a Jobcentre: what it logged or was redirected to it), each with "
    "the complaint's current stage and its name, and the deadline's owner (R26). Filter by `stage` and `owner`. "
    "Due soon: within DUE_SOON_WORKING_DAYS working days (default 2). Once the final response is issued the "
    "complaint's internal-process deadlines leave the list; the complainant's ICE window is never on it.",
    response_model=Worklist,
    responses={**problem_responses(), **examples.returns(examples.WORKLIST)},
)
async def worklist(
    principal: CurrentPrincipal,
    platform: PlatformDep,
    status: Annotated[list[DeadlineStatus] | None, Query(description="Default: overdue and due soon")] = None,
    stage: Annotated[int | None, Query(ge=1, le=10, description="Only complaints at this stage")] = None,
    owner: Annotated[Owner | None, Query(description="Only deadlines this party owes")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Worklist:
    wanted = set(status or (DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON)) & set(OPEN_STATUSES)
    today = business_date(platform.clock.now())
    policy = deadline_policy(platform.settings)
    profiles = default_profiles()
    async with raw_connection(platform.pool) as conn:
        found_open = await open_timelines(conn, principal)
    items: list[WorklistItem] = []
    for found in found_open:
        if stage is not None and found.stage != stage:
            continue
        profile = profiles.get(found.profile_ref)
        for d in deadlines(found.timeline, profile, today, policy):
            if d.status not in wanted or not _on_worklist(found, d) or (owner is not None and d.owner is not owner):
                continue
            items.append(
                WorklistItem(
                    complaint_id=found.complaint_id,
                    stage=found.stage,
                    stage_name=profile.stage_name(found.stage),
                    owner=d.owner,
                    kind=d.kind,
                    label=d.label,
                    deadline_stage=d.stage,
                    due_on=d.due_on,
                    status=d.status,
                    requirement=d.requirement,
                    dg_caselist=found.dg_caselist is not None,
                )
            )
    items.sort(key=lambda i: (i.status is not DeadlineStatus.OVERDUE, i.due_on, i.complaint_id, i.kind))
    return Worklist(today=today, items=items[:limit])
