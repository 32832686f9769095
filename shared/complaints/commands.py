"""Complaint commands: imperative, frozen. The handler puts time and principal on them."""

from __future__ import annotations

from datetime import date

from shared.complaints.events import ComplainantRecord, ElementRecord
from shared.complaints.vocabulary import AcknowledgementMethod, Channel, ComplaintAbout
from shared.decider import Command
from shared.vocabulary import Nation, Programme


class RegisterComplaint(Command):
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
    today: date
    """The business date the complaint is logged on (Europe/London)."""


class AcknowledgeComplaint(Command):
    acknowledged_on: date
    method: AcknowledgementMethod
    today: date
