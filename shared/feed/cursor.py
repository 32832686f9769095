"""The feed's opaque cursor: a position in the global log, versioned and base64url-encoded."""

from __future__ import annotations

import base64
import binascii

from shared.errors import FieldError, ValidationProblem
from shared.eventstore.model import START, LogPosition

_PREFIX = "f1:"
_MAX_LENGTH = 64


def encode_cursor(position: LogPosition) -> str:
    raw = (_PREFIX + position.encode()).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, field: str = "query.after") -> LogPosition:
    """`None` or empty: the start of the log. Anything not made by `encode_cursor` is a 422 naming `field`."""
    if not cursor:
        return START
    try:
        if len(cursor) > _MAX_LENGTH:
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True).decode("ascii")
        if not text.startswith(_PREFIX):
            raise ValueError("not a feed cursor")
        return LogPosition.decode(text.removeprefix(_PREFIX))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise ValidationProblem(
            detail=f"{field.removeprefix('query.')} is not a cursor this feed gave out",
            requirement="R64",
            errors=[
                FieldError(field, "cursor", "a next_cursor from an earlier page, or nothing to start at the beginning")
            ],
        ) from exc
