"""Helpers for the API tests: directory set-up through the admin API, complaint bodies, polling.

The database is shared by the whole session, so every helper makes its own organisation and
contract ids (a random suffix) and nothing assumes an empty table.
"""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from shared.auth import OrganisationKind
from shared.errors import PROBLEM_BASE

WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
PROBLEM_JSON = "application/problem+json"
RECEIVED_ON = "2026-11-20"  # the Friday before the session clock's Monday: never in the future

T = TypeVar("T")


def unique(prefix: str) -> str:
    """An id matching ORGANISATION_ID_PATTERN, unique to this test."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def eventually(
    probe: Callable[[], Awaitable[T]],
    until: Callable[[T], bool],
    *,
    wait_seconds: float = WAIT_SECONDS,
    what: str = "the condition",
) -> T:
    """Call `probe` until `until(result)` holds; fail with the last result after `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    while True:
        result = await probe()
        if until(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {wait_seconds}s waiting for {what}; last result: {result!r}")
        await asyncio.sleep(POLL_SECONDS)


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem document with the given status (and type slug); returns it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["type"].startswith(PROBLEM_BASE)
    if slug is not None:
        assert body["type"] == PROBLEM_BASE + slug, body
    return body


def error_fields(problem: dict[str, Any]) -> dict[str, str]:
    """field -> rule of a validation problem's errors."""
    return {e["field"]: e["rule"] for e in problem.get("errors", [])}


# Directory


@dataclass
class Directory:
    """Sets the directory up through the admin API and waits until its read model shows each change."""

    client: httpx.AsyncClient
    admin: dict[str, str]

    async def wait_for_organisation(
        self, organisation_id: str, until: Callable[[dict[str, Any]], bool] = lambda _org: True
    ) -> dict[str, Any]:
        """Poll GET /directory/organisations/{id} as admin until 200 (and `until` holds)."""

        async def probe() -> httpx.Response:
            return await self.client.get(f"/directory/organisations/{organisation_id}", headers=self.admin)

        response = await eventually(
            probe,
            lambda r: r.status_code == 200 and until(r.json()),
            what=f"organisation {organisation_id} in the directory",
        )
        found: dict[str, Any] = response.json()
        return found

    async def wait_for_link(self, prime_id: str, subcontractor_id: str) -> None:
        await self.wait_for_organisation(prime_id, lambda org: subcontractor_id in org["subcontractors"])

    async def wait_for_contract(self, contract_id: str) -> dict[str, Any]:
        async def probe() -> list[dict[str, Any]]:
            response = await self.client.get("/directory/contracts", headers=self.admin)
            assert response.status_code == 200, response.text
            rows: list[dict[str, Any]] = response.json()
            return [c for c in rows if c["contract_id"] == contract_id]

        rows = await eventually(probe, lambda found: len(found) == 1, what=f"contract {contract_id} listed")
        return rows[0]

    async def organisation(
        self,
        kind: OrganisationKind = OrganisationKind.PROVIDER,
        organisation_id: str | None = None,
        name: str | None = None,
    ) -> str:
        """Register an organisation (201) and wait until the directory read model has it."""
        organisation_id = organisation_id or unique(kind.value.replace("_", "-"))
        response = await self.client.post(
            "/directory/organisations",
            headers=self.admin,
            json={"organisation_id": organisation_id, "name": name or f"Org {organisation_id}", "kind": kind.value},
        )
        assert response.status_code == 201, response.text
        await self.wait_for_organisation(organisation_id)
        return organisation_id

    async def contract(self, provider_id: str, programme: str = "ipes", contract_id: str | None = None) -> str:
        """Register a contract (201) and wait until GET /directory/contracts lists it."""
        contract_id = contract_id or unique(f"{programme}-contract")
        response = await self.client.post(
            "/directory/contracts", headers=self.admin, json=contract_body(provider_id, contract_id, programme)
        )
        assert response.status_code == 201, response.text
        await self.wait_for_contract(contract_id)
        return contract_id

    async def link(self, prime_id: str, subcontractor_id: str) -> None:
        """Add a sub-contractor to a prime's supply chain and wait until the read model has the link."""
        response = await self.client.post(
            f"/directory/organisations/{prime_id}/subcontractors",
            headers=self.admin,
            json={"subcontractor_id": subcontractor_id},
        )
        assert response.status_code == 200, response.text
        assert subcontractor_id in response.json()["subcontractors"]
        await self.wait_for_link(prime_id, subcontractor_id)

    async def provider_with_contract(self, programme: str = "ipes") -> tuple[str, str]:
        """A fresh provider and one of its contracts, both in the directory read model."""
        provider_id = await self.organisation(OrganisationKind.PROVIDER)
        contract_id = await self.contract(provider_id, programme)
        return provider_id, contract_id


@dataclass(frozen=True)
class Provider:
    """A fresh provider with a contract, and a caseworker of it."""

    organisation_id: str
    contract_id: str
    caseworker: dict[str, str]

    def body(self, **overrides: Any) -> dict[str, Any]:
        return complaint_body(self.organisation_id, self.contract_id, **overrides)


def contract_body(provider_id: str, contract_id: str, programme: str = "ipes") -> dict[str, Any]:
    return {
        "contract_id": contract_id,
        "provider_organisation_id": provider_id,
        "programme": programme,
        "value_pence": 1_250_000_000,
        "let_or_renewed_on": "2024-04-01",
        "nation": "england",
        "title": f"Contract {contract_id}",
    }


# Complaints


def complaint_body(
    provider_id: str | None,
    contract_id: str | None,
    /,
    *,
    complainant: dict[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A valid registration body with personal data; `complainant` merges, other keys replace."""
    tag = uuid.uuid4().hex[:8]
    body: dict[str, Any] = {
        "complainant": {
            "kind": "participant",
            "name": f"Sam Example-{tag}",
            "address": f"{tag} Example Street, Leeds LS1 1AA",
            "email": f"sam.{tag}@example.org",
            "phone": "0113 496 0000",
            "national_insurance_number": "AB123456C",
        },
        "about": "provider",
        "programme": "ipes",
        "provider_organisation_id": provider_id,
        "contract_id": contract_id,
        "channel": "phone",
        "received_on": RECEIVED_ON,
        "nation": "england",
        "elements": [
            {
                "category": "d_you_take_too_long",
                "summary": f"My appointment was cancelled three times ({tag}).",
                "desired_outcome": f"A fixed appointment and an apology ({tag}).",
            }
        ],
    }
    if complainant:
        body["complainant"].update(complainant)
    body.update(copy.deepcopy(overrides))
    return body


async def register(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: dict[str, Any],
    key: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {**headers, **(extra_headers or {})}
    if key is not None:
        sent["Idempotency-Key"] = key
    return await client.post("/complaints", headers=sent, json=body)


async def register_ok(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = await register(client, headers, body, key=str(uuid.uuid4()))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def list_all(
    client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every list item in the caller's scope matching `params`, following the cursor."""
    items: list[dict[str, Any]] = []
    query = dict(params or {})
    query.setdefault("limit", 200)
    for _ in range(1000):
        response = await client.get("/complaints", headers=headers, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        query["cursor"] = page["next_cursor"]
    raise AssertionError("the list never ended")


async def wait_for_listed(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    complaint_ids: set[str],
    params: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Poll the list (a trailing read model) until every id in `complaint_ids` is in it."""

    async def probe() -> list[dict[str, Any]]:
        return await list_all(client, headers, params)

    return await eventually(
        probe,
        lambda items: complaint_ids <= {i["complaint_id"] for i in items},
        what=f"complaints {sorted(complaint_ids)} in the list",
    )
