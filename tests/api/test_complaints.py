"""Registering, reading, acknowledging and listing complaints over the intake API (R1, R4, R60, R63, R64)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.projections.complaints import ComplaintListProjection
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock, business_date
from shared.complaints.streams import load_complaint
from shared.db import raw_connection
from tests.api.conftest import TokenFactory
from tests.api.helpers import (
    Directory,
    Provider,
    assert_problem,
    error_fields,
    list_all,
    register,
    register_ok,
    wait_for_listed,
)
from tests.api.test_intake_work import post_ok, response_body


def _today(clock: FixedClock) -> str:
    return business_date(clock.now()).isoformat()


async def _acknowledge(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    complaint_id: str,
    acknowledged_on: str,
    if_match: str | None = None,
) -> httpx.Response:
    sent = dict(headers)
    if if_match is not None:
        sent["If-Match"] = if_match
    return await client.post(
        f"/complaints/{complaint_id}/acknowledgement",
        headers=sent,
        json={"acknowledged_on": acknowledged_on, "method": "letter"},
    )


# Registering and reading


async def test_register_returns_the_complaint_with_personal_values(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    body = provider.body()
    response = await register(client, provider.caseworker, body, key=str(uuid.uuid4()))
    assert response.status_code == 201, response.text
    created = response.json()
    complaint_id = created["complaint_id"]
    assert uuid.UUID(complaint_id)
    assert response.headers["location"] == f"/complaints/{complaint_id}"
    assert response.headers["etag"] == '"1"'
    person = body["complainant"]
    assert created["complainant"] == {
        "kind": "participant",
        "data_subject_id": created["complainant"]["data_subject_id"],
        "name": person["name"],
        "address": person["address"],
        "email": person["email"],
        "phone": person["phone"],
        "national_insurance_number": "AB123456C",
    }
    assert uuid.UUID(created["complainant"]["data_subject_id"])
    assert created["elements"] == [
        {
            "element_id": "E1",
            "category": "d_you_take_too_long",
            "summary": body["elements"][0]["summary"],
            "desired_outcome": body["elements"][0]["desired_outcome"],
        }
    ]
    assert created["status"] == "open"
    assert created["version"] == 1
    assert created["about"] == "provider"
    assert created["programme"] == "ipes"
    assert created["provider_organisation_id"] == provider.organisation_id
    assert created["contract_id"] == provider.contract_id
    assert created["channel"] == "phone"
    assert created["received_on"] == "2026-11-20"
    assert created["nation"] == "england"
    assert created["logged_by_organisation_id"] == provider.organisation_id
    assert created["acknowledgement"] is None
    assert created["as_of"] is None

    read = await client.get(f"/complaints/{complaint_id}", headers=provider.caseworker)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == created


async def test_personal_values_are_trimmed_and_several_elements_numbered(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    body = provider.body(
        elements=[
            {"category": "a_staff_dont_treat_me_with_respect", "summary": "  Rude on the phone.  "},
            {"category": "e_youve_got_it_wrong", "summary": "Wrong payment.", "desired_outcome": "Repay me."},
        ]
    )
    created = await register_ok(client, provider.caseworker, body)
    assert [(e["element_id"], e["category"], e["summary"], e["desired_outcome"]) for e in created["elements"]] == [
        ("E1", "a_staff_dont_treat_me_with_respect", "Rude on the phone.", None),
        ("E2", "e_youve_got_it_wrong", "Wrong payment.", "Repay me."),
    ]


async def test_history_records_who_when_and_why(client: httpx.AsyncClient, provider: Provider) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    response = await client.get(f"/complaints/{created['complaint_id']}/events", headers=provider.caseworker)
    assert response.status_code == 200
    (event,) = response.json()
    assert event["version"] == 1
    assert event["type"] == "complaint.registered.v1"
    assert event["actor"]["organisation_id"] == provider.organisation_id
    assert event["actor"]["role"] == "caseworker"
    assert event["recorded_at"] == created["registered_at"]
    assert event["data"]["complainant"]["name"] == created["complainant"]["name"]
    assert event["data"]["complainant"]["subject_id"] == created["complainant"]["data_subject_id"]


async def test_as_of_shows_the_complaint_as_it_stood(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    registered_at = clock.now()
    created = await register_ok(client, provider.caseworker, provider.body())
    complaint_id = created["complaint_id"]
    clock.advance(timedelta(minutes=10))
    acknowledged = await _acknowledge(client, provider.caseworker, complaint_id, _today(clock), if_match='"1"')
    assert acknowledged.status_code == 200, acknowledged.text

    before = (registered_at - timedelta(seconds=1)).isoformat()
    response = await client.get(f"/complaints/{complaint_id}", headers=provider.caseworker, params={"as_of": before})
    problem = assert_problem(response, 404, "not-found")
    assert complaint_id in problem["detail"]
    history = await client.get(
        f"/complaints/{complaint_id}/events", headers=provider.caseworker, params={"as_of": before}
    )
    assert_problem(history, 404, "not-found")

    between = registered_at + timedelta(minutes=5)
    response = await client.get(
        f"/complaints/{complaint_id}", headers=provider.caseworker, params={"as_of": between.isoformat()}
    )
    assert response.status_code == 200
    then = response.json()
    assert then["acknowledgement"] is None
    assert then["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert datetime.fromisoformat(then["as_of"]) == between
    history = await client.get(
        f"/complaints/{complaint_id}/events", headers=provider.caseworker, params={"as_of": between.isoformat()}
    )
    assert [e["version"] for e in history.json()] == [1]

    now = await client.get(f"/complaints/{complaint_id}", headers=provider.caseworker)
    assert now.json()["acknowledgement"] == {"acknowledged_on": _today(clock), "method": "letter"}
    assert now.json()["version"] == 2
    history = await client.get(f"/complaints/{complaint_id}/events", headers=provider.caseworker)
    assert [e["type"] for e in history.json()] == ["complaint.registered.v1", "complaint.acknowledged.v1"]


@pytest.mark.parametrize("suffix", ["", "/events"])
async def test_a_naive_as_of_is_refused(client: httpx.AsyncClient, provider: Provider, suffix: str) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    for as_of in ("yesterday", "2026-11-23T10:00:00", "0001-01-01T00:00:00Z"):
        response = await client.get(
            f"/complaints/{created['complaint_id']}{suffix}", headers=provider.caseworker, params={"as_of": as_of}
        )
        problem = assert_problem(response, 422, "validation")
        assert list(error_fields(problem)) == ["query.as_of"], as_of


async def test_an_unknown_complaint_is_404(client: httpx.AsyncClient, provider: Provider) -> None:
    missing = uuid.uuid4()
    response = await client.get(f"/complaints/{missing}", headers=provider.caseworker)
    problem = assert_problem(response, 404, "not-found")
    assert problem["detail"] == f"no complaint {missing}"


# Acknowledgement (R4) and optimistic concurrency (R63)


async def test_acknowledgement_with_if_match(client: httpx.AsyncClient, provider: Provider, clock: FixedClock) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    complaint_id = created["complaint_id"]
    response = await _acknowledge(client, provider.caseworker, complaint_id, _today(clock), if_match='"1"')
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    acknowledged = response.json()
    assert acknowledged["version"] == 2
    assert acknowledged["acknowledgement"] == {"acknowledged_on": _today(clock), "method": "letter"}
    assert acknowledged["complainant"]["name"] == created["complainant"]["name"]

    again = await _acknowledge(client, provider.caseworker, complaint_id, _today(clock))
    problem = assert_problem(again, 409, "rule-violation")
    assert problem["requirement"] == "R4"

    stale = await _acknowledge(client, provider.caseworker, complaint_id, _today(clock), if_match='"1"')
    problem = assert_problem(stale, 412, "precondition-failed")
    assert problem["requirement"] == "R63"
    assert problem["current_version"] == 2

    history = await client.get(f"/complaints/{complaint_id}/events", headers=provider.caseworker)
    assert [e["version"] for e in history.json()] == [1, 2]


async def test_an_acknowledgement_retried_with_the_same_key_replays(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    complaint_id = created["complaint_id"]
    keyed = {**provider.caseworker, "Idempotency-Key": str(uuid.uuid4())}
    first = await _acknowledge(client, keyed, complaint_id, _today(clock), if_match='"1"')
    again = await _acknowledge(client, keyed, complaint_id, _today(clock), if_match='"1"')
    assert first.status_code == again.status_code == 200, again.text
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert (again.json(), again.headers["etag"]) == (first.json(), first.headers["etag"])
    history = await client.get(f"/complaints/{complaint_id}/events", headers=provider.caseworker)
    assert [e["type"] for e in history.json()] == ["complaint.registered.v1", "complaint.acknowledged.v1"]


@pytest.mark.parametrize(("if_match", "loser_status"), [('"1"', 412), (None, 409)])
async def test_concurrent_acknowledgements_are_detected_never_lost(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock, if_match: str | None, loser_status: int
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    complaint_id = created["complaint_id"]
    responses = await asyncio.gather(
        *(_acknowledge(client, provider.caseworker, complaint_id, _today(clock), if_match) for _ in range(5))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, *[loser_status] * 4]
    for response in responses:
        if response.status_code != 200:
            problem = assert_problem(response, loser_status)
            assert problem["requirement"] == ("R63" if if_match else "R4")
    history = await client.get(f"/complaints/{complaint_id}/events", headers=provider.caseworker)
    assert [e["version"] for e in history.json()] == [1, 2]


async def test_if_match_star_and_weak_etags_are_accepted(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    first = await register_ok(client, provider.caseworker, provider.body())
    second = await register_ok(client, provider.caseworker, provider.body())
    star = await _acknowledge(client, provider.caseworker, first["complaint_id"], _today(clock), if_match="*")
    weak = await _acknowledge(client, provider.caseworker, second["complaint_id"], _today(clock), if_match='W/"1"')
    assert star.status_code == weak.status_code == 200


@pytest.mark.parametrize("if_match", ["1", '"one"', "", "version 1"])
async def test_a_malformed_if_match_is_422(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock, if_match: str
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    response = await _acknowledge(client, provider.caseworker, created["complaint_id"], _today(clock), if_match)
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"header.If-Match": "etag"}
    unchanged = await client.get(f"/complaints/{created['complaint_id']}", headers=provider.caseworker)
    assert unchanged.json()["version"] == 1


async def test_acknowledged_before_received_is_422(client: httpx.AsyncClient, provider: Provider) -> None:
    created = await register_ok(client, provider.caseworker, provider.body(received_on="2026-11-20"))
    response = await _acknowledge(client, provider.caseworker, created["complaint_id"], "2026-11-19")
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"acknowledged_on": "R4"}
    assert problem["requirement"] == "R4"


async def test_acknowledged_after_today_is_422(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    tomorrow = (business_date(clock.now()) + timedelta(days=1)).isoformat()
    response = await _acknowledge(client, provider.caseworker, created["complaint_id"], tomorrow)
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"acknowledged_on": "R4"}


async def test_acknowledging_an_unknown_complaint_is_404(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    response = await _acknowledge(client, provider.caseworker, str(uuid.uuid4()), _today(clock))
    assert_problem(response, 404, "not-found")


# Roles (R61)


async def test_an_mi_analyst_cannot_register(client: httpx.AsyncClient, provider: Provider, auth: TokenFactory) -> None:
    analyst = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.MI_ANALYST)
    response = await register(client, analyst, provider.body(), key=str(uuid.uuid4()))
    problem = assert_problem(response, 403, "forbidden")
    assert problem["requirement"] == "R61"
    assert problem["required_roles"] == ["caseworker", "complaints_lead", "senior_manager"]


async def test_an_atw_service_delivery_principal_cannot_acknowledge(
    client: httpx.AsyncClient, provider: Provider, auth: TokenFactory, clock: FixedClock
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    atw = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.ATW_SERVICE_DELIVERY)
    visible = await client.get(f"/complaints/{created['complaint_id']}", headers=atw)
    assert visible.status_code == 200
    response = await _acknowledge(client, atw, created["complaint_id"], _today(clock))
    problem = assert_problem(response, 403, "forbidden")
    assert problem["requirement"] == "R61"
    unchanged = await client.get(f"/complaints/{created['complaint_id']}", headers=provider.caseworker)
    assert unchanged.json()["acknowledgement"] is None


@pytest.mark.parametrize(
    ("kind", "role"),
    [(OrganisationKind.ICE, Role.CASE_EXAMINER), (OrganisationKind.DWP_MI, Role.MI_ANALYST)],
)
async def test_organisations_that_do_not_log_complaints_are_403(
    client: httpx.AsyncClient, provider: Provider, auth: TokenFactory, kind: OrganisationKind, role: Role
) -> None:
    # Even with a complaints role, an ICE or DWP MI principal does not log complaints.
    headers = auth(f"org-{uuid.uuid4().hex[:6]}", kind, role, Role.CASEWORKER)
    response = await register(client, headers, provider.body())
    problem = assert_problem(response, 403, "forbidden")
    assert problem["requirement"] == "R61"


# Validation against the rules and the directory (R1, R61)


async def test_received_in_the_future_is_422(client: httpx.AsyncClient, provider: Provider, clock: FixedClock) -> None:
    tomorrow = (business_date(clock.now()) + timedelta(days=1)).isoformat()
    response = await register(client, provider.caseworker, provider.body(received_on=tomorrow))
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"received_on": "R1"}
    assert problem["requirement"] == "R1"


async def test_received_today_is_accepted(client: httpx.AsyncClient, provider: Provider, clock: FixedClock) -> None:
    created = await register_ok(client, provider.caseworker, provider.body(received_on=_today(clock)))
    assert created["received_on"] == _today(clock)


async def test_a_provider_can_read_back_what_it_registered(client: httpx.AsyncClient, provider: Provider) -> None:
    response = await register(
        client, provider.caseworker, provider.body(about="jobcentre", provider_organisation_id=None, contract_id=None)
    )
    assert response.status_code == 201, response.text
    read = await client.get(response.headers["location"], headers=provider.caseworker)
    assert read.status_code == 200


async def test_a_provider_cannot_log_for_a_provider_outside_its_supply_chain(
    client: httpx.AsyncClient, provider: Provider, directory: Directory
) -> None:
    other_id, other_contract = await directory.provider_with_contract()
    response = await register(
        client, provider.caseworker, provider.body(provider_organisation_id=other_id, contract_id=other_contract)
    )
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"provider_organisation_id": "R61"}


async def test_an_unregistered_provider_is_422(client: httpx.AsyncClient, provider: Provider) -> None:
    response = await register(
        client, provider.caseworker, provider.body(provider_organisation_id="no-such-provider", contract_id=None)
    )
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"provider_organisation_id": "R1"}


async def test_a_contract_of_another_provider_is_422(
    client: httpx.AsyncClient, provider: Provider, directory: Directory
) -> None:
    _other_id, other_contract = await directory.provider_with_contract()
    response = await register(client, provider.caseworker, provider.body(contract_id=other_contract))
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"contract_id": "R1"}
    unknown = await register(client, provider.caseworker, provider.body(contract_id="no-such-contract"))
    assert error_fields(assert_problem(unknown, 422, "validation")) == {"contract_id": "R1"}


async def test_a_complaint_about_a_provider_must_name_it(client: httpx.AsyncClient, provider: Provider) -> None:
    response = await register(
        client, provider.caseworker, provider.body(about="mixed", provider_organisation_id=None, contract_id=None)
    )
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"provider_organisation_id": "R1"}


async def test_an_invalid_ni_number_is_422(client: httpx.AsyncClient, provider: Provider) -> None:
    for value in ("AB123456", "GB123456A", "DA123456A"):
        response = await register(
            client, provider.caseworker, provider.body(complainant={"national_insurance_number": value})
        )
        problem = assert_problem(response, 422, "validation")
        assert list(error_fields(problem)) == ["complainant.national_insurance_number"], value


# The list: cursor pagination, newest first, filters


async def test_list_pages_with_a_cursor_newest_first(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    ids = []
    for _ in range(5):
        clock.advance(timedelta(seconds=1))
        created = await register_ok(client, provider.caseworker, provider.body())
        ids.append(created["complaint_id"])
    params = {"provider_organisation_id": provider.organisation_id}
    await wait_for_listed(client, provider.caseworker, set(ids), params)

    pages = []
    query: dict[str, str | int] = {**params, "limit": 2}
    for _ in range(5):
        response = await client.get("/complaints", headers=provider.caseworker, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append([i["complaint_id"] for i in page["items"]])
        if page["next_cursor"] is None:
            break
        query["cursor"] = page["next_cursor"]
    assert [len(p) for p in pages] == [2, 2, 1]
    seen = [complaint_id for p in pages for complaint_id in p]
    assert seen == list(reversed(ids))


async def test_list_items_summarise_the_complaint(client: httpx.AsyncClient, provider: Provider) -> None:
    body = provider.body(
        elements=[
            {"category": "e_youve_got_it_wrong", "summary": "one"},
            {"category": "a_staff_dont_treat_me_with_respect", "summary": "two"},
        ]
    )
    created = await register_ok(client, provider.caseworker, body)
    (item,) = await wait_for_listed(
        client, provider.caseworker, {created["complaint_id"]}, {"provider_organisation_id": provider.organisation_id}
    )
    assert item == {
        "complaint_id": created["complaint_id"],
        "status": "open",
        "stage": 1,
        "programme": "ipes",
        "about": "provider",
        "provider_organisation_id": provider.organisation_id,
        "logged_by_organisation_id": provider.organisation_id,
        "channel": "phone",
        "nation": "england",
        "received_on": "2026-11-20",
        "categories": ["a_staff_dont_treat_me_with_respect", "e_youve_got_it_wrong"],
        "complainant_kind": "participant",
        "complainant_name": body["complainant"]["name"],
        "registered_at": created["registered_at"],
    }


@pytest.mark.parametrize("cursor", ["not-a-cursor!!", "%%%", base64.urlsafe_b64encode(b"[]").decode()])
async def test_a_bad_cursor_is_422(client: httpx.AsyncClient, provider: Provider, cursor: str) -> None:
    response = await client.get("/complaints", headers=provider.caseworker, params={"cursor": cursor})
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"query.cursor": "cursor"}


async def test_a_cursor_holding_a_json_object_is_422(client: httpx.AsyncClient, provider: Provider) -> None:
    cursor = base64.urlsafe_b64encode(b'{"a": 1}').decode().rstrip("=")
    response = await client.get("/complaints", headers=provider.caseworker, params={"cursor": cursor})
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"query.cursor": "cursor"}


async def test_list_filters_by_programme_category_and_dates(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    ipes = await register_ok(
        client,
        provider.caseworker,
        provider.body(
            programme="ipes",
            received_on="2026-11-02",
            elements=[{"category": "d_you_take_too_long", "summary": "slow"}],
        ),
    )
    clock.advance(timedelta(seconds=1))
    generic = await register_ok(
        client,
        provider.caseworker,
        provider.body(
            programme="generic",
            received_on="2026-11-16",
            elements=[
                {"category": "a_staff_dont_treat_me_with_respect", "summary": "rude"},
                {"category": "d_you_take_too_long", "summary": "slow"},
            ],
        ),
    )
    mine = {"provider_organisation_id": provider.organisation_id}
    await wait_for_listed(client, provider.caseworker, {ipes["complaint_id"], generic["complaint_id"]}, mine)

    async def ids(**params: str) -> list[str]:
        return [i["complaint_id"] for i in await list_all(client, provider.caseworker, {**mine, **params})]

    assert await ids(programme="ipes") == [ipes["complaint_id"]]
    assert await ids(programme="generic") == [generic["complaint_id"]]
    assert await ids(programme="atw") == []
    assert await ids(category="a_staff_dont_treat_me_with_respect") == [generic["complaint_id"]]
    assert await ids(category="d_you_take_too_long") == [generic["complaint_id"], ipes["complaint_id"]]
    assert await ids(programme="ipes", category="a_staff_dont_treat_me_with_respect") == []
    assert await ids(received_from="2026-11-10") == [generic["complaint_id"]]
    assert await ids(received_to="2026-11-10") == [ipes["complaint_id"]]
    assert await ids(status="open") == [generic["complaint_id"], ipes["complaint_id"]]
    assert await ids(status="closed") == []


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("programme", "nope"),
        ("category", "z"),
        ("status", "shut"),
        ("received_from", "x"),
        ("stage", "0"),
        ("stage", "second"),
        ("stage", "1.5"),
        ("stage", "99999999999"),
    ],
)
async def test_bad_filters_are_422(client: httpx.AsyncClient, provider: Provider, param: str, value: str) -> None:
    response = await client.get("/complaints", headers=provider.caseworker, params={param: value})
    problem = assert_problem(response, 422, "validation")
    assert list(error_fields(problem)) == [f"query.{param}"]


async def test_registered_at_is_the_clock_instant(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    clock.advance(timedelta(seconds=1))
    created = await register_ok(client, provider.caseworker, provider.body())
    assert datetime.fromisoformat(created["registered_at"]) == clock.now()
    assert clock.now().tzinfo == UTC


# The stage a complaint is at (R20; 001 Annex 2 3.5)


async def test_list_filters_by_the_stage_a_complaint_is_at(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    worker = provider.caseworker
    unanswered = (await register_ok(client, worker, provider.body()))["complaint_id"]
    clock.advance(timedelta(seconds=1))
    moved_on = (await register_ok(client, worker, provider.body()))["complaint_id"]
    await post_ok(client, worker, moved_on, "responses", response_body(clock))
    await post_ok(client, worker, moved_on, "responses", response_body(clock, stage=2))
    clock.advance(timedelta(seconds=1))
    answered_finally = (await register_ok(client, worker, provider.body()))["complaint_id"]
    final = response_body(clock, final=True, reviewer_user_id=f"reviewer-{uuid.uuid4().hex[:6]}")
    await post_ok(client, worker, answered_finally, "responses", final)

    mine = {"provider_organisation_id": provider.organisation_id}
    # The read model trails: wait for the last event of each answered complaint.
    await wait_for_listed(client, worker, {moved_on}, {**mine, "stage": 2})
    await wait_for_listed(client, worker, {answered_finally}, {**mine, "status": "closed"})

    async def listed(**params: str | int) -> list[tuple[str, int, str]]:
        items = await list_all(client, worker, {**mine, **params})
        return [(i["complaint_id"], i["stage"], i["status"]) for i in items]

    assert await listed() == [(answered_finally, 1, "closed"), (moved_on, 2, "open"), (unanswered, 1, "open")]
    assert await listed(stage=1) == [(answered_finally, 1, "closed"), (unanswered, 1, "open")]
    assert await listed(stage=2) == [(moved_on, 2, "open")]
    assert await listed(stage=2, status="open") == [(moved_on, 2, "open")]
    assert await listed(stage=1, status="open") == [(unanswered, 1, "open")]
    assert await listed(stage=3) == []


async def test_the_stage_rises_with_escalation_and_replays_idempotently(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock, intake_app: FastAPI, engine: AsyncEngine
) -> None:
    """`complaint.escalated` (written by the escalation service) moves the stage to its `to_stage`; replaying the
    log leaves the row as it was. Applied to a scratch table, so the live log and read model are untouched."""
    complaint_id = (await register_ok(client, provider.caseworker, provider.body()))["complaint_id"]
    await post_ok(client, provider.caseworker, complaint_id, "responses", response_body(clock))
    recorded = (await load_complaint(intake_app.state.platform.store, complaint_id)).recorded
    last = recorded[-1]
    escalated = dataclasses.replace(
        last,
        event_id=uuid.uuid4(),
        version=last.version + 1,
        type="complaint.escalated",
        data={"complaint_id": complaint_id, "from_stage": 1, "to_stage": 2},
    )
    projection = ComplaintListProjection()
    table = f"intake.complaints_stage_{uuid.uuid4().hex[:8]}"

    async def stage_status_version() -> tuple[int, str, int]:
        row = await conn.fetchrow(f"SELECT stage, status, version FROM {table} WHERE complaint_id = $1", complaint_id)
        return row["stage"], row["status"], row["version"]

    async with raw_connection(engine) as conn:
        try:
            for statement in projection.create_statements({"complaints": table}):
                await conn.execute(statement)
            await projection.apply(conn, recorded, {"complaints": table})
            assert await stage_status_version() == (1, "open", last.version)
            await projection.apply(conn, [escalated], {"complaints": table})
            assert await stage_status_version() == (2, "open", escalated.version)
            # A replay of the whole stream changes nothing: no event moves the row twice, the stage never falls.
            await projection.apply(conn, [*recorded, escalated], {"complaints": table})
            assert await stage_status_version() == (2, "open", escalated.version)
        finally:
            await conn.execute(f"DROP TABLE IF EXISTS {table}")
