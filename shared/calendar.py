"""UK working days per nation (R22) and the guidance's calendar periods.

"Working day": Monday to Friday, not a bank holiday of the complaint's nation. England and Wales
share a calendar; Scotland and Northern Ireland have their own. Bank holidays come from the
`holidays` package's UK subdivisions, adjusted by a reviewed overrides file for holidays announced
later or withdrawn. "N working days from D" is the Nth working day after D (D not counted).
Calendar periods: 8 weeks = 56 days, 4 weeks = 28 days, 6 months = the same day of the month six
months on, clamped to the month's end.
"""

from __future__ import annotations

import calendar as _calendar
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

from shared.vocabulary import Nation

OVERRIDES_FILE = Path(__file__).with_name("bank_holiday_overrides.toml")

_SUBDIVISION = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "ENG",  # one calendar for England and Wales (R22)
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


def _calendar_of(nation: Nation) -> str:
    return _SUBDIVISION[nation]


@dataclass(frozen=True)
class Overrides:
    added: dict[str, dict[date, str]] = field(default_factory=dict)
    removed: dict[str, set[date]] = field(default_factory=dict)


def load_overrides(path: Path = OVERRIDES_FILE) -> Overrides:
    if not path.exists():
        return Overrides()
    raw = tomllib.loads(path.read_text())
    overrides = Overrides()
    for entry in raw.get("added", []):
        overrides.added.setdefault(_calendar_of(Nation(entry["nation"])), {})[_as_date(entry["date"])] = entry["name"]
    for entry in raw.get("removed", []):
        overrides.removed.setdefault(_calendar_of(Nation(entry["nation"])), set()).add(_as_date(entry["date"]))
    return overrides


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class WorkingDays:
    """Working-day arithmetic for every nation, from one set of bank holidays."""

    def __init__(self, overrides: Overrides | None = None) -> None:
        self._overrides = overrides or Overrides()

    @lru_cache(maxsize=256)  # noqa: B019 - one instance per process; years are few
    def bank_holidays(self, nation: Nation, year: int) -> dict[date, str]:
        key = _calendar_of(nation)
        days = dict(holidays.country_holidays("GB", subdiv=key, years=year).items())
        days.update({d: n for d, n in self._overrides.added.get(key, {}).items() if d.year == year})
        for removed in self._overrides.removed.get(key, set()):
            days.pop(removed, None)
        return days

    def is_working_day(self, nation: Nation, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays(nation, day.year)

    def add(self, nation: Nation, start: date, days: int) -> date:
        """The `days`-th working day after `start` (`start` itself not counted); 0 gives `start`."""
        if days < 0:
            raise ValueError("days must not be negative")
        current, remaining = start, days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(nation, current):
                remaining -= 1
        return current

    def between(self, nation: Nation, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` is not after `start`).

        Counted, not walked: a deadline's status asks this of every open deadline on every worklist read, often
        across months (an ICE window, a long-overdue response), and walking day by day was most of a worklist's CPU.
        """
        if end <= start:
            return 0
        holidays_on_weekdays = sum(
            1
            for year in range(start.year, end.year + 1)
            for day in self.bank_holidays(nation, year)
            if start < day <= end and day.weekday() < 5
        )
        return _weekdays_after(start, end) - holidays_on_weekdays


def _weekdays_after(start: date, end: date) -> int:
    """Mondays to Fridays after `start` up to and including `end`."""
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    first = start.weekday() + 1  # the weekday of the first day counted, 0 = Monday (mod 7)
    return weeks * 5 + sum(1 for i in range(rest) if (first + i) % 7 < 5)


def add_weeks(start: date, weeks: int) -> date:
    """8 weeks = 56 days; 4 weeks = 28 days (R22)."""
    return start + timedelta(days=7 * weeks)


def add_months(start: date, months: int) -> date:
    """Same day of the month `months` later, clamped to the month's end (31 August + 6 = 28/29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


_BY_FILE: dict[tuple[Path, int], WorkingDays] = {}


def working_days_for(overrides_file: Path) -> WorkingDays:
    """The calendar with the overrides in `overrides_file`, re-read when the file changes.

    So a holiday added to the file moves every open deadline on the next request, no restart.
    """
    stamp = overrides_file.stat().st_mtime_ns if overrides_file.exists() else 0
    key = (overrides_file, stamp)
    if key not in _BY_FILE:
        _BY_FILE.clear()
        _BY_FILE[key] = WorkingDays(load_overrides(overrides_file))
    return _BY_FILE[key]


def default_working_days() -> WorkingDays:
    """The package's holidays with the repository's overrides file."""
    return working_days_for(OVERRIDES_FILE)
