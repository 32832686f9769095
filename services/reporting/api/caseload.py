"""The open caseload by stage and deadline status (R50; 001 Annex 2 §4; 004 Annex 2 Part A §8).

Read from reporting's own `timelines` and `ice_case_events` (projections/caseload.py); each complaint's stage and
deadline status on `as_of` are worked out at request time by the shared deadline rules (domain/caseload.py), so
a different day or a calendar change answers differently at once.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.reporting.api import examples
from services.reporting.api.examples import figure_responses
from services.reporting.api.query import (
    Dimension,
    Figure,
    FormatQuery,
    provider_scope,
    read_model_lag,
    to_csv,
    wants_csv,
)
from services.reporting.domain.caseload import STATUSES, IceCase, Standing, standing
from shared.clock import business_date
from shared.complaints.deadlines import Policy, policy_for
from shared.complaints.timeline import from_json
from shared.db import raw_connection
from shared.errors import FieldError, ValidationProblem
from shared.http.deps import CurrentPrincipal, PlatformDep, QueryDate
from shared.http.problems import problem_responses
from shared.ice.copies import copied_events, fold_copies
from shared.ice.deadlines import IceStandards, ice_standards
from shared.profiles import default_profiles

router = APIRouter(prefix="/figures", tags=["reports"])

GROUPS = {
    Dimension.PROVIDER: "provider_organisation_id",
    Dimension.PROGRAMME: "programme",
    Dimension.NATION: "nation",
}
"""The dimensions this figure is grouped by, and the candidate row's field for each."""
MEASURES = ("open_complaints", *STATUSES)
_STAGE_ORDER = {"ice": 1000, "phso": 1001}

# Open on $1, or perhaps (the rule is in domain/caseload.py): its ICE case or the ombudsman may still have it.
_CANDIDATES = """
    SELECT c.complaint_id, c.provider_organisation_id, c.programme, c.nation, t.timeline::text AS timeline,
           (SELECT json_agg(json_build_array(x.version, x.type, x.schema_version, x.data) ORDER BY x.version)::text
            FROM reporting.ice_case_events x WHERE x.case_id = c.complaint_id) AS ice
    FROM reporting.complaints c JOIN reporting.timelines t ON t.complaint_id = c.complaint_id
    WHERE c.received_on <= $1
      AND (($2::text[] IS NULL OR c.provider_organisation_id = ANY($2) OR c.logged_by_organisation_id = ANY($2)))
      AND (((t.final_response_on IS NULL OR t.final_response_on > $1) AND (t.withdrawn_on IS NULL OR t.withdrawn_on > $1))
           OR EXISTS (SELECT 1 FROM reporting.ice_case_events x WHERE x.case_id = c.complaint_id))"""


def ice_case(case_id: str, raw: str | None) -> IceCase | None:
    """The case folded from reporting's copy of its events by the shared ICE decider."""
    if raw is None:
        return None
    recorded = copied_events(case_id, json.loads(raw))
    declined = [r.data["declined_on"] for r in recorded if r.type == "ice.referral_declined"]
    return IceCase(
        state=fold_copies(recorded),
        declined_on=date.fromisoformat(declined[-1]) if declined else None,
    )


def tally(
    candidates: Iterable[dict[str, Any]],
    dimensions: list[Dimension],
    as_of: date,
    policy: Policy,
    standards: IceStandards,
) -> list[dict[str, Any]]:
    """One row per group and stage: how many complaints were open, and how many by deadline status."""
    profiles = default_profiles()
    counts: dict[tuple[str, ...], Counter[str]] = {}
    for row in candidates:
        found = from_json(json.loads(row["timeline"]))
        stood: Standing | None = standing(
            found,
            profiles.get(found.profile_ref),
            ice_case(row["complaint_id"], row["ice"]),
            as_of,
            policy,
            standards,
        )
        if stood is None:
            continue
        key = (*(row[GROUPS[d]] for d in dimensions), stood.stage)
        counter = counts.setdefault(key, Counter())
        counter["open_complaints"] += 1
        counter[stood.status] += 1

    def order(key: tuple[str, ...]) -> tuple[Any, ...]:
        *groups, stage = key
        return (*(g or "" for g in groups), _STAGE_ORDER.get(stage) or int(stage))

    return [
        {
            **{d.value: key[i] for i, d in enumerate(dimensions)},
            "stage": key[-1],
            **{m: counts[key][m] for m in MEASURES},
        }
        for key in sorted(counts, key=order)
    ]


@router.get(
    "/open-caseload",
    name="open-caseload",
    summary="Open caseload by stage and deadline status",
    description="The complaints open on `as_of` (default: today): received, not withdrawn and without a final "
    "response by then, counted at their stage (`1`, `2`, ...); or with their ICE case open then (referred, not "
    "declined or closed), counted at stage `ice`; or with the ombudsman (accepted, not yet reported), at stage "
    "`phso`. Each is counted once more under the status, on `as_of`, of its most urgent unmet deadline by the "
    "shared deadline rules (R21): `overdue`, `due_soon`, `on_time`, or `none` when nothing is owed; at ICE or the "
    "ombudsman, of the ICE case's deadlines. Computed on request from reporting's own timelines, never stored. "
    "Grouped by any of provider, programme and nation, and always by `stage`. Columns: the groups, `stage`, "
    "`open_complaints`, `overdue`, `due_soon`, `on_time`, `none`. `date_from` and `date_to` are both `as_of`. "
    "JSON, or CSV with `format=csv` or `Accept: text/csv`. DWP MI, ICE and PHSO see every provider; a provider "
    "its own and its sub-contractors'; a Jobcentre what it logged (R50, R51).",
    response_model=Figure,
    responses={**problem_responses(), **figure_responses(examples.OPEN_CASELOAD)},
)
async def open_caseload(
    request: Request,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    as_of: Annotated[QueryDate | None, Query(description="The business date to count on (default: today)")] = None,
    group_by: Annotated[list[Dimension], Query(description="provider, programme or nation; repeat")] = [],  # noqa: B006
    format: FormatQuery = None,
) -> Any:
    dimensions = list(dict.fromkeys(group_by))
    refused = [d.value for d in dimensions if d not in GROUPS]
    if refused:
        raise ValidationProblem(
            detail=f"open_caseload cannot be grouped by {', '.join(refused)}",
            errors=[FieldError("query.group_by", "unsupported", f"not for open_caseload: {', '.join(refused)}")],
        )
    day = as_of or business_date(platform.clock.now())
    async with raw_connection(platform.pool) as conn:
        scope = await provider_scope(conn, principal)
        candidates = [dict(r) for r in await conn.fetch(_CANDIDATES, day, scope)]
        last_event_at, behind = await read_model_lag(conn)
    rows = tally(candidates, dimensions, day, policy_for(platform.settings), ice_standards(platform.settings))
    columns = [d.value for d in dimensions] + ["stage", *MEASURES]
    if wants_csv(request, format):
        return Response(to_csv(columns, rows), media_type="text/csv; charset=utf-8")
    return Figure(
        figure="open_caseload",
        date_from=day,
        date_to=day,
        dated_by="as_of: open on that date, with deadline statuses as they stood then",
        group_by=[d.value for d in dimensions] + ["stage"],
        last_event_at=last_event_at,
        events_behind=behind,
        columns=columns,
        rows=rows,
    )
