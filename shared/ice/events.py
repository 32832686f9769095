"""ICE case events: past tense, stable versioned type names (`ice.*`). Free text is sealed (R62).

Every event carries `case_id`, which is the referred complaint's id: one ICE case per complaint.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.complaints.events import Record, Sealed
from shared.decider import DomainEvent, EventCodec
from shared.ice.vocabulary import (
    ChallengeClosure,
    ChallengeGround,
    Closure,
    EligibilityBasis,
    EvidenceKind,
    Finding,
    IceStage,
    PhsoRoute,
    RecommendationKind,
    RedressKind,
    ReportOutcome,
    RequestKind,
)


class ContractTerms(Record):
    """The contract the complaint is under, as the directory had it at referral: what the fee rule reads."""

    contract_id: str
    value_pence: int
    let_or_renewed_on: date


class Eligibility(Record):
    """Whether the referral is in time (R23, R24), and if not, why: flagged, never silently accepted."""

    eligible: bool
    basis: EligibilityBasis | None = None
    flags: tuple[str, ...] = ()


class ReferralReceived(DomainEvent):
    event_type = "ice.referral_received"

    case_id: str
    complaint_id: str
    subject_id: str | None
    provider_organisation_id: str
    logged_by_organisation_id: str
    programme: str
    nation: str
    element_ids: tuple[str, ...]
    complaint_received_on: date
    final_response_on: date | None
    referred_on: date
    contract: ContractTerms | None
    eligibility: Eligibility
    restricted: bool = False
    """A complaint about a member of staff: only those cleared for them see it, besides ICE's office (R10)."""
    routed_to_organisation_id: str | None = None
    """The Jobcentre a provider redirected the complaint to, which leads it and sees its ICE case (R3, R61)."""


class ReferralAccepted(DomainEvent):
    event_type = "ice.referral_accepted"

    case_id: str
    accepted_on: date
    justification: Sealed | None = None
    """Required when the referral was flagged as outside the time limits (R30)."""


class ReferralDeclined(DomainEvent):
    event_type = "ice.referral_declined"

    case_id: str
    declined_on: date
    reason: Sealed | None


class RequestMade(DomainEvent):
    """Correspondence from ICE the provider must deal with by `due_on`: at most five working days (R31; 000 14.25)."""

    event_type = "ice.request_made"

    case_id: str
    request_id: str
    kind: RequestKind
    made_on: date
    due_on: date
    steps: tuple[str, ...] = ()
    """For a gateway confirmation: the steps of the internal process to confirm (000 14.24)."""


class RequestAnswered(DomainEvent):
    event_type = "ice.request_answered"

    case_id: str
    request_id: str
    answered_on: date


class GatewayStepsConfirmed(DomainEvent):
    """The provider confirms each step of its internal process was completed (R30; 000 14.24; 002 8.10)."""

    event_type = "ice.gateway_steps_confirmed"

    case_id: str
    request_id: str
    confirmed_on: date
    steps: tuple[str, ...]


class ReturnedToProvider(DomainEvent):
    """ICE returns the case for the provider to revisit named steps before it goes on (000 14.24; 002 8.10)."""

    event_type = "ice.returned_to_provider"

    case_id: str
    returned_on: date
    steps: tuple[str, ...]
    reason: Sealed | None


class RevisitedStepsReported(DomainEvent):
    event_type = "ice.revisited_steps_reported"

    case_id: str
    reported_on: date
    steps: tuple[str, ...]


class GatewayPassed(DomainEvent):
    """ICE goes on to examine the complaint, beginning at stage 1, Resolution (000 14.28-14.29)."""

    event_type = "ice.gateway_passed"

    case_id: str
    passed_on: date


class InvestigatorAllocated(DomainEvent):
    """Starts ICE's own settlement and report standards (R40)."""

    event_type = "ice.investigator_allocated"

    case_id: str
    investigator_user_id: str
    allocated_on: date


class AgreedAction(Record):
    action_id: str
    description: Sealed | None
    due_on: date


class ResolutionAgreed(DomainEvent):
    """Stage 1: the agreement ICE brokered, with actions monitored until completed (R32; 002 8.08)."""

    event_type = "ice.resolution_agreed"

    case_id: str
    agreed_on: date
    actions: tuple[AgreedAction, ...]


class AgreedActionCompleted(DomainEvent):
    event_type = "ice.agreed_action_completed"

    case_id: str
    action_id: str
    completed_on: date


class MovedToNextStage(DomainEvent):
    """Stage 1 could not resolve it (settlement), or stage 2 could not settle it (investigation)."""

    event_type = "ice.moved_to_next_stage"

    case_id: str
    from_stage: IceStage
    to_stage: IceStage
    moved_on: date


class EvidenceItemRequested(Record):
    item_id: str
    kind: EvidenceKind
    description: str = Field(description="What is wanted, without personal data: e.g. 'call recording of 3 March'")


class EvidenceRequested(DomainEvent):
    """Stage 2: every item of evidence about the complaint (R33; 000 14.30; 004 Part B 4)."""

    event_type = "ice.evidence_requested"

    case_id: str
    request_id: str
    items: tuple[EvidenceItemRequested, ...]
    requested_on: date
    due_on: date


class EvidenceItemUploaded(DomainEvent):
    event_type = "ice.evidence_item_uploaded"

    case_id: str
    request_id: str
    item_id: str
    blob_key: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_on: date


class EvidenceItemNotHeld(DomainEvent):
    event_type = "ice.evidence_item_not_held"

    case_id: str
    request_id: str
    item_id: str
    reason: Sealed | None
    answered_on: date


class EvidenceRequestCompleted(DomainEvent):
    """Every item answered: uploaded or marked not held (R33)."""

    event_type = "ice.evidence_request_completed"

    case_id: str
    request_id: str
    completed_on: date


class WayForwardProposed(DomainEvent):
    event_type = "ice.way_forward_proposed"

    case_id: str
    proposal_id: str
    proposed_on: date
    proposal: Sealed | None
    actions: tuple[AgreedAction, ...] = ()


class WayForwardAnswered(DomainEvent):
    """The provider agrees the proposed actions or not (000 14.31)."""

    event_type = "ice.way_forward_answered"

    case_id: str
    proposal_id: str
    provider_agrees: bool
    answered_on: date


class ComplainantSatisfactionRecorded(DomainEvent):
    """Whether the complainant is satisfied the proposal addresses their complaint (000 14.31)."""

    event_type = "ice.complainant_satisfaction_recorded"

    case_id: str
    proposal_id: str
    satisfied: bool
    recorded_on: date


class Passage(Record):
    passage_id: str
    text: Sealed | None


class ElementFinding(Record):
    element_id: str
    finding: Finding
    maladministration: bool = False
    passage_ids: tuple[str, ...] = ()


class Recommendation(Record):
    recommendation_id: str
    kind: RecommendationKind
    text: Sealed | None


class RedressItem(Record):
    redress_id: str
    kind: RedressKind
    amount_pence: int = Field(ge=1)


class DraftReportIssued(DomainEvent):
    """Stage 3: the draft report; the provider may comment within five working days (R34; 000 14.33)."""

    event_type = "ice.draft_report_issued"

    case_id: str
    draft_id: str
    revision: int
    issued_on: date
    comments_due_on: date
    passages: tuple[Passage, ...]
    findings: tuple[ElementFinding, ...]
    recommendations: tuple[Recommendation, ...]
    proposed_redress: tuple[RedressItem, ...]
    challenge_id: str | None = None
    """A revised draft issued in answer to this challenge (002 8.19-8.20)."""


class DraftCommentsSubmitted(DomainEvent):
    event_type = "ice.draft_comments_submitted"

    case_id: str
    draft_id: str
    submitted_on: date
    comments: Sealed | None


class ChallengeGroundRecord(Record):
    ground: ChallengeGround
    passage_id: str
    detail: Sealed | None


class ChallengeRaised(DomainEvent):
    """A challenge to the draft, by the provider's complaints lead or senior manager, addressed to the ICE
    Adjudication Manager, on factual or interpretation grounds only (R34; 002 8.16-8.17)."""

    event_type = "ice.challenge_raised"

    case_id: str
    challenge_id: str
    draft_id: str
    raised_on: date
    raised_by_user_id: str
    raised_by_role: str
    addressed_to: str = "adjudication_manager"
    grounds: tuple[ChallengeGroundRecord, ...]


class ChallengeFormallyEscalated(DomainEvent):
    """Formal stage 1: the Adjudication Manager replies within ten working days (002 8.20)."""

    event_type = "ice.challenge_formally_escalated"

    case_id: str
    challenge_id: str
    escalated_on: date
    reply_due_on: date


class AdjudicationManagerReplied(DomainEvent):
    event_type = "ice.adjudication_manager_replied"

    case_id: str
    challenge_id: str
    replied_on: date
    reply: Sealed | None
    revised_draft_id: str | None
    provider_response_due_on: date


class ChallengeResponseRecorded(DomainEvent):
    """The provider's response to the Adjudication Manager's reply: agreement closes the challenge (002 8.20)."""

    event_type = "ice.challenge_response_recorded"

    case_id: str
    challenge_id: str
    agrees: bool
    responded_on: date


class HeadOfOfficeWroteToDirector(DomainEvent):
    """Formal stage 2 (002 8.21)."""

    event_type = "ice.head_of_office_wrote_to_director"

    case_id: str
    challenge_id: str
    written_on: date
    director_name: Sealed | None


class ChallengeClosed(DomainEvent):
    event_type = "ice.challenge_closed"

    case_id: str
    challenge_id: str
    closed_on: date
    closure: ChallengeClosure
    outcome: Sealed | None = None


class FinalReportIssued(DomainEvent):
    """The final report (R35): no appeal exists (000 14.38). Fee and redress due four weeks after its date
    (001 Annex 1 2.11.3)."""

    event_type = "ice.final_report_issued"

    case_id: str
    report_id: str
    report_date: date
    findings: tuple[ElementFinding, ...]
    outcome: ReportOutcome
    recommendations: tuple[Recommendation, ...]
    redress: tuple[RedressItem, ...]
    payments_due_on: date
    provider_organisation_id: str


class ContributionToCostsAssessed(DomainEvent):
    """Whether the contribution to costs (fee) is due, how much and why, recorded once (R36)."""

    event_type = "ice.contribution_to_costs_assessed"

    case_id: str
    report_id: str
    due: bool
    amount_pence: int
    reason: str
    rule_version: str
    schedule_version: str | None
    due_on: date | None
    assessed_on: date


class PaymentRecorded(DomainEvent):
    """A payment (partial allowed) of the fee (`target` = "fee") or of one redress item (its `redress_id`)."""

    event_type = "ice.payment_recorded"

    case_id: str
    payment_id: str
    target: str
    amount_pence: int
    paid_on: date


class CaseClosed(DomainEvent):
    event_type = "ice.case_closed"

    case_id: str
    stage: IceStage | None
    closure: Closure
    closed_on: date
    fault_found: bool


class WithdrawalRecorded(DomainEvent):
    """The complainant withdrew from ICE; a `case_closed` (withdrawn) follows in the same append (R5)."""

    event_type = "ice.withdrawal_recorded"

    case_id: str
    withdrawn_on: date
    reason: Sealed | None


class EvidenceDestroyed(DomainEvent):
    """Once the ICE investigation concluded, the evidence content was destroyed (R37; 004 Part B 8)."""

    event_type = "ice.evidence_destroyed"

    case_id: str
    items: tuple[str, ...]
    """`request_id/item_id` of each destroyed item."""
    destroyed_on: date


class RecommendationActioned(DomainEvent):
    """A final-report recommendation actioned by the provider; systemic ones are tracked per provider (R39)."""

    event_type = "ice.recommendation_actioned"

    case_id: str
    recommendation_id: str
    actioned_on: date


class PhsoReferralReceived(DomainEvent):
    event_type = "ice.phso_referral_received"

    case_id: str
    route: PhsoRoute
    referred_on: date
    member_name: Sealed | None


class PhsoAccepted(DomainEvent):
    event_type = "ice.phso_accepted"

    case_id: str
    accepted_on: date
    ice_exhausted: bool
    """False: the PHSO used its discretion to accept a case that has not been through ICE (001 ch.5)."""


class PhsoRecommendation(Record):
    recommendation_id: str
    text: Sealed | None
    additional_redress_pence: int = Field(0, ge=0)


class PhsoReportIssued(DomainEvent):
    event_type = "ice.phso_report_issued"

    case_id: str
    issued_on: date
    upheld: bool
    recommendations: tuple[PhsoRecommendation, ...]


class PhsoRecommendationCompleted(DomainEvent):
    """The provider must action every PHSO recommendation (004 Part B 11)."""

    event_type = "ice.phso_recommendation_completed"

    case_id: str
    recommendation_id: str
    completed_on: date


ICE_CODEC = EventCodec(
    ReferralReceived,
    ReferralAccepted,
    ReferralDeclined,
    RequestMade,
    RequestAnswered,
    GatewayStepsConfirmed,
    ReturnedToProvider,
    RevisitedStepsReported,
    GatewayPassed,
    InvestigatorAllocated,
    ResolutionAgreed,
    AgreedActionCompleted,
    MovedToNextStage,
    EvidenceRequested,
    EvidenceItemUploaded,
    EvidenceItemNotHeld,
    EvidenceRequestCompleted,
    WayForwardProposed,
    WayForwardAnswered,
    ComplainantSatisfactionRecorded,
    DraftReportIssued,
    DraftCommentsSubmitted,
    ChallengeRaised,
    ChallengeFormallyEscalated,
    AdjudicationManagerReplied,
    ChallengeResponseRecorded,
    HeadOfOfficeWroteToDirector,
    ChallengeClosed,
    FinalReportIssued,
    ContributionToCostsAssessed,
    PaymentRecorded,
    CaseClosed,
    WithdrawalRecorded,
    EvidenceDestroyed,
    RecommendationActioned,
    PhsoReferralReceived,
    PhsoAccepted,
    PhsoReportIssued,
    PhsoRecommendationCompleted,
)
