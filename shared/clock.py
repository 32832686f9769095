"""Time is injected: code asks a `Clock`, never `datetime.now()` directly, so deadlines are exact in tests."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock tests set and advance by hand."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class FileClock:
    """Test mode only (`TEST_CLOCK_FILE`, refused outside APP_ENV=test): "now" is the ISO instant in a file.

    Every service process reads the same file on each call, so an end-to-end test moves time forward
    across processes by rewriting it (`set`/`advance` replace it atomically, so a reader never sees half).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        text = self.path.read_text(encoding="utf-8").strip()
        at = datetime.fromisoformat(text)
        if at.tzinfo is None:
            raise ValueError(f"{self.path}: the test clock needs a timezone-aware instant, got {text!r}")
        return at.astimezone(UTC)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FileClock needs a timezone-aware instant")
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(at.astimezone(UTC).isoformat())
        os.replace(temporary, self.path)

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


def business_date(instant: datetime) -> date:
    """The business date of an instant: the calendar date in Europe/London."""
    return instant.astimezone(LONDON).date()
