"""RFC 9457 problem details for every error, validation included."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from shared.errors import (
    PROBLEM_BASE,
    ConcurrencyError,
    Conflict,
    FieldError,
    ProblemError,
    ServiceUnavailable,
)
from shared.logging import get_logger

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)


class ProblemFieldError(BaseModel):
    field: str = Field(description="Where the problem is: dotted path into the body, or `query.x`, `header.x`")
    rule: str = Field(description="The rule broken: a validation rule name or a requirement id")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=[PROBLEM_BASE + "validation"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    requirement: str | None = Field(None, description="The requirement id (SPEC.md) the rule comes from")
    guidance: str | None = Field(None, description="The guidance paragraph, e.g. `000 14.23`")
    errors: list[ProblemFieldError] = Field(default_factory=list)
    request_id: str | None = None


def problem_response(
    request: Request | None,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    requirement: str | None = None,
    guidance: str | None = None,
    errors: list[FieldError] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    if requirement:
        body["requirement"] = requirement
    if guidance:
        body["guidance"] = guidance
    body["errors"] = [e.as_dict() for e in errors or []]
    if extra:
        body.update(extra)
    return Response(
        content=json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def from_problem_error(request: Request | None, exc: ProblemError) -> Response:
    headers = {"Retry-After": "1"} if isinstance(exc, ServiceUnavailable) else None
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        requirement=exc.requirement,
        guidance=exc.guidance,
        errors=exc.errors,
        extra=exc.extra,
        headers=headers,
    )


def _field_path(loc: tuple[Any, ...]) -> str:
    where, *rest = loc
    path = ".".join(str(part) for part in rest)
    if where == "body":
        return path or "body"
    return f"{where}.{path}" if path else str(where)


def validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        rule = err.get("type", "invalid")
        message = err.get("msg", "invalid")
        field = _field_path(tuple(err.get("loc", ("body",))))
        if rule == "json_invalid":
            field, message = (
                "body",
                f"the body is not valid JSON ({err.get('ctx', {}).get('error', 'parse error')})",
            )
        errors.append(FieldError(field=field, rule=rule, message=message))
    return errors


FASTAPI_BODY_PARSE_ERROR = "There was an error parsing the body"
"""The detail of the 400 FastAPI raises when reading a JSON body fails other than as a JSON syntax error."""

_STATUS_SLUGS = {
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "The request body is too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return from_problem_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = validation_errors(exc)
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        return problem_response(
            request,
            status=422,
            slug="validation",
            title="The request is not valid",
            detail=detail or "the request is not valid",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == FASTAPI_BODY_PARSE_ERROR:
            # FastAPI answers a body it cannot decode (not UTF-8, nested too deep) with an undocumented 400;
            # like any other body that is not JSON it is a 422 naming the body (R64). Found by tools/fuzz.py.
            return problem_response(
                request,
                status=422,
                slug="validation",
                title="The request is not valid",
                detail="the body is not valid JSON (it could not be decoded as UTF-8 JSON text)",
                errors=[FieldError("body", "json_invalid", "send the body as UTF-8 JSON")],
            )
        slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        return problem_response(
            request,
            status=exc.status_code,
            slug=slug,
            title=title,
            detail=str(exc.detail),
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(ConcurrencyError)
    async def _concurrency(request: Request, exc: ConcurrencyError) -> Response:
        return from_problem_error(
            request,
            Conflict(
                detail="the complaint changed while this request was being handled; read it again and retry",
                requirement="R63",
                extra={"current_version": exc.current_version},
            ),
        )

    async def _unstorable_text(request: Request, exc: Exception) -> Response:
        # PostgreSQL refuses NUL in text and jsonb: that is the client's input, so a 422.
        return problem_response(
            request,
            status=422,
            slug="validation",
            title="The request is not valid",
            detail="text may not contain the NUL character (\\u0000)",
            errors=[FieldError("body", "no-nul-character", "remove \\u0000 from every text value")],
        )

    async def _contended(request: Request, exc: Exception) -> Response:
        # A request is one transaction: two of them taking the same rows in opposite orders is a deadlock that
        # PostgreSQL breaks by failing one. Nothing of it was kept; the client retries (with its key).
        return from_problem_error(
            request,
            Conflict(detail="a concurrent change to the same records; nothing was done: retry", requirement="R63"),
        )

    async def _database_down(request: Request, exc: Exception) -> Response:
        return from_problem_error(request, ServiceUnavailable(detail="the database is not reachable; retry shortly"))

    # Specific handlers run inside the app (no re-raise to the server); Exception is the last resort.
    for text_error in (asyncpg.UntranslatableCharacterError, asyncpg.CharacterNotInRepertoireError):
        app.add_exception_handler(text_error, _unstorable_text)
    for down in DATABASE_DOWN:
        app.add_exception_handler(down, _database_down)
    for contended in (asyncpg.DeadlockDetectedError, asyncpg.SerializationError):
        app.add_exception_handler(contended, _contended)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if is_database_down(exc):
            return await _database_down(request, exc)
        log.exception("request.unhandled", error=repr(exc))
        return problem_response(
            request, status=500, slug="internal", title="Internal error", detail="an unexpected error occurred"
        )


DATABASE_DOWN: tuple[type[Exception], ...] = (
    OSError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    OperationalError,
    InterfaceError,
)


def is_database_down(exc: BaseException) -> bool:
    if isinstance(exc, DATABASE_DOWN):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status in (401, 403, 404, 409, 410, 412, 413, 422, 503)
}
for _status, _description in {
    401: "No bearer token, or not a valid one",
    403: "Your role does not allow this (R61)",
    404: "Not found, or outside your organisation's scope (R61)",
    409: "A rule of the process forbids this, or a concurrent change (R63/R64)",
    410: "It existed and was deliberately removed, e.g. evidence destroyed once ICE concluded (R37)",
    412: "If-Match does not match the current version (R63)",
    413: "The request body is too large",
    422: "The request is not valid: each error names the field and the rule (R64)",
    503: "Temporarily unavailable (e.g. the database is down); retry after Retry-After",
}.items():
    PROBLEM_RESPONSES[_status]["description"] = _description


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry for a route: the listed problem statuses, always with 401, 413, 422 and 503.

    413 is always possible: the body limit refuses any request over `MAX_BODY_BYTES`, and a body a schema allows
    (500 passages of 20,000 characters) can be larger than that (found by tools/fuzz.py)."""
    wanted = {401, 413, 422, 503, *statuses}
    return {s: PROBLEM_RESPONSES[s] for s in sorted(wanted)}
