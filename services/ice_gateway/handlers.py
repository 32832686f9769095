"""ICE gateway command handlers: the only place the service touches the store. load -> fold -> decide -> append.

Who may do what: ICE's office records what ICE does, the provider what the provider does, the ombudsman
what it does (R61); the decider holds the rules of the process. Free text is sealed under the complaint's
data subject before the decider sees it (R62).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

from services.ice_gateway.api import schemas as s
from shared.auth import OrganisationKind, Principal, Role
from shared.calendar import WorkingDays, working_days_for
from shared.clock import business_date
from shared.commands import Loaded, Outcome, execute, load
from shared.complaints.events import Sealed
from shared.complaints.streams import load_complaint
from shared.decider import Command
from shared.directory.domain import CONTRACT_CODEC, ContractRegistered, contract_stream
from shared.errors import FieldError, Forbidden, NotFound, ValidationProblem
from shared.http.deps import CommandContext
from shared.http.platform import Platform
from shared.ice import commands as c
from shared.ice.decider import ICE_DECIDER, STREAM_TYPE, ice_stream
from shared.ice.events import (
    ICE_CODEC,
    AgreedAction,
    ChallengeGroundRecord,
    ContractTerms,
    ElementFinding,
    EvidenceItemRequested,
    Passage,
    PhsoRecommendation,
    Recommendation,
    RedressItem,
)
from shared.ice.fees import default_schedule
from shared.ice.state import IceCaseState
from shared.vocabulary import Nation

ICE_ROLES = (Role.CASE_EXAMINER, Role.ADJUDICATION_MANAGER, Role.HEAD_OF_OFFICE)
PROVIDER_ROLES = (Role.CASEWORKER, Role.COMPLAINTS_LEAD, Role.SENIOR_MANAGER)
PHSO_ROLES = (Role.PHSO_CASEWORKER,)
FIVE_WORKING_DAYS = 5  # 000 14.25, 14.33
TEN_WORKING_DAYS = 10  # 002 8.20


# Who acts


def as_ice(principal: Principal, *roles: Role, requirement: str = "R30") -> None:
    wanted = roles or ICE_ROLES
    if principal.organisation_kind is not OrganisationKind.ICE or not principal.has_any(wanted):
        raise Forbidden(
            detail="this is recorded by the ICE office, with one of the roles: " + ", ".join(r.value for r in wanted),
            requirement=requirement,
        )


def as_provider(principal: Principal, *roles: Role, requirement: str = "R61") -> None:
    wanted = roles or PROVIDER_ROLES
    if principal.organisation_kind is not OrganisationKind.PROVIDER or not principal.has_any(wanted):
        raise Forbidden(
            detail="this is the provider's to record, with one of the roles: " + ", ".join(r.value for r in wanted),
            requirement=requirement,
        )


def as_phso(principal: Principal) -> None:
    if principal.organisation_kind is not OrganisationKind.PHSO or not principal.has_any(PHSO_ROLES):
        raise Forbidden(detail="this is recorded by the ombudsman's office", requirement="R38")


def as_payer(principal: Principal) -> None:
    """The provider records what it paid; DWP contract management may record the fee it recovered (R36)."""
    dwp = principal.organisation_kind is OrganisationKind.DWP_BUSINESS and principal.has_any({Role.CONTRACT_MANAGER})
    if not dwp:
        as_provider(principal, requirement="R36")


# The stream


async def load_case(platform: Platform, case_id: str) -> Loaded[IceCaseState]:
    return await load(platform.store, ice_stream(case_id), ICE_DECIDER, ICE_CODEC)


async def decide(
    platform: Platform, case_id: str, command: Command, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    return await execute(
        platform.store,
        stream_id=ice_stream(case_id),
        stream_type=STREAM_TYPE,
        decider=ICE_DECIDER,
        codec=ICE_CODEC,
        command=command,
        ctx=ctx,
        if_match=if_match,
    )


def calendar(platform: Platform) -> WorkingDays:
    return working_days_for(platform.settings.bank_holiday_overrides_file)


def working_days_after(platform: Platform, state: IceCaseState, start: date, days: int) -> date:
    """N working days after `start` on the complaint's nation's calendar (R22)."""
    return calendar(platform).add(Nation(state.nation or Nation.ENGLAND.value), start, days)


async def seal(
    platform: Platform, state: IceCaseState, values: Mapping[str, str | None], *, required: bool = False
) -> dict[str, Sealed | None]:
    """Free text sealed under the complaint's data subject (R62). A Special Customer Record holds none at all
    (R11; 004 62-71): any sent is refused, and none is required. `required`: every value must be given otherwise
    (rules the decider does not already hold)."""
    present = {k: v for k, v in values.items() if v is not None}
    if state.clerical:
        _refuse_on_clerical_case(present)
        return dict.fromkeys(values)
    missing = [k for k, v in values.items() if v is None] if required else []
    if missing:
        errors = [FieldError(k, "required", "required (left out only for a Special Customer Record)") for k in missing]
        raise ValidationProblem(detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)
    assert state.subject_id is not None
    if not present:
        return dict.fromkeys(values)
    # After an erasure the case goes on; what is given is discarded and reads as erased (R62).
    sealed = await platform.vault.seal_or_discard(uuid.UUID(state.subject_id), values)
    return {k: sealed.get(k) for k in values}


def _refuse_on_clerical_case(present: Mapping[str, str]) -> None:
    if not present:
        return
    errors = [
        FieldError(k, "R11", "a Special Customer Record holds no personal data: keep it on the clerical file")
        for k in present
    ]
    raise ValidationProblem(
        detail="; ".join(f"{e.field}: {e.message}" for e in errors),
        requirement="R11",
        guidance="004 62-71",
        errors=errors,
    )


def today(ctx: CommandContext) -> date:
    return business_date(ctx.now)


# Referral and gateway (R30, R31)


async def _complaint_facts(platform: Platform, complaint_id: str) -> tuple[c.ComplaintFacts, str | None]:
    loaded = await load_complaint(platform.store, complaint_id)
    state = loaded.state
    if not state.registered:
        error = FieldError("complaint_id", "R30", "no such complaint")
        raise ValidationProblem(detail="complaint_id: no such complaint", requirement="R30", errors=[error])
    assert state.received_on is not None
    assert state.nation is not None
    assert state.programme is not None
    assert state.logged_by_organisation_id is not None
    final = state.final_response
    facts = c.ComplaintFacts(
        complaint_id=complaint_id,
        subject_id=state.subject_id,
        provider_organisation_id=state.provider_organisation_id,
        logged_by_organisation_id=state.logged_by_organisation_id,
        programme=state.programme.value,
        nation=state.nation.value,
        element_ids=state.element_ids,
        received_on=state.received_on,
        final_response_on=final.issued_on if final else None,
        withdrawn=state.withdrawn_on is not None,
        restricted=state.staff_complaint,
        routed_to_organisation_id=state.redirected_to_organisation_id,
    )
    contract_id = loaded.recorded[0].data.get("contract_id")
    return facts, contract_id


async def _contract(platform: Platform, contract_id: str | None) -> ContractTerms | None:
    """The contract as the directory has it now: what the fee rule will read (R36)."""
    if contract_id is None:
        return None
    for recorded in await platform.store.read_stream(contract_stream(contract_id)):
        event = CONTRACT_CODEC.decode(recorded)
        if isinstance(event, ContractRegistered):
            return ContractTerms(
                contract_id=event.contract_id,
                value_pence=event.value_pence,
                let_or_renewed_on=event.let_or_renewed_on,
            )
    return None


async def record_referral(platform: Platform, body: s.ReferralIn, ctx: CommandContext) -> Outcome[IceCaseState]:
    as_ice(ctx.principal)
    facts, contract_id = await _complaint_facts(platform, str(body.complaint_id))
    command = c.RecordReferral(
        complaint=facts,
        contract=await _contract(platform, contract_id),
        referred_on=body.referred_on,
        today=today(ctx),
    )
    return await decide(platform, str(body.complaint_id), command, ctx, None)


async def accept_referral(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    body: s.AcceptanceIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal)
    sealed = await seal(platform, state, {"justification": body.justification})
    command = c.AcceptReferral(accepted_on=body.accepted_on, justification=sealed["justification"], today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def decline_referral(
    platform: Platform, state: IceCaseState, case_id: str, body: s.DeclineIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal)
    sealed = await seal(platform, state, {"reason": body.reason})
    command = c.DeclineReferral(declined_on=body.declined_on, reason=sealed["reason"], today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def make_request(
    platform: Platform, state: IceCaseState, case_id: str, body: s.RequestIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R31")
    command = c.MakeRequest(
        request_id=body.request_id,
        kind=body.kind,
        made_on=body.made_on,
        due_on=body.due_on,
        latest_due_on=working_days_after(platform, state, body.made_on, FIVE_WORKING_DAYS),
        steps=tuple(body.steps),
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def answer_request(
    platform: Platform, case_id: str, request_id: str, body: s.AnswerIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_provider(ctx.principal, requirement="R31")
    command = c.AnswerRequest(request_id=request_id, answered_on=body.answered_on, today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def confirm_gateway_steps(
    platform: Platform, case_id: str, request_id: str, body: s.ConfirmationIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_provider(ctx.principal, requirement="R30")
    command = c.ConfirmGatewaySteps(request_id=request_id, confirmed_on=body.confirmed_on, today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def return_to_provider(
    platform: Platform, state: IceCaseState, case_id: str, body: s.ReturnIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal)
    sealed = await seal(platform, state, {"reason": body.reason})
    command = c.ReturnToProvider(
        steps=tuple(body.steps), reason=sealed["reason"], returned_on=body.returned_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def report_revisited_steps(
    platform: Platform, case_id: str, body: s.RevisitIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_provider(ctx.principal, requirement="R30")
    command = c.ReportRevisitedSteps(steps=tuple(body.steps), reported_on=body.reported_on, today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def pass_gateway(
    platform: Platform, case_id: str, body: s.PassIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal)
    return await decide(platform, case_id, c.PassGateway(passed_on=body.passed_on, today=today(ctx)), ctx, if_match)


async def record_withdrawal(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    body: s.WithdrawalIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R5")
    sealed = await seal(platform, state, {"reason": body.reason})
    command = c.RecordWithdrawal(withdrawn_on=body.withdrawn_on, reason=sealed["reason"], today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def allocate_investigator(
    platform: Platform, case_id: str, body: s.AllocationIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R40")
    command = c.AllocateInvestigator(
        investigator_user_id=body.investigator_user_id, allocated_on=body.allocated_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


# Resolution and settlement (R32, R33)


async def _actions(platform: Platform, state: IceCaseState, actions: list[s.ActionIn]) -> tuple[AgreedAction, ...]:
    sealed = await seal(
        platform, state, {f"actions.{i}.description": a.description for i, a in enumerate(actions)}, required=True
    )
    return tuple(
        AgreedAction(action_id=a.action_id, description=sealed[f"actions.{i}.description"], due_on=a.due_on)
        for i, a in enumerate(actions)
    )


async def agree_resolution(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    body: s.ResolutionIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R32")
    actions = await _actions(platform, state, body.actions)
    command = c.AgreeResolution(agreed_on=body.agreed_on, actions=actions, today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def complete_agreed_action(
    platform: Platform, case_id: str, action_id: str, body: s.CompletionIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    """The provider completes what it agreed; ICE monitors it (002 8.08), and may record it too."""
    if ctx.principal.organisation_kind is OrganisationKind.ICE:
        as_ice(ctx.principal, requirement="R32")
    else:
        as_provider(ctx.principal, requirement="R32")
    command = c.CompleteAgreedAction(action_id=action_id, completed_on=body.completed_on, today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def move_to_next_stage(
    platform: Platform, case_id: str, body: s.MoveIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R33")
    return await decide(platform, case_id, c.MoveToNextStage(moved_on=body.moved_on, today=today(ctx)), ctx, if_match)


async def request_evidence(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    body: s.EvidenceRequestIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R33")
    command = c.RequestEvidence(
        request_id=body.request_id,
        items=tuple(
            EvidenceItemRequested(item_id=i.item_id, kind=i.kind, description=i.description) for i in body.items
        ),
        requested_on=body.requested_on,
        due_on=body.due_on,
        latest_due_on=working_days_after(platform, state, body.requested_on, FIVE_WORKING_DAYS),
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def mark_evidence_not_held(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    request_id: str,
    item_id: str,
    body: s.NotHeldIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_provider(ctx.principal, requirement="R33")
    sealed = await seal(platform, state, {"reason": body.reason})
    command = c.MarkEvidenceNotHeld(request_id=request_id, item_id=item_id, reason=sealed["reason"], today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def propose_way_forward(
    platform: Platform, state: IceCaseState, case_id: str, body: s.ProposalIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R33")
    sealed = await seal(platform, state, {"proposal": body.proposal}, required=True)
    command = c.ProposeWayForward(
        proposal_id=body.proposal_id,
        proposal=sealed["proposal"],
        actions=await _actions(platform, state, body.actions),
        proposed_on=body.proposed_on,
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def answer_way_forward(
    platform: Platform,
    case_id: str,
    proposal_id: str,
    body: s.ProviderAnswerIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_provider(ctx.principal, requirement="R33")
    command = c.AnswerWayForward(
        proposal_id=proposal_id, provider_agrees=body.provider_agrees, answered_on=body.answered_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def record_complainant_satisfaction(
    platform: Platform,
    case_id: str,
    proposal_id: str,
    body: s.SatisfactionIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R33")
    command = c.RecordComplainantSatisfaction(
        proposal_id=proposal_id, satisfied=body.satisfied, recorded_on=body.recorded_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


# Investigation (R34, R35)


async def _report_parts(
    platform: Platform,
    state: IceCaseState,
    findings: list[s.FindingIn],
    recommendations: list[s.RecommendationIn],
    passages: list[s.PassageIn] | None = None,
) -> tuple[tuple[ElementFinding, ...], tuple[Recommendation, ...], tuple[Passage, ...]]:
    texts: dict[str, str | None] = {f"recommendations.{i}.text": r.text for i, r in enumerate(recommendations)}
    texts |= {f"passages.{i}.text": p.text for i, p in enumerate(passages or [])}
    sealed = await seal(platform, state, texts, required=True)
    return (
        tuple(
            ElementFinding(
                element_id=f.element_id,
                finding=f.finding,
                maladministration=f.maladministration,
                passage_ids=tuple(f.passage_ids),
            )
            for f in findings
        ),
        tuple(
            Recommendation(recommendation_id=r.recommendation_id, kind=r.kind, text=sealed[f"recommendations.{i}.text"])
            for i, r in enumerate(recommendations)
        ),
        tuple(
            Passage(passage_id=p.passage_id, text=sealed[f"passages.{i}.text"]) for i, p in enumerate(passages or [])
        ),
    )


def _redress(items: list[s.RedressIn]) -> tuple[RedressItem, ...]:
    return tuple(RedressItem(redress_id=r.redress_id, kind=r.kind, amount_pence=r.amount_pence) for r in items)


async def issue_draft_report(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    body: s.DraftReportIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R34")
    findings, recommendations, passages = await _report_parts(
        platform, state, body.findings, body.recommendations, body.passages
    )
    command = c.IssueDraftReport(
        draft_id=body.draft_id,
        issued_on=body.issued_on,
        comments_due_on=body.comments_due_on,
        latest_comments_due_on=working_days_after(platform, state, body.issued_on, FIVE_WORKING_DAYS),
        passages=passages,
        findings=findings,
        recommendations=recommendations,
        proposed_redress=_redress(body.proposed_redress),
        challenge_id=body.challenge_id,
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def submit_draft_comments(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    draft_id: str,
    body: s.CommentsIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_provider(ctx.principal, requirement="R34")
    sealed = await seal(platform, state, {"comments": body.comments})
    command = c.SubmitDraftComments(
        draft_id=draft_id, comments=sealed["comments"], submitted_on=body.submitted_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def raise_challenge(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    body: s.ChallengeIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    """The provider's side only; which of its people may raise it is the decider's rule (R34; 002 8.16)."""
    if ctx.principal.organisation_kind is not OrganisationKind.PROVIDER:
        raise Forbidden(
            detail="a challenge to a draft ICE report is the provider's", requirement="R34", guidance="002 8.16"
        )
    sealed = await seal(platform, state, {f"grounds.{i}.detail": g.detail for i, g in enumerate(body.grounds)})
    command = c.RaiseChallenge(
        challenge_id=body.challenge_id,
        draft_id=body.draft_id,
        raised_on=body.raised_on,
        raised_by_user_id=ctx.principal.subject,
        raised_by_roles=frozenset(r.value for r in ctx.principal.roles),
        addressed_to=body.addressed_to,
        grounds=tuple(
            ChallengeGroundRecord(ground=g.ground, passage_id=g.passage_id, detail=sealed[f"grounds.{i}.detail"])
            for i, g in enumerate(body.grounds)
        ),
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def resolve_challenge_informally(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    challenge_id: str,
    body: s.InformalResolutionIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, Role.ADJUDICATION_MANAGER, requirement="R34")
    sealed = await seal(platform, state, {"outcome": body.outcome})
    command = c.ResolveChallengeInformally(
        challenge_id=challenge_id, outcome=sealed["outcome"], resolved_on=body.resolved_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def escalate_challenge(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    challenge_id: str,
    body: s.FormalEscalationIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, Role.ADJUDICATION_MANAGER, requirement="R34")
    command = c.EscalateChallenge(
        challenge_id=challenge_id,
        escalated_on=body.escalated_on,
        reply_due_on=working_days_after(platform, state, body.escalated_on, TEN_WORKING_DAYS),
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def record_adjudication_reply(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    challenge_id: str,
    body: s.AdjudicationReplyIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, Role.ADJUDICATION_MANAGER, requirement="R34")
    sealed = await seal(platform, state, {"reply": body.reply}, required=True)
    command = c.RecordAdjudicationReply(
        challenge_id=challenge_id,
        replied_on=body.replied_on,
        reply=sealed["reply"],
        revised_draft_id=body.revised_draft_id,
        provider_response_due_on=working_days_after(platform, state, body.replied_on, TEN_WORKING_DAYS),
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def record_challenge_response(
    platform: Platform,
    case_id: str,
    challenge_id: str,
    body: s.ChallengeResponseIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_provider(ctx.principal, Role.COMPLAINTS_LEAD, Role.SENIOR_MANAGER, requirement="R34")
    command = c.RecordChallengeResponse(
        challenge_id=challenge_id, agrees=body.agrees, responded_on=body.responded_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def record_head_of_office_letter(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    challenge_id: str,
    body: s.HeadOfOfficeLetterIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, Role.HEAD_OF_OFFICE, requirement="R34")
    sealed = await seal(platform, state, {"director_name": body.director_name})
    command = c.RecordHeadOfOfficeLetter(
        challenge_id=challenge_id, written_on=body.written_on, director_name=sealed["director_name"], today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def record_challenge_outcome(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    challenge_id: str,
    body: s.ChallengeOutcomeIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, Role.HEAD_OF_OFFICE, requirement="R34")
    sealed = await seal(platform, state, {"outcome": body.outcome})
    command = c.RecordChallengeOutcome(
        challenge_id=challenge_id, outcome=sealed["outcome"], closed_on=body.closed_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def issue_final_report(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    body: s.FinalReportIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_ice(ctx.principal, requirement="R35")
    findings, recommendations, _ = await _report_parts(platform, state, body.findings, body.recommendations)
    command = c.IssueFinalReport(
        report_id=body.report_id,
        report_date=body.report_date,
        findings=findings,
        recommendations=recommendations,
        redress=_redress(body.redress),
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def record_payment(
    platform: Platform, case_id: str, body: s.PaymentIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_payer(ctx.principal)
    command = c.RecordPayment(
        payment_id=body.payment_id,
        target=body.target,
        amount_pence=body.amount_pence,
        paid_on=body.paid_on,
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def action_recommendation(
    platform: Platform,
    case_id: str,
    recommendation_id: str,
    body: s.ActionedIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_provider(ctx.principal, requirement="R39")
    command = c.ActionRecommendation(
        recommendation_id=recommendation_id, actioned_on=body.actioned_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def assess_contribution_to_costs(
    platform: Platform, case_id: str, report_id: str, ctx: CommandContext
) -> Outcome[IceCaseState]:
    """The fee process manager's command: the schedule is the data in force (R36)."""
    command = c.AssessContributionToCosts(report_id=report_id, assessed_on=today(ctx), schedule=default_schedule())
    return await decide(platform, case_id, command, ctx, None)


# PHSO (R38)


async def refer_to_phso(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    body: s.PhsoReferralIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_phso(ctx.principal)
    sealed = await seal(platform, state, {"member_name": body.member_name})
    command = c.ReferToPhso(
        route=body.route, referred_on=body.referred_on, member_name=sealed["member_name"], today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def accept_phso_referral(
    platform: Platform, case_id: str, body: s.PhsoAcceptanceIn, ctx: CommandContext, if_match: int | None
) -> Outcome[IceCaseState]:
    as_phso(ctx.principal)
    command = c.AcceptPhsoReferral(accepted_on=body.accepted_on, today=today(ctx))
    return await decide(platform, case_id, command, ctx, if_match)


async def issue_phso_report(
    platform: Platform,
    state: IceCaseState,
    case_id: str,
    body: s.PhsoReportIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_phso(ctx.principal)
    texts = {f"recommendations.{i}.text": r.text for i, r in enumerate(body.recommendations)}
    sealed = await seal(platform, state, texts, required=True)
    command = c.IssuePhsoReport(
        issued_on=body.issued_on,
        upheld=body.upheld,
        recommendations=tuple(
            PhsoRecommendation(
                recommendation_id=r.recommendation_id,
                text=sealed[f"recommendations.{i}.text"],
                additional_redress_pence=r.additional_redress_pence,
            )
            for i, r in enumerate(body.recommendations)
        ),
        today=today(ctx),
    )
    return await decide(platform, case_id, command, ctx, if_match)


async def complete_phso_recommendation(
    platform: Platform,
    case_id: str,
    recommendation_id: str,
    body: s.CompletionIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[IceCaseState]:
    as_provider(ctx.principal, requirement="R38")
    command = c.CompletePhsoRecommendation(
        recommendation_id=recommendation_id, completed_on=body.completed_on, today=today(ctx)
    )
    return await decide(platform, case_id, command, ctx, if_match)


def not_found(case_id: str) -> NotFound:
    return NotFound(detail=f"no ICE case {case_id}", requirement="R61")
