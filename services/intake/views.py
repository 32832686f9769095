"""Complaint views folded from the stream: what the API shows (personal values still sealed).

The decider's state keeps only what its rules need; the view folds the events themselves, so it
shows everything they record: the explanation, discussions, plan, drafts, responses, outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.intake.api.schemas import (
    AcknowledgementOut,
    ComplainantOut,
    ComplaintOut,
    DiscussionOut,
    ElementOut,
    FindingOut,
    HistoryEvent,
    OutcomeOut,
    OutstandingActionOut,
    ProcessExplanationOut,
    ResolutionActionOut,
    ResponseDraftOut,
    ResponseOut,
    RoutingOut,
    SignpostingOut,
    SpecialCustomerRecordOut,
    StaffComplaintOut,
    WithdrawalOut,
)
from services.intake.api.schemas import Actor as ActorOut
from shared.complaints.decider import ComplaintState
from shared.complaints.events import (
    COMPLAINT_CODEC,
    ComplaintMarkedAsStaffComplaint,
    ComplaintRedirected,
    ComplaintReferredToProvider,
    ComplaintRegistered,
    ComplaintsProcessExplained,
    ComplaintWithdrawn,
    DesiredOutcomeRecorded,
    DiscussionRecorded,
    ElementFinding,
    OutcomeRecorded,
    ResolutionActionCompleted,
    ResolutionActionPlanned,
    ResponseDraftApproved,
    ResponseDraftSubmitted,
    ResponseIssued,
    ResponseRewordingRequested,
)
from shared.complaints.vocabulary import DraftStatus
from shared.decider import DomainEvent
from shared.eventstore.model import RecordedEvent


@dataclass
class _Work:
    """Everything recorded after registration, in the order it happened."""

    desired_outcomes: dict[str, object] = field(default_factory=dict)
    process_explanation: ProcessExplanationOut | None = None
    discussions: list[DiscussionOut] = field(default_factory=list)
    actions: dict[str, ResolutionActionOut] = field(default_factory=dict)
    drafts: dict[str, ResponseDraftOut] = field(default_factory=dict)
    responses: list[ResponseOut] = field(default_factory=list)
    outcomes: dict[str, OutcomeOut] = field(default_factory=dict)
    withdrawal: WithdrawalOut | None = None
    staff_complaint: StaffComplaintOut | None = None
    routing: list[RoutingOut] = field(default_factory=list)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ComplaintRedirected():
                self.routing.append(
                    RoutingOut(
                        kind="redirection",
                        reason=event.reason,
                        from_organisation_id=event.from_organisation_id,
                        to_organisation_id=event.to_organisation_id,
                        routed_on=event.redirected_on,
                    )
                )
            case ComplaintReferredToProvider():
                self.routing.append(
                    RoutingOut(
                        kind="referral_to_provider",
                        from_organisation_id=event.from_organisation_id,
                        to_organisation_id=event.to_organisation_id,
                        routed_on=event.referred_on,
                    )
                )
            case ComplaintsProcessExplained():
                self.process_explanation = ProcessExplanationOut(
                    explained_on=event.explained_on,
                    evidence=event.evidence,
                    evidence_reference=event.evidence_reference,
                )
            case DiscussionRecorded():
                self.discussions.append(
                    DiscussionOut(
                        discussion_id=event.discussion_id,
                        held_on=event.held_on,
                        held_with=event.held_with,
                        held_by_user_id=event.held_by_user_id,
                        summary=event.summary,
                    )
                )
            case DesiredOutcomeRecorded():
                self.desired_outcomes[event.element_id] = event.desired_outcome
            case ResolutionActionPlanned():
                self.actions[event.action_id] = ResolutionActionOut(
                    action_id=event.action_id, description=event.description, due_on=event.due_on, owner=event.owner
                )
            case ResolutionActionCompleted():
                self.actions[event.action_id].completed_on = event.completed_on
            case ComplaintWithdrawn():
                self.withdrawal = WithdrawalOut(withdrawn_on=event.withdrawn_on, reason=event.reason)
            case OutcomeRecorded():
                self.outcomes[event.element_id] = OutcomeOut(
                    element_id=event.element_id,
                    outcomes=list(event.outcomes),
                    financial_redress_pence=event.financial_redress_pence,
                )
            case ComplaintMarkedAsStaffComplaint():
                self.staff_complaint = StaffComplaintOut(
                    responsible_team_leader_user_id=event.marker.responsible_team_leader_user_id
                )
            case ResponseDraftSubmitted():
                for draft in self.drafts.values():
                    if draft.status is not DraftStatus.SENT:
                        draft.status = DraftStatus.SUPERSEDED
                self.drafts[event.draft_id] = ResponseDraftOut(
                    draft_id=event.draft_id,
                    stage=event.stage,
                    final=event.final,
                    author_user_id=event.author_user_id,
                    reviewer_user_id=event.reviewer_user_id,
                    text=event.text,
                    findings=_findings(event.findings),
                    status=DraftStatus.SUBMITTED,
                )
            case ResponseDraftApproved():
                draft = self.drafts[event.draft_id]
                draft.status, draft.decided_by_user_id = DraftStatus.APPROVED, event.approved_by_user_id
            case ResponseRewordingRequested():
                draft = self.drafts[event.draft_id]
                draft.status, draft.decided_by_user_id = DraftStatus.REWORDING_REQUESTED, event.requested_by_user_id
                draft.rewording_comments = event.comments
            case ResponseIssued():
                if event.draft_id is not None:
                    self.drafts[event.draft_id].status = DraftStatus.SENT
                self.responses.append(_response(event))


def _findings(findings: tuple[ElementFinding, ...]) -> list[FindingOut]:
    return [
        FindingOut(element_id=f.element_id, desired_outcome_achievable=f.desired_outcome_achievable, why_not=f.why_not)
        for f in findings
    ]


def _response(event: ResponseIssued) -> ResponseOut:
    signposting = event.signposting
    return ResponseOut(
        stage=event.stage,
        final=event.final,
        issued_on=event.issued_on,
        author_user_id=event.author_user_id,
        reviewer_user_id=event.reviewer_user_id,
        text=event.text,
        findings=_findings(event.findings),
        draft_id=event.draft_id,
        signposting=(
            SignpostingOut(text=signposting.text, source=signposting.source, ice_contact_by=signposting.ice_contact_by)
            if signposting
            else None
        ),
        outstanding_actions=[
            OutstandingActionOut(action_id=a.action_id, due_on=a.due_on) for a in event.outstanding_actions
        ],
    )


def complaint_view(state: ComplaintState, recorded: list[RecordedEvent], as_of: datetime | None = None) -> ComplaintOut:
    registered_event = next(r for r in recorded if r.type == ComplaintRegistered.event_type)
    registered = ComplaintRegistered.model_validate(registered_event.data)
    work = _Work()
    for r in recorded:
        if r.type != ComplaintRegistered.event_type and COMPLAINT_CODEC.knows(r.type):
            work.apply(COMPLAINT_CODEC.decode(r))
    complainant = registered.complainant
    scr = registered.special_customer_record
    staff = registered.staff_complaint
    assert state.status is not None
    return ComplaintOut(
        complaint_id=registered.complaint_id,
        status=state.status,
        version=recorded[-1].version,
        complainant=(
            ComplainantOut(
                kind=complainant.kind,
                data_subject_id=complainant.subject_id,
                name=complainant.name,
                address=complainant.address,
                email=complainant.email,
                phone=complainant.phone,
                national_insurance_number=complainant.national_insurance_number,
            )
            if complainant
            else None
        ),
        special_customer_record=(
            SpecialCustomerRecordOut(clerical_reference=scr.clerical_reference, complainant_kind=scr.complainant_kind)
            if scr
            else None
        ),
        about=registered.about,
        programme=registered.programme,
        provider_organisation_id=registered.provider_organisation_id,
        contract_id=registered.contract_id,
        channel=registered.channel,
        received_on=registered.received_on,
        nation=registered.nation,
        raised_via=registered.raised_via,
        case_closed_on=registered.case_closed_on,
        staff_complaint=(
            StaffComplaintOut(responsible_team_leader_user_id=staff.responsible_team_leader_user_id)
            if staff
            else work.staff_complaint
        ),
        converted_from_dissatisfaction_id=registered.converted_from_dissatisfaction_id,
        elements=[
            ElementOut(
                element_id=e.element_id,
                category=e.category,
                summary=e.summary,
                desired_outcome=work.desired_outcomes.get(e.element_id, e.desired_outcome),
            )
            for e in registered.elements
        ],
        logged_by_organisation_id=registered.logged_by_organisation_id,
        registered_at=registered_event.recorded_at,
        acknowledgement=(
            AcknowledgementOut(acknowledged_on=state.acknowledged_on, method=state.acknowledgement_method)
            if state.acknowledged_on is not None and state.acknowledgement_method is not None
            else None
        ),
        process_explanation=work.process_explanation,
        discussions=work.discussions,
        resolution_plan=list(work.actions.values()),
        response_drafts=list(work.drafts.values()),
        responses=work.responses,
        outcomes=list(work.outcomes.values()),
        withdrawal=work.withdrawal,
        routing=work.routing,
        owner_organisation_id=state.redirected_to_organisation_id,
        as_of=as_of,
    )


def history_view(recorded: list[RecordedEvent]) -> list[HistoryEvent]:
    return [
        HistoryEvent(
            event_id=str(r.event_id),
            version=r.version,
            type=r.type_name,
            recorded_at=r.recorded_at,
            business_date=r.metadata.business_date,
            actor=ActorOut(**r.metadata.actor.as_dict()),
            correlation_id=r.metadata.correlation_id,
            causation_id=r.metadata.causation_id,
            data=r.data,
        )
        for r in recorded
    ]
