"""What the fuzzer found, kept fixed without running it (these run in `make test`), and its problem check."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from services.intake.main import create_app as create_intake
from shared.http.problems import PROBLEM_JSON, install_problem_handlers, problem_responses
from tools.fuzzchecks import problem_errors


def _nullable(schema: dict[str, Any]) -> bool:
    return any(branch.get("type") == "null" for branch in schema.get("anyOf", []))


@pytest.fixture(scope="module")
def intake_document() -> dict[str, Any]:
    document: dict[str, Any] = create_intake().openapi()
    return document


def test_optional_personal_values_are_documented_as_nullable(intake_document: dict[str, Any]) -> None:
    # GET /complaints/{id} answered "phone": null where the document said a string; so did a dissatisfaction's name.
    schemas = intake_document["components"]["schemas"]
    for schema, field in [("ComplainantOut", "phone"), ("ElementOut", "desired_outcome"), ("PersonOut", "name")]:
        assert _nullable(schemas[schema]["properties"][field]), (schema, field)
    assert schemas["ComplainantOut"]["properties"]["name"]["type"] == "string"


def test_the_idempotency_key_is_documented_with_the_length_the_middleware_enforces(
    intake_document: dict[str, Any],
) -> None:
    # An empty Idempotency-Key was refused (422, "1 to 255 characters") where the document allowed any string.
    parameters = intake_document["paths"]["/complaints"]["post"]["parameters"]
    schema = next(p["schema"] for p in parameters if p["name"] == "Idempotency-Key")
    assert {"type": "string", "minLength": 1, "maxLength": 255}.items() <= schema["anyOf"][0].items()


def test_every_problem_response_set_documents_the_body_limit() -> None:
    # POST /ice-cases/{id}/draft-reports: 500 passages of 20,000 characters pass the schema and exceed 1 MiB.
    assert 413 in problem_responses()
    assert 413 in problem_responses(404)


class Body(BaseModel):
    name: str


async def test_a_body_that_is_not_utf8_is_a_422_problem_not_a_400() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    async def things(body: Body) -> Body:
        return body

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/things", content=b"\xff\xfe{", headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["errors"] == [
        {"field": "body", "rule": "json_invalid", "message": "send the body as UTF-8 JSON"}
    ]


def test_problem_check_accepts_a_problem_document(intake_document: dict[str, Any]) -> None:
    body = b'{"type":"urn:dwp-complaints:problem:not-found","title":"Not found","status":404,"detail":"no such"}'
    assert problem_errors(404, "application/problem+json", body, intake_document) == []
    assert problem_errors(200, "application/json", b"[]", intake_document) == []


@pytest.mark.parametrize(
    ("status", "content_type", "body", "expected"),
    [
        (404, "application/json", b"{}", "not application/problem+json"),
        (405, "text/plain", b"Method Not Allowed", "not application/problem+json"),
        (422, PROBLEM_JSON, b"{", "not JSON"),
        (422, PROBLEM_JSON, b'{"type":"t","status":422,"detail":"d"}', '"title" is a required property'),
        (409, PROBLEM_JSON, b'{"type":"t","title":"t","status":400,"detail":"d"}', "status member is 400"),
        (500, PROBLEM_JSON, b'{"type":"t","title":"t","status":500,"detail":"d","errors":[{}]}', '"field"'),
    ],
)
def test_problem_check_refuses_what_is_not_one(
    intake_document: dict[str, Any], status: int, content_type: str, body: bytes, expected: str
) -> None:
    errors = problem_errors(status, content_type, body, intake_document)
    assert any(expected in e for e in errors), errors
