"""Stage 3 Investigation: draft report, comments, challenges, final report and payments (R34-R36;
000 14.32-14.38; 002 8.16-8.21; 001 Annex 1 2.11.3)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.ice_gateway import handlers
from services.ice_gateway.api import schemas as s
from services.ice_gateway.api.common import CONCURRENCY, CaseId, RefId, answer, visible
from services.ice_gateway.api.examples import CASE, returns
from services.ice_gateway.views import IceCaseOut
from shared.http.deps import CommandContextDep, IdempotencyKeyHeader, IfMatch, PlatformDep
from shared.http.problems import problem_responses

router = APIRouter(prefix="/ice-cases", tags=["ice"])
R = {**problem_responses(403, 404, 409, 412, 422), **returns(CASE)}
CHALLENGE = "/{case_id}/challenges/{challenge_id}"


@router.post(
    "/{case_id}/draft-reports",
    name="issue-draft-report",
    summary="ICE issues a draft report",
    description="Stage 3: findings per element, maladministration, recommendations and proposed redress, in passages "
    "a challenge can point to (R34; 000 14.32-14.33). The provider may comment within the date ICE states, at most "
    "five working days. A revised draft answering a challenge names it (002 8.19-8.20)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def issue_draft_report(
    case_id: CaseId,
    body: s.DraftReportIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.issue_draft_report(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/draft-reports/{draft_id}/comments",
    name="comment-on-draft",
    summary="The provider comments on the draft report",
    description="Comments on factual accuracy and the proposed findings and recommendations, considered (though not "
    "necessarily accepted) before the report is final (R34; 000 14.33). Late comments are recorded and shown met "
    "late." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def comment_on_draft(
    case_id: CaseId,
    draft_id: RefId,
    body: s.CommentsIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.submit_draft_comments(platform, loaded.state, str(case_id), draft_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/challenges",
    name="raise-challenge",
    summary="The provider challenges the draft report",
    description="Raised by the provider's complaints lead or a senior manager (403 otherwise), addressed to the ICE "
    "Adjudication Manager (002 8.16). Each ground is tied to a passage of the current draft and concerns factual "
    "inaccuracy or misinterpretation of case events, procedures or policy; a difference of opinion, such as the "
    "level of redress, is refused (422, R34, 002 8.17). One open challenge at a time." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def raise_challenge(
    case_id: CaseId,
    body: s.ChallengeIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.raise_challenge(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    CHALLENGE + "/informal-resolution",
    name="resolve-challenge-informally",
    summary="An informal discussion resolved the challenge",
    description="The Adjudication Manager records that an informal discussion resolved the concerns, with no formal "
    "escalation (R34; 002 8.18)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def resolve_challenge_informally(
    case_id: CaseId,
    challenge_id: RefId,
    body: s.InformalResolutionIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.resolve_challenge_informally(platform, loaded.state, str(case_id), challenge_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    CHALLENGE + "/formal-escalation",
    name="escalate-challenge",
    summary="Formal escalation, stage 1",
    description="The Adjudication Manager takes the challenge formally and replies within ten working days of "
    "receipt (R34; 002 8.20)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def escalate_challenge(
    case_id: CaseId,
    challenge_id: RefId,
    body: s.FormalEscalationIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.escalate_challenge(platform, loaded.state, str(case_id), challenge_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    CHALLENGE + "/adjudication-reply",
    name="record-adjudication-reply",
    summary="The Adjudication Manager replies",
    description="Their view and, if appropriate, a revised draft (issue it first, naming the challenge); the "
    "provider has ten working days to respond (R34; 002 8.20)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def record_adjudication_reply(
    case_id: CaseId,
    challenge_id: RefId,
    body: s.AdjudicationReplyIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.record_adjudication_reply(platform, loaded.state, str(case_id), challenge_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    CHALLENGE + "/provider-response",
    name="respond-to-adjudication",
    summary="The provider responds to the Adjudication Manager",
    description="Agreement closes the challenge; otherwise the ICE Head of Office takes it on (R34; 002 8.20-8.21)."
    + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def respond_to_adjudication(
    case_id: CaseId,
    challenge_id: RefId,
    body: s.ChallengeResponseIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.record_challenge_response(platform, str(case_id), challenge_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    CHALLENGE + "/head-of-office-letter",
    name="record-head-of-office-letter",
    summary="Formal escalation, stage 2: the Head of Office writes to the director",
    description="ICE's Head of Office writes to the provider's director to seek agreement on a way forward (R34; "
    "002 8.21)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def record_head_of_office_letter(
    case_id: CaseId,
    challenge_id: RefId,
    body: s.HeadOfOfficeLetterIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.record_head_of_office_letter(platform, loaded.state, str(case_id), challenge_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    CHALLENGE + "/outcome",
    name="record-challenge-outcome",
    summary="The outcome of stage 2",
    description="What the Head of Office and the director agreed; it closes the challenge (R34; 002 8.21)."
    + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def record_challenge_outcome(
    case_id: CaseId,
    challenge_id: RefId,
    body: s.ChallengeOutcomeIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.record_challenge_outcome(platform, loaded.state, str(case_id), challenge_id, body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/final-report",
    name="issue-final-report",
    summary="ICE issues the final report",
    description="Findings per element (upheld, not upheld); the outcome is upheld if any element is (partly upheld "
    "when only some are); recommendations, case-specific or systemic; redress in pence (R35; 000 14.32, 14.37). "
    "Refused while a challenge is open. Fee and redress are due four weeks after the report date (001 Annex 1 "
    "2.11.3); the contribution to costs is assessed once, automatically (R36). No appeal exists (000 14.38)."
    + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def issue_final_report(
    case_id: CaseId,
    body: s.FinalReportIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    loaded = await visible(platform, ctx.principal, case_id)
    await handlers.issue_final_report(platform, loaded.state, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)


@router.post(
    "/{case_id}/payments",
    name="record-payment",
    summary="A payment of fee or redress",
    description="The provider (or DWP contract management, for the fee) records a payment, partial allowed, of the "
    "contribution to costs (`fee`), a redress item, or a PHSO recommendation's additional redress. More than is "
    "outstanding is refused (422). Unpaid amounts show overdue after their due date (R36)." + CONCURRENCY,
    response_model=IceCaseOut,
    responses=R,
)
async def record_payment(
    case_id: CaseId,
    body: s.PaymentIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    if_match: IfMatch,
    _key: IdempotencyKeyHeader = None,
) -> IceCaseOut:
    await visible(platform, ctx.principal, case_id)
    await handlers.record_payment(platform, str(case_id), body, ctx, if_match)
    return await answer(platform, ctx.principal, case_id, response)
