"""A state-changing request is one transaction (R63): its Idempotency-Key's claim, what it writes and its stored
response commit together, or nothing of it is kept."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from shared.db import raw_connection
from shared.http.platform import Platform
from tests.api.helpers import Provider, assert_problem

CONCURRENT = 8


def platform_of(app: FastAPI) -> Platform:
    platform: Platform = app.state.platform
    return platform


async def subject_keys(platform: Platform) -> int:
    async with raw_connection(platform.pool) as conn:
        return int(await conn.fetchval("SELECT count(*) FROM data_subject_keys"))


async def events_keyed(platform: Platform, key: str) -> list[str]:
    async with raw_connection(platform.pool) as conn:
        rows = await conn.fetch("SELECT stream_id FROM events WHERE metadata->>'idempotency_key' = $1", key)
    return [r["stream_id"] for r in rows]


async def post_at_once(client: httpx.AsyncClient, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[Any]:
    return list(await asyncio.gather(*(client.post("/complaints", json=b, headers=headers) for b in bodies)))


async def test_the_same_keyed_request_sent_at_once_registers_one_complaint_and_replays_it(
    client: httpx.AsyncClient, intake_app: FastAPI, provider: Provider
) -> None:
    key = str(uuid.uuid4())
    headers = {**provider.caseworker, "Idempotency-Key": key}
    body = provider.body()
    keys_before = await subject_keys(platform_of(intake_app))

    responses = await post_at_once(client, headers, [body] * CONCURRENT)

    assert [r.status_code for r in responses] == [201] * CONCURRENT, [r.text for r in responses]
    first = [r for r in responses if "idempotent-replayed" not in r.headers]
    assert len(first) == 1, "exactly one of them ran; the others waited for it and replayed its answer"
    assert {r.json()["complaint_id"] for r in responses} == {first[0].json()["complaint_id"]}
    assert {r.headers["location"] for r in responses} == {first[0].headers["location"]}
    assert await events_keyed(platform_of(intake_app), key) == [f"complaint-{first[0].json()['complaint_id']}"]
    assert await subject_keys(platform_of(intake_app)) == keys_before + 1, "one data subject, not one per attempt"


async def test_a_key_sent_at_once_with_different_bodies_runs_one_and_refuses_the_others(
    client: httpx.AsyncClient, intake_app: FastAPI, provider: Provider
) -> None:
    key = str(uuid.uuid4())
    headers = {**provider.caseworker, "Idempotency-Key": key}
    bodies = [provider.body(channel=channel) for channel in ("phone", "letter", "email", "web_form")]

    responses = await post_at_once(client, headers, bodies)

    ran = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(ran) == 1, [r.text for r in responses]
    refused = [r for r in responses if r is not ran[0]]
    for response in refused:
        problem = assert_problem(response, 422, "validation")
        assert problem["errors"][0]["rule"] == "reused-with-different-request"
    assert len(await events_keyed(platform_of(intake_app), key)) == 1


async def test_a_refused_request_leaves_nothing_so_its_key_can_carry_the_corrected_one(
    client: httpx.AsyncClient, intake_app: FastAPI, provider: Provider
) -> None:
    platform = platform_of(intake_app)
    key = str(uuid.uuid4())
    headers = {**provider.caseworker, "Idempotency-Key": key}
    keys_before = await subject_keys(platform)

    # Refused by the decider, after the complainant's data subject and key were made for it.
    wrong = await client.post("/complaints", json=provider.body(received_on="2099-01-02"), headers=headers)

    errors = assert_problem(wrong, 422, "validation")["errors"]
    assert ("received_on", "R1") in [(e["field"], e["rule"]) for e in errors]
    assert await subject_keys(platform) == keys_before, "the subject's key went with the rolled-back request"
    assert await events_keyed(platform, key) == []
    corrected = await client.post("/complaints", json=provider.body(), headers=headers)
    assert corrected.status_code == 201, corrected.text
    assert "idempotent-replayed" not in corrected.headers
