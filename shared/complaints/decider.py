"""The complaint decider: pure, `match` on the command, refusals name the requirement."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from shared.complaints.commands import AcknowledgeComplaint, RegisterComplaint
from shared.complaints.events import ComplaintAcknowledged, ComplaintRegistered
from shared.complaints.vocabulary import AcknowledgementMethod, ComplaintAbout, ComplaintStatus
from shared.decider import Command, Decider, DomainEvent
from shared.errors import Conflict, FieldError, NotFound, RuleViolation, ValidationProblem
from shared.vocabulary import Nation, Programme

STREAM_TYPE = "complaint"


def complaint_stream(complaint_id: str) -> str:
    return f"complaint-{complaint_id}"


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
    element_ids: tuple[str, ...] = ()
    acknowledged_on: date | None = None
    acknowledgement_method: AcknowledgementMethod | None = None


def decide(command: Command, state: ComplaintState) -> list[DomainEvent]:
    match command:
        case RegisterComplaint():
            return _register(command, state)
        case AcknowledgeComplaint():
            return _acknowledge(command, _registered(state))
    raise TypeError(f"not a complaint command: {command!r}")


def _register(command: RegisterComplaint, state: ComplaintState) -> list[DomainEvent]:
    if state.registered:
        raise Conflict(detail=f"complaint {command.complaint_id} is already registered")
    errors = []
    if command.received_on > command.today:
        errors.append(
            FieldError("received_on", "R1", f"the date received cannot be after today ({command.today.isoformat()})")
        )
    needs_provider = command.about in (ComplaintAbout.PROVIDER, ComplaintAbout.MIXED)
    if needs_provider and command.provider_organisation_id is None:
        errors.append(FieldError("provider_organisation_id", "R1", "a complaint about a provider names the provider"))
    element_ids = [e.element_id for e in command.elements]
    if not element_ids:
        errors.append(FieldError("elements", "R1", "a complaint has at least one element"))
    if len(set(element_ids)) != len(element_ids):
        errors.append(FieldError("elements", "R1", "element ids must be unique"))
    if errors:
        raise ValidationProblem(detail="; ".join(e.message for e in errors), requirement="R1", errors=errors)
    return [
        ComplaintRegistered(
            complaint_id=command.complaint_id,
            complainant=command.complainant,
            about=command.about,
            programme=command.programme,
            provider_organisation_id=command.provider_organisation_id,
            contract_id=command.contract_id,
            channel=command.channel,
            received_on=command.received_on,
            nation=command.nation,
            elements=command.elements,
            logged_by_organisation_id=command.logged_by_organisation_id,
            logged_by_organisation_kind=command.logged_by_organisation_kind,
        )
    ]


def _registered(state: ComplaintState) -> ComplaintState:
    if not state.registered:
        raise NotFound(detail="no such complaint")
    return state


def _acknowledge(command: AcknowledgeComplaint, state: ComplaintState) -> list[DomainEvent]:
    if state.acknowledged_on is not None:
        raise RuleViolation(
            detail=f"receipt was already acknowledged on {state.acknowledged_on.isoformat()}",
            requirement="R4",
            guidance="003",
        )
    assert state.received_on is not None
    assert state.complaint_id is not None
    errors = []
    if command.acknowledged_on < state.received_on:
        errors.append(FieldError("acknowledged_on", "R4", "an acknowledgement cannot precede the date received"))
    if command.acknowledged_on > command.today:
        errors.append(FieldError("acknowledged_on", "R4", "an acknowledgement cannot be dated after today"))
    if errors:
        raise ValidationProblem(detail="; ".join(e.message for e in errors), requirement="R4", errors=errors)
    return [
        ComplaintAcknowledged(
            complaint_id=state.complaint_id, acknowledged_on=command.acknowledged_on, method=command.method
        )
    ]


def evolve(state: ComplaintState, event: DomainEvent) -> ComplaintState:
    match event:
        case ComplaintRegistered():
            return replace(
                state,
                registered=True,
                complaint_id=event.complaint_id,
                status=ComplaintStatus.OPEN,
                about=event.about,
                programme=event.programme,
                provider_organisation_id=event.provider_organisation_id,
                logged_by_organisation_id=event.logged_by_organisation_id,
                received_on=event.received_on,
                nation=event.nation,
                subject_id=event.complainant.subject_id,
                element_ids=tuple(e.element_id for e in event.elements),
            )
        case ComplaintAcknowledged():
            return replace(state, acknowledged_on=event.acknowledged_on, acknowledgement_method=event.method)
    return state


def is_terminal(state: ComplaintState) -> bool:
    return state.status in (ComplaintStatus.CLOSED, ComplaintStatus.WITHDRAWN)


COMPLAINT_DECIDER: Decider[Command, DomainEvent, ComplaintState] = Decider(
    initial_state=ComplaintState(), decide=decide, evolve=evolve, is_terminal=is_terminal
)
