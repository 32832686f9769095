"""Complaint events: past tense, stable versioned type names. Personal values are sealed envelopes."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.complaints.vocabulary import AcknowledgementMethod, Category, Channel, ComplainantKind, ComplaintAbout
from shared.decider import DomainEvent, EventCodec
from shared.vocabulary import Nation, Programme

Sealed = dict[str, Any]
"""A personal value as stored: `{"$personal": {...}}` (shared.personal_data)."""


class ComplainantRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ComplainantKind
    subject_id: str
    name: Sealed
    address: Sealed | None = None
    email: Sealed | None = None
    phone: Sealed | None = None
    national_insurance_number: Sealed | None = None


class ElementRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    element_id: str
    category: Category
    summary: Sealed
    desired_outcome: Sealed | None = None


class ComplaintRegistered(DomainEvent):
    event_type = "complaint.registered"

    complaint_id: str
    complainant: ComplainantRecord
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


class ComplaintAcknowledged(DomainEvent):
    """Receipt acknowledged to the complainant (R4; 003)."""

    event_type = "complaint.acknowledged"

    complaint_id: str
    acknowledged_on: date
    method: AcknowledgementMethod


COMPLAINT_CODEC = EventCodec(ComplaintRegistered, ComplaintAcknowledged)
