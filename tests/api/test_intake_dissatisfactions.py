"""Dissatisfactions over the API (R2): recorded as resolved as normal business, not listed as complaints,
converted once into a complaint that names them, both histories kept."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, assert_problem, error_fields, list_all, wait_for_listed
from tests.api.test_intake_work import today


def body(provider: Provider, **overrides: Any) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    fields: dict[str, Any] = {
        "complainant_kind": "participant",
        "name": f"Sam Example-{tag}",
        "about": "provider",
        "programme": "ipes",
        "provider_organisation_id": provider.organisation_id,
        "contract_id": provider.contract_id,
        "channel": "in_person",
        "nation": "england",
        "category": "d_you_take_too_long",
        "raised_on": "2026-11-20",
        "resolved_on": "2026-11-20",
        "summary": f"Waited 40 minutes ({tag}).",
        "resolution": "Seen at once by another adviser and apologised to.",
    }
    fields.update(overrides)
    return fields


async def record(
    client: httpx.AsyncClient, headers: dict[str, str], sent: dict[str, Any], key: str | None = None
) -> httpx.Response:
    return await client.post(
        "/dissatisfactions", headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())}, json=sent
    )


async def recorded(client: httpx.AsyncClient, provider: Provider, **overrides: Any) -> dict[str, Any]:
    response = await record(client, provider.caseworker, body(provider, **overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def convert(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    dissatisfaction_id: str,
    complaint: dict[str, Any],
    *,
    if_match: str | None = None,
    key: str | None = None,
) -> httpx.Response:
    sent = {**headers, "Idempotency-Key": key or str(uuid.uuid4())}
    if if_match is not None:
        sent["If-Match"] = if_match
    return await client.post(f"/dissatisfactions/{dissatisfaction_id}/conversion", headers=sent, json=complaint)


async def history_types(client: httpx.AsyncClient, provider: Provider, location: str) -> list[str]:
    response = await client.get(f"{location}/events", headers=provider.caseworker)
    assert response.status_code == 200, response.text
    return [e["type"] for e in response.json()]


async def test_a_dissatisfaction_is_recorded_and_read_back(client: httpx.AsyncClient, provider: Provider) -> None:
    sent = body(provider)
    response = await record(client, provider.caseworker, sent)
    assert response.status_code == 201, response.text
    created = response.json()
    dissatisfaction_id = created["dissatisfaction_id"]
    assert response.headers["location"] == f"/dissatisfactions/{dissatisfaction_id}"
    assert response.headers["etag"] == '"1"'
    assert created["person"]["name"] == sent["name"]
    assert (created["summary"], created["resolution"]) == (sent["summary"], sent["resolution"])
    assert created["converted"] is None
    read = await client.get(f"/dissatisfactions/{dissatisfaction_id}", headers=provider.caseworker)
    assert read.json() == created
    events = await client.get(f"/dissatisfactions/{dissatisfaction_id}/events", headers=provider.caseworker)
    assert [e["type"] for e in events.json()] == ["dissatisfaction.recorded.v1"]
    assert events.json()[0]["data"]["summary"] == sent["summary"]


async def test_a_dissatisfaction_is_not_counted_as_a_complaint(client: httpx.AsyncClient, provider: Provider) -> None:
    created = await recorded(client, provider)
    missing = await client.get(f"/complaints/{created['dissatisfaction_id']}", headers=provider.caseworker)
    assert_problem(missing, 404, "not-found")
    listed = await list_all(client, provider.caseworker, {"provider_organisation_id": provider.organisation_id})
    assert listed == []


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"resolved_on": "2026-11-19"}, {"resolved_on": "R2"}),
        ({"resolution": ""}, {"resolution": "string_too_short"}),
        ({"category": "z"}, {"category": "enum"}),
    ],
)
async def test_bad_input_names_the_field(
    client: httpx.AsyncClient, provider: Provider, overrides: dict[str, Any], fields: dict[str, str]
) -> None:
    response = await record(client, provider.caseworker, body(provider, **overrides))
    assert error_fields(assert_problem(response, 422, "validation")) == fields


async def test_wrong_role_is_403_and_another_organisation_404(
    client: httpx.AsyncClient, provider: Provider, directory: Directory, auth: TokenFactory
) -> None:
    analyst = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.MI_ANALYST)
    assert_problem(await record(client, analyst, body(provider)), 403, "forbidden")
    created = await recorded(client, provider)
    other, _ = await directory.provider_with_contract()
    stranger = auth(other, OrganisationKind.PROVIDER, Role.CASEWORKER)
    dissatisfaction_id = created["dissatisfaction_id"]
    assert_problem(await client.get(f"/dissatisfactions/{dissatisfaction_id}", headers=stranger), 404)
    refused = await convert(client, stranger, dissatisfaction_id, provider.body())
    assert assert_problem(refused, 404, "not-found")["requirement"] == "R61"
    refused = await convert(client, analyst, dissatisfaction_id, provider.body())
    assert_problem(refused, 403, "forbidden")


async def test_converted_into_a_complaint_keeping_both_histories(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    created = await recorded(client, provider)
    dissatisfaction_id = created["dissatisfaction_id"]
    complaint = provider.body(received_on=today(clock))
    response = await convert(client, provider.caseworker, dissatisfaction_id, complaint, if_match='"1"')
    assert response.status_code == 201, response.text
    converted = response.json()
    complaint_id = converted["complaint_id"]
    assert response.headers["location"] == f"/complaints/{complaint_id}"
    assert converted["converted_from_dissatisfaction_id"] == dissatisfaction_id
    assert converted["complainant"]["data_subject_id"] == created["person"]["data_subject_id"]
    assert converted["complainant"]["name"] == complaint["complainant"]["name"]

    after = (await client.get(f"/dissatisfactions/{dissatisfaction_id}", headers=provider.caseworker)).json()
    assert after["converted"] == {"complaint_id": complaint_id, "converted_on": today(clock)}
    assert after["version"] == 2
    events = await client.get(f"/dissatisfactions/{dissatisfaction_id}/events", headers=provider.caseworker)
    assert [e["type"] for e in events.json()] == ["dissatisfaction.recorded.v1", "dissatisfaction.converted.v1"]
    await wait_for_listed(
        client, provider.caseworker, {complaint_id}, {"provider_organisation_id": provider.organisation_id}
    )

    again = await convert(client, provider.caseworker, dissatisfaction_id, complaint)
    problem = assert_problem(again, 409, "rule-violation")
    assert (problem["requirement"], problem["complaint_id"]) == ("R2", complaint_id)


async def test_a_conversion_is_checked_before_anything_is_recorded(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    created = await recorded(client, provider)
    dissatisfaction_id = created["dissatisfaction_id"]
    bad = provider.body(received_on=today(clock), provider_organisation_id=None, contract_id=None)
    problem = assert_problem(await convert(client, provider.caseworker, dissatisfaction_id, bad), 422, "validation")
    assert error_fields(problem) == {"provider_organisation_id": "R1"}
    early = provider.body(received_on="2026-11-19")
    problem = assert_problem(await convert(client, provider.caseworker, dissatisfaction_id, early), 422, "validation")
    assert error_fields(problem) == {"received_on": "R2"}
    unchanged = (await client.get(f"/dissatisfactions/{dissatisfaction_id}", headers=provider.caseworker)).json()
    assert (unchanged["version"], unchanged["converted"]) == (1, None)


async def test_a_conversion_with_a_stale_if_match_is_412_and_a_retry_replays(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    created = await recorded(client, provider)
    dissatisfaction_id = created["dissatisfaction_id"]
    complaint = provider.body(received_on=today(clock))
    stale = await convert(client, provider.caseworker, dissatisfaction_id, complaint, if_match='"2"')
    assert assert_problem(stale, 412, "precondition-failed")["requirement"] == "R63"
    key = str(uuid.uuid4())
    first = await convert(client, provider.caseworker, dissatisfaction_id, complaint, key=key)
    again = await convert(client, provider.caseworker, dissatisfaction_id, complaint, key=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    # One conversion, one complaint.
    assert await history_types(client, provider, f"/dissatisfactions/{dissatisfaction_id}") == [
        "dissatisfaction.recorded.v1",
        "dissatisfaction.converted.v1",
    ]
    assert await history_types(client, provider, first.headers["location"]) == ["complaint.registered.v1"]


async def test_a_retry_of_a_recording_replays(client: httpx.AsyncClient, provider: Provider) -> None:
    sent, key = body(provider), str(uuid.uuid4())
    first = await record(client, provider.caseworker, sent, key)
    again = await record(client, provider.caseworker, sent, key)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    location = first.headers["location"]
    assert await history_types(client, provider, location) == ["dissatisfaction.recorded.v1"]


@pytest.mark.parametrize("suffix", ["", "/events"])
async def test_a_read_names_a_bad_id_and_hides_another_organisations(
    client: httpx.AsyncClient, provider: Provider, directory: Directory, auth: TokenFactory, suffix: str
) -> None:
    bad = await client.get(f"/dissatisfactions/not-a-uuid{suffix}", headers=provider.caseworker)
    assert error_fields(assert_problem(bad, 422, "validation")) == {"path.dissatisfaction_id": "uuid_parsing"}
    created = await recorded(client, provider)
    other, _ = await directory.provider_with_contract()
    stranger = auth(other, OrganisationKind.PROVIDER, Role.CASEWORKER)
    hidden = await client.get(f"/dissatisfactions/{created['dissatisfaction_id']}{suffix}", headers=stranger)
    problem = assert_problem(hidden, 404, "not-found")
    assert (problem["requirement"], problem["detail"]) == ("R61", f"no dissatisfaction {created['dissatisfaction_id']}")
