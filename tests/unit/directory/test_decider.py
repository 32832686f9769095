"""The directory deciders (organisations and contracts): given events / when command / then events or refusal."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared.auth import OrganisationKind
from shared.decider import DomainEvent, fold
from shared.directory.domain import (
    CONTRACT_CODEC,
    CONTRACT_DECIDER,
    ORGANISATION_CODEC,
    ORGANISATION_DECIDER,
    AddSubcontractor,
    ContractRegistered,
    ContractState,
    OrganisationRegistered,
    OrganisationState,
    RegisterContract,
    RegisterOrganisation,
    SubcontractorAdded,
    contract_stream,
    decide_contract,
    decide_organisation,
    organisation_stream,
)
from shared.errors import Conflict, ValidationProblem
from shared.vocabulary import Nation, Programme

ALPHA = OrganisationRegistered(organisation_id="provider-alpha", name="Alpha Ltd", kind=OrganisationKind.PROVIDER)
JOBCENTRE = OrganisationRegistered(organisation_id="jc-leeds", name="Leeds", kind=OrganisationKind.JOBCENTRE)


def organisation(*events: DomainEvent) -> OrganisationState:
    return fold(ORGANISATION_DECIDER, events)


def contract_state(*events: DomainEvent) -> ContractState:
    return fold(CONTRACT_DECIDER, events)


def add(subcontractor_id: str = "provider-beta", kind: OrganisationKind | None = OrganisationKind.PROVIDER) -> Any:
    return AddSubcontractor(prime_id="provider-alpha", subcontractor_id=subcontractor_id, subcontractor_kind=kind)


def register_contract(**overrides: Any) -> RegisterContract:
    fields: dict[str, Any] = {
        "contract_id": "ipes-alpha",
        "provider_organisation_id": "provider-alpha",
        "provider_kind": OrganisationKind.PROVIDER,
        "programme": Programme.IPES,
        "value_pence": 1_250_000_000,
        "let_or_renewed_on": date(2024, 4, 1),
        "nation": Nation.ENGLAND,
        "title": "IPES lot 1",
    }
    fields.update(overrides)
    return RegisterContract(**fields)


def fields_of(problem: ValidationProblem) -> dict[str, str]:
    return {e.field: e.rule for e in problem.errors}


# Organisations


def test_register_an_organisation() -> None:
    command = RegisterOrganisation(organisation_id="provider-alpha", name="Alpha Ltd", kind=OrganisationKind.PROVIDER)
    assert decide_organisation(command, organisation()) == [ALPHA]
    state = organisation(ALPHA)
    assert state == OrganisationState(registered=True, kind=OrganisationKind.PROVIDER, subcontractors=frozenset())


def test_register_an_organisation_twice_is_a_conflict() -> None:
    command = RegisterOrganisation(organisation_id="provider-alpha", name="Again", kind=OrganisationKind.JOBCENTRE)
    with pytest.raises(Conflict) as refused:
        decide_organisation(command, organisation(ALPHA))
    assert "provider-alpha" in refused.value.detail


def test_add_a_subcontractor() -> None:
    events = decide_organisation(add(), organisation(ALPHA))
    assert events == [SubcontractorAdded(prime_id="provider-alpha", subcontractor_id="provider-beta")]
    assert organisation(ALPHA, *events).subcontractors == frozenset({"provider-beta"})


def test_adding_a_subcontractor_again_changes_nothing() -> None:
    state = organisation(ALPHA, SubcontractorAdded(prime_id="provider-alpha", subcontractor_id="provider-beta"))
    assert decide_organisation(add(), state) == []


def test_subcontractors_accumulate() -> None:
    state = organisation(
        ALPHA,
        SubcontractorAdded(prime_id="provider-alpha", subcontractor_id="provider-beta"),
        SubcontractorAdded(prime_id="provider-alpha", subcontractor_id="provider-gamma"),
    )
    assert state.subcontractors == frozenset({"provider-beta", "provider-gamma"})


@pytest.mark.parametrize("kind", [None, OrganisationKind.JOBCENTRE, OrganisationKind.ICE, OrganisationKind.PHSO])
def test_a_subcontractor_must_be_a_registered_provider(kind: OrganisationKind | None) -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide_organisation(add(kind=kind), organisation(ALPHA))
    assert fields_of(refused.value) == {"subcontractor_id": "provider"}
    assert refused.value.requirement == "R61"


def test_a_provider_cannot_subcontract_to_itself() -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide_organisation(add("provider-alpha"), organisation(ALPHA))
    assert fields_of(refused.value) == {"subcontractor_id": "distinct"}


@pytest.mark.parametrize("prime", [(), (JOBCENTRE,)])
def test_the_prime_must_be_a_registered_provider(prime: tuple[DomainEvent, ...]) -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide_organisation(add(), organisation(*prime))
    assert fields_of(refused.value) == {"prime_id": "provider"}


def test_every_broken_rule_is_named() -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide_organisation(add(kind=None), organisation())
    assert [e.field for e in refused.value.errors] == ["prime_id", "subcontractor_id"]


def test_an_unknown_organisation_command_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        decide_organisation(register_contract(), organisation())


# Contracts


def test_register_a_contract() -> None:
    assert decide_contract(register_contract(), contract_state()) == [
        ContractRegistered(
            contract_id="ipes-alpha",
            provider_organisation_id="provider-alpha",
            programme=Programme.IPES,
            value_pence=1_250_000_000,
            let_or_renewed_on=date(2024, 4, 1),
            nation=Nation.ENGLAND,
            title="IPES lot 1",
        )
    ]


def test_register_a_contract_twice_is_a_conflict() -> None:
    (event,) = decide_contract(register_contract(), contract_state())
    assert contract_state(event) == ContractState(registered=True)
    with pytest.raises(Conflict) as refused:
        decide_contract(register_contract(), contract_state(event))
    assert "ipes-alpha" in refused.value.detail


@pytest.mark.parametrize("kind", [None, OrganisationKind.JOBCENTRE, OrganisationKind.DWP_BUSINESS])
def test_a_contract_is_held_by_a_provider(kind: OrganisationKind | None) -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide_contract(register_contract(provider_kind=kind), contract_state())
    assert fields_of(refused.value) == {"provider_organisation_id": "provider"}


def test_a_contract_value_cannot_be_negative() -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide_contract(register_contract(value_pence=-1), contract_state())
    assert fields_of(refused.value) == {"value_pence": "non-negative"}


def test_a_zero_value_contract_is_accepted() -> None:
    (event,) = decide_contract(register_contract(value_pence=0), contract_state())
    assert isinstance(event, ContractRegistered)
    assert event.value_pence == 0


def test_an_unknown_contract_command_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        decide_contract(add(), contract_state())


def test_stream_names_and_event_types() -> None:
    assert organisation_stream("provider-alpha") == "organisation-provider-alpha"
    assert contract_stream("ipes-alpha") == "contract-ipes-alpha"
    assert ORGANISATION_CODEC.types == ["directory.organisation_registered", "directory.subcontractor_added"]
    assert CONTRACT_CODEC.types == ["directory.contract_registered"]
