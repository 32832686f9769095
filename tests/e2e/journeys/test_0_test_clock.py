"""The controllable clock the journeys move is a test-mode setting only: refused in production (and development)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.clock import FileClock
from shared.settings import Settings

pytestmark = pytest.mark.e2e_journeys


@pytest.mark.parametrize("environment", ["production", "development"])
def test_the_clock_file_is_refused_outside_test_mode(tmp_path: Path, environment: str) -> None:
    settings = {
        "APP_ENV": environment,
        "TEST_CLOCK_FILE": str(tmp_path / "clock"),
        "JWT_HS256_SECRET": "a-production-secret-of-enough-length-0123456789",
        "PERSONAL_DATA_MASTER_KEY": "cHJvZHVjdGlvbi1tYXN0ZXIta2V5LTMyLWJ5dGVzISE=",
        "DATABASE_URL": "postgresql://db/complaints",
    }
    with pytest.raises(ValidationError, match="TEST_CLOCK_FILE"):
        Settings.model_validate(settings)


def test_in_test_mode_now_is_the_instant_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "clock"
    assert Settings(APP_ENV="test", TEST_CLOCK_FILE=str(path)).test_clock_file == path
    clock = FileClock(path)
    start = datetime(2026, 11, 23, 10, tzinfo=UTC)
    clock.set(start)
    clock.advance(timedelta(weeks=8))
    assert FileClock(path).now() == start + timedelta(weeks=8)
    path.write_text("2026-11-23T10:00:00")
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.now()
