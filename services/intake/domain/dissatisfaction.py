"""The dissatisfaction stream (R2): one resolved as normal business, not counted as a complaint.

"Initially, a complaint is 'any expression of dissatisfaction about the service provided which is
not resolved by operational staff as normal business'" (003; 004 Annex 2 Part A §2). "If you can
resolve their dissatisfaction, take the appropriate action to do so and record this on the system as
a dissatisfaction, rather than a complaint. When it is not possible to resolve, raise this as a
complaint" (003). A dissatisfaction is its own stream type, so nothing that counts complaints
counts it; converting it registers a complaint that names it, and both histories stay.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from shared.complaints.events import Record, Sealed
from shared.complaints.vocabulary import Category, Channel, ComplainantKind, ComplaintAbout
from shared.decider import Command, Decider, DomainEvent, EventCodec
from shared.errors import Conflict, FieldError, NotFound, RuleViolation, ValidationProblem
from shared.vocabulary import Nation, Programme

STREAM_TYPE = "dissatisfaction"
GUIDANCE = "003; 004 Annex 2 Part A §2"


def dissatisfaction_stream(dissatisfaction_id: str) -> str:
    return f"dissatisfaction-{dissatisfaction_id}"


class PersonRecord(Record):
    kind: ComplainantKind
    subject_id: str
    name: Sealed | None = None


# Events


class DissatisfactionRecorded(DomainEvent):
    event_type = "dissatisfaction.recorded"

    dissatisfaction_id: str
    person: PersonRecord
    about: ComplaintAbout
    programme: Programme
    provider_organisation_id: str | None
    contract_id: str | None
    channel: Channel
    nation: Nation
    category: Category
    raised_on: date
    resolved_on: date
    summary: Sealed
    resolution: Sealed
    """How operational staff resolved it as normal business."""
    logged_by_organisation_id: str
    logged_by_organisation_kind: str


class DissatisfactionConverted(DomainEvent):
    """It could not be resolved after all: raised as a complaint, which names this dissatisfaction."""

    event_type = "dissatisfaction.converted"

    dissatisfaction_id: str
    complaint_id: str
    converted_on: date


DISSATISFACTION_CODEC = EventCodec(DissatisfactionRecorded, DissatisfactionConverted)


# Commands


class RecordDissatisfaction(Command):
    dissatisfaction_id: str
    person: PersonRecord
    about: ComplaintAbout
    programme: Programme
    provider_organisation_id: str | None
    contract_id: str | None
    channel: Channel
    nation: Nation
    category: Category
    raised_on: date
    resolved_on: date
    summary: Sealed
    resolution: Sealed
    logged_by_organisation_id: str
    logged_by_organisation_kind: str
    today: date


class ConvertDissatisfaction(Command):
    complaint_id: str
    converted_on: date
    today: date


# State, decide, evolve


@dataclass(frozen=True)
class DissatisfactionState:
    recorded: bool = False
    dissatisfaction_id: str | None = None
    subject_id: str | None = None
    provider_organisation_id: str | None = None
    logged_by_organisation_id: str | None = None
    raised_on: date | None = None
    converted_to: str | None = None
    converted_on: date | None = None


def decide(command: Command, state: DissatisfactionState) -> list[DomainEvent]:
    match command:
        case RecordDissatisfaction():
            return _record(command, state)
        case ConvertDissatisfaction():
            return _convert(command, state)
    raise TypeError(f"not a dissatisfaction command: {command!r}")


def _record(command: RecordDissatisfaction, state: DissatisfactionState) -> list[DomainEvent]:
    if state.recorded:
        raise Conflict(detail=f"dissatisfaction {command.dissatisfaction_id} is already recorded")
    errors: list[FieldError] = []
    if command.raised_on > command.today:
        errors.append(FieldError("raised_on", "R2", f"cannot be after today ({command.today.isoformat()})"))
    if command.resolved_on < command.raised_on:
        errors.append(FieldError("resolved_on", "R2", "a dissatisfaction is resolved on or after the day it is raised"))
    if command.resolved_on > command.today:
        errors.append(FieldError("resolved_on", "R2", "only a dissatisfaction already resolved is recorded as one"))
    needs_provider = command.about in (ComplaintAbout.PROVIDER, ComplaintAbout.MIXED)
    if needs_provider and command.provider_organisation_id is None:
        errors.append(FieldError("provider_organisation_id", "R2", "a dissatisfaction with a provider names it"))
    if errors:
        raise ValidationProblem(
            detail="; ".join(f"{e.field}: {e.message}" for e in errors),
            requirement="R2",
            guidance=GUIDANCE,
            errors=errors,
        )
    fields = command.model_dump(exclude={"today"})
    return [DissatisfactionRecorded.model_validate(fields)]


def _convert(command: ConvertDissatisfaction, state: DissatisfactionState) -> list[DomainEvent]:
    if not state.recorded:
        raise NotFound(detail="no such dissatisfaction", requirement="R2")
    if state.converted_to is not None:
        if state.converted_to == command.complaint_id:
            return []  # the same conversion again: its complaint is (re)registered by the handler
        raise RuleViolation(
            detail=f"the dissatisfaction was converted into complaint {state.converted_to} on "
            f"{state.converted_on.isoformat() if state.converted_on else '?'}",
            requirement="R2",
            guidance="003",
            extra={"complaint_id": state.converted_to},
        )
    assert state.raised_on is not None
    assert state.dissatisfaction_id is not None
    errors: list[FieldError] = []
    if command.converted_on < state.raised_on:
        errors.append(FieldError("received_on", "R2", "the complaint cannot be received before the dissatisfaction"))
    if command.converted_on > command.today:
        errors.append(FieldError("received_on", "R2", f"cannot be after today ({command.today.isoformat()})"))
    if errors:
        raise ValidationProblem(
            detail="; ".join(f"{e.field}: {e.message}" for e in errors), requirement="R2", errors=errors
        )
    return [
        DissatisfactionConverted(
            dissatisfaction_id=state.dissatisfaction_id,
            complaint_id=command.complaint_id,
            converted_on=command.converted_on,
        )
    ]


def evolve(state: DissatisfactionState, event: DomainEvent) -> DissatisfactionState:
    match event:
        case DissatisfactionRecorded():
            return replace(
                state,
                recorded=True,
                dissatisfaction_id=event.dissatisfaction_id,
                subject_id=event.person.subject_id,
                provider_organisation_id=event.provider_organisation_id,
                logged_by_organisation_id=event.logged_by_organisation_id,
                raised_on=event.raised_on,
            )
        case DissatisfactionConverted():
            return replace(state, converted_to=event.complaint_id, converted_on=event.converted_on)
    return state


DISSATISFACTION_DECIDER: Decider[Command, DomainEvent, DissatisfactionState] = Decider(
    initial_state=DissatisfactionState(), decide=decide, evolve=evolve
)
