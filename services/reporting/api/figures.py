"""Management information (R50, R51): complaints received, for any date range and grouping, JSON or CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from shared.auth import OrganisationKind, Principal
from shared.db import raw_connection
from shared.directory.projection import supply_chain
from shared.errors import FieldError, ValidationProblem
from shared.http.deps import CurrentPrincipal, PlatformDep
from shared.http.platform import Platform
from shared.http.problems import problem_responses

router = APIRouter(prefix="/figures", tags=["reports"])

# Everyone who may see every provider's figures (R50; a provider sees its own and its sub-contractors').
ALL_PROVIDERS = {OrganisationKind.DWP_MI, OrganisationKind.DWP_BUSINESS, OrganisationKind.ICE, OrganisationKind.PHSO}


class Dimension(StrEnum):
    PROVIDER = "provider"
    CONTRACT = "contract"
    PROGRAMME = "programme"
    NATION = "nation"
    CATEGORY = "category"
    CHANNEL = "channel"
    COMPLAINANT_KIND = "complainant_kind"
    ABOUT = "about"


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_COLUMN = {
    Dimension.PROVIDER: "c.provider_organisation_id",
    Dimension.CONTRACT: "c.contract_id",
    Dimension.PROGRAMME: "c.programme",
    Dimension.NATION: "c.nation",
    Dimension.CATEGORY: "e.category",
    Dimension.CHANNEL: "c.channel",
    Dimension.COMPLAINANT_KIND: "c.complainant_kind",
    Dimension.ABOUT: "c.about",
}
_PERIOD = {
    Period.MONTH: "to_char(c.received_on, 'YYYY-MM')",
    Period.QUARTER: "to_char(c.received_on, 'YYYY-\"Q\"Q')",
    Period.YEAR: "to_char(c.received_on, 'YYYY')",
}


class Figure(BaseModel):
    figure: str = Field(description="Which figure: complaints_received, responses, outcomes, dissatisfactions")
    date_from: date
    date_to: date
    dated_by: str = Field(description="The date the range and periods apply to, e.g. the date received")
    group_by: list[str]
    last_event_at: datetime | None = Field(description="The recording time of the last event the figures include")
    events_behind: int = Field(description="Committed events the read model has not applied yet (its lag)")
    columns: list[str] = Field(description="Stable column names, as in the CSV header")
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class FigureSpec:
    name: str
    source: str
    """FROM clause; the dimension columns are on alias `c`."""
    dated_by: str
    date_column: str
    measures: tuple[tuple[str, str], ...]
    category: str = "e.category"
    category_join: str = "JOIN reporting.elements e ON e.complaint_id = c.complaint_id"
    unsupported: frozenset[Dimension] = frozenset()


COMPLAINTS_RECEIVED = FigureSpec(
    name="complaints_received",
    source="reporting.complaints c",
    dated_by="received_on",
    date_column="c.received_on",
    measures=(
        ("complaints", "count(DISTINCT c.complaint_id)"),
        ("withdrawn", "count(DISTINCT c.complaint_id) FILTER (WHERE c.withdrawn_on IS NOT NULL)"),
    ),
)
RESPONSES = FigureSpec(
    name="responses",
    source="reporting.responses r JOIN reporting.complaints c ON c.complaint_id = r.complaint_id",
    dated_by="issued_on",
    date_column="r.issued_on",
    measures=(
        ("responses", "count(DISTINCT (r.complaint_id, r.stage))"),
        ("within_timescale", "count(DISTINCT (r.complaint_id, r.stage)) FILTER (WHERE r.issued_on <= r.due_on)"),
        ("final_responses", "count(DISTINCT (r.complaint_id, r.stage)) FILTER (WHERE r.final)"),
    ),
)
OUTCOMES = FigureSpec(
    name="outcomes",
    source="reporting.outcomes o JOIN reporting.complaints c ON c.complaint_id = o.complaint_id",
    dated_by="recorded_on",
    date_column="o.recorded_on",
    measures=(
        ("elements", "count(DISTINCT (o.complaint_id, o.element_id))"),
        ("redress_pence", "coalesce(sum(o.redress_pence), 0)::bigint"),
    ),
    category="el.category",
    category_join="JOIN reporting.elements el ON el.complaint_id = o.complaint_id AND el.element_id = o.element_id",
)
DISSATISFACTIONS = FigureSpec(
    name="dissatisfactions",
    source="reporting.dissatisfactions c",
    dated_by="raised_on",
    date_column="c.raised_on",
    measures=(("dissatisfactions", "count(*)"),),
    category="c.category",
    category_join="",
    unsupported=frozenset({Dimension.COMPLAINANT_KIND}),
)


async def _provider_scope(conn: Any, principal: Principal) -> list[str] | None:
    if principal.organisation_kind in ALL_PROVIDERS:
        return None
    if principal.organisation_kind is OrganisationKind.PROVIDER:
        return await supply_chain(conn, principal.organisation_id)
    return [principal.organisation_id]  # a Jobcentre: what it logged (below)


@dataclass(frozen=True)
class FigureParams:
    date_from: date
    date_to: date
    group_by: list[Dimension]
    period: Period | None
    format: str | None


async def _figure(
    spec: FigureSpec,
    q: FigureParams,
    request: Request,
    principal: Principal,
    platform: Platform,
    extra: tuple[str, str] | None = None,
) -> Any:
    if q.date_to < q.date_from:
        raise ValidationProblem(
            detail="to must not be before from", errors=[FieldError("query.to", "not-before-from", "to >= from")]
        )
    dimensions = list(dict.fromkeys(q.group_by))
    refused = [d.value for d in dimensions if d in spec.unsupported]
    if refused:
        raise ValidationProblem(
            detail=f"{spec.name} cannot be grouped by {', '.join(refused)}",
            errors=[FieldError("query.group_by", "unsupported", f"not for {spec.name}: {', '.join(refused)}")],
        )
    column = {**_COLUMN, Dimension.CATEGORY: spec.category}
    selects = [f"{column[d]} AS {d.value}" for d in dimensions]
    if q.period:
        selects.append(f"{_PERIOD[q.period].replace('c.received_on', spec.date_column)} AS {q.period.value}")
    if extra:
        selects.append(f"{extra[1]} AS {extra[0]}")
    columns = [d.value for d in dimensions] + ([q.period.value] if q.period else []) + ([extra[0]] if extra else [])
    join = spec.category_join if Dimension.CATEGORY in dimensions else ""
    positions = ", ".join(str(i + 1) for i in range(len(selects)))
    grouping = f"GROUP BY {positions} ORDER BY {positions}" if selects else ""
    measures = [f"{sql} AS {name}" for name, sql in spec.measures]
    sql = f"""SELECT {", ".join([*selects, *measures])}
              FROM {spec.source} {join}
              WHERE {spec.date_column} BETWEEN $1 AND $2
                AND ($3::text[] IS NULL OR c.provider_organisation_id = ANY($3) OR c.logged_by_organisation_id = ANY($3))
              {grouping}"""
    async with raw_connection(platform.pool) as conn:
        scope = await _provider_scope(conn, principal)
        rows = [dict(r) for r in await conn.fetch(sql, q.date_from, q.date_to, scope)]
        last_event_at = await conn.fetchval("SELECT last_event_at FROM reporting.projection_state")
        behind = await conn.fetchval(
            """SELECT count(*) FROM events e, subscription_checkpoints s
               WHERE s.name = 'reporting.facts' AND (e.tx_id, e.position) > (s.tx_id, s.position)"""
        )
    group_columns = list(columns)
    columns += [name for name, _ in spec.measures]
    wants_csv = q.format == "csv" or (q.format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        return Response(_csv(columns, rows), media_type="text/csv; charset=utf-8")
    return Figure(
        figure=spec.name,
        date_from=q.date_from,
        date_to=q.date_to,
        dated_by=spec.dated_by,
        group_by=group_columns,
        last_event_at=last_event_at,
        events_behind=behind,
        columns=columns,
        rows=rows,
    )


def _query(
    date_from: Annotated[date, Query(alias="from", description="First date of the range (inclusive)")],
    date_to: Annotated[date, Query(alias="to", description="Last date of the range (inclusive)")],
    group_by: Annotated[list[Dimension], Query(description="Repeat to group by several")] = [],  # noqa: B006
    period: Period | None = None,
    format: Annotated[str | None, Query(pattern="^(json|csv)$", description="Or send Accept: text/csv")] = None,
) -> FigureParams:
    return FigureParams(date_from, date_to, group_by, period, format)


FigureQuery = Annotated[FigureParams, Depends(_query)]
COMMON = (
    "For any date range, grouped by any of provider, contract, programme, nation, category, channel, "
    "complainant kind and about, and by month, quarter or year (R50, R51). JSON, or CSV with `format=csv` or "
    "`Accept: text/csv` (a header row of the stable column names, one row per group). DWP MI, ICE and PHSO see "
    "every provider; a provider its own and its sub-contractors'; a Jobcentre what it logged."
)
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    **problem_responses(),
    200: {"content": {"text/csv": {"schema": {"type": "string"}, "example": "provider,month,complaints\n"}}},
}


@router.get(
    "/complaints-received",
    name="complaints-received",
    summary="Complaints received, grouped",
    description="Complaints received (by date received), and how many of them were withdrawn (R5) (000 14.19; "
    "004 Annex 2 §8). A complaint with elements in two categories counts once in each. " + COMMON,
    response_model=Figure,
    responses=CSV_RESPONSE,
)
async def complaints_received(
    q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep
) -> Any:
    return await _figure(COMPLAINTS_RECEIVED, q, request, principal, platform)


@router.get(
    "/responses",
    name="responses",
    summary="Responses issued, and how many within the stated timescale",
    description="Responses issued (by date issued), with how many were issued within the stage's stated timescale "
    "from the complaint's process profile, and how many were final (R20, R50; 001 Annex 2 §4-5). `by_stage` "
    "adds a `stage` column. " + COMMON,
    response_model=Figure,
    responses=CSV_RESPONSE,
)
async def responses(
    q: FigureQuery,
    request: Request,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    by_stage: Annotated[bool, Query(description="Group by stage too")] = False,
) -> Any:
    return await _figure(RESPONSES, q, request, principal, platform, ("stage", "r.stage") if by_stage else None)


@router.get(
    "/outcomes",
    name="outcomes",
    summary="Outcomes by type, and redress",
    description="Elements resolved by each kind of outcome (explanation, assurance, information, apology, "
    "corrective action, financial redress) and the financial redress in pence, by the date recorded; an "
    "`outcome` column always (R8, R50; 001 Annex 2 5.5, 5.7). " + COMMON,
    response_model=Figure,
    responses=CSV_RESPONSE,
)
async def outcomes(q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep) -> Any:
    return await _figure(OUTCOMES, q, request, principal, platform, ("outcome", "o.outcome"))


@router.get(
    "/dissatisfactions",
    name="dissatisfactions",
    summary="Dissatisfactions resolved as normal business",
    description="Expressions of dissatisfaction resolved on the spot, which are not complaints (R2; 004 Annex 2 "
    "Part A §2), by the date raised; not by complainant kind. " + COMMON,
    response_model=Figure,
    responses=CSV_RESPONSE,
)
async def dissatisfactions(q: FigureQuery, request: Request, principal: CurrentPrincipal, platform: PlatformDep) -> Any:
    return await _figure(DISSATISFACTIONS, q, request, principal, platform)


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
