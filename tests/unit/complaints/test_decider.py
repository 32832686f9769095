"""The complaint decider: given events, when a command, then events or a refusal. Pure: no database."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared.complaints.commands import AcknowledgeComplaint, RegisterComplaint
from shared.complaints.decider import (
    COMPLAINT_DECIDER,
    ComplaintState,
    complaint_stream,
    decide,
    evolve,
    is_terminal,
)
from shared.complaints.events import (
    COMPLAINT_CODEC,
    ComplainantRecord,
    ComplaintAcknowledged,
    ComplaintRegistered,
)
from shared.complaints.vocabulary import (
    AcknowledgementMethod,
    Category,
    Channel,
    ComplainantKind,
    ComplaintAbout,
    ComplaintStatus,
)
from shared.decider import DomainEvent, encode, fold
from shared.errors import Conflict, NotFound, RuleViolation, ValidationProblem
from shared.personal_data import open_value
from shared.vocabulary import Nation, Programme
from tests.unit.complaints.helpers import COMPLAINT_ID, KEY, RECEIVED, SUBJECT, TODAY, element, sealed

COMPLAINANT = ComplainantRecord(
    kind=ComplainantKind.PARTICIPANT,
    subject_id=str(SUBJECT),
    name=sealed("Sam Example"),
    email=sealed("sam@example.org"),
    national_insurance_number=sealed("AB123456C"),
)


def register(**overrides: Any) -> RegisterComplaint:
    fields: dict[str, Any] = {
        "complaint_id": COMPLAINT_ID,
        "complainant": COMPLAINANT,
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
    }
    fields.update(overrides)
    return RegisterComplaint(**fields)


def registered(**overrides: Any) -> ComplaintRegistered:
    (event,) = decide(register(**overrides), ComplaintState())
    assert isinstance(event, ComplaintRegistered)
    return event


def acknowledge(acknowledged_on: date = TODAY, today: date = TODAY) -> AcknowledgeComplaint:
    return AcknowledgeComplaint(acknowledged_on=acknowledged_on, method=AcknowledgementMethod.LETTER, today=today)


def given(*events: DomainEvent) -> ComplaintState:
    return fold(COMPLAINT_DECIDER, events)


def fields_of(problem: ValidationProblem) -> dict[str, str]:
    return {e.field: e.rule for e in problem.errors}


# Register


def test_register_records_the_complaint() -> None:
    command = register()
    events = decide(command, given())
    assert events == [
        ComplaintRegistered(
            complaint_id=COMPLAINT_ID,
            complainant=COMPLAINANT,
            about=ComplaintAbout.PROVIDER,
            programme=Programme.IPES,
            provider_organisation_id="provider-alpha",
            contract_id="ipes-alpha",
            channel=Channel.PHONE,
            received_on=RECEIVED,
            nation=Nation.ENGLAND,
            elements=command.elements,
            logged_by_organisation_id="provider-alpha",
            logged_by_organisation_kind="provider",
        )
    ]
    (event,) = events
    assert isinstance(event, ComplaintRegistered)
    assert [e.element_id for e in event.elements] == ["E1"]
    assert event.elements[0].category is Category.TAKE_TOO_LONG
    assert event.complainant is not None
    assert event.elements[0].summary is not None
    assert open_value(KEY, event.complainant.name) == "Sam Example"
    assert open_value(KEY, event.elements[0].summary) == "My appointment was cancelled three times."


def test_registered_state() -> None:
    state = given(registered())
    assert state.registered is True
    assert state.complaint_id == COMPLAINT_ID
    assert state.status is ComplaintStatus.OPEN
    assert state.received_on == RECEIVED
    assert state.provider_organisation_id == "provider-alpha"
    assert state.logged_by_organisation_id == "provider-alpha"
    assert state.subject_id == str(SUBJECT)
    assert state.element_ids == ("E1",)
    assert state.acknowledged_on is None
    assert is_terminal(state) is False


def test_the_registered_event_has_a_stable_type_and_no_plaintext() -> None:
    event = registered()
    assert event.event_type == "complaint.registered"
    assert event.schema_version == 1
    stored = str(encode(event))
    for plain in ("Sam Example", "sam@example.org", "AB123456C", "cancelled three times"):
        assert plain not in stored
    assert COMPLAINT_CODEC.types == [
        "complaint.acknowledged",
        "complaint.contribution_requested",
        "complaint.contribution_submitted",
        "complaint.desired_outcome_recorded",
        "complaint.dg_caselist_cleared",
        "complaint.dg_caselist_flagged",
        "complaint.discussion_recorded",
        "complaint.escalated",
        "complaint.marked_as_staff_complaint",
        "complaint.outcome_recorded",
        "complaint.process_explained",
        "complaint.redirected",
        "complaint.referred_to_provider",
        "complaint.registered",
        "complaint.resolution_action_completed",
        "complaint.resolution_action_planned",
        "complaint.response_draft_approved",
        "complaint.response_draft_submitted",
        "complaint.response_issued",
        "complaint.response_rewording_requested",
        "complaint.withdrawn",
    ]


def test_register_twice_is_a_conflict() -> None:
    with pytest.raises(Conflict) as refused:
        decide(register(), given(registered()))
    assert refused.value.status == 409
    assert COMPLAINT_ID in refused.value.detail


def test_received_after_today_is_refused() -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide(register(received_on=date(2026, 11, 24)), given())
    assert fields_of(refused.value) == {"received_on": "R1"}
    assert refused.value.requirement == "R1"
    assert "2026-11-23" in refused.value.detail


def test_received_today_is_accepted() -> None:
    (event,) = decide(register(received_on=TODAY), given())
    assert isinstance(event, ComplaintRegistered)
    assert event.received_on == TODAY


@pytest.mark.parametrize("about", [ComplaintAbout.PROVIDER, ComplaintAbout.MIXED])
def test_a_complaint_about_a_provider_names_it(about: ComplaintAbout) -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide(register(about=about, provider_organisation_id=None, contract_id=None), given())
    assert fields_of(refused.value) == {"provider_organisation_id": "R1"}


def test_a_complaint_about_the_jobcentre_needs_no_provider() -> None:
    (event,) = decide(
        register(about=ComplaintAbout.JOBCENTRE, provider_organisation_id=None, contract_id=None), given()
    )
    assert isinstance(event, ComplaintRegistered)
    assert event.provider_organisation_id is None


def test_duplicate_element_ids_are_refused() -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide(register(elements=(element("E1"), element("E1", Category.GOT_IT_WRONG))), given())
    assert fields_of(refused.value) == {"elements": "R1"}
    assert "unique" in refused.value.detail


def test_no_elements_is_refused() -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide(register(elements=()), given())
    assert fields_of(refused.value) == {"elements": "R1"}


def test_every_broken_rule_is_named_at_once() -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide(register(received_on=date(2027, 1, 1), provider_organisation_id=None, elements=()), given())
    assert [e.field for e in refused.value.errors] == ["received_on", "provider_organisation_id", "elements"]


# Acknowledge


def test_acknowledge_records_the_date_and_method() -> None:
    events = decide(acknowledge(date(2026, 11, 21)), given(registered()))
    assert events == [
        ComplaintAcknowledged(
            complaint_id=COMPLAINT_ID, acknowledged_on=date(2026, 11, 21), method=AcknowledgementMethod.LETTER
        )
    ]
    state = given(registered(), *events)
    assert state.acknowledged_on == date(2026, 11, 21)
    assert state.acknowledgement_method is AcknowledgementMethod.LETTER
    assert state.status is ComplaintStatus.OPEN


def test_acknowledge_on_the_day_received_is_accepted() -> None:
    (event,) = decide(acknowledge(RECEIVED), given(registered()))
    assert isinstance(event, ComplaintAcknowledged)
    assert event.acknowledged_on == RECEIVED


def test_acknowledge_twice_breaks_r4() -> None:
    state = given(
        registered(),
        ComplaintAcknowledged(complaint_id=COMPLAINT_ID, acknowledged_on=TODAY, method=AcknowledgementMethod.EMAIL),
    )
    with pytest.raises(RuleViolation) as refused:
        decide(acknowledge(), state)
    assert refused.value.requirement == "R4"
    assert refused.value.status == 409
    assert TODAY.isoformat() in refused.value.detail


def test_acknowledge_before_received_is_refused() -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide(acknowledge(date(2026, 11, 19)), given(registered()))
    assert fields_of(refused.value) == {"acknowledged_on": "R4"}
    assert refused.value.requirement == "R4"


def test_acknowledge_after_today_is_refused() -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide(acknowledge(date(2026, 11, 24), today=TODAY), given(registered()))
    assert fields_of(refused.value) == {"acknowledged_on": "R4"}


def test_acknowledge_an_unregistered_complaint_is_not_found() -> None:
    with pytest.raises(NotFound):
        decide(acknowledge(), given())


def test_an_unknown_command_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        decide(object(), given())  # type: ignore[arg-type]


def test_evolve_ignores_events_it_does_not_know() -> None:
    state = given(registered())
    assert evolve(state, object()) is state  # type: ignore[arg-type]


def test_stream_name() -> None:
    assert complaint_stream("abc") == "complaint-abc"
