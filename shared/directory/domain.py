"""Directory streams: one per organisation (`organisation-{id}`), one per contract (`contract-{id}`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shared.auth import OrganisationKind
from shared.decider import Command, Decider, DomainEvent, EventCodec
from shared.errors import Conflict, FieldError, ValidationProblem
from shared.vocabulary import IsoDate, Nation, Programme

ORGANISATION_STREAM = "organisation"
CONTRACT_STREAM = "contract"


def organisation_stream(organisation_id: str) -> str:
    return f"organisation-{organisation_id}"


def contract_stream(contract_id: str) -> str:
    return f"contract-{contract_id}"


# Events


class OrganisationRegistered(DomainEvent):
    event_type = "directory.organisation_registered"
    organisation_id: str
    name: str
    kind: OrganisationKind


class SubcontractorAdded(DomainEvent):
    event_type = "directory.subcontractor_added"
    prime_id: str
    subcontractor_id: str


class ContractRegistered(DomainEvent):
    event_type = "directory.contract_registered"
    contract_id: str
    provider_organisation_id: str
    programme: Programme
    value_pence: int
    let_or_renewed_on: IsoDate
    nation: Nation
    title: str


ORGANISATION_CODEC = EventCodec(OrganisationRegistered, SubcontractorAdded)
CONTRACT_CODEC = EventCodec(ContractRegistered)


# Commands


class RegisterOrganisation(Command):
    organisation_id: str
    name: str
    kind: OrganisationKind


class AddSubcontractor(Command):
    prime_id: str
    subcontractor_id: str
    subcontractor_kind: OrganisationKind | None
    """The sub-contractor's kind as the directory has it (None: not registered)."""


class RegisterContract(Command):
    contract_id: str
    provider_organisation_id: str
    provider_kind: OrganisationKind | None
    programme: Programme
    value_pence: int
    let_or_renewed_on: IsoDate
    nation: Nation
    title: str


# Organisation decider


@dataclass(frozen=True)
class OrganisationState:
    registered: bool = False
    kind: OrganisationKind | None = None
    subcontractors: frozenset[str] = frozenset()


def decide_organisation(command: Command, state: OrganisationState) -> list[DomainEvent]:
    match command:
        case RegisterOrganisation():
            if state.registered:
                raise Conflict(detail=f"organisation {command.organisation_id} is already registered")
            return [
                OrganisationRegistered(organisation_id=command.organisation_id, name=command.name, kind=command.kind)
            ]
        case AddSubcontractor():
            return _add_subcontractor(command, state)
    raise TypeError(f"not an organisation command: {command!r}")


def _add_subcontractor(command: AddSubcontractor, state: OrganisationState) -> list[DomainEvent]:
    errors = []
    if not state.registered or state.kind is not OrganisationKind.PROVIDER:
        errors.append(FieldError("prime_id", "provider", "the prime contractor must be a registered provider"))
    if command.subcontractor_kind is not OrganisationKind.PROVIDER:
        errors.append(FieldError("subcontractor_id", "provider", "the sub-contractor must be a registered provider"))
    if command.subcontractor_id == command.prime_id:
        errors.append(FieldError("subcontractor_id", "distinct", "a provider cannot sub-contract to itself"))
    if errors:
        raise ValidationProblem(detail="; ".join(e.message for e in errors), requirement="R61", errors=errors)
    if command.subcontractor_id in state.subcontractors:
        return []
    return [SubcontractorAdded(prime_id=command.prime_id, subcontractor_id=command.subcontractor_id)]


def evolve_organisation(state: OrganisationState, event: DomainEvent) -> OrganisationState:
    match event:
        case OrganisationRegistered():
            return replace(state, registered=True, kind=event.kind)
        case SubcontractorAdded():
            return replace(state, subcontractors=state.subcontractors | {event.subcontractor_id})
    return state


ORGANISATION_DECIDER: Decider[Command, DomainEvent, OrganisationState] = Decider(
    initial_state=OrganisationState(), decide=decide_organisation, evolve=evolve_organisation
)


# Contract decider


@dataclass(frozen=True)
class ContractState:
    registered: bool = False


def decide_contract(command: Command, state: ContractState) -> list[DomainEvent]:
    if not isinstance(command, RegisterContract):
        raise TypeError(f"not a contract command: {command!r}")
    if state.registered:
        raise Conflict(detail=f"contract {command.contract_id} is already registered")
    errors = []
    if command.provider_kind is not OrganisationKind.PROVIDER:
        errors.append(
            FieldError("provider_organisation_id", "provider", "the contract holder must be a registered provider")
        )
    if command.value_pence < 0:
        errors.append(FieldError("value_pence", "non-negative", "a contract's value cannot be negative"))
    if errors:
        raise ValidationProblem(detail="; ".join(e.message for e in errors), errors=errors)
    return [
        ContractRegistered(
            contract_id=command.contract_id,
            provider_organisation_id=command.provider_organisation_id,
            programme=command.programme,
            value_pence=command.value_pence,
            let_or_renewed_on=command.let_or_renewed_on,
            nation=command.nation,
            title=command.title,
        )
    ]


def evolve_contract(state: ContractState, event: DomainEvent) -> ContractState:
    return ContractState(registered=True) if isinstance(event, ContractRegistered) else state


CONTRACT_DECIDER: Decider[Command, DomainEvent, ContractState] = Decider(
    initial_state=ContractState(), decide=decide_contract, evolve=evolve_contract
)
