"""The dissatisfaction stream (R2): resolved as normal business, not a complaint; converted once into one."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.intake.domain.dissatisfaction import (
    DISSATISFACTION_CODEC,
    DISSATISFACTION_DECIDER,
    ConvertDissatisfaction,
    DissatisfactionConverted,
    DissatisfactionRecorded,
    DissatisfactionState,
    PersonRecord,
    RecordDissatisfaction,
    decide,
    dissatisfaction_stream,
)
from shared.complaints.events import COMPLAINT_CODEC
from shared.complaints.vocabulary import Category, Channel, ComplainantKind, ComplaintAbout
from shared.decider import DomainEvent, fold
from shared.errors import Conflict, NotFound, RuleViolation, ValidationProblem
from shared.vocabulary import Nation, Programme
from tests.unit.complaints.helpers import SUBJECT, TODAY, fields_of, sealed

RAISED = date(2026, 11, 20)


def record(**overrides: Any) -> RecordDissatisfaction:
    fields: dict[str, Any] = {
        "dissatisfaction_id": "d-1",
        "person": PersonRecord(kind=ComplainantKind.PARTICIPANT, subject_id=str(SUBJECT), name=sealed("Sam")),
        "about": ComplaintAbout.PROVIDER,
        "programme": Programme.IPES,
        "provider_organisation_id": "provider-alpha",
        "contract_id": None,
        "channel": Channel.IN_PERSON,
        "nation": Nation.ENGLAND,
        "category": Category.TAKE_TOO_LONG,
        "raised_on": RAISED,
        "resolved_on": RAISED,
        "summary": sealed("Waited 40 minutes."),
        "resolution": sealed("Seen at once and apologised to."),
        "logged_by_organisation_id": "provider-alpha",
        "logged_by_organisation_kind": "provider",
        "today": TODAY,
    }
    fields.update(overrides)
    return RecordDissatisfaction(**fields)


def given(*events: DomainEvent) -> DissatisfactionState:
    return fold(DISSATISFACTION_DECIDER, events)


def recorded() -> DissatisfactionRecorded:
    (event,) = decide(record(), given())
    assert isinstance(event, DissatisfactionRecorded)
    return event


def convert(complaint_id: str = "c-1", converted_on: date = TODAY) -> ConvertDissatisfaction:
    return ConvertDissatisfaction(complaint_id=complaint_id, converted_on=converted_on, today=TODAY)


def test_a_dissatisfaction_is_recorded_as_resolved() -> None:
    event = recorded()
    assert (event.dissatisfaction_id, event.raised_on, event.resolved_on) == ("d-1", RAISED, RAISED)
    state = given(event)
    assert (state.recorded, state.subject_id, state.converted_to) == (True, str(SUBJECT), None)


def test_it_is_not_a_complaint_event() -> None:
    assert DISSATISFACTION_CODEC.types == ["dissatisfaction.converted", "dissatisfaction.recorded"]
    assert not any(COMPLAINT_CODEC.knows(t) for t in DISSATISFACTION_CODEC.types)
    assert dissatisfaction_stream("d-1") == "dissatisfaction-d-1"


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"resolved_on": date(2026, 11, 19)}, {"resolved_on": "R2"}),
        ({"resolved_on": date(2026, 11, 24)}, {"resolved_on": "R2"}),
        (
            {"raised_on": date(2026, 11, 24), "resolved_on": date(2026, 11, 24)},
            {"raised_on": "R2", "resolved_on": "R2"},
        ),
        ({"provider_organisation_id": None}, {"provider_organisation_id": "R2"}),
    ],
)
def test_only_a_dissatisfaction_already_resolved_is_recorded(overrides: dict[str, Any], fields: dict[str, str]) -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide(record(**overrides), given())
    assert fields_of(refused.value) == fields
    assert refused.value.requirement == "R2"


def test_recorded_once() -> None:
    with pytest.raises(Conflict):
        decide(record(), given(recorded()))


def test_it_is_converted_once_into_a_complaint() -> None:
    (event,) = decide(convert(), given(recorded()))
    assert event == DissatisfactionConverted(dissatisfaction_id="d-1", complaint_id="c-1", converted_on=TODAY)
    state = given(recorded(), event)
    assert (state.converted_to, state.converted_on) == ("c-1", TODAY)
    assert decide(convert(), state) == []  # the same conversion again: nothing new
    with pytest.raises(RuleViolation) as refused:
        decide(convert("c-2"), state)
    assert refused.value.requirement == "R2"
    assert refused.value.extra == {"complaint_id": "c-1"}


def test_the_complaint_is_received_between_the_dissatisfaction_and_today() -> None:
    for day in (date(2026, 11, 19), date(2026, 11, 24)):
        with pytest.raises(ValidationProblem) as refused:
            decide(convert(converted_on=day), given(recorded()))
        assert fields_of(refused.value) == {"received_on": "R2"}


def test_an_unknown_dissatisfaction_cannot_be_converted() -> None:
    with pytest.raises(NotFound):
        decide(convert(), given())
