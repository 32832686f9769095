"""FastAPI dependencies: the platform, the verified principal, role checks, command context."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AwareDatetime

from shared.auth import Principal, Role, ensure_role
from shared.clock import business_date
from shared.errors import FieldError, Unauthorized, ValidationProblem
from shared.eventstore.model import EventMetadata
from shared.http.platform import Platform
from shared.idempotency import event_id_for
from shared.vocabulary import IsoDate

bearer = HTTPBearer(auto_error=False, description="A JWT from your identity provider (`make token` in development)")


# Every dependency here is `async def`: FastAPI runs a sync one in its thread pool, which cost about a tenth of a
# registration's CPU (make bench, py-spy); none of them blocks.
async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


async def get_principal(
    request: Request,
    platform: PlatformDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(detail="send a bearer token in the Authorization header", requirement="R61")
    principal = platform.verifier.verify(credentials.credentials)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(*roles: Role, requirement: str | None = None) -> Callable[[Principal], Awaitable[Principal]]:
    """`dependencies=[Depends(require(Role.COMPLAINTS_LEAD))]`: a pure check of the verified principal."""

    async def check(principal: CurrentPrincipal) -> Principal:
        ensure_role(principal, *roles, requirement=requirement)
        return principal

    return check


@dataclass(frozen=True)
class CommandContext:
    """What a handler puts on every event it appends: who, when, why (R60)."""

    principal: Principal
    now: datetime
    correlation_id: str
    causation_id: str
    idempotency: tuple[str, str, str] | None
    """(principal scope, Idempotency-Key, request fingerprint) of a keyed request."""

    def metadata(self, role: Role | None = None) -> EventMetadata:
        return EventMetadata(
            actor=self.principal.as_actor(role),
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            idempotency_key=self.idempotency[1] if self.idempotency else None,
            business_date=business_date(self.now).isoformat(),
        )

    def new_id(self, purpose: str) -> UUID:
        """An id for something this request creates: the same on a re-run of the same keyed request."""
        if self.idempotency is None:
            return uuid4()
        scope, key, fingerprint = self.idempotency
        return event_id_for(scope, key, fingerprint, f"new:{purpose}", 0)

    def event_id(self, stream_id: str, index: int) -> UUID:
        """Derived from the Idempotency-Key when there is one, so a re-run appends nothing new."""
        if self.idempotency is None:
            return uuid4()
        scope, key, fingerprint = self.idempotency
        return event_id_for(scope, key, fingerprint, stream_id, index)


async def get_command_context(request: Request, principal: CurrentPrincipal, platform: PlatformDep) -> CommandContext:
    state = request.state
    return CommandContext(
        principal=principal,
        now=platform.clock.now(),
        correlation_id=getattr(state, "correlation_id", None) or str(uuid4()),
        causation_id=getattr(state, "request_id", None) or str(uuid4()),
        idempotency=getattr(state, "idempotency", None),
    )


CommandContextDep = Annotated[CommandContext, Depends(get_command_context)]

_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


async def get_if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The ETag you read (e.g. `"3"`); refused with 412 if the resource has changed since',
        ),
    ] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match)
    if match is None:
        raise ValidationProblem(
            detail='If-Match must be an ETag as returned by this API, e.g. "3"',
            requirement="R63",
            errors=[FieldError("header.If-Match", "etag", 'an ETag such as "3"')],
        )
    return int(match.group(1))


IfMatch = Annotated[int | None, Depends(get_if_match)]


async def _as_of(
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="An instant with its offset (ISO 8601), e.g. 2026-11-23T10:00:00Z (R60)"),
    ] = None,
) -> datetime | None:
    if as_of is not None and not 1900 <= as_of.year <= 2100:
        raise ValidationProblem(
            detail="as_of must be between 1900 and 2100",
            errors=[FieldError("query.as_of", "range", "an instant between 1900 and 2100")],
        )
    return as_of


AsOf = Annotated[datetime | None, Depends(_as_of)]
"""`?as_of=`: an aware instant in a sane range (naive or out-of-range instants are a 422, not a 500)."""

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,  # as the idempotency middleware enforces (found by tools/fuzz.py)
        description="Any unique string of 1 to 255 characters (e.g. a UUID): a retry with the same key and body "
        "replays the first response; the same key with another body is refused with 422 (R63)",
    ),
]


QueryDate = IsoDate
"""A date query parameter: exactly YYYY-MM-DD."""
