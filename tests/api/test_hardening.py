"""Input and retry cases found in review: each was a 500 or a silently wrong answer before."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import httpx
import jwt

from shared.auth import OrganisationKind
from shared.clock import FixedClock
from shared.db import raw_connection
from shared.settings import Settings
from tests.api.helpers import Directory, assert_problem


def org(prefix: str = "org") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def test_a_nul_character_in_text_is_a_422_not_a_500(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.post(
        "/directory/organisations",
        json={"organisation_id": org(), "name": "Al\u0000pha", "kind": "provider"},
        headers=admin,
    )
    problem = assert_problem(response, 422, "validation")
    assert problem["errors"][0]["rule"] == "no-nul-character"


async def test_a_contract_value_beyond_a_bigint_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], directory: Directory
) -> None:
    provider = await directory.organisation(OrganisationKind.PROVIDER)
    response = await client.post(
        "/directory/contracts",
        json={
            "contract_id": org("c"),
            "provider_organisation_id": provider,
            "programme": "ipes",
            "value_pence": 10**19,
            "let_or_renewed_on": "2020-01-01",
            "nation": "england",
            "title": "too big",
        },
        headers=admin,
    )
    assert "value_pence" in [e["field"] for e in assert_problem(response, 422, "validation")["errors"]]


async def test_a_token_whose_roles_are_not_a_list_is_401(client: httpx.AsyncClient, settings: Settings) -> None:
    assert settings.jwt_hs256_secret is not None
    claims = {
        "sub": "u",
        "org": "o",
        "org_kind": "provider",
        "roles": None,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "exp": int(time.time()) + 600,
    }
    token = jwt.encode(claims, settings.jwt_hs256_secret, algorithm="HS256")
    for method in ("GET", "POST"):
        response = await client.request(
            method,
            "/complaints",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
            json={} if method == "POST" else None,
        )
        assert_problem(response, 401, "unauthorized")


async def test_a_retry_whose_stored_response_was_lost_is_answered_not_refused(
    client: httpx.AsyncClient, admin: dict[str, str], engine
) -> None:
    """The process died after the append and before storing the response: the retry must not be a 409."""
    organisation_id, key = org(), str(uuid.uuid4())
    body = {"organisation_id": organisation_id, "name": "Crash Test Ltd", "kind": "provider"}
    first = await client.post("/directory/organisations", json=body, headers={**admin, "Idempotency-Key": key})
    assert first.status_code == 201
    async with raw_connection(engine) as conn:
        await conn.execute("DELETE FROM idempotency_keys WHERE key = $1", key)
    retry = await client.post("/directory/organisations", json=body, headers={**admin, "Idempotency-Key": key})
    assert retry.status_code == 201, retry.text
    async with raw_connection(engine) as conn:
        count = await conn.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1", f"organisation-{organisation_id}"
        )
    assert count == 1


async def test_a_key_reused_after_expiry_for_another_request_is_not_mistaken_for_a_retry(
    client: httpx.AsyncClient, admin: dict[str, str], directory: Directory, clock: FixedClock
) -> None:
    prime = await directory.organisation(OrganisationKind.PROVIDER)
    first_sub = await directory.organisation(OrganisationKind.PROVIDER)
    second_sub = await directory.organisation(OrganisationKind.PROVIDER)
    key = str(uuid.uuid4())
    url = f"/directory/organisations/{prime}/subcontractors"
    first = await client.post(url, json={"subcontractor_id": first_sub}, headers={**admin, "Idempotency-Key": key})
    assert first.status_code == 200
    clock.advance(timedelta(hours=25))  # the stored response has expired
    second = await client.post(url, json={"subcontractor_id": second_sub}, headers={**admin, "Idempotency-Key": key})
    assert second.status_code == 200, second.text
    assert second.json()["subcontractors"] == sorted([first_sub, second_sub])


async def test_as_of_must_be_an_aware_instant_in_range(escalation: httpx.AsyncClient, admin: dict[str, str]) -> None:
    url = f"/complaints/{uuid.uuid4()}/deadlines"
    for bad in ("2026-11-23T10:00:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"):
        response = await escalation.get(url, params={"as_of": bad}, headers=admin)
        assert "query.as_of" in [e["field"] for e in assert_problem(response, 422, "validation")["errors"]], bad


async def test_working_days_between_refuses_spans_over_ten_years(
    escalation: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await escalation.get(
        "/working-days/between", params={"nation": "england", "from": "1900-01-01", "to": "2100-01-01"}, headers=admin
    )
    assert "query.to" in [e["field"] for e in assert_problem(response, 422, "validation")["errors"]]
