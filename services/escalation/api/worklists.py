"""`GET /worklist`: an organisation's open deadlines, by stage, most urgent first (R26)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.escalation.api import examples
from services.escalation.domain.ice_work import provider_work
from services.escalation.projections.ice_cases import open_ice_query, readable_ice_cases
from shared.clock import business_date
from shared.complaints.deadlines import Deadline, DeadlineKind, DeadlineStatus, Owner, deadlines
from shared.complaints.deadlines import policy_for as deadline_policy
from shared.complaints.scope import ComplaintScope, complaint_scope
from shared.complaints.timeline import ComplaintTimeline, from_json
from shared.db import raw_connection
from shared.http.deps import CurrentPrincipal, PlatformDep
from shared.http.problems import problem_responses
from shared.ice.deadlines import ice_standards
from shared.ice.state import IceCaseState
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
    reference: str | None = Field(
        None, description="For an ICE deadline: the request, evidence request, draft, challenge or payment it is about"
    )


class Worklist(BaseModel):
    today: IsoDate
    items: list[WorklistItem] = Field(description="By due date, so overdue first")


def open_in_scope(scope: ComplaintScope, table: str = TIMELINES) -> tuple[str, list[Any]] | None:
    """The query for the open timelines `scope` sees, and its arguments; None when it sees none."""
    found = open_rows_in_scope(scope)
    if found is None:
        return None
    conditions, args = found
    return f"SELECT timeline::text AS timeline FROM {table} WHERE {conditions}", args


def open_rows_in_scope(
    scope: ComplaintScope, alias: str = "", *, open_row: bool = True
) -> tuple[str, list[Any]] | None:
    """The condition on escalation.timelines (as `alias`) for the rows `scope` sees (and, with `open_row`, only the
    open ones), and its arguments; None when it sees none.

    The same rows as `ComplaintScope.where(routed=True)`, written without the arms that cannot match (no
    `$see_all OR`, no empty `ANY`): every remaining arm then has its own partial index `WHERE open`
    (both projections), so the planner reads the caller's open complaints alone, even in a generic plan,
    whatever the history holds and however many other organisations have open complaints.
    """
    c = f"{alias}." if alias else ""
    args: list[Any] = []

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    arms: list[str] = []
    if not scope.see_all:
        if scope.provider_ids:
            arms.append(f"{c}provider_organisation_id = ANY({param(list(scope.provider_ids))}::text[])")
        if scope.logged_by is not None:
            # What it logged, and what a provider redirected to it (a Jobcentre, R3).
            own = param(scope.logged_by)
            arms += [f"{c}logged_by_organisation_id = {own}", f"{c}routed_to_organisation_id = {own}"]
        if scope.programmes:
            arms.append(f"{c}programme = ANY({param(list(scope.programmes))}::text[])")
        if not arms:
            return None  # an examiner's scope, or none: their lists are of cases, not complaints
    conditions = [f"{c}open"] if open_row else []
    if arms:
        conditions.append(f"({' OR '.join(arms)})")
    if not scope.staff_complaints:
        conditions.append(f"NOT {c}restricted")
    return " AND ".join(conditions) or "true", args


async def open_timelines(conn: Any, scope: ComplaintScope) -> list[ComplaintTimeline]:
    """The open complaints' timelines in the scope."""
    query = open_in_scope(scope)
    if query is None:
        return []
    sql, args = query
    return [from_json(json.loads(row["timeline"])) for row in await conn.fetch(sql, *args)]


async def open_ice_cases(conn: Any, scope: ComplaintScope) -> list[tuple[ComplaintTimeline, IceCaseState]]:
    """The ICE cases on which the provider owes something, of the complaints in the scope as they stand now (their
    timelines: marked as about staff or redirected after the referral too), with those timelines (R31, R10, R61)."""
    found = open_rows_in_scope(scope, alias="t", open_row=False)
    if found is None:
        return []
    conditions, args = found
    return readable_ice_cases(await conn.fetch(open_ice_query(conditions), *args))


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
    "complaint's internal-process deadlines leave the list; the complainant's ICE window is never on it. Once the "
    "complaint is with ICE, what the provider owes on its case joins the list, each with its `reference`: answers "
    "to ICE's requests (at most five working days, R31), evidence, draft-report comments and challenge responses "
    "(R34), agreed actions (R32) and, after the final report, fee and redress payments (R36), which stay until "
    "paid. ICE's own deadlines are in the deadlines view and the ICE gateway.",
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
    standards = ice_standards(platform.settings)
    profiles = default_profiles()
    async with raw_connection(platform.pool) as conn:
        scope = await complaint_scope(conn, principal)
        found_open = await open_timelines(conn, scope)
        ice_open = await open_ice_cases(conn, scope)
    work: list[tuple[ComplaintTimeline, Deadline]] = [
        (found, d)
        for found in found_open
        for d in deadlines(found.timeline, profiles.get(found.profile_ref), today, policy)
        if _on_worklist(found, d)
    ]
    work += [
        (found, d)
        for found, case in ice_open
        for d in provider_work(case, today, found.timeline.nation, policy, standards)
    ]
    items: list[WorklistItem] = []
    for found, d in work:
        if stage is not None and found.stage != stage:
            continue
        if d.status not in wanted or (owner is not None and d.owner is not owner):
            continue
        profile = profiles.get(found.profile_ref)
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
                reference=d.reference,
            )
        )
    items.sort(
        key=lambda i: (i.status is not DeadlineStatus.OVERDUE, i.due_on, i.complaint_id, i.kind, i.reference or "")
    )
    return Worklist(today=today, items=items[:limit])
