"""The directory admin API (R61): organisations, supply chains and contracts, and who sees them."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, assert_problem, contract_body, error_fields, unique


async def test_admin_registers_an_organisation(
    client: httpx.AsyncClient, admin: dict[str, str], clock: FixedClock
) -> None:
    organisation_id = unique("provider")
    response = await client.post(
        "/directory/organisations",
        headers=admin,
        json={"organisation_id": organisation_id, "name": "Alpha Employment Ltd", "kind": "provider"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/directory/organisations/{organisation_id}"
    created = response.json()
    assert created["organisation_id"] == organisation_id
    assert created["name"] == "Alpha Employment Ltd"
    assert created["kind"] == "provider"
    assert created["subcontractors"] == []
    assert datetime.fromisoformat(created["registered_at"]) == clock.now()


async def test_admin_registers_a_contract(
    client: httpx.AsyncClient, admin: dict[str, str], directory: Directory
) -> None:
    provider_id = await directory.organisation(OrganisationKind.PROVIDER)
    contract_id = unique("atw-contract")
    body = contract_body(provider_id, contract_id, programme="atw")
    response = await client.post("/directory/contracts", headers=admin, json=body)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/directory/contracts/{contract_id}"
    assert response.json() == body
    assert await directory.wait_for_contract(contract_id) == body


@pytest.mark.parametrize(
    "role", [Role.CASEWORKER, Role.COMPLAINTS_LEAD, Role.SENIOR_MANAGER, Role.DATA_PROTECTION_OFFICER]
)
async def test_only_dwp_admins_change_the_directory(
    client: httpx.AsyncClient, auth: TokenFactory, directory: Directory, role: Role
) -> None:
    provider_id = await directory.organisation(OrganisationKind.PROVIDER)
    other_id = await directory.organisation(OrganisationKind.PROVIDER)
    headers = auth(provider_id, OrganisationKind.PROVIDER, role)
    attempts = [
        ("/directory/organisations", {"organisation_id": unique("provider"), "name": "X", "kind": "provider"}),
        ("/directory/contracts", contract_body(provider_id, unique("contract"))),
        (f"/directory/organisations/{provider_id}/subcontractors", {"subcontractor_id": other_id}),
    ]
    for path, body in attempts:
        response = await client.post(path, headers=headers, json=body)
        problem = assert_problem(response, 403, "forbidden")
        assert problem["requirement"] == "R61"
        assert problem["required_roles"] == ["dwp_admin"]
    contracts = await client.get("/directory/contracts", headers=headers)
    assert contracts.json() == []


async def test_a_duplicate_organisation_is_409(
    client: httpx.AsyncClient, admin: dict[str, str], directory: Directory
) -> None:
    organisation_id = await directory.organisation(OrganisationKind.PROVIDER)
    response = await client.post(
        "/directory/organisations",
        headers=admin,
        json={"organisation_id": organisation_id, "name": "Again", "kind": "jobcentre"},
    )
    problem = assert_problem(response, 409, "conflict")
    assert organisation_id in problem["detail"]


async def test_a_duplicate_contract_is_409(
    client: httpx.AsyncClient, admin: dict[str, str], directory: Directory
) -> None:
    provider_id, contract_id = await directory.provider_with_contract()
    response = await client.post("/directory/contracts", headers=admin, json=contract_body(provider_id, contract_id))
    problem = assert_problem(response, 409, "conflict")
    assert contract_id in problem["detail"]


@pytest.mark.parametrize("holder", ["jobcentre", "unknown"])
async def test_a_contract_is_held_by_a_registered_provider(
    client: httpx.AsyncClient, admin: dict[str, str], directory: Directory, holder: str
) -> None:
    holder_id = await directory.organisation(OrganisationKind.JOBCENTRE) if holder == "jobcentre" else unique("nobody")
    response = await client.post(
        "/directory/contracts", headers=admin, json=contract_body(holder_id, unique("contract"))
    )
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"provider_organisation_id": "provider"}


async def test_organisation_ids_and_kinds_are_validated(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.post(
        "/directory/organisations",
        headers=admin,
        json={"organisation_id": "Not Valid!", "name": "", "kind": "charity"},
    )
    problem = assert_problem(response, 422, "validation")
    assert set(error_fields(problem)) == {"organisation_id", "name", "kind"}


async def test_linking_a_subcontractor(client: httpx.AsyncClient, admin: dict[str, str], directory: Directory) -> None:
    prime = await directory.organisation(OrganisationKind.PROVIDER)
    sub = await directory.organisation(OrganisationKind.PROVIDER)
    path = f"/directory/organisations/{prime}/subcontractors"
    first = await client.post(path, headers=admin, json={"subcontractor_id": sub})
    assert first.status_code == 200, first.text
    assert first.json()["organisation_id"] == prime
    assert first.json()["kind"] == "provider"
    assert first.json()["subcontractors"] == [sub]
    # Linking again changes nothing.
    again = await client.post(path, headers=admin, json={"subcontractor_id": sub})
    assert again.status_code == 200
    assert again.json()["subcontractors"] == [sub]
    await directory.wait_for_link(prime, sub)


@pytest.mark.parametrize(
    ("subcontractor", "rule"),
    [("jobcentre", "provider"), ("ice", "provider"), ("unknown", "provider"), ("itself", "distinct")],
)
async def test_a_subcontractor_must_be_another_registered_provider(
    client: httpx.AsyncClient, admin: dict[str, str], directory: Directory, subcontractor: str, rule: str
) -> None:
    prime = await directory.organisation(OrganisationKind.PROVIDER)
    sub_id = {
        "jobcentre": lambda: directory.organisation(OrganisationKind.JOBCENTRE),
        "ice": lambda: directory.organisation(OrganisationKind.ICE),
    }
    if subcontractor in sub_id:
        sub = await sub_id[subcontractor]()
    else:
        sub = unique("nobody") if subcontractor == "unknown" else prime
    response = await client.post(
        f"/directory/organisations/{prime}/subcontractors", headers=admin, json={"subcontractor_id": sub}
    )
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"subcontractor_id": rule}
    assert problem["requirement"] == "R61"


@pytest.mark.parametrize("prime_kind", ["jobcentre", "unknown"])
async def test_a_prime_must_be_a_registered_provider(
    client: httpx.AsyncClient, admin: dict[str, str], directory: Directory, prime_kind: str
) -> None:
    prime = await directory.organisation(OrganisationKind.JOBCENTRE) if prime_kind == "jobcentre" else unique("none")
    sub = await directory.organisation(OrganisationKind.PROVIDER)
    response = await client.post(
        f"/directory/organisations/{prime}/subcontractors", headers=admin, json={"subcontractor_id": sub}
    )
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"prime_id": "provider"}


async def test_a_provider_lists_only_its_supply_chain_s_contracts(
    client: httpx.AsyncClient, auth: TokenFactory, directory: Directory
) -> None:
    prime, prime_contract = await directory.provider_with_contract()
    sub, sub_contract = await directory.provider_with_contract()
    other, other_contract = await directory.provider_with_contract()
    await directory.link(prime, sub)

    async def contracts(organisation_id: str, kind: OrganisationKind) -> set[str]:
        response = await client.get("/directory/contracts", headers=auth(organisation_id, kind, Role.CASEWORKER))
        assert response.status_code == 200
        return {c["contract_id"] for c in response.json()}

    assert await contracts(prime, OrganisationKind.PROVIDER) == {prime_contract, sub_contract}
    assert await contracts(sub, OrganisationKind.PROVIDER) == {sub_contract}
    assert await contracts(other, OrganisationKind.PROVIDER) == {other_contract}
    assert {prime_contract, sub_contract, other_contract} <= await contracts("jc-any", OrganisationKind.JOBCENTRE)


async def test_admin_reads_an_organisation(
    client: httpx.AsyncClient, admin: dict[str, str], directory: Directory
) -> None:
    prime = await directory.organisation(OrganisationKind.PROVIDER, name="Prime Ltd")
    sub = await directory.organisation(OrganisationKind.PROVIDER)
    await directory.link(prime, sub)
    response = await client.get(f"/directory/organisations/{prime}", headers=admin)
    assert response.status_code == 200
    assert response.json()["name"] == "Prime Ltd"
    assert response.json()["kind"] == "provider"
    assert response.json()["subcontractors"] == [sub]


async def test_a_provider_lists_only_its_supply_chain(
    client: httpx.AsyncClient, auth: TokenFactory, directory: Directory
) -> None:
    prime = await directory.organisation(OrganisationKind.PROVIDER)
    sub = await directory.organisation(OrganisationKind.PROVIDER)
    other = await directory.organisation(OrganisationKind.PROVIDER)
    await directory.link(prime, sub)
    headers = auth(prime, OrganisationKind.PROVIDER, Role.CASEWORKER)
    response = await client.get("/directory/organisations", headers=headers)
    assert response.status_code == 200
    assert [o["organisation_id"] for o in response.json()] == sorted([prime, sub])
    hidden = await client.get(f"/directory/organisations/{other}", headers=headers)
    assert_problem(hidden, 404, "not-found")


async def test_a_jobcentre_lists_the_whole_directory(
    client: httpx.AsyncClient, auth: TokenFactory, directory: Directory
) -> None:
    first = await directory.organisation(OrganisationKind.PROVIDER)
    second = await directory.organisation(OrganisationKind.PROVIDER)
    jobcentre = await directory.organisation(OrganisationKind.JOBCENTRE)
    headers = auth(jobcentre, OrganisationKind.JOBCENTRE, Role.CASEWORKER)
    response = await client.get("/directory/organisations", headers=headers)
    assert response.status_code == 200
    assert {first, second, jobcentre} <= {o["organisation_id"] for o in response.json()}
