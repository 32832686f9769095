"""Builders for the complaint decider's tests: given events, when a command, then events or a refusal."""

from __future__ import annotations

import os
import uuid
from datetime import date
from typing import Any

import pytest

from shared.complaints.commands import EscalateComplaint, IssueResponse, RegisterComplaint, ResponseContent
from shared.complaints.decider import COMPLAINT_DECIDER, ComplaintState, decide
from shared.complaints.events import (
    ComplainantRecord,
    ComplaintRegistered,
    ElementFinding,
    ElementRecord,
    SpecialCustomerRecordRef,
)
from shared.complaints.vocabulary import Category, Channel, ComplainantKind, ComplaintAbout
from shared.decider import Command, DomainEvent, fold
from shared.errors import ProblemError, ValidationProblem
from shared.personal_data import seal_value
from shared.vocabulary import Nation, Programme

SUBJECT = uuid.uuid4()
KEY = os.urandom(32)
TODAY = date(2026, 11, 23)
RECEIVED = date(2026, 11, 20)
COMPLAINT_ID = str(uuid.uuid4())


def sealed(text: str) -> dict[str, Any]:
    return seal_value(SUBJECT, KEY, text)


def element(element_id: str = "E1", category: Category = Category.TAKE_TOO_LONG) -> ElementRecord:
    return ElementRecord(
        element_id=element_id,
        category=category,
        summary=sealed("My appointment was cancelled three times."),
        desired_outcome=sealed("A fixed appointment."),
    )


def complainant(kind: ComplainantKind = ComplainantKind.PARTICIPANT) -> ComplainantRecord:
    return ComplainantRecord(kind=kind, subject_id=str(SUBJECT), name=sealed("Sam Example"))


def register(**overrides: Any) -> RegisterComplaint:
    fields: dict[str, Any] = {
        "complaint_id": COMPLAINT_ID,
        "complainant": complainant(),
        "about": ComplaintAbout.PROVIDER,
        "programme": Programme.IPES,
        "provider_organisation_id": "provider-alpha",
        "contract_id": "ipes-alpha",
        "channel": Channel.PHONE,
        "received_on": RECEIVED,
        "nation": Nation.ENGLAND,
        "elements": (element(),),
        "logged_by_organisation_id": "provider-alpha",
        "logged_by_organisation_kind": "provider",
        "today": TODAY,
        "process_profile": "provider-default@v1",
        "final_stage": 2,
    }
    fields.update(overrides)
    return RegisterComplaint(**fields)


def register_scr(**overrides: Any) -> RegisterComplaint:
    """A Special Customer Record complaint: a clerical reference, no personal data (R11)."""
    fields: dict[str, Any] = {
        "complainant": None,
        "special_customer_record": SpecialCustomerRecordRef(
            clerical_reference="SCR/LEEDS/0042", complainant_kind=ComplainantKind.PARTICIPANT
        ),
        "elements": (ElementRecord(element_id="E1", category=Category.TAKE_TOO_LONG),),
    }
    fields.update(overrides)
    return register(**fields)


def registered(**overrides: Any) -> ComplaintRegistered:
    (event,) = decide(register(**overrides), ComplaintState())
    assert isinstance(event, ComplaintRegistered)
    return event


def registered_scr(**overrides: Any) -> ComplaintRegistered:
    (event,) = decide(register_scr(**overrides), ComplaintState())
    assert isinstance(event, ComplaintRegistered)
    return event


def given(*events: DomainEvent) -> ComplaintState:
    return fold(COMPLAINT_DECIDER, events)


def then(state: ComplaintState, command: Command) -> list[DomainEvent]:
    return decide(command, state)


def history(*commands: Command, start: tuple[DomainEvent, ...] | None = None) -> list[DomainEvent]:
    """Decide each command in turn on the events so far: the events of a whole journey."""
    events: list[DomainEvent] = list(start if start is not None else (registered(),))
    for command in commands:
        events.extend(decide(command, given(*events)))
    return events


def refused(
    kind: type[ProblemError], state: ComplaintState, command: Command, requirement: str | None = None
) -> ProblemError:
    with pytest.raises(kind) as caught:
        decide(command, state)
    if requirement is not None:
        assert caught.value.requirement == requirement, caught.value
    return caught.value


def fields_of(problem: ProblemError) -> dict[str, str]:
    assert isinstance(problem, ValidationProblem)
    return {e.field: e.rule for e in problem.errors}


def finding(element_id: str = "E1", achievable: bool = True, why_not: str | None = None) -> ElementFinding:
    return ElementFinding(
        element_id=element_id,
        desired_outcome_achievable=achievable,
        why_not=sealed(why_not) if why_not is not None else None,
    )


def content(**overrides: Any) -> ResponseContent:
    fields: dict[str, Any] = {
        "stage": 1,
        "final": False,
        "author_user_id": "ann",
        "reviewer_user_id": None,
        "text": sealed("Dear Sam, we have looked into your complaint."),
        "findings": (finding(),),
    }
    fields.update(overrides)
    return ResponseContent(**fields)


def respond(stage: int = 1, issued_on: date = RECEIVED, **overrides: Any) -> IssueResponse:
    """A stage's response (R7); a final one is reviewed by someone new (001 Annex 2 3.6)."""
    fields: dict[str, Any] = {"stage": stage}
    if overrides.get("final"):
        fields.update({"author_user_id": "cat", "reviewer_user_id": "dan"})
    fields.update(overrides)
    return IssueResponse(content=content(**fields), issued_on=issued_on, today=TODAY)


def escalate(**overrides: Any) -> EscalateComplaint:
    """The complainant is dissatisfied (R20): recorded by the complaint's provider unless overridden."""
    fields: dict[str, Any] = {
        "escalated_on": TODAY,
        "acting_organisation_id": "provider-alpha",
        "acting_organisation_kind": "provider",
        "today": TODAY,
    }
    fields.update(overrides)
    return EscalateComplaint(**fields)
