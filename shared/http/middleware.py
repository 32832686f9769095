"""Pure ASGI middleware shared by the four services.

Order, outermost first: database down (503, never a dropped connection) -> request context (ids, logs,
metrics) -> streaming uploads -> body limit -> personal-data
reveal -> idempotency -> the app. Idempotency sits inside reveal so stored responses keep personal
values sealed, and a replay is revealed (or shown erased) like any fresh response.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

import structlog
from prometheus_client import Counter, Histogram

from shared.db import unit_of_work
from shared.errors import (
    Conflict,
    FieldError,
    PayloadTooLarge,
    ProblemError,
    ServiceUnavailable,
    Unauthorized,
    ValidationProblem,
)
from shared.http.problems import from_problem_error, is_database_down
from shared.idempotency import Claim, StoredResponse, request_fingerprint, stored_headers
from shared.logging import get_logger
from shared.personal_data import request_keys

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = get_logger("http")
REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def send_problem(scope: Scope, send: Send, exc: ProblemError) -> None:
    response = from_problem_error(None, exc)
    body = json.loads(bytes(response.body))
    body["instance"] = scope.get("path")
    request_id = scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    headers += [(k.lower().encode(), v.encode()) for k, v in response.headers.items() if k.lower() == "retry-after"]
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class RequestContextMiddleware:
    """X-Request-ID and X-Correlation-ID in and out, bound into structlog; access log and metrics."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else str(uuid.uuid4())
        incoming_corr = _header(scope, b"x-correlation-id")
        correlation_id = incoming_corr if incoming_corr and _SAFE_ID.match(incoming_corr) else request_id
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["correlation_id"] = correlation_id
        status_holder = {"status": 500}
        started = time.perf_counter()

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-correlation-id", correlation_id.encode()))
                message["headers"] = headers
            await send(message)

        structlog.contextvars.bind_contextvars(
            request_id=request_id, correlation_id=correlation_id, service=self.service
        )
        try:
            await self.app(scope, receive, send_with_ids)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            REQUESTS.labels(self.service, method, template, str(status_holder["status"])).inc()
            LATENCY.labels(self.service, method, template).observe(elapsed)
            if template not in ("/metrics", "/healthz", "/readyz"):
                log.info(
                    "http.request",
                    method=method,
                    path=scope.get("path"),
                    route=template,
                    status=status_holder["status"],
                    duration_ms=round(elapsed * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id", "correlation_id", "service")


class DatabaseDownMiddleware:
    """Outermost: a database outage surfacing in a middleware (idempotency claims, the personal-data reveal) is
    answered 503 problem+json with Retry-After like one inside a route, and not re-raised: re-raised, the server
    logs it as a crash and drops the keep-alive connection, so the client's next request there gets no answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started or not is_database_down(exc):
                raise
            log.warning("http.database_down", path=scope.get("path"), error=repr(exc))
            await send_problem(scope, send, ServiceUnavailable(detail="the database is not reachable; retry shortly"))


class StreamingUploadMiddleware:
    """Marks the routes whose body is streamed (evidence uploads, R33): the body limit becomes the upload limit,
    and the idempotency middleware lets the body through unbuffered; the route keys the request itself."""

    def __init__(self, app: ASGIApp, routes: Sequence[tuple[str, str]], max_bytes: int) -> None:
        self.app = app
        self.routes = [(method.upper(), re.compile(pattern)) for method, pattern in routes]
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(
            scope["method"] == method and pattern.fullmatch(scope["path"]) for method, pattern in self.routes
        ):
            state = scope.setdefault("state", {})
            state["max_body_bytes"] = self.max_bytes
            state["streaming_upload"] = True
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413 problem+json, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = scope.get("state", {}).get("max_body_bytes", self.max_bytes)
        declared = _header(scope, b"content-length")
        too_large = PayloadTooLarge(detail=f"the body is over the limit of {limit} bytes")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_problem(scope, send, too_large)
            return
        received = 0
        exceeded = answered = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def answer_413_once_exceeded(message: Message) -> None:
            # The app may turn the aborted read into its own error (FastAPI says 400): answer 413.
            nonlocal answered
            if exceeded:
                if message["type"] == "http.response.start" and not answered:
                    answered = True
                    await send_problem(scope, send, too_large)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, answer_413_once_exceeded)
        except _BodyTooLarge:
            if not answered:
                await send_problem(scope, send, too_large)


class _BodyTooLarge(Exception):
    pass


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class _ClientGone(Exception):
    pass


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class _Captured:
    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))

    async def replay(self, send: Send, extra: list[tuple[bytes, bytes]] | None = None) -> None:
        headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers + (extra or [])})
        await send({"type": "http.response.body", "body": bytes(self.body)})


class PersonalDataRevealMiddleware:
    """Open sealed personal values in JSON responses (or show them erased / withheld) at the edge.

    Handlers and stored responses only ever hold envelopes; this is the one place plaintext exists.
    A route withholds them by setting `request.state.personal_data_allowed = False`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffering_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"application/json"):
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                await self._send_revealed(scope, send, start, b"".join(chunks))
                return
            await send(message)

        with request_keys():
            await self.app(scope, receive, buffering_send)

    @staticmethod
    async def _send_revealed(scope: Scope, send: Send, start: Message, body: bytes) -> None:
        if b'"$personal"' in body:
            platform = scope["app"].state.platform
            allowed = scope.get("state", {}).get("personal_data_allowed", True)
            revealed = await platform.vault.reveal(json.loads(body), allowed=allowed)
            body = json.dumps(revealed, separators=(",", ":")).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class IdempotencyMiddleware:
    """A state-changing request is one unit of work (one transaction, committed only for a success), and with
    an `Idempotency-Key`: replayed, refused for a different body, or run once (R63).

    The key's claim and its stored response commit with what the request wrote. A retry while the first
    request runs waits for it on the claim's row, then replays its response, or runs when the first failed
    (rolled back: nothing of it is left, so the retry is not refused as a mismatch or as in progress).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        streamed = scope.get("state", {}).get("streaming_upload", False)
        if scope["type"] != "http" or scope["method"] not in STATE_CHANGING or streamed:
            await self.app(scope, receive, send)
            return
        platform = scope["app"].state.platform
        principal_scope = self._principal_scope(scope, platform)
        if principal_scope is None:
            await self.app(scope, receive, send)  # the route answers 401 first, whatever the key
            return
        key = _header(scope, b"idempotency-key")
        if key is None:
            await self._unkeyed(scope, receive, send, platform)
            return
        if not 1 <= len(key) <= 255:
            await send_problem(
                scope,
                send,
                ValidationProblem(
                    detail="Idempotency-Key must be 1 to 255 characters",
                    requirement="R63",
                    errors=[FieldError("header.Idempotency-Key", "length", "1 to 255 characters")],
                ),
            )
            return
        try:
            body = await _read_body(receive)
        except _ClientGone:
            return
        await self._keyed(scope, send, platform, principal_scope, key, body)

    async def _unkeyed(self, scope: Scope, receive: Receive, send: Send, platform: Any) -> None:
        captured = _Captured()
        try:
            async with unit_of_work(platform.pool):
                await self.app(scope, receive, captured)
                if captured.status >= 400:
                    raise _RollBack
        except _RollBack:
            pass
        await captured.replay(send)

    async def _keyed(
        self, scope: Scope, send: Send, platform: Any, principal_scope: str, key: str, body: bytes
    ) -> None:
        fingerprint = request_fingerprint(
            platform.fingerprint_secret,
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode(),
            body,
        )
        captured = _Captured()
        try:
            async with unit_of_work(platform.pool):
                claim = await platform.idempotency.claim(principal_scope, key, fingerprint, platform.clock.now())
                if claim.outcome != "run":
                    raise _Answered(claim)
                scope.setdefault("state", {})["idempotency"] = (principal_scope, key, fingerprint)
                await self.app(scope, _replaying(body), captured)
                if captured.status >= 400:
                    # Nothing was done (refused or failed): the client may correct the request and retry with the key.
                    raise _RollBack
                stored = StoredResponse(captured.status, stored_headers(captured.headers), bytes(captured.body))
                await platform.idempotency.complete(principal_scope, key, stored)
        except _RollBack:
            pass
        except _Answered as answered:
            await _answer_claim(scope, send, answered.claim)
            return
        await captured.replay(send)

    @staticmethod
    def _principal_scope(scope: Scope, platform: Any) -> str | None:
        authorization = _header(scope, b"authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            principal = platform.verifier.verify(token.strip())
        except Unauthorized:
            return None
        scope.setdefault("state", {})["principal"] = principal
        return f"{principal.organisation_id}/{principal.subject}"


class _RollBack(Exception):
    """Leaves a unit of work without committing: the request was refused or failed."""


class _Answered(Exception):
    """The claim was answered from before (a replay) or refused: nothing runs."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(claim.outcome)
        self.claim = claim


async def _answer_claim(scope: Scope, send: Send, claim: Claim) -> None:
    if claim.outcome == "replay" and claim.stored is not None:
        stored = claim.stored
        headers = [(k.encode(), v.encode()) for k, v in stored.headers.items()]
        headers += [
            (b"content-length", str(len(stored.body)).encode()),
            (b"idempotent-replayed", b"true"),
        ]
        await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": stored.body})
    elif claim.outcome == "mismatch":
        await send_problem(
            scope,
            send,
            ValidationProblem(
                detail="this Idempotency-Key was already used with a different request",
                requirement="R63",
                errors=[FieldError("header.Idempotency-Key", "reused-with-different-request", "use a new key")],
            ),
        )
    else:
        await send_problem(
            scope,
            send,
            Conflict(detail="a request with this Idempotency-Key is still being handled", requirement="R63"),
        )
