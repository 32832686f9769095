"""Intake command handlers: the only place intake touches the store. load -> fold -> decide -> append.

Personal values are sealed here, under the complainant's data subject, before the decider sees
them (R62); for a Special Customer Record they are refused first, so none is sealed or stored (R11).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from services.intake.api.contribution_schemas import ContributionIn, ContributionRequestIn, JointResponseIn
from services.intake.api.dissatisfaction_schemas import DissatisfactionIn
from services.intake.api.routing_schemas import RedirectionIn, ReferralIn
from services.intake.api.schemas import AcknowledgeIn, RegisterComplaintIn
from services.intake.api.work_schemas import (
    ActionCompletionIn,
    DesiredOutcomeIn,
    DiscussionIn,
    DraftIn,
    OutcomeIn,
    ProcessExplanationIn,
    ResolutionActionsIn,
    ResponseContentIn,
    ResponseIn,
    RewordingIn,
    SendDraftIn,
    StaffComplaintMarkerIn,
    WithdrawalIn,
)
from services.intake.domain.dissatisfaction import (
    DISSATISFACTION_CODEC,
    DISSATISFACTION_DECIDER,
    ConvertDissatisfaction,
    DissatisfactionState,
    PersonRecord,
    RecordDissatisfaction,
    dissatisfaction_stream,
)
from services.intake.domain.dissatisfaction import STREAM_TYPE as DISSATISFACTION_STREAM_TYPE
from shared.auth import OrganisationKind, Role, ensure_role
from shared.calendar import working_days_for
from shared.clock import business_date
from shared.commands import Outcome, execute
from shared.complaints.commands import (
    AcknowledgeComplaint,
    ApproveDraftResponse,
    CompleteResolutionAction,
    IssueJointResponse,
    IssueResponse,
    MarkAsStaffComplaint,
    PlannedAction,
    PlanResolutionActions,
    RecordDesiredOutcome,
    RecordDiscussion,
    RecordOutcome,
    RecordProcessExplanation,
    RedirectComplaint,
    ReferToProvider,
    RegisterComplaint,
    RequestContribution,
    RequestRewording,
    ResponseContent,
    SendApprovedDraft,
    SubmitContribution,
    SubmitDraftResponse,
    WithdrawComplaint,
)
from shared.complaints.decider import COMPLAINT_DECIDER, ComplaintState
from shared.complaints.events import (
    ComplainantRecord,
    ElementFinding,
    ElementRecord,
    Sealed,
    SpecialCustomerRecordRef,
    StaffComplaintMarker,
)
from shared.complaints.profile import complaint_profile
from shared.complaints.scope import atw_service_delivery
from shared.complaints.streams import decide_on_complaint, load_complaint
from shared.db import raw_connection
from shared.decider import Command
from shared.errors import FieldError, Forbidden, RuleViolation, ValidationProblem
from shared.eventstore.model import RecordedEvent
from shared.http.deps import CommandContext
from shared.http.platform import Platform
from shared.personal_data import SubjectErased
from shared.profiles import default_profiles

LOGGING_ROLES = (Role.CASEWORKER, Role.COMPLAINTS_LEAD, Role.SENIOR_MANAGER)
WORKING_ROLES = LOGGING_ROLES
"""Who works a complaint: explains, discusses, plans, responds, records outcomes (R4-R8)."""
STAFF_MARKER_ROLES = (*WORKING_ROLES, Role.STAFF_COMPLAINTS)
APPROVER_ROLES = (Role.ATW_SERVICE_DELIVERY,)
LOGGING_KINDS = (OrganisationKind.PROVIDER, OrganisationKind.JOBCENTRE, OrganisationKind.DWP_BUSINESS)


# One round trip for a registration's references: the provider's kind, the contract's holder, and whether
# the provider is in the calling provider's supply chain ($3; NULL for a Jobcentre or DWP caller) (R1, R61).
_REFERENCES = """
WITH RECURSIVE chain(organisation_id) AS (
    SELECT $3::text WHERE $3::text IS NOT NULL
    UNION
    SELECT s.subcontractor_id FROM directory.supply_chain s JOIN chain c ON s.prime_id = c.organisation_id
)
SELECT (SELECT kind FROM directory.organisations WHERE organisation_id = $1) AS provider_kind,
       (SELECT provider_organisation_id FROM directory.contracts WHERE contract_id = $2) AS holder,
       EXISTS (SELECT 1 FROM chain WHERE organisation_id = $1) AS in_chain
"""


async def _check_references(
    platform: Platform, body: RegisterComplaintIn | DissatisfactionIn, ctx: CommandContext
) -> None:
    """The provider must be in the caller's reach, and the contract must be that provider's."""
    provider = body.provider_organisation_id
    calling_provider = ctx.principal.organisation_kind is OrganisationKind.PROVIDER
    async with raw_connection(platform.pool) as conn:
        found = await conn.fetchrow(
            _REFERENCES, provider, body.contract_id, ctx.principal.organisation_id if calling_provider else None
        )
    errors: list[FieldError] = []
    if provider is not None:
        if found["provider_kind"] != OrganisationKind.PROVIDER.value:
            errors.append(FieldError("provider_organisation_id", "R1", "not a registered provider"))
        elif calling_provider and not found["in_chain"]:
            errors.append(
                FieldError("provider_organisation_id", "R61", "a provider logs complaints for its own supply chain")
            )
    if body.contract_id is not None and (found["holder"] is None or found["holder"] != provider):
        errors.append(FieldError("contract_id", "R1", "not a contract of the named provider"))
    if errors:
        raise ValidationProblem(detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


def _check_special_customer_record(body: RegisterComplaintIn) -> None:
    """R11: a clerical reference and the complainant's kind, and nothing personal; else a complainant."""
    errors: list[FieldError] = []
    if body.special_customer_record:
        if body.clerical_reference is None:
            errors.append(FieldError("clerical_reference", "R11", "a Special Customer Record names its clerical file"))
        if body.complainant_kind is None:
            errors.append(FieldError("complainant_kind", "R1", "say who complains (their kind, nothing personal)"))
    else:
        if body.complainant is None:
            errors.append(FieldError("complainant", "R1", "a complaint names its complainant"))
        if body.clerical_reference is not None:
            errors.append(FieldError("clerical_reference", "R11", "only a Special Customer Record has one"))
        if body.complainant_kind is not None:
            errors.append(FieldError("complainant_kind", "R1", "give the kind in the complainant block"))
    if errors:
        raise ValidationProblem(
            detail="; ".join(f"{e.field}: {e.message}" for e in errors), requirement=errors[0].rule, errors=errors
        )


def _ensure_logger(ctx: CommandContext) -> None:
    ensure_role(ctx.principal, *LOGGING_ROLES)
    if ctx.principal.organisation_kind not in LOGGING_KINDS:
        raise Forbidden(detail="complaints are logged by providers, Jobcentres and DWP businesses", requirement="R61")


async def _registration(
    platform: Platform,
    body: RegisterComplaintIn,
    ctx: CommandContext,
    complaint_id: str,
    *,
    subject_id: uuid.UUID | None = None,
    converted_from: str | None = None,
) -> RegisterComplaint:
    """The registration command, personal values sealed: under a new data subject, or `subject_id`'s."""
    complainant: ComplainantRecord | None = None
    scr: SpecialCustomerRecordRef | None = None
    sealed: dict[str, Any] = {}
    if body.complainant is None:
        assert body.clerical_reference is not None
        assert body.complainant_kind is not None
        scr = SpecialCustomerRecordRef(
            clerical_reference=body.clerical_reference, complainant_kind=body.complainant_kind
        )
    else:
        person = body.complainant
        personal: dict[str, str | None] = {
            "name": person.name,
            "address": person.address,
            "email": person.email,
            "phone": person.phone,
            "national_insurance_number": person.national_insurance_number,
        }
        for i, element in enumerate(body.elements):
            personal[f"element.{i}.summary"] = element.summary
            personal[f"element.{i}.desired_outcome"] = element.desired_outcome
        if subject_id is None:
            subject_id, sealed = await platform.vault.seal_for_new_subject(personal, ctx.now)
        else:
            sealed = await _seal_for(platform, subject_id, personal)
        complainant = ComplainantRecord(
            kind=person.kind,
            subject_id=str(subject_id),
            name=_required(sealed["name"]),
            address=sealed["address"],
            email=sealed["email"],
            phone=sealed["phone"],
            national_insurance_number=sealed["national_insurance_number"],
        )
    today = business_date(ctx.now)
    # The profile in effect today is recorded on the complaint, so a later profile change never moves it (R20).
    profile = default_profiles().select(body.programme.value, body.provider_organisation_id, today)
    return RegisterComplaint(
        complaint_id=complaint_id,
        complainant=complainant,
        about=body.about,
        programme=body.programme,
        provider_organisation_id=body.provider_organisation_id,
        contract_id=body.contract_id,
        channel=body.channel,
        received_on=body.received_on,
        nation=body.nation,
        elements=tuple(
            ElementRecord(
                element_id=f"E{i + 1}",
                category=element.category,
                summary=sealed.get(f"element.{i}.summary"),
                desired_outcome=sealed.get(f"element.{i}.desired_outcome"),
            )
            for i, element in enumerate(body.elements)
        ),
        logged_by_organisation_id=ctx.principal.organisation_id,
        logged_by_organisation_kind=ctx.principal.organisation_kind.value,
        today=today,
        raised_via=body.raised_via,
        case_closed_on=body.case_closed_on,
        special_customer_record=scr,
        staff_complaint=(
            StaffComplaintMarker(responsible_team_leader_user_id=body.staff_complaint.responsible_team_leader_user_id)
            if body.staff_complaint
            else None
        ),
        converted_from_dissatisfaction_id=converted_from,
        process_profile=profile.ref,
        final_stage=profile.final_stage,
    )


async def register_complaint(
    platform: Platform, body: RegisterComplaintIn, ctx: CommandContext
) -> tuple[str, Outcome[ComplaintState]]:
    _ensure_logger(ctx)
    _check_special_customer_record(body)
    await _check_references(platform, body, ctx)
    complaint_id = str(ctx.new_id("complaint"))
    command = await _registration(platform, body, ctx, complaint_id)
    return complaint_id, await decide_on_complaint(platform.store, complaint_id, command, ctx, new_stream=True)


async def acknowledge_complaint(
    platform: Platform, complaint_id: str, body: AcknowledgeIn, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    """Scope was checked by the caller; the role is checked here, the rules in the decider (R4)."""
    ensure_role(ctx.principal, *LOGGING_ROLES)
    command = AcknowledgeComplaint(
        acknowledged_on=body.acknowledged_on, method=body.method, today=business_date(ctx.now)
    )
    return await decide_on_complaint(platform.store, complaint_id, command, ctx, if_match, acting=True)


def _required(value: Any) -> dict[str, Any]:
    assert value is not None
    return dict(value)


# Working and answering a complaint. The route checked the role and the scope (and loaded `state`).


async def _seal(
    platform: Platform, state: ComplaintState, values: Mapping[str, str | None]
) -> dict[str, Sealed | None]:
    """Seal free text about the person under the complainant's key (R62); for an SCR refuse it unsealed (R11)."""
    sent = [name for name, value in values.items() if value is not None]
    if state.special_customer_record:
        if sent:
            errors = [
                FieldError(
                    name,
                    "R11",
                    "a Special Customer Record complaint holds no personal data: keep it on the clerical file",
                )
                for name in sent
            ]
            raise ValidationProblem(
                detail="; ".join(f"{e.field}: {e.message}" for e in errors),
                requirement="R11",
                guidance="004 62-71",
                errors=errors,
            )
        return dict.fromkeys(values)
    if not sent:
        return dict.fromkeys(values)
    assert state.subject_id is not None
    # After an erasure the complaint goes on (a final response is still owed): what is given is discarded and
    # reads as erased (R62).
    return await platform.vault.seal_or_discard(uuid.UUID(state.subject_id), values)


async def _seal_for(platform: Platform, subject_id: uuid.UUID, values: Mapping[str, str | None]) -> dict[str, Any]:
    try:
        return await platform.vault.seal(subject_id, values)
    except SubjectErased as exc:
        raise RuleViolation(
            detail="the complainant's personal data was erased: no more of it can be recorded here",
            requirement="R62",
        ) from exc


async def _decide(
    platform: Platform, complaint_id: str, command: Command, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    """Every work command is the acting organisation's: refused to a provider once redirected away (R3)."""
    return await decide_on_complaint(platform.store, complaint_id, command, ctx, if_match, acting=True)


async def explain_process(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    body: ProcessExplanationIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    sealed = await _seal(platform, state, {"evidence_reference": body.evidence_reference})
    command = RecordProcessExplanation(
        explained_on=body.explained_on,
        evidence=body.evidence,
        evidence_reference=sealed["evidence_reference"],
        today=business_date(ctx.now),
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def record_discussion(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    body: DiscussionIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    sealed = await _seal(platform, state, {"summary": body.summary})
    command = RecordDiscussion(
        held_on=body.held_on,
        held_with=body.held_with,
        held_by_user_id=ctx.principal.subject,
        summary=sealed["summary"],
        today=business_date(ctx.now),
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def record_desired_outcome(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    body: DesiredOutcomeIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    sealed = await _seal(platform, state, {"desired_outcome": body.desired_outcome})
    command = RecordDesiredOutcome(element_id=body.element_id, desired_outcome=sealed["desired_outcome"])
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def plan_actions(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    body: ResolutionActionsIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    sealed = await _seal(
        platform, state, {f"actions.{i}.description": a.description for i, a in enumerate(body.actions)}
    )
    command = PlanResolutionActions(
        actions=tuple(
            PlannedAction(description=sealed[f"actions.{i}.description"], due_on=a.due_on, owner=a.owner)
            for i, a in enumerate(body.actions)
        ),
        today=business_date(ctx.now),
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def complete_action(
    platform: Platform,
    complaint_id: str,
    action_id: str,
    body: ActionCompletionIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    command = CompleteResolutionAction(
        action_id=action_id, completed_on=body.completed_on, today=business_date(ctx.now)
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def withdraw(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    body: WithdrawalIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    sealed = await _seal(platform, state, {"reason": body.reason})
    command = WithdrawComplaint(withdrawn_on=body.withdrawn_on, reason=sealed["reason"], today=business_date(ctx.now))
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def _content(
    platform: Platform, state: ComplaintState, body: ResponseContentIn, ctx: CommandContext
) -> ResponseContent:
    personal: dict[str, str | None] = {"text": body.text}
    for i, finding in enumerate(body.findings):
        personal[f"findings.{i}.why_not"] = finding.why_not
    sealed = await _seal(platform, state, personal)
    return ResponseContent(
        stage=body.stage,
        final=body.final,
        author_user_id=ctx.principal.subject,
        reviewer_user_id=body.reviewer_user_id,
        text=sealed["text"],
        findings=tuple(
            ElementFinding(
                element_id=f.element_id,
                desired_outcome_achievable=f.desired_outcome_achievable,
                why_not=sealed[f"findings.{i}.why_not"],
            )
            for i, f in enumerate(body.findings)
        ),
        signposting_supplied="signposting_text" in body.model_fields_set,
        signposting_text=body.signposting_text,
    )


async def issue_response(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    body: ResponseIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    content = await _content(platform, state, body, ctx)
    command = IssueResponse(content=content, issued_on=body.issued_on, today=business_date(ctx.now))
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def submit_draft(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    body: DraftIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    content = await _content(platform, state, body, ctx)
    command = SubmitDraftResponse(content=content, today=business_date(ctx.now))
    return await _decide(platform, complaint_id, command, ctx, if_match)


def _ensure_atw_team(ctx: CommandContext) -> None:
    ensure_role(ctx.principal, *APPROVER_ROLES, requirement="R7")
    if not atw_service_delivery(ctx.principal):
        raise Forbidden(
            detail="AtW draft responses are approved by DWP's AtW Service Delivery team (002 8.03)",
            requirement="R7",
            guidance="002 8.03",
        )


async def approve_draft(
    platform: Platform, complaint_id: str, draft_id: str, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    _ensure_atw_team(ctx)
    command = ApproveDraftResponse(draft_id=draft_id, approved_by_user_id=ctx.principal.subject)
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def request_rewording(
    platform: Platform,
    complaint_id: str,
    draft_id: str,
    state: ComplaintState,
    body: RewordingIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    _ensure_atw_team(ctx)
    sealed = await _seal(platform, state, {"comments": body.comments})
    command = RequestRewording(
        draft_id=draft_id, requested_by_user_id=ctx.principal.subject, comments=sealed["comments"]
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def send_draft(
    platform: Platform,
    complaint_id: str,
    draft_id: str,
    body: SendDraftIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    command = SendApprovedDraft(draft_id=draft_id, issued_on=body.issued_on, today=business_date(ctx.now))
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def record_outcome(
    platform: Platform, complaint_id: str, body: OutcomeIn, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    command = RecordOutcome(
        element_id=body.element_id, outcomes=tuple(body.outcomes), financial_redress_pence=body.financial_redress_pence
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def mark_staff_complaint(
    platform: Platform, complaint_id: str, body: StaffComplaintMarkerIn, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    marker = StaffComplaintMarker(responsible_team_leader_user_id=body.responsible_team_leader_user_id)
    return await _decide(platform, complaint_id, MarkAsStaffComplaint(marker=marker), ctx, if_match)


# Routing (R3)


async def redirect(
    platform: Platform, complaint_id: str, body: RedirectionIn, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    """A provider redirects to a registered Jobcentre (000 14.04, 14.09, 14.20); the rules are the decider's."""
    ensure_role(ctx.principal, *WORKING_ROLES, requirement="R3")
    if ctx.principal.organisation_kind is not OrganisationKind.PROVIDER:
        raise Forbidden(
            detail="a provider redirects a complaint raised with it to the Jobcentre",
            requirement="R3",
            guidance="000 14.04, 14.09",
        )
    async with raw_connection(platform.pool) as conn:
        kind = await conn.fetchval(
            "SELECT kind FROM directory.organisations WHERE organisation_id = $1", body.to_organisation_id
        )
    if kind != OrganisationKind.JOBCENTRE.value:
        error = FieldError("to_organisation_id", "R3", "not a registered Jobcentre")
        raise ValidationProblem(detail=f"{error.field}: {error.message}", requirement="R3", errors=[error])
    command = RedirectComplaint(
        reason=body.reason,
        to_organisation_id=body.to_organisation_id,
        redirected_on=body.redirected_on,
        acting_organisation_id=ctx.principal.organisation_id,
        today=business_date(ctx.now),
    )
    return await decide_on_complaint(platform.store, complaint_id, command, ctx, if_match)


async def refer_to_provider(
    platform: Platform, complaint_id: str, body: ReferralIn, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    """The Jobcentre that logged a complaint about a provider refers it there (000 14.06-14.08)."""
    ensure_role(ctx.principal, *WORKING_ROLES, requirement="R3")
    command = ReferToProvider(
        referred_on=body.referred_on, acting_organisation_id=ctx.principal.organisation_id, today=business_date(ctx.now)
    )
    return await decide_on_complaint(platform.store, complaint_id, command, ctx, if_match)


# Mixed complaints (R25): the contribution and the joint response. The rules, who may act included, are the decider's.


async def request_contribution(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    recorded: list[RecordedEvent],
    body: ContributionRequestIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    """The due date is worked out here, on the complaint's calendar, by its profile's stated timescale (000 14.05)."""
    profile = complaint_profile(recorded, default_profiles())
    assert state.nation is not None
    calendar = working_days_for(platform.settings.bank_holiday_overrides_file)
    command = RequestContribution(
        requested_on=body.requested_on,
        due_on=profile.mixed_contribution.due(body.requested_on, state.nation, calendar),
        acting_organisation_id=ctx.principal.organisation_id,
        today=business_date(ctx.now),
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def submit_contribution(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    body: ContributionIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    sealed = await _seal(platform, state, {"text": body.text})
    command = SubmitContribution(
        submitted_on=body.submitted_on,
        text=sealed["text"],
        acting_organisation_id=ctx.principal.organisation_id,
        today=business_date(ctx.now),
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def issue_joint_response(
    platform: Platform,
    complaint_id: str,
    state: ComplaintState,
    body: JointResponseIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    """The joint response is the provider's stage 1 and never final (000 14.21)."""
    as_response = ResponseContentIn(
        stage=1,
        final=False,
        text=body.text,
        reviewer_user_id=body.reviewer_user_id,
        findings=body.findings,
    )
    content = await _content(platform, state, as_response, ctx)
    command = IssueJointResponse(
        content=content,
        issued_on=body.issued_on,
        acting_organisation_id=ctx.principal.organisation_id,
        today=business_date(ctx.now),
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


# Dissatisfactions (R2)


async def record_dissatisfaction(
    platform: Platform, body: DissatisfactionIn, ctx: CommandContext
) -> tuple[str, Outcome[DissatisfactionState]]:
    _ensure_logger(ctx)
    await _check_references(platform, body, ctx)
    dissatisfaction_id = str(ctx.new_id("dissatisfaction"))
    subject_id, sealed = await platform.vault.seal_for_new_subject(
        {"name": body.name, "summary": body.summary, "resolution": body.resolution}, ctx.now
    )
    command = RecordDissatisfaction(
        dissatisfaction_id=dissatisfaction_id,
        person=PersonRecord(kind=body.complainant_kind, subject_id=str(subject_id), name=sealed["name"]),
        about=body.about,
        programme=body.programme,
        provider_organisation_id=body.provider_organisation_id,
        contract_id=body.contract_id,
        channel=body.channel,
        nation=body.nation,
        category=body.category,
        raised_on=body.raised_on,
        resolved_on=body.resolved_on,
        summary=_required(sealed["summary"]),
        resolution=_required(sealed["resolution"]),
        logged_by_organisation_id=ctx.principal.organisation_id,
        logged_by_organisation_kind=ctx.principal.organisation_kind.value,
        today=business_date(ctx.now),
    )
    return dissatisfaction_id, await _on_dissatisfaction(platform, dissatisfaction_id, command, ctx, None)


async def _on_dissatisfaction(
    platform: Platform, dissatisfaction_id: str, command: Command, ctx: CommandContext, if_match: int | None
) -> Outcome[DissatisfactionState]:
    return await execute(
        platform.store,
        stream_id=dissatisfaction_stream(dissatisfaction_id),
        stream_type=DISSATISFACTION_STREAM_TYPE,
        decider=DISSATISFACTION_DECIDER,
        codec=DISSATISFACTION_CODEC,
        command=command,
        ctx=ctx,
        if_match=if_match,
    )


async def convert_dissatisfaction(
    platform: Platform,
    dissatisfaction_id: str,
    state: DissatisfactionState,
    body: RegisterComplaintIn,
    ctx: CommandContext,
    if_match: int | None,
) -> tuple[str, Outcome[ComplaintState]]:
    """Raise the dissatisfaction as a complaint (R2): the complaint names it and its person's data subject.

    The registration is checked by the complaint decider before anything is appended; then the
    dissatisfaction records the conversion, then the complaint is registered. Should that last step
    fail, the same conversion again completes it (the dissatisfaction already names the complaint).
    """
    _ensure_logger(ctx)
    _check_special_customer_record(body)
    if body.special_customer_record:
        raise ValidationProblem(
            detail="special_customer_record: a dissatisfaction holds personal data, so it cannot become a Special "
            "Customer Record complaint; register that afresh with its clerical reference",
            requirement="R11",
            errors=[FieldError("special_customer_record", "R11", "not for a converted dissatisfaction")],
        )
    await _check_references(platform, body, ctx)
    complaint_id = state.converted_to or str(ctx.new_id("complaint"))
    if state.converted_to is not None and (await load_complaint(platform.store, complaint_id)).state.registered:
        raise RuleViolation(
            detail=f"the dissatisfaction was already converted into complaint {complaint_id}",
            requirement="R2",
            guidance="003",
            extra={"complaint_id": complaint_id},
        )
    assert state.subject_id is not None
    command = await _registration(
        platform, body, ctx, complaint_id, subject_id=uuid.UUID(state.subject_id), converted_from=dissatisfaction_id
    )
    COMPLAINT_DECIDER.decide(command, ComplaintState())  # refuses here, before the conversion is recorded
    convert = ConvertDissatisfaction(
        complaint_id=complaint_id, converted_on=body.received_on, today=business_date(ctx.now)
    )
    await _on_dissatisfaction(platform, dissatisfaction_id, convert, ctx, if_match)
    return complaint_id, await decide_on_complaint(platform.store, complaint_id, command, ctx)
