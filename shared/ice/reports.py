"""Stage 3 Investigation: draft report, comments, challenges, final report, fee, payments, evidence destruction
(R34-R37, R39; 000 14.32-14.38; 002 8.16-8.21; 001 Annex 1 2.11.3; 004 Part B 5-8)."""

from __future__ import annotations

from datetime import timedelta

from shared.auth import Role
from shared.complaints.checks import refuse_if
from shared.decider import DomainEvent
from shared.errors import Conflict, FieldError, Forbidden, RuleViolation
from shared.ice import fees
from shared.ice.commands import (
    ActionRecommendation,
    AssessContributionToCosts,
    EscalateChallenge,
    IssueDraftReport,
    IssueFinalReport,
    RaiseChallenge,
    RecordAdjudicationReply,
    RecordChallengeOutcome,
    RecordChallengeResponse,
    RecordEvidenceDestruction,
    RecordHeadOfOfficeLetter,
    RecordPayment,
    ResolveChallengeInformally,
    SubmitDraftComments,
)
from shared.ice.events import (
    AdjudicationManagerReplied,
    CaseClosed,
    ChallengeClosed,
    ChallengeFormallyEscalated,
    ChallengeRaised,
    ChallengeResponseRecorded,
    ContributionToCostsAssessed,
    DraftCommentsSubmitted,
    DraftReportIssued,
    ElementFinding,
    EvidenceDestroyed,
    FinalReportIssued,
    HeadOfOfficeWroteToDirector,
    PaymentRecorded,
    RecommendationActioned,
)
from shared.ice.rules import at_stage, dated, due_within, referred, refuse_bad_date, unique
from shared.ice.state import FEE, ChallengeState, IceCaseState
from shared.ice.vocabulary import (
    ACCEPTED_GROUNDS,
    ChallengeClosure,
    ChallengeStatus,
    Closure,
    Finding,
    IceStage,
    ReportOutcome,
)

INVESTIGATION = "000 14.32-14.33; 004 Part B 5"
CHALLENGE = "002 8.16-8.21"
CHALLENGERS = frozenset({Role.COMPLAINTS_LEAD.value, Role.SENIOR_MANAGER.value})
PAYMENT_WEEKS = 4  # 001 Annex 1 2.11.3: "within four (4) weeks of the date of the ICE final investigation report"
NO_APPEAL = "000 14.38"


def _findings(
    errors: list[FieldError], state: IceCaseState, findings: tuple[ElementFinding, ...], passages: frozenset[str] | None
) -> None:
    """One finding for each element of the complaint (000 14.32), naming only passages of the report."""
    ids = [f.element_id for f in findings]
    unique(errors, "findings", ids, "element")
    missing = [e for e in state.element_ids if e not in ids]
    unknown = [e for e in ids if e not in state.element_ids]
    if missing:
        errors.append(
            FieldError("findings", "R35", "a finding for each element is needed; missing: " + ", ".join(missing))
        )
    if unknown:
        errors.append(FieldError("findings", "R35", "not elements of this complaint: " + ", ".join(unknown)))
    if passages is not None:
        for i, finding in enumerate(findings):
            stray = [p for p in finding.passage_ids if p not in passages]
            if stray:
                errors.append(FieldError(f"findings.{i}.passage_ids", "R34", "no such passage: " + ", ".join(stray)))


def issue_draft_report(command: IssueDraftReport, state: IceCaseState) -> list[DomainEvent]:
    if state.final_report is not None:  # checked first: the closed case would otherwise hide it
        raise RuleViolation(detail="the final report is issued: no further draft", requirement="R35")
    at_stage(state, IceStage.INVESTIGATION, requirement="R34", guidance=INVESTIGATION)
    assert state.case_id is not None
    if state.draft(command.draft_id) is not None:
        raise Conflict(detail=f"draft {command.draft_id} already exists", requirement="R34")
    if command.challenge_id is not None:
        challenge = state.challenge(command.challenge_id)
        if challenge is None or challenge.status is ChallengeStatus.CLOSED:
            raise RuleViolation(
                detail=f"no open challenge {command.challenge_id} to revise the draft for",
                requirement="R34",
                guidance="002 8.19-8.20",
            )
    errors: list[FieldError] = []
    passage_ids = [p.passage_id for p in command.passages]
    unique(errors, "passages", passage_ids, "passage")
    _findings(errors, state, command.findings, frozenset(passage_ids))
    unique(errors, "recommendations", [r.recommendation_id for r in command.recommendations], "recommendation")
    unique(errors, "proposed_redress", [r.redress_id for r in command.proposed_redress], "redress")
    dated(
        errors,
        "issued_on",
        command.issued_on,
        today=command.today,
        not_before=state.accepted_on,
        what="ICE's acceptance",
        rule="R34",
    )
    due_on = due_within(
        errors,
        "comments_due_on",
        command.comments_due_on,
        command.issued_on,
        command.latest_comments_due_on,
        rule="R34",
        limit="at most five working days (000 14.33)",
    )
    refuse_if(errors, "R34", INVESTIGATION)
    return [
        DraftReportIssued(
            case_id=state.case_id,
            draft_id=command.draft_id,
            revision=len(state.drafts) + 1,
            issued_on=command.issued_on,
            comments_due_on=due_on,
            passages=command.passages,
            findings=command.findings,
            recommendations=command.recommendations,
            proposed_redress=command.proposed_redress,
            challenge_id=command.challenge_id,
        )
    ]


def _current_draft(state: IceCaseState, draft_id: str, requirement: str) -> None:
    if state.final_report is not None:  # checked first: the closed case would otherwise hide it
        raise RuleViolation(
            detail="the final report is issued: the draft is closed", requirement="R35", guidance=NO_APPEAL
        )
    at_stage(state, IceStage.INVESTIGATION, requirement=requirement, guidance=INVESTIGATION)
    latest = state.latest_draft
    if latest is None or latest.draft_id != draft_id:
        current = f"the current draft is {latest.draft_id}" if latest else "no draft is issued"
        raise RuleViolation(detail=f"{draft_id} is not the current draft ({current})", requirement=requirement)


def submit_draft_comments(command: SubmitDraftComments, state: IceCaseState) -> list[DomainEvent]:
    _current_draft(state, command.draft_id, "R34")
    assert state.case_id is not None
    draft = state.draft(command.draft_id)
    assert draft is not None
    if draft.comments_on is not None:
        raise RuleViolation(detail="comments on this draft were already submitted", requirement="R34")
    errors: list[FieldError] = []
    dated(
        errors,
        "submitted_on",
        command.submitted_on,
        today=command.today,
        not_before=draft.issued_on,
        what="the draft",
        rule="R34",
    )
    if command.comments is None and not state.clerical:
        errors.append(FieldError("comments", "R34", "the comments are required"))
    refuse_if(errors, "R34")
    return [
        DraftCommentsSubmitted(
            case_id=state.case_id, draft_id=draft.draft_id, submitted_on=command.submitted_on, comments=command.comments
        )
    ]


def raise_challenge(command: RaiseChallenge, state: IceCaseState) -> list[DomainEvent]:
    """Only the complaints lead or a senior manager (002 8.16); only factual or interpretation grounds (8.17)."""
    if not CHALLENGERS & command.raised_by_roles:
        raise Forbidden(
            detail="a challenge to a draft ICE report is raised by the provider's complaints lead or a senior manager",
            requirement="R34",
            guidance="002 8.16",
        )
    _current_draft(state, command.draft_id, "R34")
    assert state.case_id is not None
    if state.challenge(command.challenge_id) is not None:
        raise Conflict(detail=f"challenge {command.challenge_id} already exists", requirement="R34")
    if (open_one := state.open_challenge) is not None:
        raise RuleViolation(
            detail=f"challenge {open_one.challenge_id} is still open", requirement="R34", guidance=CHALLENGE
        )
    draft = state.draft(command.draft_id)
    assert draft is not None
    errors: list[FieldError] = []
    if command.addressed_to != "adjudication_manager":
        errors.append(
            FieldError("addressed_to", "R34", "a challenge is addressed to the ICE Adjudication Manager (002 8.16)")
        )
    if not command.grounds:
        errors.append(FieldError("grounds", "R34", "state the grounds, each tied to a passage of the draft (002 8.17)"))
    for i, ground in enumerate(command.grounds):
        if ground.ground not in ACCEPTED_GROUNDS:
            errors.append(
                FieldError(
                    f"grounds.{i}.ground",
                    "R34",
                    f"{ground.ground.value}: ICE will not revise a report on a difference of opinion, such as the "
                    "level of redress; a challenge concerns only factual inaccuracy or misinterpretation of case "
                    "events, procedures or policy (002 8.17)",
                )
            )
        if ground.passage_id not in draft.passage_ids:
            errors.append(FieldError(f"grounds.{i}.passage_id", "R34", f"draft {draft.draft_id} has no such passage"))
        if ground.detail is None and not state.clerical:
            errors.append(
                FieldError(f"grounds.{i}.detail", "R34", "a challenge must be clearly articulated (002 8.17)")
            )
    dated(
        errors,
        "raised_on",
        command.raised_on,
        today=command.today,
        not_before=draft.issued_on,
        what="the draft",
        rule="R34",
    )
    refuse_if(errors, "R34", "002 8.17")
    role = sorted(CHALLENGERS & command.raised_by_roles)[0]
    return [
        ChallengeRaised(
            case_id=state.case_id,
            challenge_id=command.challenge_id,
            draft_id=draft.draft_id,
            raised_on=command.raised_on,
            raised_by_user_id=command.raised_by_user_id,
            raised_by_role=role,
            addressed_to=command.addressed_to,
            grounds=command.grounds,
        )
    ]


def _challenge(state: IceCaseState, challenge_id: str, *statuses: ChallengeStatus) -> ChallengeState:
    referred(state)
    challenge = state.challenge(challenge_id)
    if challenge is None:
        raise RuleViolation(detail=f"no challenge {challenge_id} on this case", requirement="R34")
    if challenge.status not in statuses:
        raise RuleViolation(
            detail=f"challenge {challenge_id} is {challenge.status.value}; this needs it "
            + " or ".join(s.value for s in statuses),
            requirement="R34",
            guidance=CHALLENGE,
        )
    return challenge


def resolve_challenge_informally(command: ResolveChallengeInformally, state: IceCaseState) -> list[DomainEvent]:
    challenge = _challenge(state, command.challenge_id, ChallengeStatus.RAISED)
    assert state.case_id is not None
    refuse_bad_date(
        "resolved_on",
        command.resolved_on,
        today=command.today,
        not_before=challenge.raised_on,
        what="the challenge",
        rule="R34",
    )
    return [
        ChallengeClosed(
            case_id=state.case_id,
            challenge_id=challenge.challenge_id,
            closed_on=command.resolved_on,
            closure=ChallengeClosure.RESOLVED_INFORMALLY,
            outcome=command.outcome,
        )
    ]


def escalate_challenge(command: EscalateChallenge, state: IceCaseState) -> list[DomainEvent]:
    challenge = _challenge(state, command.challenge_id, ChallengeStatus.RAISED)
    assert state.case_id is not None
    refuse_bad_date(
        "escalated_on",
        command.escalated_on,
        today=command.today,
        not_before=challenge.raised_on,
        what="the challenge",
        rule="R34",
    )
    return [
        ChallengeFormallyEscalated(
            case_id=state.case_id,
            challenge_id=challenge.challenge_id,
            escalated_on=command.escalated_on,
            reply_due_on=command.reply_due_on,
        )
    ]


def record_adjudication_reply(command: RecordAdjudicationReply, state: IceCaseState) -> list[DomainEvent]:
    challenge = _challenge(state, command.challenge_id, ChallengeStatus.FORMAL_STAGE_1)
    assert state.case_id is not None
    errors: list[FieldError] = []
    if command.revised_draft_id is not None:
        revised = state.draft(command.revised_draft_id)
        if revised is None or revised.challenge_id != challenge.challenge_id:
            errors.append(
                FieldError("revised_draft_id", "R34", "not a draft revised for this challenge (issue it first)")
            )
    dated(
        errors,
        "replied_on",
        command.replied_on,
        today=command.today,
        not_before=challenge.raised_on,
        what="the challenge",
        rule="R34",
    )
    refuse_if(errors, "R34", "002 8.20")
    return [
        AdjudicationManagerReplied(
            case_id=state.case_id,
            challenge_id=challenge.challenge_id,
            replied_on=command.replied_on,
            reply=command.reply,
            revised_draft_id=command.revised_draft_id,
            provider_response_due_on=command.provider_response_due_on,
        )
    ]


def record_challenge_response(command: RecordChallengeResponse, state: IceCaseState) -> list[DomainEvent]:
    challenge = _challenge(state, command.challenge_id, ChallengeStatus.AWAITING_PROVIDER)
    assert state.case_id is not None
    if challenge.responded_on is not None:
        raise RuleViolation(
            detail="the provider already responded; the Head of Office takes it on (002 8.21)",
            requirement="R34",
            guidance="002 8.21",
        )
    refuse_bad_date(
        "responded_on",
        command.responded_on,
        today=command.today,
        not_before=challenge.replied_on,
        what="the Adjudication Manager's reply",
        rule="R34",
    )
    events: list[DomainEvent] = [
        ChallengeResponseRecorded(
            case_id=state.case_id,
            challenge_id=challenge.challenge_id,
            agrees=command.agrees,
            responded_on=command.responded_on,
        )
    ]
    if command.agrees:
        events.append(
            ChallengeClosed(
                case_id=state.case_id,
                challenge_id=challenge.challenge_id,
                closed_on=command.responded_on,
                closure=ChallengeClosure.AGREED_AT_STAGE_1,
            )
        )
    return events


def record_head_of_office_letter(command: RecordHeadOfOfficeLetter, state: IceCaseState) -> list[DomainEvent]:
    challenge = _challenge(state, command.challenge_id, ChallengeStatus.AWAITING_PROVIDER)
    assert state.case_id is not None
    refuse_bad_date(
        "written_on",
        command.written_on,
        today=command.today,
        not_before=challenge.replied_on,
        what="the Adjudication Manager's reply",
        rule="R34",
    )
    return [
        HeadOfOfficeWroteToDirector(
            case_id=state.case_id,
            challenge_id=challenge.challenge_id,
            written_on=command.written_on,
            director_name=command.director_name,
        )
    ]


def record_challenge_outcome(command: RecordChallengeOutcome, state: IceCaseState) -> list[DomainEvent]:
    challenge = _challenge(state, command.challenge_id, ChallengeStatus.FORMAL_STAGE_2)
    assert state.case_id is not None
    errors: list[FieldError] = []
    if command.outcome is None and not state.clerical:
        errors.append(FieldError("outcome", "R34", "record the outcome the Head of Office reached"))
    dated(
        errors,
        "closed_on",
        command.closed_on,
        today=command.today,
        not_before=challenge.raised_on,
        what="the challenge",
        rule="R34",
    )
    refuse_if(errors, "R34", "002 8.21")
    return [
        ChallengeClosed(
            case_id=state.case_id,
            challenge_id=challenge.challenge_id,
            closed_on=command.closed_on,
            closure=ChallengeClosure.HEAD_OF_OFFICE_OUTCOME,
            outcome=command.outcome,
        )
    ]


def report_outcome(findings: tuple[ElementFinding, ...]) -> ReportOutcome:
    """Upheld if any element is upheld (R35): partly upheld when only some are."""
    upheld = sum(f.finding is Finding.UPHELD for f in findings)
    if upheld == 0:
        return ReportOutcome.NOT_UPHELD
    return ReportOutcome.UPHELD if upheld == len(findings) else ReportOutcome.PARTLY_UPHELD


def issue_final_report(command: IssueFinalReport, state: IceCaseState) -> list[DomainEvent]:
    if state.final_report is not None:  # checked first: the closed case would otherwise hide it
        raise Conflict(detail="the final report is already issued", requirement="R35", guidance=NO_APPEAL)
    at_stage(state, IceStage.INVESTIGATION, requirement="R35", guidance=INVESTIGATION)
    assert state.case_id is not None
    assert state.provider_organisation_id is not None
    latest = state.latest_draft
    if latest is None:
        raise RuleViolation(
            detail="the provider sees a draft report first (000 14.33)", requirement="R34", guidance="000 14.33"
        )
    if (open_one := state.open_challenge) is not None:
        raise RuleViolation(
            detail=f"challenge {open_one.challenge_id} to the draft is still open",
            requirement="R34",
            guidance=CHALLENGE,
        )
    errors: list[FieldError] = []
    _findings(errors, state, command.findings, None)
    unique(errors, "recommendations", [r.recommendation_id for r in command.recommendations], "recommendation")
    unique(errors, "redress", [r.redress_id for r in command.redress], "redress")
    if any(r.redress_id == FEE for r in command.redress):
        errors.append(FieldError("redress", "R35", f"'{FEE}' is reserved for the contribution to costs"))
    if state.phso is not None and (
        taken := [r.redress_id for r in command.redress if r.redress_id in dict(state.phso.recommendations)]
    ):
        errors.append(
            FieldError("redress", "R35", "ids already used by ombudsman recommendations: " + ", ".join(taken))
        )
    dated(
        errors,
        "report_date",
        command.report_date,
        today=command.today,
        not_before=latest.issued_on,
        what="the latest draft",
        rule="R35",
    )
    refuse_if(errors, "R35")
    if latest.comments_on is None and command.report_date <= latest.comments_due_on:
        # The provider's comments are considered before the report is finalised (000 14.33).
        raise RuleViolation(
            detail=f"the provider may comment on draft {latest.draft_id} until {latest.comments_due_on.isoformat()}: "
            "the report is finalised after its comments arrive or that date passes",
            requirement="R34",
            guidance="000 14.33",
        )
    outcome = report_outcome(command.findings)
    return [
        FinalReportIssued(
            case_id=state.case_id,
            report_id=command.report_id,
            report_date=command.report_date,
            findings=command.findings,
            outcome=outcome,
            recommendations=command.recommendations,
            redress=command.redress,
            payments_due_on=command.report_date + timedelta(weeks=PAYMENT_WEEKS),
            provider_organisation_id=state.provider_organisation_id,
        ),
        CaseClosed(
            case_id=state.case_id,
            stage=IceStage.INVESTIGATION,
            closure=Closure.FINAL_REPORT,
            closed_on=command.report_date,
            fault_found=outcome is not ReportOutcome.NOT_UPHELD,
        ),
    ]


def assess_contribution_to_costs(command: AssessContributionToCosts, state: IceCaseState) -> list[DomainEvent]:
    """Exactly once per case: a second assessment (the report event processed twice) decides nothing (R36)."""
    referred(state)
    assert state.case_id is not None
    report = state.final_report
    if report is None or report.report_id != command.report_id:
        raise RuleViolation(detail=f"no final report {command.report_id} on this case", requirement="R36")
    if state.fee is not None:
        return []
    decision = fees.assess(report.outcome, state.contract, report.report_date, command.schedule)
    return [
        ContributionToCostsAssessed(
            case_id=state.case_id,
            report_id=report.report_id,
            due=decision.due,
            amount_pence=decision.amount_pence,
            reason=decision.reason,
            rule_version=fees.RULE_VERSION,
            schedule_version=decision.schedule_version,
            due_on=report.payments_due_on if decision.due else None,
            assessed_on=command.assessed_on,
        )
    ]


def record_payment(command: RecordPayment, state: IceCaseState) -> list[DomainEvent]:
    referred(state)
    assert state.case_id is not None
    if command.payment_id in state.payment_ids:
        raise Conflict(detail=f"payment {command.payment_id} is already recorded", requirement="R36")
    errors: list[FieldError] = []
    owed = state.owed(command.target)
    if owed is None:
        errors.append(FieldError("target", "R36", f"nothing is payable as '{command.target}' on this case"))
    else:
        outstanding = owed - state.paid_to(command.target)
        if outstanding <= 0:
            errors.append(FieldError("target", "R36", f"'{command.target}' is already paid in full"))
        elif command.amount_pence > outstanding:
            errors.append(FieldError("amount_pence", "R36", f"more than the {outstanding} pence outstanding"))
    if command.amount_pence < 1:
        errors.append(FieldError("amount_pence", "R36", "a payment is at least 1 penny"))
    report_date = state.final_report.report_date if state.final_report else None
    dated(
        errors,
        "paid_on",
        command.paid_on,
        today=command.today,
        not_before=report_date,
        what="the final report",
        rule="R36",
    )
    refuse_if(errors, "R36", "001 Annex 1 2.11.3")
    return [
        PaymentRecorded(
            case_id=state.case_id,
            payment_id=command.payment_id,
            target=command.target,
            amount_pence=command.amount_pence,
            paid_on=command.paid_on,
        )
    ]


def action_recommendation(command: ActionRecommendation, state: IceCaseState) -> list[DomainEvent]:
    referred(state)
    assert state.case_id is not None
    report = state.final_report
    if report is None or command.recommendation_id not in dict(report.recommendations):
        raise RuleViolation(detail=f"no final-report recommendation {command.recommendation_id}", requirement="R39")
    if command.recommendation_id in state.actioned_recommendations:
        raise RuleViolation(detail=f"recommendation {command.recommendation_id} is already actioned", requirement="R39")
    refuse_bad_date(
        "actioned_on",
        command.actioned_on,
        today=command.today,
        not_before=report.report_date,
        what="the final report",
        rule="R39",
    )
    return [
        RecommendationActioned(
            case_id=state.case_id, recommendation_id=command.recommendation_id, actioned_on=command.actioned_on
        )
    ]


def evidence_destroyable(state: IceCaseState) -> tuple[str, ...]:
    """Uploaded evidence not yet destroyed, once ICE's examination concluded (R37; 004 Part B 8)."""
    if state.closure is None:
        return ()
    return tuple(
        f"{r.request_id}/{i.item_id}"
        for r in state.evidence_requests
        for i in r.items
        if i.blob_key is not None and not i.destroyed
    )


def record_evidence_destruction(command: RecordEvidenceDestruction, state: IceCaseState) -> list[DomainEvent]:
    referred(state)
    assert state.case_id is not None
    if state.closure is None:
        raise RuleViolation(
            detail="evidence is kept until ICE's examination concludes", requirement="R37", guidance="004 Part B 8"
        )
    pending = evidence_destroyable(state)
    items = tuple(dict.fromkeys(i for i in command.items if i in pending))
    if not items:
        return []
    return [EvidenceDestroyed(case_id=state.case_id, items=items, destroyed_on=command.destroyed_on)]


def no_appeal(state: IceCaseState) -> None:
    """R35: the provider has no right of appeal against ICE's decision; always refused, saying so."""
    referred(state)
    raise RuleViolation(
        detail="there is no right of appeal against ICE's decision. If the customer is unhappy with the outcome "
        "they can ask their MP to take the case to the PHSO (000 14.38)",
        requirement="R35",
        guidance=NO_APPEAL,
    )
