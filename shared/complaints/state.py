"""The complaint's state as the decider sees it: only what the rules need, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.complaints.events import ElementFinding, Sealed
from shared.complaints.vocabulary import (
    AcknowledgementMethod,
    ComplainantKind,
    ComplaintAbout,
    ComplaintStatus,
    DgCaselistReason,
    DraftStatus,
    RaisedVia,
    StageOwner,
)
from shared.vocabulary import Nation, Programme


@dataclass(frozen=True)
class ActionState:
    action_id: str
    due_on: date
    completed_on: date | None = None


@dataclass(frozen=True)
class ResponseState:
    """An issued response: who wrote and who reviewed it matter to the final response (001 Annex 2 3.6)."""

    stage: int
    final: bool
    issued_on: date
    author_user_id: str
    reviewer_user_id: str | None


@dataclass(frozen=True)
class DraftState:
    """An AtW draft response (002 8.03); its content is what is sent once approved."""

    draft_id: str
    stage: int
    final: bool
    author_user_id: str
    reviewer_user_id: str | None
    text: Sealed | None
    findings: tuple[ElementFinding, ...]
    status: DraftStatus


@dataclass(frozen=True)
class ComplaintState:
    registered: bool = False
    complaint_id: str | None = None
    status: ComplaintStatus | None = None
    about: ComplaintAbout | None = None
    programme: Programme | None = None
    provider_organisation_id: str | None = None
    logged_by_organisation_id: str | None = None
    received_on: date | None = None
    nation: Nation | None = None
    subject_id: str | None = None
    """The complainant's data subject; `None` for a Special Customer Record."""
    complainant_kind: ComplainantKind | None = None
    raised_via: RaisedVia | None = None
    special_customer_record: bool = False
    staff_complaint: bool = False
    """Restricted: visible only to principals cleared for complaints about staff (R10)."""
    responsible_team_leader_user_id: str | None = None
    element_ids: tuple[str, ...] = ()
    acknowledged_on: date | None = None
    acknowledgement_method: AcknowledgementMethod | None = None
    process_explained_on: date | None = None
    discussions: int = 0
    actions: tuple[ActionState, ...] = ()
    drafts: tuple[DraftState, ...] = ()
    responses: tuple[ResponseState, ...] = ()
    withdrawn_on: date | None = None
    elements_with_outcome: frozenset[str] = frozenset()
    logged_by_organisation_kind: str | None = None
    redirected_to_organisation_id: str | None = None
    """The Jobcentre a provider redirected the complaint to: it owns the complaint from then on (R3)."""
    redirected_from_organisation_id: str | None = None
    referred_to_provider: bool = False
    """Referred by the Jobcentre that logged it to its provider (R3; 000 14.06-14.08)."""
    process_profile: str | None = None
    final_stage: int | None = None
    """The recorded profile's last stage (R20); `None` for a complaint registered before profiles were recorded."""
    current_stage: int = 0
    """The stage the complaint is at: 1 from registration, moved on by escalation (or by a later stage's response)."""
    stage_started_on: date | None = None
    """When the current stage began: receipt for stage 1, the escalation date after (R20)."""
    stage_owner: StageOwner | None = None
    elements_in_play: tuple[str, ...] = ()
    """The elements the current stage answers: every element until an escalation names fewer (000 14.21)."""
    kept_by_jobcentre: tuple[str, ...] = ()
    """A mixed complaint's elements the Jobcentre deals with independently after the joint response (000 14.22)."""
    contribution_requested_on: date | None = None
    contribution_due_on: date | None = None
    contribution_received_on: date | None = None
    joint_response_on: date | None = None
    dg_caselist: DgCaselistReason | None = None
    """Why the complaint is held on the Director General caselist, while it is (R26; 003)."""
    dg_flagged_on: date | None = None

    @property
    def last_stage(self) -> int:
        return self.responses[-1].stage if self.responses else 0

    @property
    def final_response(self) -> ResponseState | None:
        return next((r for r in self.responses if r.final), None)

    @property
    def latest_draft(self) -> DraftState | None:
        """The draft in play: the newest one not yet sent."""
        if self.drafts and self.drafts[-1].status is not DraftStatus.SENT:
            return self.drafts[-1]
        return None

    @property
    def lead_organisation_id(self) -> str | None:
        """The Jobcentre (or DWP business) leading a complaint it logged or that was redirected to it (R3, R25);
        `None` while a provider holds it."""
        if self.redirected_to_organisation_id is not None:
            return self.redirected_to_organisation_id
        if self.logged_by_organisation_kind not in (None, "provider"):
            return self.logged_by_organisation_id
        return None

    def response_at(self, stage: int) -> ResponseState | None:
        return next((r for r in self.responses if r.stage == stage), None)

    def action(self, action_id: str) -> ActionState | None:
        return next((a for a in self.actions if a.action_id == action_id), None)

    def involved_in_responses(self) -> frozenset[str]:
        """Everyone who wrote or reviewed an issued response (001 Annex 2 3.6)."""
        people = {r.author_user_id for r in self.responses}
        people |= {r.reviewer_user_id for r in self.responses if r.reviewer_user_id is not None}
        return frozenset(people)
