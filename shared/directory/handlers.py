"""Directory commands: load -> fold -> decide -> append (used by the admin API and the dev seed)."""

from __future__ import annotations

from shared.auth import OrganisationKind, Role
from shared.commands import Outcome, execute, load
from shared.directory.domain import (
    CONTRACT_CODEC,
    CONTRACT_DECIDER,
    CONTRACT_STREAM,
    ORGANISATION_CODEC,
    ORGANISATION_DECIDER,
    ORGANISATION_STREAM,
    AddSubcontractor,
    ContractState,
    OrganisationState,
    RegisterContract,
    RegisterOrganisation,
    contract_stream,
    organisation_stream,
)
from shared.eventstore.base import EventStore
from shared.http.deps import CommandContext


async def organisation_kind(store: EventStore, organisation_id: str) -> OrganisationKind | None:
    loaded = await load(store, organisation_stream(organisation_id), ORGANISATION_DECIDER, ORGANISATION_CODEC)
    return loaded.state.kind


async def register_organisation(
    store: EventStore, command: RegisterOrganisation, ctx: CommandContext
) -> Outcome[OrganisationState]:
    return await execute(
        store,
        stream_id=organisation_stream(command.organisation_id),
        stream_type=ORGANISATION_STREAM,
        decider=ORGANISATION_DECIDER,
        codec=ORGANISATION_CODEC,
        command=command,
        ctx=ctx,
        role=Role.DWP_ADMIN,
    )


async def add_subcontractor(
    store: EventStore, prime_id: str, subcontractor_id: str, ctx: CommandContext
) -> Outcome[OrganisationState]:
    command = AddSubcontractor(
        prime_id=prime_id,
        subcontractor_id=subcontractor_id,
        subcontractor_kind=await organisation_kind(store, subcontractor_id),
    )
    return await execute(
        store,
        stream_id=organisation_stream(prime_id),
        stream_type=ORGANISATION_STREAM,
        decider=ORGANISATION_DECIDER,
        codec=ORGANISATION_CODEC,
        command=command,
        ctx=ctx,
        role=Role.DWP_ADMIN,
    )


async def register_contract(
    store: EventStore, command: RegisterContract, ctx: CommandContext
) -> Outcome[ContractState]:
    command = command.model_copy(
        update={"provider_kind": await organisation_kind(store, command.provider_organisation_id)}
    )
    return await execute(
        store,
        stream_id=contract_stream(command.contract_id),
        stream_type=CONTRACT_STREAM,
        decider=CONTRACT_DECIDER,
        codec=CONTRACT_CODEC,
        command=command,
        ctx=ctx,
        role=Role.DWP_ADMIN,
    )
