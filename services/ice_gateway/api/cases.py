"""Referral, acceptance, the case itself, the list, and the appeal that does not exist (R30, R35, R39, R61)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from services.ice_gateway import handlers
from services.ice_gateway.access import case_scope
from services.ice_gateway.api import schemas as s
from services.ice_gateway.api.common import CONCURRENCY, CaseId, RefId, answer, visible
from services.ice_gateway.api.examples import CASE, PAGE, RECOMMENDATION_LIST, returns
from services.ice_gateway.views import IceCaseOut
from shared.db import raw_connection
from shared.errors import FieldError, ValidationProblem
from shared.http.deps import (
    CommandContextDep,
    CurrentPrincipal,
    IdempotencyKeyHeader,
    IfMatch,
    PlatformDep,
)
from shared.http.problems import problem_responses
from shared.ice.reports import no_appeal
from shared.ice.vocabulary import CaseStatus, RecommendationKind
from shared.vocabulary import IsoDate

router = APIRouter(prefix="/ice-cases", tags=["ice"])
systemic_router = APIRouter(tags=["ice"])
R = {**problem_responses(403, 404, 409, 412, 422), **returns(CASE)}


@router.post(
    "",
    name="refer",
    status_code=201,
    summary="Record a referral to ICE",
    description="ICE receives a complaint the provider's process did not resolve (R30; 000 14.23-14.24). "
    "Eligibility is checked and recorded: a final response issued within the last six months (R24; 000 14.23; "
    "002 8.07), or eight weeks passed since receipt with no final response (R23; 000 14.02). A referral outside "
    "these is recorded and flagged with the reason, never silently accepted: ICE may still accept it with a "
    "justification. The contract's terms are recorded for the fee rule (R36). ICE office roles only (403); "
    "one case per complaint (409). The case id is the complaint's id.",
    response_model=IceCaseOut,
    responses={**problem_responses(403, 409, 422), **returns(CASE, 201)},
)
async def refer(
    body: s.ReferralIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await handlers.record_referral(platform, body, ctx)
    response.headers["Location"] = f"/ice-cases/{body.complaint_id}"
    return await answer(platform, ctx.principal, body.complaint_id, response)


@router.get(
    "/{case_id}",
    name="get",
    summary="An ICE case",
    description="The case as it stands: eligibility, gateway, requests and their due dates, stage, evidence, "
    "drafts and challenges, the final report, the contribution to costs with the rule applied, payments (overdue "
    "ones flagged), deadlines on both sides (R31, R34, R36, R40), and the ombudsman. `ETag` is its version. "
    "Providers see their own cases and their sub-contractors', ICE all, the ombudsman those referred to it (R61).",
    response_model=IceCaseOut,
    responses={**problem_responses(404), **returns(CASE)},
)
async def get_case(
    case_id: CaseId, principal: CurrentPrincipal, platform: PlatformDep, response: Response
) -> IceCaseOut:
    return await answer(platform, principal, case_id, response)


class IceCaseItem(BaseModel):
    case_id: str
    provider_organisation_id: str
    programme: str
    nation: str
    status: str
    stage: str | None
    eligible: bool
    referred_on: IsoDate
    closed_on: IsoDate | None
    closure: str | None
    outcome: str | None
    phso_referred_on: IsoDate | None


class IceCasePage(BaseModel):
    items: list[IceCaseItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


def _cursor(raw: str | None) -> tuple[datetime, str] | None:
    if raw is None:
        return None
    try:
        at, case_id = json.loads(base64.urlsafe_b64decode(raw.encode()))
        return datetime.fromisoformat(at), str(case_id)
    except (ValueError, TypeError) as exc:
        error = FieldError("cursor", "format", "not a cursor this service issued")
        raise ValidationProblem(detail="cursor: not a cursor this service issued", errors=[error]) from exc


@router.get(
    "",
    name="list",
    summary="ICE cases",
    description="The ICE cases the caller may see (R61), newest referral first, filtered by status or provider; "
    "cursor pagination. The list is a read model: it can trail a just-recorded change by a moment.",
    response_model=IceCasePage,
    responses={**problem_responses(), **returns(PAGE)},
)
async def list_cases(
    principal: CurrentPrincipal,
    platform: PlatformDep,
    status: CaseStatus | None = None,
    provider_organisation_id: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> IceCasePage:
    after = _cursor(cursor)
    async with raw_connection(platform.pool) as conn:
        scope_sql, scope_args = (await case_scope(conn, principal)).where(1)
        rows = await conn.fetch(
            f"""SELECT *, referred_at FROM ice.cases WHERE {scope_sql}
                AND ($6::text IS NULL OR status = $6) AND ($7::text IS NULL OR provider_organisation_id = $7)
                AND ($8::timestamptz IS NULL OR (referred_at, case_id) < ($8, $9))
                ORDER BY referred_at DESC, case_id DESC LIMIT $10""",
            *scope_args,
            status.value if status else None,
            provider_organisation_id,
            after[0] if after else None,
            after[1] if after else "",
            limit + 1,
        )
    items = [IceCaseItem(**{k: row[k] for k in IceCaseItem.model_fields}) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = base64.urlsafe_b64encode(
            json.dumps([last["referred_at"].isoformat(), last["case_id"]]).encode()
        ).decode()
    return IceCasePage(items=items, next_cursor=next_cursor)


@router.post(
    "/{case_id}/acceptance",
    name="accept",
    summary="ICE accepts the referral",
    description="ICE accepts the case and goes to the gateway check (R30; 000 14.24). A referral flagged as "
    "outside the time limits needs a `justification` (422 naming it)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def accept(
    case_id: CaseId,
    body: s.AcceptanceIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.accept_referral(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/decline",
    name="decline",
    summary="ICE declines the referral",
    description="ICE declines the case, saying why (R30). Nothing more is recorded on it." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def decline(
    case_id: CaseId,
    body: s.DeclineIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.decline_referral(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/withdrawal",
    name="withdraw",
    summary="The complainant withdrew from ICE",
    description="ICE records that the complainant withdrew their complaint (R5): the case closes as withdrawn, with no "
    "finding of fault and no contribution to costs, whatever stage it had reached (409 once closed or declined)."
    + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def withdraw(
    case_id: CaseId,
    body: s.WithdrawalIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.record_withdrawal(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/appeals",
    name="appeal",
    summary="Appeal against ICE's decision: there is none",
    description="The provider has no right of appeal against ICE's decision (R35; 000 14.38). This operation "
    "exists only to say so: it always answers 409 citing 000 14.38. If the customer is unhappy with the outcome, "
    "they can ask their MP to take the case to the PHSO.",
    response_model=None,
    status_code=409,
    responses=problem_responses(404, 409),
)
async def appeal(
    case_id: CaseId, ctx: CommandContextDep, platform: PlatformDep, body: s.AppealIn | None = None
) -> None:
    loaded = await visible(platform, ctx.principal, case_id)
    no_appeal(loaded.state)


class SystemicRecommendation(BaseModel):
    case_id: str
    recommendation_id: str
    provider_organisation_id: str
    kind: RecommendationKind
    report_date: IsoDate
    actioned_on: IsoDate | None


@systemic_router.get(
    "/recommendations",
    name="recommendations",
    summary="ICE recommendations per provider",
    description="Every final-report recommendation, by default the systemic ones still to be actioned, tracked per "
    "provider until actioned (R39; 000 14.27, 14.37). Scoped like the cases (R61).",
    response_model=list[SystemicRecommendation],
    responses={**problem_responses(), **returns(RECOMMENDATION_LIST)},
)
async def recommendations(
    principal: CurrentPrincipal,
    platform: PlatformDep,
    kind: RecommendationKind | None = RecommendationKind.SYSTEMIC,
    open_only: Annotated[bool, Query(alias="open")] = True,
    provider_organisation_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[SystemicRecommendation]:
    async with raw_connection(platform.pool) as conn:
        scope_sql, scope_args = (await case_scope(conn, principal)).where(1)
        scope_sql = scope_sql.replace("provider_organisation_id", "cases.provider_organisation_id")
        rows = await conn.fetch(
            f"""SELECT r.* FROM ice.recommendations r JOIN ice.cases USING (case_id)
                WHERE {scope_sql}
                AND ($6::text IS NULL OR r.kind = $6) AND (NOT $7 OR r.actioned_on IS NULL)
                AND ($8::text IS NULL OR r.provider_organisation_id = $8)
                ORDER BY r.provider_organisation_id, r.report_date, r.case_id, r.recommendation_id""",
            *scope_args,
            kind.value if kind else None,
            open_only,
            provider_organisation_id,
        )
    return [SystemicRecommendation(**dict(row)) for row in rows]


@router.post(
    "/{case_id}/recommendations/{recommendation_id}/actioned",
    name="action-recommendation",
    summary="The provider actioned a recommendation",
    description="A final-report recommendation, case-specific or systemic, actioned by the provider (R39; "
    "000 14.37)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def action_recommendation(
    case_id: CaseId,
    recommendation_id: RefId,
    body: s.ActionedIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.action_recommendation(platform, str(case_id), recommendation_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)
