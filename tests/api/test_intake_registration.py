"""Registration rules over the API: time limits (R9), complaints about staff (R10), Special Customer Records (R11)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from shared.db import raw_connection
from tests.api.conftest import TokenFactory
from tests.api.helpers import (
    Provider,
    assert_problem,
    complaint_body,
    error_fields,
    eventually,
    list_all,
    register,
    register_ok,
    wait_for_listed,
)
from tests.api.test_erasure import _pg_dump
from tests.api.test_intake_work import post, post_ok, today

# R9: time limits (003)


@pytest.fixture
def cms_caseworker(auth: TokenFactory) -> dict[str, str]:
    """A caseworker of the Child Maintenance Service, a DWP business."""
    return auth(f"dwp-cms-{uuid.uuid4().hex[:6]}", OrganisationKind.DWP_BUSINESS, Role.CASEWORKER)


def cms_body(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "about": "jobcentre",
        "programme": "cms",
        "received_on": "2026-11-20",
        "case_closed_on": "2025-09-19",
    }
    fields.update(overrides)
    return complaint_body(None, None, **fields)


async def test_a_cms_complaint_after_14_months_is_refused_naming_the_rule(
    client: httpx.AsyncClient, cms_caseworker: dict[str, str]
) -> None:
    response = await register(client, cms_caseworker, cms_body(), key=str(uuid.uuid4()))
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"received_on": "R9"}
    assert problem["requirement"] == "R9"
    assert problem["guidance"] == "003"
    assert "14 months" in problem["detail"]


async def test_the_same_complaint_raised_by_an_mp_is_accepted(
    client: httpx.AsyncClient, cms_caseworker: dict[str, str]
) -> None:
    body = cms_body(channel="elected_member", complainant={"kind": "mp", "name": "A Member"})
    created = await register_ok(client, cms_caseworker, body)
    assert (created["raised_via"], created["case_closed_on"]) == ("elected_member", "2025-09-19")
    assert created["complainant"]["kind"] == "mp"


@pytest.mark.parametrize("raised_via", ["ice", "phso"])
async def test_the_same_complaint_raised_by_ice_or_phso_is_accepted(
    client: httpx.AsyncClient, cms_caseworker: dict[str, str], raised_via: str
) -> None:
    created = await register_ok(client, cms_caseworker, cms_body(raised_via=raised_via))
    assert created["raised_via"] == raised_via


async def test_within_14_months_is_accepted_and_other_programmes_have_no_closure_date(
    client: httpx.AsyncClient, cms_caseworker: dict[str, str], provider: Provider
) -> None:
    created = await register_ok(client, cms_caseworker, cms_body(case_closed_on="2025-09-20"))
    assert created["raised_via"] == "complainant"
    response = await register(client, provider.caseworker, provider.body(case_closed_on="2025-09-20"))
    assert error_fields(assert_problem(response, 422, "validation")) == {"case_closed_on": "R9"}


# R10: complaints about a member of staff (003)


@pytest.fixture
def cleared(provider: Provider, auth: TokenFactory) -> dict[str, str]:
    return auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, Role.STAFF_COMPLAINTS)


async def _sees(client: httpx.AsyncClient, headers: dict[str, str], complaint_id: str, **params: str) -> bool:
    read = await client.get(f"/complaints/{complaint_id}", headers=headers, params=params)
    history = await client.get(f"/complaints/{complaint_id}/events", headers=headers, params=params)
    if read.status_code == 200:
        assert history.status_code == 200
        return True
    assert assert_problem(read, 404, "not-found")["detail"].startswith(f"no complaint {complaint_id}")
    assert_problem(history, 404, "not-found")
    return False


async def test_a_staff_complaint_is_seen_only_with_the_staff_complaints_role(
    client: httpx.AsyncClient, provider: Provider, cleared: dict[str, str], admin: dict[str, str]
) -> None:
    body = provider.body(staff_complaint={"responsible_team_leader_user_id": "team-leader-3"})
    created = await register_ok(client, provider.caseworker, body)
    complaint_id = created["complaint_id"]
    assert created["staff_complaint"] == {"responsible_team_leader_user_id": "team-leader-3"}
    assert not await _sees(client, provider.caseworker, complaint_id)
    assert not await _sees(client, admin, complaint_id)
    assert await _sees(client, cleared, complaint_id)
    await wait_for_listed(client, cleared, {complaint_id}, {"provider_organisation_id": provider.organisation_id})
    listed = await list_all(client, provider.caseworker, {"provider_organisation_id": provider.organisation_id})
    assert complaint_id not in {i["complaint_id"] for i in listed}


async def test_a_staff_complaint_has_no_field_for_the_member_of_staff(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    body = provider.body(staff_complaint={"responsible_team_leader_user_id": "tl-3", "staff_member": "Pat Smith"})
    response = await register(client, provider.caseworker, body)
    assert error_fields(assert_problem(response, 422, "validation")) == {
        "staff_complaint.staff_member": "extra_forbidden"
    }


async def test_marking_restricts_the_complaint_in_its_past_too(
    client: httpx.AsyncClient, provider: Provider, cleared: dict[str, str], clock: FixedClock
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body())
    complaint_id = created["complaint_id"]
    before_marking = clock.now()
    clock.advance(timedelta(seconds=5))
    await wait_for_listed(
        client, provider.caseworker, {complaint_id}, {"provider_organisation_id": provider.organisation_id}
    )
    await post_ok(
        client, provider.caseworker, complaint_id, "staff-complaint-marker", {"responsible_team_leader_user_id": "tl-9"}
    )
    assert not await _sees(client, provider.caseworker, complaint_id)
    assert not await _sees(client, provider.caseworker, complaint_id, as_of=before_marking.isoformat())
    assert await _sees(client, cleared, complaint_id, as_of=before_marking.isoformat())
    again = await post(
        client, cleared, complaint_id, "staff-complaint-marker", {"responsible_team_leader_user_id": "tl-9"}
    )
    assert assert_problem(again, 409, "rule-violation")["requirement"] == "R10"

    async def gone() -> set[str]:
        items = await list_all(client, provider.caseworker, {"provider_organisation_id": provider.organisation_id})
        return {i["complaint_id"] for i in items}

    await eventually(gone, lambda ids: complaint_id not in ids, what="the marked complaint leaving the list")


# R11: Special Customer Records (004 62-71)


def scr_body(provider: Provider, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "special_customer_record": True,
        "clerical_reference": "SCR/LEEDS/0042",
        "complainant_kind": "participant",
        "elements": [{"category": "d_you_take_too_long"}],
    }
    fields.update(overrides)
    body = provider.body(**fields)
    if "complainant" not in overrides:
        del body["complainant"]
    return body


async def _subject_keys(engine: AsyncEngine) -> int:
    async with raw_connection(engine) as conn:
        count: int = await conn.fetchval("SELECT count(*) FROM data_subject_keys")
    return count


async def test_an_scr_complaint_is_registered_with_a_clerical_reference_only(
    client: httpx.AsyncClient, provider: Provider, engine: AsyncEngine
) -> None:
    keys = await _subject_keys(engine)
    created = await register_ok(client, provider.caseworker, scr_body(provider))
    assert created["complainant"] is None
    assert created["special_customer_record"] == {
        "clerical_reference": "SCR/LEEDS/0042",
        "complainant_kind": "participant",
    }
    assert created["elements"] == [
        {"element_id": "E1", "category": "d_you_take_too_long", "summary": None, "desired_outcome": None}
    ]
    assert await _subject_keys(engine) == keys
    (item,) = await wait_for_listed(
        client, provider.caseworker, {created["complaint_id"]}, {"provider_organisation_id": provider.organisation_id}
    )
    assert (item["complainant_kind"], item["complainant_name"]) == ("participant", None)


async def test_personal_data_sent_with_an_scr_is_refused_and_never_stored_or_logged(
    client: httpx.AsyncClient,
    provider: Provider,
    engine: AsyncEngine,
    database_url: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    secret = f"Ysolde Farquharson-{uuid.uuid4().hex[:10]}"
    keys = await _subject_keys(engine)
    with_person = scr_body(provider, complainant={"kind": "participant", "name": secret, "email": "not-an-email"})
    response = await register(client, provider.caseworker, with_person, key=str(uuid.uuid4()))
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"complainant": "R11"}
    assert "Special Customer Record" in problem["detail"]
    with_text = scr_body(provider, elements=[{"category": "d_you_take_too_long", "summary": f"About {secret}"}])
    response = await register(client, provider.caseworker, with_text, key=str(uuid.uuid4()))
    assert error_fields(assert_problem(response, 422, "validation")) == {"elements": "R11"}
    assert secret not in response.text
    assert await _subject_keys(engine) == keys
    assert secret not in await _pg_dump(database_url)
    captured = capfd.readouterr()
    assert secret not in captured.out
    assert secret not in captured.err


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"clerical_reference": None}, {"clerical_reference": "R11"}),
        ({"complainant_kind": None}, {"complainant_kind": "R1"}),
        ({"clerical_reference": "Mr Smith's file"}, {"clerical_reference": "string_pattern_mismatch"}),
    ],
)
async def test_an_scr_names_its_clerical_file_and_complainant_kind(
    client: httpx.AsyncClient, provider: Provider, change: dict[str, Any], fields: dict[str, str]
) -> None:
    response = await register(client, provider.caseworker, scr_body(provider, **change))
    assert error_fields(assert_problem(response, 422, "validation")) == fields


async def test_an_ordinary_complaint_needs_its_complainant_and_no_clerical_reference(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    body = provider.body(clerical_reference="SCR/0042")
    del body["complainant"]
    response = await register(client, provider.caseworker, body)
    assert error_fields(assert_problem(response, 422, "validation")) == {
        "complainant": "R1",
        "clerical_reference": "R11",
    }
    no_summary = provider.body(elements=[{"category": "d_you_take_too_long"}])
    response = await register(client, provider.caseworker, no_summary)
    assert error_fields(assert_problem(response, 422, "validation")) == {"elements.0.summary": "R1"}


async def test_working_an_scr_refuses_personal_data_before_sealing(
    client: httpx.AsyncClient, provider: Provider, engine: AsyncEngine, clock: FixedClock
) -> None:
    created = await register_ok(client, provider.caseworker, scr_body(provider))
    complaint_id = created["complaint_id"]
    keys = await _subject_keys(engine)
    secret = f"Told Ysolde {uuid.uuid4().hex[:10]}"
    body = {"held_on": today(clock), "held_with": "complainant", "summary": secret}
    problem = assert_problem(await post(client, provider.caseworker, complaint_id, "discussions", body), 422)
    assert error_fields(problem) == {"summary": "R11"}
    assert problem["requirement"] == "R11"
    assert problem["guidance"] == "004 62-71"
    del body["summary"]
    worked = await post_ok(client, provider.caseworker, complaint_id, "discussions", body)
    assert worked["discussions"][0]["summary"] is None
    assert await _subject_keys(engine) == keys
    async with raw_connection(engine) as conn:
        stored = await conn.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1 AND data::text LIKE $2",
            f"complaint-{complaint_id}",
            f"%{secret}%",
        )
    assert stored == 0
