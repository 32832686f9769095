"""Request and response schemas of the intake API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from shared.complaints.vocabulary import (
    AcknowledgementMethod,
    AgreementEvidence,
    Category,
    Channel,
    ComplainantKind,
    ComplaintAbout,
    ComplaintStatus,
    DiscussionParty,
    DraftStatus,
    OutcomeKind,
    RaisedVia,
    RedirectionReason,
)
from shared.http.personal import PersonalText
from shared.vocabulary import ORGANISATION_ID_PATTERN, IsoDate, Nation, Programme

NI_NUMBER = r"^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$"
NI_NUMBER_NEVER_ISSUED = ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ")
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
USER_ID = r"^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$"
CLERICAL_REFERENCE = r"^[A-Z0-9][A-Z0-9/-]{2,39}$"
SCR_NO_PERSONAL_DATA = (
    "a Special Customer Record is registered with a clerical reference only: {what} is personal data and is "
    "refused (004 62-71)"
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ComplainantIn(Strict):
    kind: ComplainantKind
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(None, max_length=500)
    email: str | None = Field(None, max_length=254, pattern=EMAIL)
    phone: str | None = Field(None, max_length=40, pattern=r"^[0-9 +()-]{6,40}$")
    national_insurance_number: str | None = Field(None, pattern=NI_NUMBER, examples=["AB123456C"])

    @field_validator("national_insurance_number")
    @classmethod
    def _issued_prefix(cls, value: str | None) -> str | None:
        if value is not None and value[:2] in NI_NUMBER_NEVER_ISSUED:
            raise ValueError(f"national insurance numbers never start with {value[:2]}")
        return value


class ElementIn(Strict):
    category: Category = Field(description="DWP's mandatory high-level category (R6, 004 Annex 2 Part A §8)")
    summary: str | None = Field(
        None,
        min_length=1,
        max_length=5000,
        description="What this element complains about; required, except for a Special Customer Record, which "
        "must not have it (R11)",
    )
    desired_outcome: str | None = Field(None, max_length=5000, description="What the complainant wants (R5)")


class StaffComplaintIn(Strict):
    """R10 (003): only the responsible team leader. There is no field for the member of staff's details."""

    responsible_team_leader_user_id: str = Field(pattern=USER_ID, description="The team leader's user id")


class RegisterComplaintIn(Strict):
    special_customer_record: bool = Field(
        False,
        description="A Special Customer Record (R11; 004 62-71): give `clerical_reference` and `complainant_kind` "
        "and no personal data at all: no `complainant` block, no element summary or desired outcome",
    )
    clerical_reference: str | None = Field(
        None, pattern=CLERICAL_REFERENCE, description="SCR only: the clerical file's reference", examples=["SCR/0042"]
    )
    complainant_kind: ComplainantKind | None = Field(None, description="SCR only: who complains")
    complainant: ComplainantIn | None = Field(None, description="Required, except for a Special Customer Record")
    about: ComplaintAbout = Field(description="Provider, Jobcentre/DWP business, or both (mixed)")
    programme: Programme
    provider_organisation_id: str | None = Field(None, pattern=ORGANISATION_ID_PATTERN)
    contract_id: str | None = Field(None, pattern=ORGANISATION_ID_PATTERN)
    channel: Channel
    received_on: IsoDate = Field(description="The business date received; may be earlier than the day it is logged")
    nation: Nation = Field(description="Selects the bank-holiday calendar (R22)")
    elements: list[ElementIn] = Field(min_length=1, max_length=50)
    raised_via: RaisedVia | None = Field(
        None,
        description="Who brought the complaint; by default an elected member's if the complainant is one. No time "
        "limit applies when an MP, ICE or PHSO raises it (R9; 003)",
    )
    case_closed_on: IsoDate | None = Field(
        None, description="CMS: when the case closed; a complaint is raised up to 14 months after it (R9; 003)"
    )
    staff_complaint: StaffComplaintIn | None = Field(
        None, description="A complaint about a member of staff: restricted (R10; 003)"
    )

    @field_validator("complainant", mode="before")
    @classmethod
    def _no_complainant_for_an_scr(cls, value: Any, info: ValidationInfo) -> Any:
        """Refused before it is even parsed: nothing of it is validated, echoed, stored or logged (R11)."""
        if info.data.get("special_customer_record") and value is not None:
            raise PydanticCustomError("R11", SCR_NO_PERSONAL_DATA.format(what="the complainant block"))
        return value

    @field_validator("elements", mode="before")
    @classmethod
    def _no_free_text_for_an_scr(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("special_customer_record") and isinstance(value, list):
            for i, element in enumerate(value):
                if isinstance(element, dict):
                    sent = [k for k in ("summary", "desired_outcome") if element.get(k) is not None]
                    if sent:
                        what = f"element {i}'s {' and '.join(sent)}"
                        raise PydanticCustomError("R11", SCR_NO_PERSONAL_DATA.format(what=what))
        return value

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "complainant": {
                        "kind": "participant",
                        "name": "Sam Example",
                        "address": "1 Example Street, Leeds LS1 1AA",
                        "email": "sam@example.org",
                        "national_insurance_number": "AB123456C",
                    },
                    "about": "provider",
                    "programme": "ipes",
                    "provider_organisation_id": "provider-alpha",
                    "contract_id": "ipes-ew-alpha",
                    "channel": "phone",
                    "received_on": "2026-11-20",
                    "nation": "england",
                    "elements": [
                        {
                            "category": "d_you_take_too_long",
                            "summary": "My appointment was cancelled three times.",
                            "desired_outcome": "A fixed appointment and an apology.",
                        }
                    ],
                },
                {
                    "special_customer_record": True,
                    "clerical_reference": "SCR/LEEDS/0042",
                    "complainant_kind": "participant",
                    "about": "provider",
                    "programme": "ipes",
                    "provider_organisation_id": "provider-alpha",
                    "contract_id": "ipes-ew-alpha",
                    "channel": "letter",
                    "received_on": "2026-11-20",
                    "nation": "england",
                    "elements": [{"category": "d_you_take_too_long"}],
                },
                {
                    "complainant": {"kind": "mp", "name": "A Member", "address": "House of Commons, London SW1A 0AA"},
                    "about": "jobcentre",
                    "programme": "cms",
                    "channel": "elected_member",
                    "received_on": "2026-11-20",
                    "nation": "england",
                    "case_closed_on": "2024-01-31",
                    "elements": [{"category": "e_youve_got_it_wrong", "summary": "The calculation was wrong."}],
                },
            ]
        },
    )


class ComplainantOut(BaseModel):
    kind: ComplainantKind
    data_subject_id: str = Field(description="Whose personal data this is: the key to erase it (R62)")
    name: PersonalText
    address: PersonalText | None = None
    email: PersonalText | None = None
    phone: PersonalText | None = None
    national_insurance_number: PersonalText | None = None


class ElementOut(BaseModel):
    element_id: str
    category: Category
    summary: PersonalText | None = None
    desired_outcome: PersonalText | None = None


class AcknowledgeIn(Strict):
    acknowledged_on: IsoDate = Field(description="The date receipt was acknowledged to the complainant")
    method: AcknowledgementMethod

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"acknowledged_on": "2026-11-23", "method": "letter"}]}
    )


class AcknowledgementOut(BaseModel):
    acknowledged_on: IsoDate
    method: AcknowledgementMethod


class SpecialCustomerRecordOut(BaseModel):
    clerical_reference: str
    complainant_kind: ComplainantKind


class StaffComplaintOut(BaseModel):
    responsible_team_leader_user_id: str


class ProcessExplanationOut(BaseModel):
    explained_on: IsoDate
    evidence: AgreementEvidence
    evidence_reference: PersonalText | None = None


class DiscussionOut(BaseModel):
    discussion_id: str
    held_on: IsoDate
    held_with: DiscussionParty
    held_by_user_id: str
    summary: PersonalText | None = None


class ResolutionActionOut(BaseModel):
    action_id: str
    description: PersonalText | None = None
    due_on: IsoDate
    owner: str
    completed_on: IsoDate | None = None


class FindingOut(BaseModel):
    element_id: str
    desired_outcome_achievable: bool
    why_not: PersonalText | None = None


class SignpostingOut(BaseModel):
    text: str = Field(description="The standard ICE signposting wording (000 Annex 1; AtW: 002 Annex H)")
    source: str
    ice_contact_by: IsoDate = Field(description="Contact ICE by this date: six months from the final response")


class OutstandingActionOut(BaseModel):
    action_id: str
    due_on: IsoDate


class ResponseOut(BaseModel):
    stage: int
    final: bool
    issued_on: IsoDate
    author_user_id: str
    reviewer_user_id: str | None
    text: PersonalText | None = None
    findings: list[FindingOut]
    draft_id: str | None = None
    signposting: SignpostingOut | None = None
    outstanding_actions: list[OutstandingActionOut] = Field(
        default_factory=list, description="Actions still open at closure, with their due dates (001 Annex 2 3.4)"
    )


class ResponseDraftOut(BaseModel):
    draft_id: str
    stage: int
    final: bool
    author_user_id: str
    reviewer_user_id: str | None
    text: PersonalText | None = None
    findings: list[FindingOut]
    status: DraftStatus
    decided_by_user_id: str | None = Field(None, description="Who in the AtW Service Delivery team decided")
    rewording_comments: PersonalText | None = None


class OutcomeOut(BaseModel):
    element_id: str
    outcomes: list[OutcomeKind]
    financial_redress_pence: int | None = None


class WithdrawalOut(BaseModel):
    withdrawn_on: IsoDate
    reason: PersonalText | None = None


class RoutingOut(BaseModel):
    """One routing of the complaint (R3): a redirection to the Jobcentre, or a referral to the provider."""

    kind: Literal["redirection", "referral_to_provider"]
    reason: RedirectionReason | None = Field(None, description="A redirection's reason (000 14.04, 14.09, 14.20)")
    from_organisation_id: str
    to_organisation_id: str
    routed_on: IsoDate


class ComplaintOut(BaseModel):
    complaint_id: str
    status: ComplaintStatus
    version: int = Field(description="The stream version; also the ETag")
    complainant: ComplainantOut | None = Field(description="`null` for a Special Customer Record (R11)")
    special_customer_record: SpecialCustomerRecordOut | None = None
    about: ComplaintAbout
    programme: Programme
    provider_organisation_id: str | None
    contract_id: str | None
    channel: Channel
    received_on: IsoDate
    nation: Nation
    raised_via: RaisedVia
    case_closed_on: IsoDate | None = None
    staff_complaint: StaffComplaintOut | None = None
    converted_from_dissatisfaction_id: str | None = Field(
        None, description="Set when it was first recorded as a dissatisfaction (R2)"
    )
    elements: list[ElementOut] = Field(description="Each with its current desired outcome (R5)")
    logged_by_organisation_id: str
    registered_at: datetime
    acknowledgement: AcknowledgementOut | None = None
    process_explanation: ProcessExplanationOut | None = None
    discussions: list[DiscussionOut] = Field(default_factory=list)
    resolution_plan: list[ResolutionActionOut] = Field(default_factory=list)
    response_drafts: list[ResponseDraftOut] = Field(default_factory=list, description="AtW drafts (002 8.03)")
    responses: list[ResponseOut] = Field(default_factory=list)
    outcomes: list[OutcomeOut] = Field(default_factory=list, description="Per element, the latest record (R8)")
    withdrawal: WithdrawalOut | None = None
    routing: list[RoutingOut] = Field(
        default_factory=list, description="Redirections and referrals, oldest first: visible to both sides (R3)"
    )
    owner_organisation_id: str | None = Field(
        None, description="The Jobcentre the complaint was redirected to, which deals with it from then on (R3)"
    )
    as_of: datetime | None = Field(None, description="Set when this is the complaint as it stood at that instant")


class ComplaintSummary(BaseModel):
    complaint_id: str
    status: ComplaintStatus
    stage: int = Field(
        description="The stage it is at: the latest stage answered or escalated to, 1 at first (R20; 001 Annex 2 3.5)"
    )
    programme: Programme
    about: ComplaintAbout
    provider_organisation_id: str | None
    logged_by_organisation_id: str
    channel: Channel
    nation: Nation
    received_on: IsoDate
    categories: list[Category]
    complainant_kind: ComplainantKind
    complainant_name: PersonalText | None = None
    registered_at: datetime


class ComplaintPage(BaseModel):
    items: list[ComplaintSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class Actor(BaseModel):
    user_id: str
    organisation_id: str
    organisation_kind: str
    role: str


class HistoryEvent(BaseModel):
    event_id: str
    version: int
    type: str = Field(description="Stable type name with schema version, e.g. `complaint.registered.v1`")
    recorded_at: datetime
    business_date: str | None
    actor: Actor
    correlation_id: str
    causation_id: str | None
    data: dict[str, Any] = Field(description="The event's data; personal values revealed, or `[erased]` (R62)")


class ErasureOut(BaseModel):
    data_subject_id: str
    erased_at: datetime
    already_erased: bool
