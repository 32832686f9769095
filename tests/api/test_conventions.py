"""The conventions every route shares: authentication, problem details, body limits, idempotency, ids, ops."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, TypeAdapter

from services.intake.api.dissatisfaction_schemas import DissatisfactionOut
from services.intake.api.schemas import ComplaintOut, ComplaintPage, HistoryEvent
from shared.auth import OrganisationKind, Role, mint_token
from shared.clock import FixedClock, business_date
from shared.settings import Settings
from tests.api.conftest import TokenFactory
from tests.api.helpers import (
    Provider,
    assert_problem,
    error_fields,
    register,
    wait_for_listed,
)

# Authentication (R61)


def _token(settings: Settings, **overrides: object) -> str:
    args: dict[str, object] = {
        "subject": "user-conventions",
        "organisation_id": "provider-conventions",
        "organisation_kind": OrganisationKind.PROVIDER,
        "roles": [Role.CASEWORKER],
    }
    args.update(overrides)
    return mint_token(settings, **args)  # type: ignore[arg-type]


def _unauthorised_headers(settings: Settings) -> dict[str, dict[str, str]]:
    other = settings.model_copy(update={"jwt_hs256_secret": "another-secret-entirely-0123456789abcdefgh"})
    expired = _token(settings, ttl_seconds=60, now=lambda: time.time() - 3600)
    return {
        "no token": {},
        "not a bearer scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
        "garbage token": {"Authorization": "Bearer not-a-jwt-at-all"},
        "another secret": {"Authorization": f"Bearer {_token(other)}"},
        "expired": {"Authorization": f"Bearer {expired}"},
    }


@pytest.mark.parametrize("case", ["no token", "not a bearer scheme", "garbage token", "another secret", "expired"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/complaints"), ("GET", f"/complaints/{uuid.uuid4()}"), ("POST", "/complaints"), ("GET", "/me")],
)
async def test_unauthenticated_requests_get_401_problem(
    client: httpx.AsyncClient, settings: Settings, case: str, method: str, path: str
) -> None:
    headers = _unauthorised_headers(settings)[case]
    response = await client.request(method, path, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}, json={})
    problem = assert_problem(response, 401, "unauthorized")
    assert problem["title"] == "Authentication required"
    assert problem["instance"] == path


async def test_expired_token_names_the_expiry(client: httpx.AsyncClient, settings: Settings) -> None:
    expired = _token(settings, ttl_seconds=60, now=lambda: time.time() - 3600)
    response = await client.get("/me", headers={"Authorization": f"Bearer {expired}"})
    problem = assert_problem(response, 401, "unauthorized")
    assert "expired" in problem["detail"]


async def test_a_valid_token_is_accepted(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    headers = auth("jobcentre-leeds", OrganisationKind.JOBCENTRE, Role.CASEWORKER, subject="ann")
    response = await client.get("/me", headers=headers)
    assert response.status_code == 200
    assert response.json() == {
        "subject": "ann",
        "organisation_id": "jobcentre-leeds",
        "organisation_kind": "jobcentre",
        "roles": ["caseworker"],
    }


# Validation problems (R64)


async def test_malformed_json_is_a_422_naming_the_body(client: httpx.AsyncClient, provider: Provider) -> None:
    response = await client.post(
        "/complaints",
        headers={**provider.caseworker, "Content-Type": "application/json"},
        content=b'{"complainant": {"kind": "participant",',
    )
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"body": "json_invalid"}
    assert "not valid JSON" in problem["errors"][0]["message"]


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("received_on",), "the twentieth of November", "received_on"),
        (("received_on",), 20261120, "received_on"),
        (("programme",), "not-a-programme", "programme"),
        (("complainant", "email"), 42, "complainant.email"),
        (("elements", 0, "category"), "z_not_a_category", "elements.0.category"),
        (("elements",), "a single element", "elements"),
    ],
)
async def test_wrong_types_name_the_field_path(
    client: httpx.AsyncClient, provider: Provider, path: tuple[str | int, ...], value: object, field: str
) -> None:
    body = provider.body()
    target = body
    for part in path[:-1]:
        target = target[part]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    response = await register(client, provider.caseworker, body)
    problem = assert_problem(response, 422, "validation")
    assert list(error_fields(problem)) == [field]
    assert field in problem["detail"]


async def test_unknown_fields_are_refused_by_name(client: httpx.AsyncClient, provider: Provider) -> None:
    body = provider.body(favourite_colour="blue")
    body["complainant"]["shoe_size"] = 9
    response = await register(client, provider.caseworker, body)
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"favourite_colour": "extra_forbidden", "complainant.shoe_size": "extra_forbidden"}


async def test_a_missing_required_field_is_named(client: httpx.AsyncClient, provider: Provider) -> None:
    body = provider.body()
    del body["programme"]
    del body["complainant"]["name"]
    response = await register(client, provider.caseworker, body)
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"programme": "missing", "complainant.name": "missing"}


async def test_query_parameters_are_validated_by_name(client: httpx.AsyncClient, provider: Provider) -> None:
    response = await client.get("/complaints", headers=provider.caseworker, params={"limit": 0})
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"query.limit": "greater_than_equal"}


async def test_a_bad_path_id_is_a_422_naming_the_path(client: httpx.AsyncClient, provider: Provider) -> None:
    response = await client.get("/complaints/not-a-uuid", headers=provider.caseworker)
    problem = assert_problem(response, 422, "validation")
    assert list(error_fields(problem)) == ["path.complaint_id"]


# Body limit


OVERSIZED = b'{"padding": "' + b"x" * (100 * 1024) + b'"}'


async def test_an_oversized_body_with_content_length_is_a_413_problem(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    response = await client.post(
        "/complaints", headers={**provider.caseworker, "Content-Type": "application/json"}, content=OVERSIZED
    )
    problem = assert_problem(response, 413, "payload-too-large")
    assert str(64 * 1024) in problem["detail"]
    assert problem["instance"] == "/complaints"


async def test_an_oversized_body_with_an_idempotency_key_is_a_413_problem(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    key = str(uuid.uuid4())
    response = await client.post(
        "/complaints",
        headers={**provider.caseworker, "Content-Type": "application/json", "Idempotency-Key": key},
        content=OVERSIZED,
    )
    assert_problem(response, 413, "payload-too-large")
    # Nothing was done: the key is free for a corrected request.
    retry = await register(client, provider.caseworker, provider.body(), key=key)
    assert retry.status_code == 201, retry.text


async def _chunks() -> AsyncIterator[bytes]:
    for _ in range(100):
        yield b"x" * 1024


async def test_an_oversized_streamed_body_with_a_key_is_a_413_problem(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    # A generator body goes out chunked, with no Content-Length: the limit must count what arrives.
    response = await client.post(
        "/complaints",
        headers={**provider.caseworker, "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
        content=_chunks(),
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "payload-too-large")


async def test_an_oversized_streamed_body_without_a_key_is_a_413_problem(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    response = await client.post(
        "/complaints", headers={**provider.caseworker, "Content-Type": "application/json"}, content=_chunks()
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "payload-too-large")


# Idempotency (R63)


async def test_a_retry_with_the_same_key_and_body_replays_the_first_response(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    key = str(uuid.uuid4())
    body = provider.body()
    first = await register(client, provider.caseworker, body, key=key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = await register(client, provider.caseworker, body, key=key)
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"] == '"1"'
    complaint_id = first.json()["complaint_id"]

    history = await client.get(f"/complaints/{complaint_id}/events", headers=provider.caseworker)
    assert history.status_code == 200
    assert [e["type"] for e in history.json()] == ["complaint.registered.v1"]

    items = await wait_for_listed(
        client, provider.caseworker, {complaint_id}, {"provider_organisation_id": provider.organisation_id}
    )
    assert [i["complaint_id"] for i in items] == [complaint_id]


async def test_concurrent_requests_with_one_key_run_once(client: httpx.AsyncClient, provider: Provider) -> None:
    key = str(uuid.uuid4())
    body = provider.body()
    responses = await asyncio.gather(*(register(client, provider.caseworker, body, key=key) for _ in range(4)))
    ran = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(ran) == 1
    complaint_id = ran[0].json()["complaint_id"]
    for response in responses:
        if response is ran[0]:
            continue
        if response.status_code == 201:
            assert response.headers["idempotent-replayed"] == "true"
            assert response.json()["complaint_id"] == complaint_id
        else:
            assert assert_problem(response, 409, "conflict")["requirement"] == "R63"
    replay = await register(client, provider.caseworker, body, key=key)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["complaint_id"] == complaint_id
    items = await wait_for_listed(
        client, provider.caseworker, {complaint_id}, {"provider_organisation_id": provider.organisation_id}
    )
    assert [i["complaint_id"] for i in items] == [complaint_id]


async def test_the_same_key_with_another_body_is_refused(client: httpx.AsyncClient, provider: Provider) -> None:
    key = str(uuid.uuid4())
    first = await register(client, provider.caseworker, provider.body(), key=key)
    assert first.status_code == 201, first.text
    other = await register(client, provider.caseworker, provider.body(channel="letter"), key=key)
    problem = assert_problem(other, 422, "validation")
    assert error_fields(problem) == {"header.Idempotency-Key": "reused-with-different-request"}
    assert problem["requirement"] == "R63"
    assert "idempotent-replayed" not in other.headers


async def test_a_key_is_scoped_to_its_principal(
    client: httpx.AsyncClient, provider: Provider, auth: TokenFactory
) -> None:
    key = str(uuid.uuid4())
    body = provider.body()
    first = await register(client, provider.caseworker, body, key=key)
    colleague = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER)
    second = await register(client, colleague, body, key=key)
    assert first.status_code == second.status_code == 201
    assert "idempotent-replayed" not in second.headers
    assert second.json()["complaint_id"] != first.json()["complaint_id"]


async def test_a_key_refused_with_4xx_can_be_used_again_with_a_corrected_body(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    key = str(uuid.uuid4())
    tomorrow = (business_date(clock.now()) + timedelta(days=1)).isoformat()
    refused = await register(client, provider.caseworker, provider.body(received_on=tomorrow), key=key)
    problem = assert_problem(refused, 422, "validation")
    assert error_fields(problem) == {"received_on": "R1"}
    corrected = await register(client, provider.caseworker, provider.body(), key=key)
    assert corrected.status_code == 201, corrected.text
    assert "idempotent-replayed" not in corrected.headers


async def test_an_overlong_key_is_refused(client: httpx.AsyncClient, provider: Provider) -> None:
    response = await register(client, provider.caseworker, provider.body(), key="k" * 256)
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"header.Idempotency-Key": "length"}


# Request and correlation ids (R60)


async def test_request_and_correlation_ids_are_echoed_and_recorded(
    client: httpx.AsyncClient, provider: Provider, clock: FixedClock
) -> None:
    request_id = f"req-{uuid.uuid4().hex}"
    correlation_id = f"corr-{uuid.uuid4().hex}"
    response = await register(
        client,
        provider.caseworker,
        provider.body(),
        extra_headers={"X-Request-ID": request_id, "X-Correlation-ID": correlation_id},
    )
    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == request_id
    assert response.headers["x-correlation-id"] == correlation_id
    history = await client.get(f"/complaints/{response.json()['complaint_id']}/events", headers=provider.caseworker)
    (event,) = history.json()
    assert event["causation_id"] == request_id
    assert event["correlation_id"] == correlation_id
    assert event["actor"]["organisation_id"] == provider.organisation_id
    assert event["actor"]["organisation_kind"] == "provider"
    assert event["business_date"] == business_date(clock.now()).isoformat()


async def test_without_ids_the_request_id_is_generated_and_is_the_correlation(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    response = await register(
        client, provider.caseworker, provider.body(), extra_headers={"X-Request-ID": "bad id with spaces"}
    )
    assert response.status_code == 201
    request_id = response.headers["x-request-id"]
    assert request_id != "bad id with spaces"
    assert uuid.UUID(request_id)
    assert response.headers["x-correlation-id"] == request_id
    history = await client.get(f"/complaints/{response.json()['complaint_id']}/events", headers=provider.caseworker)
    (event,) = history.json()
    assert event["causation_id"] == request_id
    assert event["correlation_id"] == request_id


async def test_a_problem_carries_the_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/complaints", headers={"X-Request-ID": "req-problem-1"})
    problem = assert_problem(response, 401)
    assert problem["request_id"] == "req-problem-1"


# Operations


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "intake"}


async def test_readyz(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "projections": "ok"}}


async def test_metrics_count_requests(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "http_requests_total" in response.text
    assert re.search(r'http_requests_total\{[^}]*route="/healthz"[^}]*status="200"[^}]*\} [1-9]', response.text)


async def test_unknown_routes_are_404_problems(client: httpx.AsyncClient) -> None:
    response = await client.get("/no-such-route")
    assert_problem(response, 404, "not-found")


# OpenAPI


@pytest.fixture
async def openapi(client: httpx.AsyncClient) -> dict:  # type: ignore[type-arg]
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    spec: dict = response.json()  # type: ignore[type-arg]
    return spec


def _operations(spec: dict) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    return [(method, path, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


async def test_operation_ids_are_tag_then_name(openapi: dict) -> None:  # type: ignore[type-arg]
    operations = _operations(openapi)
    assert len(operations) >= 14
    ids = [op["operationId"] for _, _, op in operations]
    assert len(set(ids)) == len(ids)
    for method, path, op in operations:
        assert re.fullmatch(r"[a-z-]+-[a-z-]+", op["operationId"]), (method, path, op["operationId"])
        assert op["operationId"].startswith(op["tags"][0] + "-"), (method, path, op["operationId"])
    assert {"complaints-register", "complaints-acknowledge", "personal-data-erase"} <= set(ids)


async def test_every_post_documents_a_problem_422(openapi: dict) -> None:  # type: ignore[type-arg]
    posts = [(path, op) for method, path, op in _operations(openapi) if method == "post"]
    assert len(posts) >= 5
    for path, op in posts:
        content = op["responses"]["422"]["content"]
        assert "application/problem+json" in content, path
        assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}, path


# OpenAPI: every operation documented (issue 3: a summary, a description citing the guidance paragraph or the
# requirement, request and response examples, and its problem+json error responses)

CITATION = re.compile(r"\bR[1-9][0-9]?\b|\b00[0-4]\b")
"""A requirement id (SPEC.md R1..R64) or a guidance document (000..004, seeds/), usually with its paragraph."""
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}


def _schema(spec: dict, schema: dict) -> dict:  # type: ignore[type-arg]
    ref = schema.get("$ref")
    found: dict = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema  # type: ignore[type-arg]
    return found


def _has_example(spec: dict, media: dict) -> bool:  # type: ignore[type-arg]
    """On the media type (what Swagger UI shows for a response), or on the body's model (request examples)."""
    schema = _schema(spec, media.get("schema", {}))
    return "example" in media or bool(media.get("examples")) or bool(schema.get("examples")) or "example" in schema


def _expected_problems(method: str, op: dict) -> set[int]:  # type: ignore[type-arg]
    """The errors an operation's shape implies: authenticated -> 401 and 503; any input -> 422; an id in the
    path -> 404; a command -> 403 (roles, R61); `If-Match` -> 412 and 409 (R63)."""
    params = op.get("parameters", [])
    expected: set[int] = set()
    if op.get("security"):
        expected |= {401, 503}
    if params or "requestBody" in op:
        expected.add(422)
    if any(p["in"] == "path" for p in params):
        expected.add(404)
    if method == "post":
        expected.add(403)
    if any(p["in"] == "header" and p["name"] == "If-Match" for p in params):
        expected |= {409, 412}
    return expected


def convention_gaps(spec: dict, operation_ids: set[str] | None = None) -> dict[str, list[str]]:  # type: ignore[type-arg]
    """`{operation: [what it lacks]}` for every operation (of `operation_ids`, if given) short of the conventions."""
    gaps: dict[str, list[str]] = {}
    for method, path, op in _operations(spec):
        if operation_ids is not None and op["operationId"] not in operation_ids:
            continue
        missing = []
        if not op.get("summary"):
            missing.append("summary")
        if not CITATION.search(op.get("description", "")):
            missing.append("description citing the guidance or a requirement")
        body = op.get("requestBody")
        if body and not all(_has_example(spec, media) for media in body["content"].values()):
            missing.append("request example")
        successes = [response for status, response in op["responses"].items() if status.startswith("2")]
        if not successes or not all(
            response.get("content") and all(_has_example(spec, media) for media in response["content"].values())
            for response in successes
        ):
            missing.append("success response example")
        documented = {int(status) for status in op["responses"] if status[0] in "45"}
        missing += [f"{status} response" for status in sorted(_expected_problems(method, op) - documented)]
        for status in sorted(documented):
            content = op["responses"][str(status)].get("content", {})
            if content.get("application/problem+json", {}).get("schema") != PROBLEM_SCHEMA:
                missing.append(f"{status} as problem+json")
        if missing:
            gaps[f"{method.upper()} {path} ({op['operationId']})"] = missing
    return gaps


SHARED_TAGS = {"directory", "personal-data", "operations"}
"""Operations every service or several serve from shared/ (directory, erasure, health): not intake's own."""
RESPONSE_MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model for model in (ComplaintOut, ComplaintPage, DissatisfactionOut, HistoryEvent)
}
"""Intake's success-response models by their OpenAPI component name."""


def _intake_operations(spec: dict) -> set[str]:  # type: ignore[type-arg]
    """The intake service's own operations: whatever it serves beyond the shared routers (so new ones count)."""
    return {op["operationId"] for _, _, op in _operations(spec) if not SHARED_TAGS & set(op["tags"])}


async def test_every_intake_operation_is_documented(openapi: dict) -> None:  # type: ignore[type-arg]
    own = _intake_operations(openapi)
    assert {"complaints-register", "complaints-list", "complaints-letter", "dissatisfactions-convert"} <= own
    assert len(own) >= 25
    assert convention_gaps(openapi, own) == {}


def test_the_convention_check_finds_what_is_missing() -> None:
    bare = {
        "components": {"schemas": {}},
        "paths": {
            "/things/{thing_id}": {
                "post": {
                    "operationId": "things-change",
                    "description": "Changes a thing.",
                    "security": [{"HTTPBearer": []}],
                    "parameters": [{"name": "thing_id", "in": "path"}, {"name": "If-Match", "in": "header"}],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"type": "object"}}}},
                        "404": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    },
                }
            }
        },
    }
    assert convention_gaps(bare) == {
        "POST /things/{thing_id} (things-change)": [
            "summary",
            "description citing the guidance or a requirement",
            "request example",
            "success response example",
            "401 response",
            "403 response",
            "409 response",
            "412 response",
            "422 response",
            "503 response",
            "404 as problem+json",
        ]
    }


def _response_type(schema: dict) -> Any:  # type: ignore[type-arg]
    if schema.get("type") == "array":
        return list[_response_type(schema["items"])]  # type: ignore[misc]
    name = schema["$ref"].rsplit("/", 1)[-1]
    assert name in RESPONSE_MODELS, f"add the response model {name} to RESPONSE_MODELS"
    return RESPONSE_MODELS[name]


async def test_every_success_example_is_a_valid_answer(openapi: dict) -> None:  # type: ignore[type-arg]
    """An example its own response model would not produce is a wrong example: each one must validate and
    serialise back to itself (so no field is misspelt, missing or extra)."""
    own = _intake_operations(openapi)
    checked = 0
    for _, _, op in _operations(openapi):
        if op["operationId"] not in own:
            continue
        for response in (r for status, r in op["responses"].items() if status.startswith("2")):
            media = response["content"].get("application/json")
            if media is None or "example" not in media:
                continue  # a missing example is test_every_intake_operation_is_documented's to report
            adapter: TypeAdapter[Any] = TypeAdapter(_response_type(media["schema"]))
            example = media["example"]
            # The document has no nulls (FastAPI drops them from examples): compare without them.
            answer = adapter.dump_python(adapter.validate_json(json.dumps(example)), mode="json", exclude_none=True)
            assert answer == example, op["operationId"]
            checked += 1
    assert checked >= 24


async def test_the_letter_example_is_the_letter_the_service_renders(openapi: dict) -> None:  # type: ignore[type-arg]
    content = openapi["paths"]["/complaints/{complaint_id}/responses/{stage}/letter"]["get"]["responses"]["200"]
    html, text = content["content"]["text/html"]["example"], content["content"]["text/plain"]["example"]
    assert html.startswith("<!doctype html>")
    for letter in (html, text):
        assert "Final response to your complaint" in letter
        assert "Independent Case Examiner" in letter


async def test_docs_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "swagger-ui" in response.text.lower()


async def test_a_refused_request_appends_nothing(client: httpx.AsyncClient, provider: Provider) -> None:
    body = provider.body()
    body["about"] = "provider"
    body["provider_organisation_id"] = None
    body["contract_id"] = None
    refused = await register(client, provider.caseworker, body, key=str(uuid.uuid4()))
    problem = assert_problem(refused, 422, "validation")
    assert error_fields(problem) == {"provider_organisation_id": "R1"}
    accepted = await register(client, provider.caseworker, provider.body(), key=str(uuid.uuid4()))
    assert accepted.status_code == 201
    complaint_id = accepted.json()["complaint_id"]
    items = await wait_for_listed(
        client, provider.caseworker, {complaint_id}, {"provider_organisation_id": provider.organisation_id}
    )
    assert [i["complaint_id"] for i in items] == [complaint_id]


def test_every_ice_gateway_case_operation_is_documented() -> None:
    """The ICE gateway's case operations meet the same conventions (issue 7); the appeal, which only ever refuses
    (409, 000 14.38), has no success to show, and evidence content is a file, not JSON with an example."""
    from services.ice_gateway.main import create_app as create_ice

    spec = create_ice().openapi()
    own = {
        op["operationId"]
        for _, _, op in _operations(spec)
        if op["tags"][0] in ("ice", "phso")
        and op["operationId"] not in ("ice-appeal", "ice-upload-evidence", "ice-download-evidence")
    }
    assert len(own) >= 35
    assert convention_gaps(spec, own) == {}


EXEMPT: dict[str, set[str]] = {
    # Only ever refuses (409, 000 14.38): no request it accepts, no success to show, and no role check first.
    "ice-appeal": {"request example", "success response example", "403 response"},
    # Evidence content is a file (application/octet-stream), not JSON with an example.
    "ice-upload-evidence": {"request example"},
    "ice-download-evidence": {"success response example"},
    # Its 503 is the readiness body (`not ready` and its checks), for load balancers, not problem+json.
    "operations-readyz": {"503 as problem+json"},
    # An unknown or non-provider prime in the path is a 422 naming `prime_id` (tests/api/test_directory.py), never
    # a 404: documenting one would be wrong.
    "directory-add-subcontractor": {"404 response"},
}
"""The gaps each operation may have, and why: everything else in every service meets the conventions."""


def test_every_operation_of_every_service_is_documented() -> None:
    """Issue 7: every operation of all four services has a summary, a description citing the guidance or a
    requirement, request and success-response examples, and its problem+json errors, bar `EXEMPT`."""
    from services.escalation.main import create_app as create_escalation
    from services.ice_gateway.main import create_app as create_ice
    from services.intake.main import create_app as create_intake
    from services.reporting.main import create_app as create_reporting

    seen: set[str] = set()
    for create in (create_intake, create_escalation, create_ice, create_reporting):
        spec = create().openapi()
        gaps = convention_gaps(spec)
        by_id = {key.rsplit("(", 1)[1].rstrip(")"): missing for key, missing in gaps.items()}
        left = {op: [m for m in missing if m not in EXEMPT.get(op, set())] for op, missing in by_id.items()}
        assert {op: missing for op, missing in left.items() if missing} == {}, spec["info"]["title"]
        seen |= {op["operationId"] for _, _, op in _operations(spec)}
    assert set(EXEMPT) <= seen  # no stale exemption
    assert {"reports-open-caseload", "operations-metrics", "operations-me", "personal-data-erase"} <= seen


async def test_without_a_token_a_bad_idempotency_key_is_still_a_401(client: httpx.AsyncClient) -> None:
    """Authentication is answered first: the key is only checked for a caller the platform knows (found by fuzzing)."""
    response = await client.post("/complaints", headers={"Idempotency-Key": ""}, json={})
    assert_problem(response, 401)
