"""Working-day arithmetic for other systems (R22), exactly as the escalation service computes deadlines."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from services.escalation.api import examples
from shared.complaints.deadlines import calendar_for as calendar
from shared.errors import FieldError, ValidationProblem
from shared.http.deps import PlatformDep, QueryDate, get_principal
from shared.http.problems import problem_responses
from shared.vocabulary import Nation

router = APIRouter(prefix="/working-days", tags=["working-days"], dependencies=[Depends(get_principal)])

NationQuery = Annotated[Nation, Query(description="Selects the bank-holiday calendar; England and Wales share one")]
FromQuery = Annotated[QueryDate, Query(alias="from", description="The start date, YYYY-MM-DD (not itself counted)")]
LAST_YEAR = 2100
MAX_SPAN_DAYS = 3660  # ten years: far beyond any complaint's deadlines, and cheap to count


def _in_range(field: str, day: date) -> None:
    if not 1900 <= day.year <= LAST_YEAR:
        raise ValidationProblem(
            detail=f"{field}: dates from 1900 to {LAST_YEAR} only",
            requirement="R22",
            errors=[FieldError(f"query.{field}", "R22", f"a date from 1900 to {LAST_YEAR}")],
        )


class WorkingDaysAdded(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    nation: Nation
    from_: date = Field(alias="from", serialization_alias="from")
    days: int
    date: date


class WorkingDaysBetween(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    nation: Nation
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    working_days: int


@router.get(
    "/add",
    name="add",
    summary="The Nth working day after a date",
    description="`days` working days from `from`: the Nth working day after it, `from` not counted (R22). "
    "Working days are Monday to Friday less the bank holidays of the nation's calendar.",
    response_model=WorkingDaysAdded,
    response_model_by_alias=True,
    responses={
        **problem_responses(),
        **examples.returns({"nation": "scotland", "from": "2026-12-23", "days": 3, "date": "2026-12-30"}),
    },
)
async def add(
    nation: NationQuery,
    from_: FromQuery,
    days: Annotated[int, Query(ge=0, le=3660, description="N, 0 or more")],
    platform: PlatformDep,
) -> WorkingDaysAdded:
    _in_range("from", from_)
    result = calendar(platform.settings).add(nation, from_, days)
    _in_range("from", result)
    return WorkingDaysAdded(nation=nation, from_=from_, days=days, date=result)


@router.get(
    "/between",
    name="between",
    summary="Working days between two dates",
    description="The working days after `from` up to and including `to` (R22); `to` must not be before `from`.",
    response_model=WorkingDaysBetween,
    response_model_by_alias=True,
    responses={
        **problem_responses(),
        **examples.returns({"nation": "scotland", "from": "2026-12-23", "to": "2027-01-06", "working_days": 6}),
    },
)
async def between(
    nation: NationQuery,
    from_: FromQuery,
    to: Annotated[QueryDate, Query(description="The end date, counted")],
    platform: PlatformDep,
) -> WorkingDaysBetween:
    _in_range("from", from_)
    _in_range("to", to)
    if (to - from_).days > MAX_SPAN_DAYS:
        raise ValidationProblem(
            detail=f"from and to may be at most {MAX_SPAN_DAYS} days apart",
            requirement="R22",
            errors=[FieldError("query.to", "span", f"at most {MAX_SPAN_DAYS} days after from")],
        )
    if to < from_:
        raise ValidationProblem(
            detail="to must not be before from",
            requirement="R22",
            errors=[FieldError("query.to", "not-before-from", "to must not be before from")],
        )
    count = calendar(platform.settings).between(nation, from_, to)
    return WorkingDaysBetween(nation=nation, from_=from_, to=to, working_days=count)
