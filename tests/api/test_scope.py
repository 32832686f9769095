"""Organisation scoping (R61): who sees which complaint, and out of scope looks exactly like absent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock, business_date
from tests.api.conftest import TokenFactory
from tests.api.helpers import (
    Directory,
    assert_problem,
    complaint_body,
    list_all,
    register_ok,
    wait_for_listed,
)


@dataclass(frozen=True)
class World:
    """Two primes A and B, S a sub-contractor of A, two Jobcentres; a caseworker of each."""

    a: str
    a_contract: str
    b: str
    b_contract: str
    s: str
    s_contract: str
    jobcentre: str
    other_jobcentre: str
    headers: dict[str, dict[str, str]]


@pytest.fixture
async def world(directory: Directory, auth: TokenFactory) -> World:
    a, a_contract = await directory.provider_with_contract()
    b, b_contract = await directory.provider_with_contract()
    s, s_contract = await directory.provider_with_contract()
    await directory.link(a, s)
    jobcentre = await directory.organisation(OrganisationKind.JOBCENTRE)
    other_jobcentre = await directory.organisation(OrganisationKind.JOBCENTRE)
    provider, jc = OrganisationKind.PROVIDER, OrganisationKind.JOBCENTRE
    headers = {
        "A": auth(a, provider, Role.CASEWORKER),
        "B": auth(b, provider, Role.CASEWORKER),
        "S": auth(s, provider, Role.CASEWORKER),
        "JC": auth(jobcentre, jc, Role.CASEWORKER),
        "JC2": auth(other_jobcentre, jc, Role.CASEWORKER),
        "ICE": auth("ice-office", OrganisationKind.ICE, Role.CASE_EXAMINER, Role.ADJUDICATION_MANAGER),
        "PHSO": auth("phso", OrganisationKind.PHSO, Role.PHSO_CASEWORKER),
    }
    return World(a, a_contract, b, b_contract, s, s_contract, jobcentre, other_jobcentre, headers)


async def _visible(client: httpx.AsyncClient, headers: dict[str, str], complaint_id: str) -> bool:
    """Whether GET and GET /events both show the complaint (200), or both hide it (404 problem)."""
    read = await client.get(f"/complaints/{complaint_id}", headers=headers)
    history = await client.get(f"/complaints/{complaint_id}/events", headers=headers)
    if read.status_code == 200:
        assert history.status_code == 200
        assert read.json()["complaint_id"] == complaint_id
        return True
    problem = assert_problem(read, 404, "not-found")
    assert problem["requirement"] == "R61"
    assert_problem(history, 404, "not-found")
    return False


async def _listed_ids(client: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    return {i["complaint_id"] for i in await list_all(client, headers)}


async def _assert_scope(client: httpx.AsyncClient, world: World, complaint_id: str, seen_by: set[str]) -> None:
    for who, headers in world.headers.items():
        assert await _visible(client, headers, complaint_id) is (who in seen_by), who
    # Every principal who sees it finds it in the list once the read model has it ...
    for who in seen_by:
        await wait_for_listed(client, world.headers[who], {complaint_id})
    # ... and, with the read model caught up, those who do not see it do not find it there.
    for who in set(world.headers) - seen_by:
        assert complaint_id not in await _listed_ids(client, world.headers[who]), who


async def test_a_complaint_about_b_is_b_s_only(client: httpx.AsyncClient, world: World) -> None:
    created = await register_ok(client, world.headers["B"], complaint_body(world.b, world.b_contract))
    await _assert_scope(client, world, created["complaint_id"], {"B"})


async def test_a_complaint_logged_by_a_sub_contractor_is_seen_by_its_prime(
    client: httpx.AsyncClient, world: World
) -> None:
    created = await register_ok(client, world.headers["S"], complaint_body(world.s, world.s_contract))
    assert created["logged_by_organisation_id"] == world.s
    await _assert_scope(client, world, created["complaint_id"], {"A", "S"})


async def test_a_prime_may_log_a_complaint_about_its_sub_contractor(client: httpx.AsyncClient, world: World) -> None:
    created = await register_ok(client, world.headers["A"], complaint_body(world.s, world.s_contract))
    await _assert_scope(client, world, created["complaint_id"], {"A", "S"})


async def test_a_sub_contractor_does_not_see_its_prime_s_own_complaints(
    client: httpx.AsyncClient, world: World
) -> None:
    created = await register_ok(client, world.headers["A"], complaint_body(world.a, world.a_contract))
    await _assert_scope(client, world, created["complaint_id"], {"A"})


async def test_a_sub_contractor_cannot_log_for_its_prime(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/complaints", headers=world.headers["S"], json=complaint_body(world.a, world.a_contract)
    )
    problem = assert_problem(response, 422, "validation")
    assert problem["errors"][0]["field"] == "provider_organisation_id"
    assert problem["errors"][0]["rule"] == "R61"


async def test_a_complaint_logged_by_a_jobcentre_about_a(client: httpx.AsyncClient, world: World) -> None:
    created = await register_ok(client, world.headers["JC"], complaint_body(world.a, world.a_contract))
    assert created["logged_by_organisation_id"] == world.jobcentre
    await _assert_scope(client, world, created["complaint_id"], {"JC", "A"})


async def test_a_jobcentre_complaint_about_the_jobcentre_is_its_own(client: httpx.AsyncClient, world: World) -> None:
    created = await register_ok(
        client, world.headers["JC"], complaint_body(None, None, about="jobcentre", programme="generic")
    )
    assert created["provider_organisation_id"] is None
    await _assert_scope(client, world, created["complaint_id"], {"JC"})


async def test_dwp_admins_and_data_protection_officers_see_every_complaint(
    client: httpx.AsyncClient, world: World, admin: dict[str, str], auth: TokenFactory
) -> None:
    created = await register_ok(client, world.headers["B"], complaint_body(world.b, world.b_contract))
    dpo = auth("dwp", OrganisationKind.DWP_BUSINESS, Role.DATA_PROTECTION_OFFICER)
    for headers in (admin, dpo):
        assert await _visible(client, headers, created["complaint_id"])
        await wait_for_listed(client, headers, {created["complaint_id"]}, {"provider_organisation_id": world.b})


def _normalised(problem: dict[str, Any], complaint_id: str) -> dict[str, Any]:
    """The problem without what legitimately differs: the id (in detail and instance) and the request id."""
    return {
        key: value.replace(complaint_id, "<id>") if isinstance(value, str) else value
        for key, value in problem.items()
        if key != "request_id"
    }


async def test_out_of_scope_is_indistinguishable_from_absent(client: httpx.AsyncClient, world: World) -> None:
    created = await register_ok(client, world.headers["B"], complaint_body(world.b, world.b_contract))
    existing, missing = created["complaint_id"], str(uuid.uuid4())
    for suffix in ("", "/events"):
        hidden = await client.get(f"/complaints/{existing}{suffix}", headers=world.headers["A"])
        absent = await client.get(f"/complaints/{missing}{suffix}", headers=world.headers["A"])
        assert hidden.status_code == absent.status_code == 404
        assert hidden.headers["content-type"] == absent.headers["content-type"]
        assert hidden.headers.get("etag") is absent.headers.get("etag") is None
        hidden_problem, absent_problem = hidden.json(), absent.json()
        assert (hidden_problem["status"], hidden_problem["type"], hidden_problem["title"]) == (
            absent_problem["status"],
            absent_problem["type"],
            absent_problem["title"],
        )
        assert hidden_problem["detail"] == f"no complaint {existing}"
        assert _normalised(hidden_problem, existing) == _normalised(absent_problem, missing)


async def test_acknowledging_out_of_scope_is_404_not_403(
    client: httpx.AsyncClient, world: World, clock: FixedClock, auth: TokenFactory
) -> None:
    created = await register_ok(client, world.headers["B"], complaint_body(world.b, world.b_contract))
    complaint_id = created["complaint_id"]
    body = {"acknowledged_on": business_date(clock.now()).isoformat(), "method": "email"}
    no_role = auth(world.a, OrganisationKind.PROVIDER, Role.MI_ANALYST)
    for who, headers in (("A", world.headers["A"]), ("A without the role", no_role), ("ICE", world.headers["ICE"])):
        response = await client.post(f"/complaints/{complaint_id}/acknowledgement", headers=headers, json=body)
        problem = assert_problem(response, 404, "not-found")
        assert problem["detail"] == f"no complaint {complaint_id}", who
    unchanged = await client.get(f"/complaints/{complaint_id}", headers=world.headers["B"])
    assert unchanged.json()["version"] == 1
    assert unchanged.json()["acknowledgement"] is None


async def test_an_ice_principal_sees_no_unreferred_complaint(client: httpx.AsyncClient, world: World) -> None:
    created = await register_ok(client, world.headers["A"], complaint_body(world.a, world.a_contract))
    await wait_for_listed(client, world.headers["A"], {created["complaint_id"]})
    response = await client.get(f"/complaints/{created['complaint_id']}", headers=world.headers["ICE"])
    assert_problem(response, 404, "not-found")
    page = await client.get("/complaints", headers=world.headers["ICE"])
    assert page.status_code == 200
    assert page.json() == {"items": [], "next_cursor": None}


async def test_a_provider_token_carrying_dwp_roles_does_not_see_all(
    client: httpx.AsyncClient, world: World, auth: TokenFactory
) -> None:
    """The see-all roles count only at DWP itself: a provider cannot grant itself the directory."""
    created = await register_ok(client, world.headers["B"], complaint_body(world.b, world.b_contract))
    rogue = auth(world.a, OrganisationKind.PROVIDER, Role.DWP_ADMIN, Role.DATA_PROTECTION_OFFICER, Role.CASEWORKER)
    assert await _visible(client, rogue, created["complaint_id"]) is False
    erasure = await client.post(
        f"/data-subjects/{created['complainant']['data_subject_id']}/erasure",
        headers=rogue,
        json={"reason": "erasure_request", "reference": "R-1"},
    )
    problem = assert_problem(erasure, 403, "forbidden")
    assert problem["requirement"] == "R62"
