"""Request and response schemas of the intake API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.complaints.vocabulary import (
    AcknowledgementMethod,
    Category,
    Channel,
    ComplainantKind,
    ComplaintAbout,
    ComplaintStatus,
)
from shared.http.personal import PersonalText
from shared.vocabulary import ORGANISATION_ID_PATTERN, Nation, Programme

NI_NUMBER = r"^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$"
NI_NUMBER_NEVER_ISSUED = ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ")
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


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
    summary: str = Field(min_length=1, max_length=5000, description="What this element complains about")
    desired_outcome: str | None = Field(None, max_length=5000, description="What the complainant wants (R5)")


class RegisterComplaintIn(Strict):
    complainant: ComplainantIn
    about: ComplaintAbout = Field(description="Provider, Jobcentre/DWP business, or both (mixed)")
    programme: Programme
    provider_organisation_id: str | None = Field(None, pattern=ORGANISATION_ID_PATTERN)
    contract_id: str | None = Field(None, pattern=ORGANISATION_ID_PATTERN)
    channel: Channel
    received_on: date = Field(description="The business date received; may be earlier than the day it is logged")
    nation: Nation = Field(description="Selects the bank-holiday calendar (R22)")
    elements: list[ElementIn] = Field(min_length=1, max_length=50)

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
                }
            ]
        },
    )


class ComplainantOut(BaseModel):
    kind: ComplainantKind
    data_subject_id: str = Field(description="Whose personal data this is: the key to erase it (R62)")
    name: PersonalText
    address: PersonalText = None
    email: PersonalText = None
    phone: PersonalText = None
    national_insurance_number: PersonalText = None


class ElementOut(BaseModel):
    element_id: str
    category: Category
    summary: PersonalText
    desired_outcome: PersonalText = None


class AcknowledgeIn(Strict):
    acknowledged_on: date = Field(description="The date receipt was acknowledged to the complainant")
    method: AcknowledgementMethod

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"acknowledged_on": "2026-11-23", "method": "letter"}]}
    )


class AcknowledgementOut(BaseModel):
    acknowledged_on: date
    method: AcknowledgementMethod


class ComplaintOut(BaseModel):
    complaint_id: str
    status: ComplaintStatus
    version: int = Field(description="The stream version; also the ETag")
    complainant: ComplainantOut
    about: ComplaintAbout
    programme: Programme
    provider_organisation_id: str | None
    contract_id: str | None
    channel: Channel
    received_on: date
    nation: Nation
    elements: list[ElementOut]
    logged_by_organisation_id: str
    registered_at: datetime
    acknowledgement: AcknowledgementOut | None = None
    as_of: datetime | None = Field(None, description="Set when this is the complaint as it stood at that instant")


class ComplaintSummary(BaseModel):
    complaint_id: str
    status: ComplaintStatus
    programme: Programme
    about: ComplaintAbout
    provider_organisation_id: str | None
    logged_by_organisation_id: str
    channel: Channel
    nation: Nation
    received_on: date
    categories: list[Category]
    complainant_kind: ComplainantKind
    complainant_name: PersonalText
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
