"""The ICE case decider: `decide` dispatches to the stage modules; `evolve` folds every `ice.*` event. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from shared.decider import Command, Decider, DomainEvent
from shared.ice import commands as c
from shared.ice import events as e
from shared.ice import phso, referral, reports, stages
from shared.ice.state import (
    ActionState,
    ChallengeState,
    DraftState,
    EvidenceItemState,
    EvidenceRequestState,
    FeeState,
    FinalReportState,
    IceCaseState,
    PhsoState,
    ProposalState,
    RequestState,
    replace_in,
)
from shared.ice.vocabulary import CaseStatus, ChallengeStatus, IceStage

STREAM_TYPE = "ice_case"


def ice_stream(case_id: str) -> str:
    return f"ice-{case_id}"


_HANDLERS: dict[type[Command], Callable[[Any, IceCaseState], list[DomainEvent]]] = {
    c.RecordReferral: referral.record_referral,
    c.AcceptReferral: referral.accept_referral,
    c.DeclineReferral: referral.decline_referral,
    c.MakeRequest: referral.make_request,
    c.AnswerRequest: referral.answer_request,
    c.ConfirmGatewaySteps: referral.confirm_gateway_steps,
    c.ReturnToProvider: referral.return_to_provider,
    c.ReportRevisitedSteps: referral.report_revisited_steps,
    c.PassGateway: referral.pass_gateway,
    c.RecordWithdrawal: stages.record_withdrawal,
    c.AllocateInvestigator: stages.allocate_investigator,
    c.AgreeResolution: stages.agree_resolution,
    c.CompleteAgreedAction: stages.complete_agreed_action,
    c.MoveToNextStage: stages.move_to_next_stage,
    c.RequestEvidence: stages.request_evidence,
    c.RecordEvidenceUpload: stages.record_evidence_upload,
    c.MarkEvidenceNotHeld: stages.mark_evidence_not_held,
    c.ProposeWayForward: stages.propose_way_forward,
    c.AnswerWayForward: stages.answer_way_forward,
    c.RecordComplainantSatisfaction: stages.record_complainant_satisfaction,
    c.IssueDraftReport: reports.issue_draft_report,
    c.SubmitDraftComments: reports.submit_draft_comments,
    c.RaiseChallenge: reports.raise_challenge,
    c.ResolveChallengeInformally: reports.resolve_challenge_informally,
    c.EscalateChallenge: reports.escalate_challenge,
    c.RecordAdjudicationReply: reports.record_adjudication_reply,
    c.RecordChallengeResponse: reports.record_challenge_response,
    c.RecordHeadOfOfficeLetter: reports.record_head_of_office_letter,
    c.RecordChallengeOutcome: reports.record_challenge_outcome,
    c.IssueFinalReport: reports.issue_final_report,
    c.AssessContributionToCosts: reports.assess_contribution_to_costs,
    c.RecordPayment: reports.record_payment,
    c.RecordEvidenceDestruction: reports.record_evidence_destruction,
    c.ActionRecommendation: reports.action_recommendation,
    c.ReferToPhso: phso.refer_to_phso,
    c.AcceptPhsoReferral: phso.accept_phso_referral,
    c.IssuePhsoReport: phso.issue_phso_report,
    c.CompletePhsoRecommendation: phso.complete_phso_recommendation,
}


def decide(command: Command, state: IceCaseState) -> list[DomainEvent]:
    handler = _HANDLERS.get(type(command))
    if handler is None:
        raise TypeError(f"not an ICE command: {command!r}")
    return handler(command, state)


def _challenge(state: IceCaseState, challenge_id: str, **changes: object) -> IceCaseState:
    return replace(state, challenges=replace_in(state.challenges, "challenge_id", challenge_id, **changes))


def _item(state: IceCaseState, request_id: str, item_id: str, **changes: object) -> IceCaseState:
    def changed(request: EvidenceRequestState) -> EvidenceRequestState:
        if request.request_id != request_id:
            return request
        return replace(request, items=replace_in(request.items, "item_id", item_id, **changes))

    return replace(state, evidence_requests=tuple(changed(r) for r in state.evidence_requests))


def _paid(state: IceCaseState, target: str, amount: int) -> tuple[tuple[str, int], ...]:
    totals = dict(state.paid)
    totals[target] = totals.get(target, 0) + amount
    return tuple(totals.items())


def evolve(state: IceCaseState, event: DomainEvent) -> IceCaseState:
    match event:
        case e.ReferralReceived():
            return replace(
                state,
                exists=True,
                case_id=event.case_id,
                subject_id=event.subject_id,
                provider_organisation_id=event.provider_organisation_id,
                logged_by_organisation_id=event.logged_by_organisation_id,
                routed_to_organisation_id=event.routed_to_organisation_id,
                restricted=event.restricted,
                nation=event.nation,
                element_ids=event.element_ids,
                contract=event.contract,
                eligibility=event.eligibility,
                referred_on=event.referred_on,
                status=CaseStatus.REFERRED,
            )
        case e.ReferralAccepted():
            return replace(state, status=CaseStatus.GATEWAY, accepted_on=event.accepted_on)
        case e.ReferralDeclined():
            return replace(state, status=CaseStatus.DECLINED)
        case e.RequestMade():
            request = RequestState(event.request_id, event.kind, event.made_on, event.due_on, event.steps)
            return replace(state, requests=(*state.requests, request))
        case e.RequestAnswered():
            return replace(
                state,
                requests=replace_in(state.requests, "request_id", event.request_id, answered_on=event.answered_on),
            )
        case e.GatewayStepsConfirmed():
            return replace(state, gateway_confirmed=True)
        case e.ReturnedToProvider():
            return replace(
                state, status=CaseStatus.RETURNED_TO_PROVIDER, returned_steps=event.steps, gateway_confirmed=False
            )
        case e.RevisitedStepsReported():
            # The case resumes at the gateway: ICE asks again before it goes on (000 14.24).
            return replace(state, status=CaseStatus.GATEWAY, returned_steps=())
        case e.GatewayPassed():
            return replace(state, status=CaseStatus.RESOLUTION, stage=IceStage.RESOLUTION)
        case e.InvestigatorAllocated():
            return replace(state, allocated_on=state.allocated_on or event.allocated_on)
        case e.ResolutionAgreed():
            actions = tuple(ActionState(a.action_id, a.due_on) for a in event.actions)
            return replace(state, resolution_agreed=True, actions=(*state.actions, *actions))
        case e.AgreedActionCompleted():
            return replace(
                state, actions=replace_in(state.actions, "action_id", event.action_id, completed_on=event.completed_on)
            )
        case e.MovedToNextStage():
            left = (*state.stages_left, (event.from_stage, event.moved_on))
            return replace(state, stage=event.to_stage, status=CaseStatus(event.to_stage.value), stages_left=left)
        case e.EvidenceRequested():
            items = tuple(EvidenceItemState(i.item_id, i.kind) for i in event.items)
            wanted = EvidenceRequestState(event.request_id, event.requested_on, event.due_on, items)
            return replace(state, evidence_requests=(*state.evidence_requests, wanted))
        case e.EvidenceItemUploaded():
            return _item(
                state,
                event.request_id,
                event.item_id,
                answered_on=event.uploaded_on,
                blob_key=event.blob_key,
                content_type=event.content_type,
                size_bytes=event.size_bytes,
                sha256=event.sha256,
            )
        case e.EvidenceItemNotHeld():
            return _item(state, event.request_id, event.item_id, answered_on=event.answered_on, not_held=True)
        case e.EvidenceRequestCompleted():
            return replace(
                state,
                evidence_requests=replace_in(
                    state.evidence_requests, "request_id", event.request_id, completed_on=event.completed_on
                ),
            )
        case e.WayForwardProposed():
            actions = tuple(ActionState(a.action_id, a.due_on) for a in event.actions)
            proposal = ProposalState(event.proposal_id, event.proposed_on)
            return replace(state, proposals=(*state.proposals, proposal), actions=(*state.actions, *actions))
        case e.WayForwardAnswered():
            return replace(
                state,
                proposals=replace_in(
                    state.proposals, "proposal_id", event.proposal_id, provider_agrees=event.provider_agrees
                ),
            )
        case e.ComplainantSatisfactionRecorded():
            return replace(
                state,
                proposals=replace_in(
                    state.proposals, "proposal_id", event.proposal_id, complainant_satisfied=event.satisfied
                ),
            )
        case e.DraftReportIssued():
            draft = DraftState(
                draft_id=event.draft_id,
                revision=event.revision,
                issued_on=event.issued_on,
                comments_due_on=event.comments_due_on,
                passage_ids=frozenset(p.passage_id for p in event.passages),
                challenge_id=event.challenge_id,
            )
            return replace(state, drafts=(*state.drafts, draft))
        case e.DraftCommentsSubmitted():
            return replace(
                state, drafts=replace_in(state.drafts, "draft_id", event.draft_id, comments_on=event.submitted_on)
            )
        case e.ChallengeRaised():
            challenge = ChallengeState(event.challenge_id, event.draft_id, event.raised_on, ChallengeStatus.RAISED)
            return replace(state, challenges=(*state.challenges, challenge))
        case e.ChallengeFormallyEscalated():
            return _challenge(
                state, event.challenge_id, status=ChallengeStatus.FORMAL_STAGE_1, reply_due_on=event.reply_due_on
            )
        case e.AdjudicationManagerReplied():
            return _challenge(
                state,
                event.challenge_id,
                status=ChallengeStatus.AWAITING_PROVIDER,
                replied_on=event.replied_on,
                response_due_on=event.provider_response_due_on,
            )
        case e.ChallengeResponseRecorded():
            return _challenge(state, event.challenge_id, responded_on=event.responded_on, provider_agrees=event.agrees)
        case e.HeadOfOfficeWroteToDirector():
            return _challenge(state, event.challenge_id, status=ChallengeStatus.FORMAL_STAGE_2)
        case e.ChallengeClosed():
            return _challenge(state, event.challenge_id, status=ChallengeStatus.CLOSED, closed_on=event.closed_on)
        case e.FinalReportIssued():
            report = FinalReportState(
                report_id=event.report_id,
                report_date=event.report_date,
                outcome=event.outcome,
                payments_due_on=event.payments_due_on,
                redress=tuple((r.redress_id, r.amount_pence) for r in event.redress),
                recommendations=tuple((r.recommendation_id, r.kind) for r in event.recommendations),
            )
            return replace(state, final_report=report)
        case e.ContributionToCostsAssessed():
            return replace(state, fee=FeeState(event.due, event.amount_pence, event.due_on))
        case e.PaymentRecorded():
            after = replace(
                state,
                paid=_paid(state, event.target, event.amount_pence),
                payment_ids=state.payment_ids | {event.payment_id},
            )
            owed = after.owed(event.target)
            if owed is not None and after.paid_to(event.target) >= owed:
                after = replace(after, paid_in_full=(*after.paid_in_full, (event.target, event.paid_on)))
            return after
        case e.CaseClosed():
            return replace(state, status=CaseStatus.CLOSED, closed_on=event.closed_on, closure=event.closure)
        case e.EvidenceDestroyed():
            after = replace(state, evidence_destroyed_on=event.destroyed_on)
            for ref in event.items:
                request_id, _, item_id = ref.partition("/")
                after = _item(after, request_id, item_id, destroyed=True)
            return after
        case e.RecommendationActioned():
            return replace(state, actioned_recommendations=state.actioned_recommendations | {event.recommendation_id})
        case e.PhsoReferralReceived():
            return replace(state, phso=PhsoState(event.route, event.referred_on))
        case e.PhsoAccepted():
            assert state.phso is not None
            return replace(
                state, phso=replace(state.phso, accepted_on=event.accepted_on, ice_exhausted=event.ice_exhausted)
            )
        case e.PhsoReportIssued():
            assert state.phso is not None
            recommendations = tuple((r.recommendation_id, r.additional_redress_pence) for r in event.recommendations)
            return replace(
                state, phso=replace(state.phso, report_issued_on=event.issued_on, recommendations=recommendations)
            )
        case e.PhsoRecommendationCompleted():
            assert state.phso is not None
            return replace(state, phso=replace(state.phso, completed=state.phso.completed | {event.recommendation_id}))
    return state


def is_terminal(state: IceCaseState) -> bool:
    # A closed case still takes payments, recommendations and the ombudsman: only a declined referral is done.
    return state.status is CaseStatus.DECLINED


ICE_DECIDER: Decider[Command, DomainEvent, IceCaseState] = Decider(
    initial_state=IceCaseState(), decide=decide, evolve=evolve, is_terminal=is_terminal
)
