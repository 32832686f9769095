"""Request and response schemas for dissatisfactions (R2)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.intake.api.schemas import Strict
from shared.complaints.vocabulary import Category, Channel, ComplainantKind, ComplaintAbout
from shared.http.personal import PersonalText
from shared.vocabulary import ORGANISATION_ID_PATTERN, IsoDate, Nation, Programme


class DissatisfactionIn(Strict):
    complainant_kind: ComplainantKind
    name: str | None = Field(None, min_length=1, max_length=200, description="Who was dissatisfied, if known (R62)")
    about: ComplaintAbout
    programme: Programme
    provider_organisation_id: str | None = Field(None, pattern=ORGANISATION_ID_PATTERN)
    contract_id: str | None = Field(None, pattern=ORGANISATION_ID_PATTERN)
    channel: Channel
    nation: Nation
    category: Category = Field(description="DWP's mandatory high-level category (R6, 004 Annex 2 Part A §8)")
    raised_on: IsoDate
    resolved_on: IsoDate = Field(description="When operational staff resolved it as normal business")
    summary: str = Field(min_length=1, max_length=5000, description="What the person was dissatisfied with (R62)")
    resolution: str = Field(min_length=1, max_length=5000, description="How it was resolved (R62)")

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "complainant_kind": "participant",
                    "name": "Sam Example",
                    "about": "provider",
                    "programme": "ipes",
                    "provider_organisation_id": "provider-alpha",
                    "contract_id": "ipes-ew-alpha",
                    "channel": "in_person",
                    "nation": "england",
                    "category": "d_you_take_too_long",
                    "raised_on": "2026-11-20",
                    "resolved_on": "2026-11-20",
                    "summary": "Waited 40 minutes for an appointment.",
                    "resolution": "Seen at once by another adviser and apologised to.",
                }
            ]
        },
    )


class PersonOut(BaseModel):
    kind: ComplainantKind
    data_subject_id: str
    name: PersonalText | None = None


class ConversionOut(BaseModel):
    complaint_id: str
    converted_on: IsoDate


class DissatisfactionOut(BaseModel):
    dissatisfaction_id: str
    version: int = Field(description="The stream version; also the ETag")
    person: PersonOut
    about: ComplaintAbout
    programme: Programme
    provider_organisation_id: str | None
    contract_id: str | None
    channel: Channel
    nation: Nation
    category: Category
    raised_on: IsoDate
    resolved_on: IsoDate
    summary: PersonalText
    resolution: PersonalText
    logged_by_organisation_id: str
    recorded_at: datetime
    converted: ConversionOut | None = Field(None, description="Set once raised as a complaint (R2)")
