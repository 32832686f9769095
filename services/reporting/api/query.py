"""The machinery every figure shares (R50, R51): one SQL query per figure spec, for a date range and a
grouping, scoped to what the caller may see, answered as JSON or CSV with its range, last event and lag."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from shared.auth import OrganisationKind, Principal
from shared.db import raw_connection
from shared.directory.projection import supply_chain
from shared.errors import FieldError, ValidationProblem
from shared.http.deps import QueryDate
from shared.http.platform import Platform

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
    Period.MONTH: "to_char({date}, 'YYYY-MM')",
    Period.QUARTER: "to_char({date}, 'YYYY-\"Q\"Q')",
    Period.YEAR: "to_char({date}, 'YYYY')",
}


class Figure(BaseModel):
    figure: str = Field(
        description="Which figure: complaints_received, responses, outcomes, dissatisfactions, stage_escalations, "
        "ice_escalations, ice_cases, ice_fees_and_redress, phso, ice_annual_summary, open_caseload"
    )
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
    condition: str = "true"
    """A further WHERE condition on the source's rows."""


NOT_COMPLAINT_DIMENSIONS = frozenset(
    {Dimension.CATEGORY, Dimension.CHANNEL, Dimension.COMPLAINANT_KIND, Dimension.ABOUT}
)
"""What an ICE case's figures cannot be grouped by: they carry the referral's dimensions only."""


@dataclass(frozen=True)
class FigureParams:
    date_from: date
    date_to: date
    group_by: list[Dimension]
    period: Period | None
    format: str | None


@dataclass(frozen=True)
class Built:
    sql: str
    group_columns: list[str]
    columns: list[str]


def rate(numerator: str, denominator: str) -> str:
    """numerator / denominator to four places, null when nothing to divide by."""
    return f"round(({numerator})::numeric / nullif({denominator}, 0), 4)::float8"


def _check(spec: FigureSpec, q: FigureParams) -> list[Dimension]:
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
    return dimensions


def build(spec: FigureSpec, q: FigureParams, extra: tuple[str, str] | None = None) -> Built:
    dimensions = _check(spec, q)
    column = {**_COLUMN, Dimension.CATEGORY: spec.category}
    selects = [f"{column[d]} AS {d.value}" for d in dimensions]
    if q.period:
        selects.append(f"{_PERIOD[q.period].format(date=spec.date_column)} AS {q.period.value}")
    if extra:
        selects.append(f"{extra[1]} AS {extra[0]}")
    group_columns = (
        [d.value for d in dimensions] + ([q.period.value] if q.period else []) + ([extra[0]] if extra else [])
    )
    join = spec.category_join if Dimension.CATEGORY in dimensions else ""
    positions = ", ".join(str(i + 1) for i in range(len(selects)))
    grouping = f"GROUP BY {positions} ORDER BY {positions}" if selects else ""
    measures = [f"{sql} AS {name}" for name, sql in spec.measures]
    sql = f"""SELECT {", ".join([*selects, *measures])}
              FROM {spec.source} {join}
              WHERE {spec.date_column} BETWEEN $1 AND $2 AND ({spec.condition})
                AND ($3::text[] IS NULL OR c.provider_organisation_id = ANY($3) OR c.logged_by_organisation_id = ANY($3))
              {grouping}"""
    return Built(sql, group_columns, group_columns + [name for name, _ in spec.measures])


async def figure_rows(conn: Any, built: Built, q: FigureParams, scope: list[str] | None) -> list[dict[str, Any]]:
    """The figure's rows on `conn` (the verify tool runs this inside its own snapshot)."""
    return [dict(r) for r in await conn.fetch(built.sql, q.date_from, q.date_to, scope)]


async def provider_scope(conn: Any, principal: Principal) -> list[str] | None:
    if principal.organisation_kind in ALL_PROVIDERS:
        return None
    if principal.organisation_kind is OrganisationKind.PROVIDER:
        return await supply_chain(conn, principal.organisation_id)
    return [principal.organisation_id]  # a Jobcentre: what it logged


async def read_model_lag(conn: Any) -> tuple[datetime | None, int]:
    """The recording time of the last event the read model includes, and how many committed events it has not
    applied yet."""
    last_event_at = await conn.fetchval("SELECT last_event_at FROM reporting.projection_state")
    behind = await conn.fetchval(
        """SELECT count(*) FROM events e, subscription_checkpoints s
           WHERE s.name = 'reporting.facts' AND (e.tx_id, e.position) > (s.tx_id, s.position)"""
    )
    return last_event_at, int(behind)


def wants_csv(request: Request, format: str | None) -> bool:
    return format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))


async def answer(
    spec: FigureSpec,
    q: FigureParams,
    request: Request,
    principal: Principal,
    platform: Platform,
    extra: tuple[str, str] | None = None,
    name: str | None = None,
) -> Any:
    """The figure as JSON (a `Figure`) or CSV, stating its range, its last event and its lag."""
    built = build(spec, q, extra)
    async with raw_connection(platform.pool) as conn:
        scope = await provider_scope(conn, principal)
        rows = await figure_rows(conn, built, q, scope)
        last_event_at, behind = await read_model_lag(conn)
    if wants_csv(request, q.format):
        return Response(to_csv(built.columns, rows), media_type="text/csv; charset=utf-8")
    return Figure(
        figure=name or spec.name,
        date_from=q.date_from,
        date_to=q.date_to,
        dated_by=spec.dated_by,
        group_by=built.group_columns,
        last_event_at=last_event_at,
        events_behind=behind,
        columns=built.columns,
        rows=rows,
    )


FormatQuery = Annotated[str | None, Query(pattern="^(json|csv)$", description="Or send Accept: text/csv")]


def _query(
    date_from: Annotated[QueryDate, Query(alias="from", description="First date of the range (inclusive)")],
    date_to: Annotated[QueryDate, Query(alias="to", description="Last date of the range (inclusive)")],
    group_by: Annotated[list[Dimension], Query(description="Repeat to group by several")] = [],  # noqa: B006
    period: Period | None = None,
    format: FormatQuery = None,
) -> FigureParams:
    return FigureParams(date_from, date_to, group_by, period, format)


FigureQuery = Annotated[FigureParams, Depends(_query)]
COMMON = (
    "For any date range, grouped by any of provider, contract, programme, nation, category, channel, "
    "complainant kind and about, and by month, quarter or year (R50, R51). JSON, or CSV with `format=csv` or "
    "`Accept: text/csv` (a header row of the stable column names, one row per group). DWP MI, ICE and PHSO see "
    "every provider; a provider its own and its sub-contractors'; a Jobcentre what it logged."
)


def to_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
