"""Complaint commands: imperative, frozen. The handler puts time and principal on them.

Personal values arrive sealed (`Sealed`); the handler refuses them for a Special Customer Record
before anything is sealed (R11), and the decider refuses any that get through.
"""

from __future__ import annotations

from datetime import date

from shared.complaints.events import (
    ComplainantRecord,
    ElementFinding,
    ElementRecord,
    Record,
    Sealed,
    SpecialCustomerRecordRef,
    StaffComplaintMarker,
)
from shared.complaints.vocabulary import (
    AcknowledgementMethod,
    AgreementEvidence,
    Channel,
    ComplaintAbout,
    DgCaselistReason,
    DiscussionParty,
    OutcomeKind,
    RaisedVia,
    RedirectionReason,
)
from shared.decider import Command
from shared.vocabulary import Nation, Programme


class RegisterComplaint(Command):
    complaint_id: str
    complainant: ComplainantRecord | None
    """`None` exactly when `special_customer_record` is set (R11)."""
    about: ComplaintAbout
    programme: Programme
    provider_organisation_id: str | None
    contract_id: str | None
    channel: Channel
    received_on: date
    nation: Nation
    elements: tuple[ElementRecord, ...]
    logged_by_organisation_id: str
    logged_by_organisation_kind: str
    today: date
    """The business date the complaint is logged on (Europe/London)."""
    raised_via: RaisedVia | None = None
    """`None`: an elected member's complaint if the complainant is one, else the complainant's own."""
    case_closed_on: date | None = None
    special_customer_record: SpecialCustomerRecordRef | None = None
    staff_complaint: StaffComplaintMarker | None = None
    converted_from_dissatisfaction_id: str | None = None
    process_profile: str | None = None
    """The process profile in effect today for the programme and provider (R20): the handler selects it."""
    final_stage: int | None = None
    """That profile's number of stages."""


class AcknowledgeComplaint(Command):
    acknowledged_on: date
    method: AcknowledgementMethod
    today: date


class RecordProcessExplanation(Command):
    """R4: the complaints process explained at first contact, with evidence of agreement (002 8.01-8.02)."""

    explained_on: date
    evidence: AgreementEvidence
    evidence_reference: Sealed | None
    today: date


class RecordDiscussion(Command):
    held_on: date
    held_with: DiscussionParty
    held_by_user_id: str
    summary: Sealed | None
    today: date


class RecordDesiredOutcome(Command):
    element_id: str
    desired_outcome: Sealed | None


class PlannedAction(Record):
    description: Sealed | None
    due_on: date
    owner: str


class PlanResolutionActions(Command):
    actions: tuple[PlannedAction, ...]
    today: date


class CompleteResolutionAction(Command):
    action_id: str
    completed_on: date
    today: date


class WithdrawComplaint(Command):
    withdrawn_on: date
    reason: Sealed | None
    today: date


class ResponseContent(Command):
    """What a response says: shared by an issued response and an AtW draft (R7)."""

    stage: int
    final: bool
    author_user_id: str
    reviewer_user_id: str | None = None
    text: Sealed | None
    findings: tuple[ElementFinding, ...]
    signposting_supplied: bool = False
    """Whether the caller sent signposting text explicitly (then it must be the standard wording)."""
    signposting_text: str | None = None


class IssueResponse(Command):
    """Issue a response directly (every programme but AtW, whose responses go through a draft)."""

    content: ResponseContent
    issued_on: date
    today: date


class SubmitDraftResponse(Command):
    """AtW: submit a drafted response to the AtW Service Delivery team (002 8.03)."""

    content: ResponseContent
    today: date


class ApproveDraftResponse(Command):
    draft_id: str
    approved_by_user_id: str


class RequestRewording(Command):
    draft_id: str
    requested_by_user_id: str
    comments: Sealed | None


class SendApprovedDraft(Command):
    """AtW: send the latest draft once the AtW Service Delivery team approved it (002 8.03)."""

    draft_id: str
    issued_on: date
    today: date


class RecordOutcome(Command):
    element_id: str
    outcomes: tuple[OutcomeKind, ...]
    financial_redress_pence: int | None = None


class MarkAsStaffComplaint(Command):
    marker: StaffComplaintMarker


class RedirectComplaint(Command):
    """A provider redirects the complaint to the Jobcentre (R3; 000 14.04, 14.09, 14.20)."""

    reason: RedirectionReason
    to_organisation_id: str
    """A registered Jobcentre: the handler checks the directory."""
    redirected_on: date
    acting_organisation_id: str
    today: date


class ReferToProvider(Command):
    """The Jobcentre that logged a complaint about a provider refers it to the provider (R3; 000 14.06-14.08)."""

    referred_on: date
    acting_organisation_id: str
    today: date


class EscalateComplaint(Command):
    """The complainant is dissatisfied with the current stage's response: move to the next stage (R20; 001 Annex 2
    3.5). A mixed complaint after its joint response names the provider's elements (000 14.21-14.22)."""

    escalated_on: date
    element_ids: tuple[str, ...] = ()
    """The elements the complainant remains dissatisfied with; empty: every element still in play."""
    acting_organisation_id: str | None
    acting_organisation_kind: str | None
    unrecorded_final_stage: int | None = None
    """For a complaint registered before profiles were recorded: the last stage of the profile in effect on its
    registration date, looked up by the handler. Ignored when the complaint recorded its profile."""
    today: date


class RequestContribution(Command):
    """The Jobcentre leading a mixed complaint asks the provider for its contribution (R25; 000 14.03, 14.20)."""

    requested_on: date
    due_on: date
    """The profile's `mixed_contribution` timescale from `requested_on` on the complaint's calendar (the handler)."""
    acting_organisation_id: str
    today: date


class SubmitContribution(Command):
    """The provider returns its contribution to the Jobcentre (R25; 000 14.05)."""

    submitted_on: date
    text: Sealed | None
    acting_organisation_id: str
    today: date


class IssueJointResponse(Command):
    """The Jobcentre issues the mixed complaint's joint response, the provider's stage 1 (R25; 000 14.20-14.21)."""

    content: ResponseContent
    issued_on: date
    acting_organisation_id: str
    today: date


class FlagOnDgCaselist(Command):
    """Hold the complaint on the Director General caselist (R26; 003)."""

    reason: DgCaselistReason
    flagged_on: date
    today: date


class ClearFromDgCaselist(Command):
    """Take the complaint off the Director General caselist (R26; 003)."""

    cleared_on: date
    today: date
