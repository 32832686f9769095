"""ICE case commands: imperative, frozen. The handler puts on them the time, the acting principal's roles and
the dates only a calendar knows (the latest due date ICE may set), so the decider stays pure."""

from __future__ import annotations

from datetime import date

from shared.complaints.events import Sealed
from shared.decider import Command
from shared.ice.events import (
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
from shared.ice.fees import FeeRate
from shared.ice.vocabulary import PhsoRoute, RequestKind


class ComplaintFacts(Command):
    """What the complaint stream says at referral time (read by the handler, R23/R24)."""

    complaint_id: str
    subject_id: str | None
    provider_organisation_id: str | None
    logged_by_organisation_id: str
    programme: str
    nation: str
    element_ids: tuple[str, ...]
    received_on: date
    final_response_on: date | None
    withdrawn: bool
    restricted: bool = False
    routed_to_organisation_id: str | None = None


class RecordReferral(Command):
    complaint: ComplaintFacts
    contract: ContractTerms | None
    referred_on: date
    today: date


class AcceptReferral(Command):
    accepted_on: date
    justification: Sealed | None
    today: date


class DeclineReferral(Command):
    declined_on: date
    reason: Sealed | None
    today: date


class MakeRequest(Command):
    """ICE writes to the provider (R31). `latest_due_on` is five working days from `made_on` (the handler's
    calendar); ICE may state an earlier `due_on`, never a later one."""

    request_id: str
    kind: RequestKind
    made_on: date
    due_on: date | None
    latest_due_on: date
    steps: tuple[str, ...] = ()
    today: date


class AnswerRequest(Command):
    request_id: str
    answered_on: date
    today: date


class ConfirmGatewaySteps(Command):
    request_id: str
    confirmed_on: date
    today: date


class ReturnToProvider(Command):
    steps: tuple[str, ...]
    reason: Sealed | None
    returned_on: date
    today: date


class ReportRevisitedSteps(Command):
    steps: tuple[str, ...]
    reported_on: date
    today: date


class PassGateway(Command):
    passed_on: date
    today: date


class RecordWithdrawal(Command):
    """The complainant withdrew their complaint from ICE (R5): the case closes, no finding, no fee."""

    withdrawn_on: date
    reason: Sealed | None
    today: date


class AllocateInvestigator(Command):
    investigator_user_id: str
    allocated_on: date
    today: date


class AgreeResolution(Command):
    agreed_on: date
    actions: tuple[AgreedAction, ...]
    today: date


class CompleteAgreedAction(Command):
    action_id: str
    completed_on: date
    today: date


class MoveToNextStage(Command):
    moved_on: date
    today: date


class RequestEvidence(Command):
    request_id: str
    items: tuple[EvidenceItemRequested, ...]
    requested_on: date
    due_on: date | None
    latest_due_on: date
    today: date


class RecordEvidenceUpload(Command):
    """The content is already in the blob store under `blob_key` (streamed, hashed on the way)."""

    request_id: str
    item_id: str
    blob_key: str
    content_type: str
    size_bytes: int
    sha256: str
    today: date


class MarkEvidenceNotHeld(Command):
    request_id: str
    item_id: str
    reason: Sealed | None
    today: date


class ProposeWayForward(Command):
    proposal_id: str
    proposal: Sealed | None
    actions: tuple[AgreedAction, ...]
    proposed_on: date
    today: date


class AnswerWayForward(Command):
    proposal_id: str
    provider_agrees: bool
    answered_on: date
    today: date


class RecordComplainantSatisfaction(Command):
    proposal_id: str
    satisfied: bool
    recorded_on: date
    today: date


class IssueDraftReport(Command):
    draft_id: str
    issued_on: date
    comments_due_on: date | None
    latest_comments_due_on: date
    """Five working days from `issued_on` (000 14.33)."""
    passages: tuple[Passage, ...]
    findings: tuple[ElementFinding, ...]
    recommendations: tuple[Recommendation, ...]
    proposed_redress: tuple[RedressItem, ...]
    challenge_id: str | None = None
    today: date


class SubmitDraftComments(Command):
    draft_id: str
    comments: Sealed | None
    submitted_on: date
    today: date


class RaiseChallenge(Command):
    challenge_id: str
    draft_id: str
    raised_on: date
    raised_by_user_id: str
    raised_by_roles: frozenset[str]
    addressed_to: str
    grounds: tuple[ChallengeGroundRecord, ...]
    today: date


class ResolveChallengeInformally(Command):
    challenge_id: str
    outcome: Sealed | None
    resolved_on: date
    today: date


class EscalateChallenge(Command):
    """Formal stage 1 (002 8.20); `reply_due_on` is ten working days from `escalated_on` (the handler's calendar)."""

    challenge_id: str
    escalated_on: date
    reply_due_on: date
    today: date


class RecordAdjudicationReply(Command):
    challenge_id: str
    replied_on: date
    reply: Sealed | None
    revised_draft_id: str | None
    provider_response_due_on: date
    """Ten working days from `replied_on` (002 8.20)."""
    today: date


class RecordChallengeResponse(Command):
    challenge_id: str
    agrees: bool
    responded_on: date
    today: date


class RecordHeadOfOfficeLetter(Command):
    challenge_id: str
    written_on: date
    director_name: Sealed | None
    today: date


class RecordChallengeOutcome(Command):
    challenge_id: str
    outcome: Sealed | None
    closed_on: date
    today: date


class IssueFinalReport(Command):
    report_id: str
    report_date: date
    findings: tuple[ElementFinding, ...]
    recommendations: tuple[Recommendation, ...]
    redress: tuple[RedressItem, ...]
    today: date


class AssessContributionToCosts(Command):
    """Issued by the fee process manager once it sees a final report (R36); the schedule is data it loads."""

    report_id: str
    assessed_on: date
    schedule: tuple[FeeRate, ...]


class RecordPayment(Command):
    payment_id: str
    target: str
    amount_pence: int
    paid_on: date
    today: date


class RecordEvidenceDestruction(Command):
    items: tuple[str, ...]
    destroyed_on: date


class ActionRecommendation(Command):
    recommendation_id: str
    actioned_on: date
    today: date


class ReferToPhso(Command):
    route: PhsoRoute
    referred_on: date
    member_name: Sealed | None
    today: date


class AcceptPhsoReferral(Command):
    accepted_on: date
    today: date


class IssuePhsoReport(Command):
    issued_on: date
    upheld: bool
    recommendations: tuple[PhsoRecommendation, ...]
    today: date


class CompletePhsoRecommendation(Command):
    recommendation_id: str
    completed_on: date
    today: date
