"""The feed cursor: opaque, round-trips a log position, refuses anything else naming the field (R64)."""

from __future__ import annotations

import pytest

from shared.errors import ValidationProblem
from shared.eventstore.model import START, LogPosition
from shared.feed.cursor import decode_cursor, encode_cursor


@pytest.mark.parametrize("position", [START, LogPosition(1, 2), LogPosition(2**63 - 1, 2**63 - 1)])
def test_a_cursor_round_trips(position: LogPosition) -> None:
    cursor = encode_cursor(position)
    assert "." not in cursor
    assert "=" not in cursor
    assert decode_cursor(cursor) == position


@pytest.mark.parametrize("cursor", [None, ""])
def test_no_cursor_is_the_start(cursor: str | None) -> None:
    assert decode_cursor(cursor) == START


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "12.34",
        "ZjE6MS4y!",  # a character outside base64url
        "eDE6MS4y",  # "x1:1.2": another prefix
        "ZjE6MS4",  # "f1:1.": no position
        "ZjE6LTEuMg",  # "f1:-1.2"
        "ZjE6OTk5OTk5OTk5OTk5OTk5OTk5OS4x",  # beyond bigint
        "é",
        "A" * 100,
    ],
)
def test_a_bad_cursor_is_a_422_naming_the_field(cursor: str) -> None:
    with pytest.raises(ValidationProblem) as refused:
        decode_cursor(cursor, "query.after")
    assert [(e.field, e.rule) for e in refused.value.errors] == [("query.after", "cursor")]
