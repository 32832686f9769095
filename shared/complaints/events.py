"""Complaint events: past tense, stable versioned type names. Personal values are sealed envelopes.

Free text about the person (summaries, desired outcomes, response texts, reasons) is personal data
(R62) and arrives here sealed under the complainant's data subject. A Special Customer Record holds
none at all (R11): every such field is `None`, the papers being kept clerically (004 62-71).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.complaints.vocabulary import (
    AcknowledgementMethod,
    AgreementEvidence,
    Category,
    Channel,
    ComplainantKind,
    ComplaintAbout,
    DgCaselistReason,
    DiscussionParty,
    OutcomeKind,
    RaisedVia,
    RedirectionReason,
    StageOwner,
)
from shared.decider import DomainEvent, EventCodec
from shared.vocabulary import Nation, Programme

Sealed = dict[str, Any]
"""A personal value as stored: `{"$personal": {...}}` (shared.personal_data)."""


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ComplainantRecord(Record):
    kind: ComplainantKind
    subject_id: str
    name: Sealed
    address: Sealed | None = None
    email: Sealed | None = None
    phone: Sealed | None = None
    national_insurance_number: Sealed | None = None


class SpecialCustomerRecordRef(Record):
    """A Special Customer Record complaint (R11; 004 62-71): a clerical reference, no personal data."""

    clerical_reference: str
    complainant_kind: ComplainantKind


class StaffComplaintMarker(Record):
    """A complaint about a member of staff (R10; 003): restricted, with only the responsible team leader.

    Deliberately no field for the member of staff: "No details are recorded on the system" (003).
    """

    responsible_team_leader_user_id: str


class ElementRecord(Record):
    element_id: str
    category: Category
    summary: Sealed | None = None
    """`None` only for a Special Customer Record (R11)."""
    desired_outcome: Sealed | None = None


class ComplaintRegistered(DomainEvent):
    event_type = "complaint.registered"

    complaint_id: str
    complainant: ComplainantRecord | None
    """`None` for a Special Customer Record (R11)."""
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
    raised_via: RaisedVia = RaisedVia.COMPLAINANT
    case_closed_on: date | None = None
    """CMS: when the case closed, the start of the 14-month limit (R9; 003)."""
    special_customer_record: SpecialCustomerRecordRef | None = None
    staff_complaint: StaffComplaintMarker | None = None
    converted_from_dissatisfaction_id: str | None = None
    """Raised as a complaint after first being recorded as a dissatisfaction (R2; 003)."""
    process_profile: str | None = None
    """The process profile and version the complaint follows, e.g. `provider-default@v1` (R20): chosen on the day it
    was registered, so a later profile change never moves its stages or deadlines. `None` on complaints registered
    before profiles were recorded: readers fall back to the profile in effect on the registration date."""
    final_stage: int | None = None
    """The recorded profile's last stage (its number of stages): where escalation stops and a final response is owed
    (R20). Recorded beside the profile so the decider needs no profile look-up."""

    @property
    def complainant_kind(self) -> ComplainantKind:
        if self.complainant is not None:
            return self.complainant.kind
        assert self.special_customer_record is not None
        return self.special_customer_record.complainant_kind


class ComplaintAcknowledged(DomainEvent):
    """Receipt acknowledged to the complainant (R4; 003)."""

    event_type = "complaint.acknowledged"

    complaint_id: str
    acknowledged_on: date
    method: AcknowledgementMethod


class ComplaintsProcessExplained(DomainEvent):
    """The complaints process was explained at first contact, and the customer agreed (R4; 002 8.01-8.02)."""

    event_type = "complaint.process_explained"

    complaint_id: str
    explained_on: date
    evidence: AgreementEvidence
    evidence_reference: Sealed | None
    """The signature's or e-mail's reference; `None` for a Special Customer Record (held clerically)."""


class DiscussionRecorded(DomainEvent):
    """A discussion with the complainant or their representative (R5; 001 Annex 2 3.3)."""

    event_type = "complaint.discussion_recorded"

    complaint_id: str
    discussion_id: str
    held_on: date
    held_with: DiscussionParty
    held_by_user_id: str
    summary: Sealed | None


class DesiredOutcomeRecorded(DomainEvent):
    """What the complainant wants for one element, set or changed (R5; 001 Annex 2 3.1)."""

    event_type = "complaint.desired_outcome_recorded"

    complaint_id: str
    element_id: str
    desired_outcome: Sealed


class ResolutionActionPlanned(DomainEvent):
    """An action of the resolution plan, with its timescale and owner (R5; 001 Annex 2 3.2; 003)."""

    event_type = "complaint.resolution_action_planned"

    complaint_id: str
    action_id: str
    description: Sealed | None
    due_on: date
    owner: str


class ResolutionActionCompleted(DomainEvent):
    event_type = "complaint.resolution_action_completed"

    complaint_id: str
    action_id: str
    completed_on: date


class ComplaintWithdrawn(DomainEvent):
    """The complainant withdrew the complaint (R5): it closes as withdrawn."""

    event_type = "complaint.withdrawn"

    complaint_id: str
    withdrawn_on: date
    reason: Sealed | None


class ElementFinding(Record):
    """Per element: can the desired outcome be achieved, and if not, why (R7; 001 Annex 2 3.7)."""

    element_id: str
    desired_outcome_achievable: bool
    why_not: Sealed | None = None


class Signposting(Record):
    """The standard ICE signposting a final response carries (R7; 000 14.17, Annex 1; 002 8.06)."""

    text: str
    source: str
    ice_contact_by: date = Field(description="Six months from the response date (000 14.23; 002 8.07)")


class OutstandingAction(Record):
    """An action still open when the final response closed the complaint (R5; 001 Annex 2 3.4)."""

    action_id: str
    due_on: date


class ResponseDraftSubmitted(DomainEvent):
    """An AtW draft response submitted to the AtW Service Delivery team (R7; 002 8.03)."""

    event_type = "complaint.response_draft_submitted"

    complaint_id: str
    draft_id: str
    stage: int
    final: bool
    author_user_id: str
    reviewer_user_id: str | None
    text: Sealed | None
    findings: tuple[ElementFinding, ...]


class ResponseDraftApproved(DomainEvent):
    event_type = "complaint.response_draft_approved"

    complaint_id: str
    draft_id: str
    approved_by_user_id: str


class ResponseRewordingRequested(DomainEvent):
    event_type = "complaint.response_rewording_requested"

    complaint_id: str
    draft_id: str
    requested_by_user_id: str
    comments: Sealed | None


class ResponseIssued(DomainEvent):
    """The response that ends a stage (R7); a final one ends the provider's process and closes the complaint."""

    event_type = "complaint.response_issued"

    complaint_id: str
    stage: int
    final: bool
    issued_on: date
    author_user_id: str
    reviewer_user_id: str | None
    text: Sealed | None
    findings: tuple[ElementFinding, ...]
    draft_id: str | None = None
    signposting: Signposting | None = None
    outstanding_actions: tuple[OutstandingAction, ...] = ()
    joint: bool = False
    """A mixed complaint's joint response, issued by the Jobcentre with the provider's contribution: it counts as
    stage 1 of the provider's process (R25; 000 14.20-14.21)."""


class OutcomeRecorded(DomainEvent):
    """The outcome of one element (R8; 001 Annex 2 5.5, 5.7); a later record replaces an earlier one."""

    event_type = "complaint.outcome_recorded"

    complaint_id: str
    element_id: str
    outcomes: tuple[OutcomeKind, ...]
    financial_redress_pence: int | None = None


class ComplaintMarkedAsStaffComplaint(DomainEvent):
    """The complaint is about a member of staff: restricted from now on (R10; 003)."""

    event_type = "complaint.marked_as_staff_complaint"

    complaint_id: str
    marker: StaffComplaintMarker


class ComplaintRedirected(DomainEvent):
    """A provider redirected the complaint to the Jobcentre, which owns it from now on (R3; 000 14.04, 14.09, 14.20).

    An event, never a deletion: the provider still sees the complaint, and its history shows the redirection.
    """

    event_type = "complaint.redirected"

    complaint_id: str
    reason: RedirectionReason
    from_organisation_id: str
    to_organisation_id: str
    redirected_on: date


class ComplaintReferredToProvider(DomainEvent):
    """The Jobcentre that logged a complaint about a provider referred it to that provider, which handles it as if
    raised directly (R3; 000 14.06-14.08)."""

    event_type = "complaint.referred_to_provider"

    complaint_id: str
    from_organisation_id: str
    to_organisation_id: str
    referred_on: date


class ComplaintEscalated(DomainEvent):
    """The complainant is dissatisfied with a stage's response: the complaint moves to the next stage, which has its
    own deadline from `escalated_on` (R20; 001 Annex 2 3.5). After a mixed complaint's joint response, the provider's
    issues go to the provider's next stage (000 14.21) while the Jobcentre deals with its own (14.22)."""

    event_type = "complaint.escalated"

    complaint_id: str
    from_stage: int
    to_stage: int
    escalated_on: date
    element_ids: tuple[str, ...] = ()
    """The elements escalated: the complainant's remaining dissatisfaction."""
    owned_by: StageOwner = StageOwner.PROVIDER
    """Who answers the new stage."""
    kept_by_jobcentre: tuple[str, ...] = ()
    """A mixed complaint's elements the Jobcentre deals with independently (000 14.22)."""


class ContributionRequested(DomainEvent):
    """The Jobcentre leading a mixed complaint asked the provider for its contribution (R25; 000 14.03, 14.20)."""

    event_type = "complaint.contribution_requested"

    complaint_id: str
    requested_on: date
    due_on: date
    """The date stated to the provider: the profile's timescale, at most five working days (000 14.05)."""
    requested_by_organisation_id: str
    provider_organisation_id: str


class ContributionSubmitted(DomainEvent):
    """The provider returned its contribution to the Jobcentre's reply (R25; 000 14.05)."""

    event_type = "complaint.contribution_submitted"

    complaint_id: str
    submitted_on: date
    submitted_by_organisation_id: str
    text: Sealed | None
    """Personal data (R62); `None` for a Special Customer Record, whose papers are clerical (R11)."""


class ComplaintFlaggedOnDgCaselist(DomainEvent):
    """The complaint is held on the Director General caselist (R26; 003)."""

    event_type = "complaint.dg_caselist_flagged"

    complaint_id: str
    reason: DgCaselistReason
    flagged_on: date


class ComplaintClearedFromDgCaselist(DomainEvent):
    """The complaint no longer needs to be on the Director General caselist (R26; 003)."""

    event_type = "complaint.dg_caselist_cleared"

    complaint_id: str
    cleared_on: date


COMPLAINT_CODEC = EventCodec(
    ComplaintRegistered,
    ComplaintAcknowledged,
    ComplaintsProcessExplained,
    DiscussionRecorded,
    DesiredOutcomeRecorded,
    ResolutionActionPlanned,
    ResolutionActionCompleted,
    ComplaintWithdrawn,
    ResponseDraftSubmitted,
    ResponseDraftApproved,
    ResponseRewordingRequested,
    ResponseIssued,
    OutcomeRecorded,
    ComplaintMarkedAsStaffComplaint,
    ComplaintRedirected,
    ComplaintReferredToProvider,
    ComplaintEscalated,
    ContributionRequested,
    ContributionSubmitted,
    ComplaintFlaggedOnDgCaselist,
    ComplaintClearedFromDgCaselist,
)
