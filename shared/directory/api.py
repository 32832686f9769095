"""The directory admin API (R61): DWP administrators register organisations, supply chains, contracts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import OrganisationKind, Principal, Role
from shared.db import raw_connection
from shared.directory import handlers
from shared.directory.domain import RegisterContract, RegisterOrganisation
from shared.directory.projection import supply_chain
from shared.errors import NotFound
from shared.http import examples
from shared.http.deps import CommandContextDep, CurrentPrincipal, IdempotencyKeyHeader, PlatformDep, require
from shared.http.examples import returns
from shared.http.problems import problem_responses
from shared.vocabulary import ORGANISATION_ID_PATTERN, IsoDate, Nation, Programme

router = APIRouter(prefix="/directory", tags=["directory"])
AdminOnly = [Depends(require(Role.DWP_ADMIN))]
OrganisationId = Annotated[str, Path(pattern=ORGANISATION_ID_PATTERN, examples=["provider-alpha"])]

# Organisations whose staff see the whole directory; a provider sees its own supply chain.
WHOLE_DIRECTORY = {
    OrganisationKind.DWP_BUSINESS,
    OrganisationKind.DWP_MI,
    OrganisationKind.JOBCENTRE,
    OrganisationKind.ICE,
    OrganisationKind.PHSO,
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganisationIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"organisation_id": "provider-alpha", "name": "Alpha Employment Services Ltd", "kind": "provider"}
            ]
        },
    )

    organisation_id: str = Field(pattern=ORGANISATION_ID_PATTERN, examples=["provider-alpha"])
    name: str = Field(min_length=1, max_length=200, examples=["Alpha Employment Services Ltd"])
    kind: OrganisationKind = Field(examples=["provider"])


class SubcontractorIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"subcontractor_id": "provider-alpha-sub"}]}
    )

    subcontractor_id: str = Field(pattern=ORGANISATION_ID_PATTERN, examples=["provider-alpha-sub"])


class ContractIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contract_id": "ipes-ew-alpha",
                    "provider_organisation_id": "provider-alpha",
                    "programme": "ipes",
                    "value_pence": 1_250_000_000,
                    "let_or_renewed_on": "2023-04-01",
                    "nation": "england",
                    "title": "IPES England and Wales, lot 1",
                }
            ]
        },
    )

    contract_id: str = Field(pattern=ORGANISATION_ID_PATTERN, examples=["ipes-ew-alpha-2024"])
    provider_organisation_id: str = Field(pattern=ORGANISATION_ID_PATTERN, examples=["provider-alpha"])
    programme: Programme
    value_pence: int = Field(ge=0, le=2**63 - 1, description="The contract's value in pence", examples=[1_250_000_000])
    let_or_renewed_on: IsoDate = Field(description="When the contract was let or last renewed (R36)")
    nation: Nation
    title: str = Field(min_length=1, max_length=200, examples=["IPES England and Wales, lot 1"])


class Organisation(BaseModel):
    organisation_id: str
    name: str
    kind: OrganisationKind
    subcontractors: list[str]
    registered_at: datetime | None = None


class Contract(BaseModel):
    contract_id: str
    provider_organisation_id: str
    programme: Programme
    value_pence: int
    let_or_renewed_on: IsoDate
    nation: Nation
    title: str


async def _visible(conn: Any, principal: Principal) -> list[str] | None:
    """None: everything."""
    if principal.organisation_kind in WHOLE_DIRECTORY:
        return None
    return await supply_chain(conn, principal.organisation_id)


async def _organisations(conn: Any, visible: list[str] | None, only: str | None = None) -> list[Organisation]:
    rows = await conn.fetch(
        """SELECT o.organisation_id, o.name, o.kind, o.registered_at,
                  coalesce(array_agg(s.subcontractor_id ORDER BY s.subcontractor_id)
                           FILTER (WHERE s.subcontractor_id IS NOT NULL), '{}') AS subcontractors
           FROM directory.organisations o
           LEFT JOIN directory.supply_chain s ON s.prime_id = o.organisation_id
           WHERE ($1::text[] IS NULL OR o.organisation_id = ANY($1::text[]))
             AND ($2::text IS NULL OR o.organisation_id = $2)
           GROUP BY o.organisation_id, o.name, o.kind, o.registered_at ORDER BY o.organisation_id""",
        visible,
        only,
    )
    return [Organisation(**dict(r)) for r in rows]


@router.post(
    "/organisations",
    name="register-organisation",
    summary="Register an organisation",
    description="A provider, Jobcentre, DWP business, ICE, PHSO or DWP MI organisation. DWP administrators only "
    "(R61). The directory is event-sourced: every change is an event (R60).",
    status_code=status.HTTP_201_CREATED,
    response_model=Organisation,
    dependencies=AdminOnly,
    responses={**problem_responses(403, 409), **returns(examples.ORGANISATION, 201)},
)
async def register_organisation(
    body: OrganisationIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    _key: IdempotencyKeyHeader = None,
) -> Organisation:
    command = RegisterOrganisation(organisation_id=body.organisation_id, name=body.name, kind=body.kind)
    await handlers.register_organisation(platform.store, command, ctx)
    response.headers["Location"] = f"/directory/organisations/{body.organisation_id}"
    return Organisation(
        organisation_id=body.organisation_id,
        name=body.name,
        kind=body.kind,
        subcontractors=[],
        registered_at=ctx.now,
    )


@router.post(
    "/organisations/{organisation_id}/subcontractors",
    name="add-subcontractor",
    summary="Add a sub-contractor to a prime provider's supply chain",
    description="A prime contractor sees its sub-contractors' complaints (R61). Both must be registered providers.",
    status_code=status.HTTP_200_OK,
    response_model=Organisation,
    dependencies=AdminOnly,
    responses={**problem_responses(403), **returns(examples.SUBCONTRACTOR_ADDED)},
)
async def add_subcontractor(
    organisation_id: OrganisationId,
    body: SubcontractorIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    _key: IdempotencyKeyHeader = None,
) -> Organisation:
    outcome = await handlers.add_subcontractor(platform.store, organisation_id, body.subcontractor_id, ctx)
    async with raw_connection(platform.pool) as conn:
        name = await conn.fetchval(
            "SELECT name FROM directory.organisations WHERE organisation_id = $1", organisation_id
        )
    return Organisation(
        organisation_id=organisation_id,
        name=name or organisation_id,
        kind=OrganisationKind.PROVIDER,
        subcontractors=sorted(outcome.state.subcontractors),
    )


@router.get(
    "/organisations",
    name="list-organisations",
    summary="List organisations",
    description="The whole directory for DWP, Jobcentre, ICE and PHSO staff; a provider sees its supply chain (R61).",
    response_model=list[Organisation],
    responses={**problem_responses(), **returns(examples.ORGANISATIONS)},
)
async def list_organisations(principal: CurrentPrincipal, platform: PlatformDep) -> list[Organisation]:
    async with raw_connection(platform.pool) as conn:
        return await _organisations(conn, await _visible(conn, principal))


@router.get(
    "/organisations/{organisation_id}",
    name="get-organisation",
    summary="Read an organisation",
    description="404 for an organisation outside your scope (R61).",
    response_model=Organisation,
    responses={**problem_responses(404), **returns(examples.PRIME_WITH_SUBCONTRACTOR)},
)
async def get_organisation(
    organisation_id: OrganisationId, principal: CurrentPrincipal, platform: PlatformDep
) -> Organisation:
    async with raw_connection(platform.pool) as conn:
        found = await _organisations(conn, await _visible(conn, principal), organisation_id)
    if not found:
        raise NotFound(detail=f"no organisation {organisation_id}")
    return found[0]


@router.post(
    "/contracts",
    name="register-contract",
    summary="Register a provider contract",
    description="Programme, value in pence, the date let or renewed, and nation: the fee rule (R36) and the "
    "bank-holiday calendar (R22) read them.",
    status_code=status.HTTP_201_CREATED,
    response_model=Contract,
    dependencies=AdminOnly,
    responses={**problem_responses(403, 409), **returns(examples.CONTRACT, 201)},
)
async def register_contract(
    body: ContractIn,
    ctx: CommandContextDep,
    platform: PlatformDep,
    response: Response,
    _key: IdempotencyKeyHeader = None,
) -> Contract:
    command = RegisterContract(provider_kind=None, **body.model_dump())
    await handlers.register_contract(platform.store, command, ctx)
    response.headers["Location"] = f"/directory/contracts/{body.contract_id}"
    return Contract(**body.model_dump())


@router.get(
    "/contracts",
    name="list-contracts",
    summary="List contracts",
    description="Contracts in your scope (R61).",
    response_model=list[Contract],
    responses={**problem_responses(), **returns(examples.CONTRACTS)},
)
async def list_contracts(principal: CurrentPrincipal, platform: PlatformDep) -> list[Contract]:
    async with raw_connection(platform.pool) as conn:
        visible = await _visible(conn, principal)
        rows = await conn.fetch(
            """SELECT contract_id, provider_organisation_id, programme, value_pence, let_or_renewed_on, nation, title
               FROM directory.contracts
               WHERE $1::text[] IS NULL OR provider_organisation_id = ANY($1::text[])
               ORDER BY contract_id""",
            visible,
        )
    return [Contract(**dict(r)) for r in rows]
