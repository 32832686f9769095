"""Errors the platform raises, each carrying what an RFC 9457 problem document needs.

Domain code raises these; the HTTP layer (`shared.http.problems`) renders them as
`application/problem+json`. A rule of the guidance carries its requirement id (`R7`) and, where
useful, the guidance paragraph (`000 14.23`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROBLEM_BASE = "urn:dwp-complaints:problem:"


@dataclass(frozen=True)
class FieldError:
    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


@dataclass
class ProblemError(Exception):
    """Base for every error with a problem document; subclasses fix status and slug."""

    detail: str
    requirement: str | None = None
    guidance: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __post_init__(self) -> None:
        super().__init__(self.detail)

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug


@dataclass
class ValidationProblem(ProblemError):
    status: int = 422
    slug: str = "validation"
    title: str = "The request is not valid"


@dataclass
class RuleViolation(ProblemError):
    """A rule of the process forbids the command (wrong stage, deadline passed, ...)."""

    status: int = 409
    slug: str = "rule-violation"
    title: str = "A rule of the complaints process forbids this"


@dataclass
class Forbidden(ProblemError):
    status: int = 403
    slug: str = "forbidden"
    title: str = "Your role does not allow this"


@dataclass
class NotFound(ProblemError):
    status: int = 404
    slug: str = "not-found"
    title: str = "Not found"


@dataclass
class Gone(ProblemError):
    """It existed and was deliberately removed (e.g. evidence destroyed once ICE concluded, R37)."""

    status: int = 410
    slug: str = "gone"
    title: str = "Gone"


@dataclass
class Unauthorized(ProblemError):
    status: int = 401
    slug: str = "unauthorized"
    title: str = "Authentication required"


@dataclass
class PreconditionFailed(ProblemError):
    status: int = 412
    slug: str = "precondition-failed"
    title: str = "The resource has changed since you read it"


@dataclass
class Conflict(ProblemError):
    status: int = 409
    slug: str = "conflict"
    title: str = "Conflict"


@dataclass
class PayloadTooLarge(ProblemError):
    status: int = 413
    slug: str = "payload-too-large"
    title: str = "The request body is too large"


@dataclass
class ServiceUnavailable(ProblemError):
    status: int = 503
    slug: str = "unavailable"
    title: str = "The service is temporarily unavailable"


class ConcurrencyError(Exception):
    """An append lost a race: the stream is no longer at the version the writer expected."""

    def __init__(self, stream_id: str, expected_version: int | None, current_version: int) -> None:
        super().__init__(f"stream {stream_id}: expected version {expected_version}, current version {current_version}")
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.current_version = current_version


class DuplicateEventIdError(Exception):
    """An event id already used by a different append (not an exact retry)."""
