"""Management information (R50, R51): complaints received, for any date range and grouping, JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from shared.auth import OrganisationKind, Principal
from shared.db import raw_connection
from shared.directory.projection import supply_chain
from shared.errors import FieldError, ValidationProblem
from shared.http.deps import CurrentPrincipal, PlatformDep
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


class ComplaintsReceived(BaseModel):
    figure: str = Field("complaints_received", description="Complaints received (dissatisfactions are not complaints)")
    received_from: date
    received_to: date
    group_by: list[str]
    last_event_at: datetime | None = Field(description="The recording time of the last event the figures include")
    events_behind: int = Field(description="Committed events the read model has not applied yet (its lag)")
    columns: list[str] = Field(description="Stable column names, as in the CSV header")
    rows: list[dict[str, Any]]


async def _provider_scope(conn: Any, principal: Principal) -> list[str] | None:
    if principal.organisation_kind in ALL_PROVIDERS:
        return None
    if principal.organisation_kind is OrganisationKind.PROVIDER:
        return await supply_chain(conn, principal.organisation_id)
    return [principal.organisation_id]  # a Jobcentre: complaints it logged (below)


@router.get(
    "/complaints-received",
    name="complaints-received",
    summary="Complaints received, grouped",
    description="Complaints received in a date range, grouped by any of provider, contract, programme, nation, "
    "category, channel, complainant kind and about, and by month, quarter or year of receipt (R50, R51; "
    "000 14.19; 004 Annex 2 §8). A complaint with elements in two categories counts once in each category. "
    "JSON, or CSV with `format=csv` or `Accept: text/csv` (columns: the groupings, then `complaints`). "
    "DWP MI, ICE and PHSO see every provider; a provider its own and its sub-contractors'.",
    response_model=ComplaintsReceived,
    responses={
        **problem_responses(),
        200: {"content": {"text/csv": {"schema": {"type": "string"}, "example": "provider,month,complaints\n"}}},
    },
)
async def complaints_received(
    request: Request,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    received_from: Annotated[date, Query(alias="from")],
    received_to: Annotated[date, Query(alias="to")],
    group_by: Annotated[list[Dimension], Query()] = [],  # noqa: B006 - FastAPI copies defaults
    period: Period | None = None,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Any:
    if received_to < received_from:
        raise ValidationProblem(
            detail="to must not be before from", errors=[FieldError("query.to", "not-before-from", "to >= from")]
        )
    dimensions = list(dict.fromkeys(group_by))
    columns = [d.value for d in dimensions] + ([period.value] if period else [])
    selects = [f"{_COLUMN[d]} AS {d.value}" for d in dimensions] + (
        [f"{_PERIOD[period]} AS {period.value}"] if period else []
    )
    join = "JOIN reporting.elements e ON e.complaint_id = c.complaint_id" if Dimension.CATEGORY in dimensions else ""
    grouping = f"GROUP BY {', '.join(str(i + 1) for i in range(len(selects)))}" if selects else ""
    order = f"ORDER BY {', '.join(str(i + 1) for i in range(len(selects)))}" if selects else ""
    sql = f"""SELECT {", ".join([*selects, "count(DISTINCT c.complaint_id) AS complaints"])}
              FROM reporting.complaints c {join}
              WHERE c.received_on BETWEEN $1 AND $2
                AND ($3::text[] IS NULL OR c.provider_organisation_id = ANY($3) OR c.logged_by_organisation_id = ANY($3))
              {grouping} {order}"""
    async with raw_connection(platform.pool) as conn:
        scope = await _provider_scope(conn, principal)
        rows = [dict(r) for r in await conn.fetch(sql, received_from, received_to, scope)]
        last_event_at = await conn.fetchval("SELECT last_event_at FROM reporting.projection_state")
        behind = await conn.fetchval(
            """SELECT count(*) FROM events e, subscription_checkpoints s
               WHERE s.name = 'reporting.facts' AND (e.tx_id, e.position) > (s.tx_id, s.position)"""
        )
    columns.append("complaints")
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        return Response(_csv(columns, rows), media_type="text/csv; charset=utf-8")
    return ComplaintsReceived(
        received_from=received_from,
        received_to=received_to,
        group_by=columns[:-1],
        last_event_at=last_event_at,
        events_behind=behind,
        columns=columns,
        rows=rows,
    )


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
