"""Working days per nation and calendar periods (R22), worked out by hand from the published dates."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from shared.calendar import Overrides, WorkingDays, add_months, add_weeks, default_working_days, load_overrides
from shared.vocabulary import Nation

ENGLAND, WALES, SCOTLAND, NI = Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND


@pytest.fixture(scope="module")
def wd() -> WorkingDays:
    return WorkingDays()


@pytest.mark.parametrize(
    ("nation", "start", "days", "expected", "why"),
    [
        (ENGLAND, date(2026, 12, 23), 3, date(2026, 12, 30), "Christmas Fri 25, Boxing Day observed Mon 28"),
        (WALES, date(2026, 12, 23), 3, date(2026, 12, 30), "Wales shares England's calendar"),
        (ENGLAND, date(2027, 12, 24), 1, date(2027, 12, 29), "25/26 on a weekend: substitutes Mon 27, Tue 28"),
        (ENGLAND, date(2027, 12, 31), 1, date(2028, 1, 4), "1 Jan 2028 a Saturday: substitute Mon 3"),
        (ENGLAND, date(2027, 3, 25), 1, date(2027, 3, 30), "Good Friday 26 Mar, Easter Monday 29 Mar"),
        (SCOTLAND, date(2027, 3, 25), 1, date(2027, 3, 29), "no Easter Monday in Scotland"),
        (ENGLAND, date(2025, 12, 31), 1, date(2026, 1, 2), "England: 2 January is a working day"),
        (SCOTLAND, date(2025, 12, 31), 1, date(2026, 1, 5), "Scotland: 1 and 2 January"),
        (SCOTLAND, date(2026, 12, 31), 1, date(2027, 1, 5), "Scotland: 2 Jan 2027 a Saturday, substitute Mon 4"),
        (SCOTLAND, date(2026, 7, 31), 1, date(2026, 8, 4), "Scotland's summer holiday: first Monday of August"),
        (ENGLAND, date(2026, 7, 31), 1, date(2026, 8, 3), "not a holiday in England"),
        (ENGLAND, date(2026, 8, 28), 1, date(2026, 9, 1), "England's late summer holiday: last Monday"),
        (SCOTLAND, date(2026, 8, 28), 1, date(2026, 8, 31), "not a holiday in Scotland"),
        (SCOTLAND, date(2026, 11, 27), 1, date(2026, 12, 1), "St Andrew's Day, Mon 30 Nov"),
        (ENGLAND, date(2026, 11, 27), 1, date(2026, 11, 30), "not a holiday in England"),
        (NI, date(2026, 3, 16), 1, date(2026, 3, 18), "St Patrick's Day, Tue 17 Mar"),
        (ENGLAND, date(2026, 3, 16), 1, date(2026, 3, 17), "not a holiday in England"),
        (NI, date(2026, 7, 10), 1, date(2026, 7, 14), "Battle of the Boyne on a Sunday: observed Mon 13"),
        (ENGLAND, date(2026, 7, 10), 1, date(2026, 7, 13), "not a holiday in England"),
        (ENGLAND, date(2026, 11, 20), 5, date(2026, 11, 27), "a plain week: Fri + 5 working days"),
        (ENGLAND, date(2026, 11, 21), 1, date(2026, 11, 23), "from a Saturday: the Monday"),
        (ENGLAND, date(2026, 11, 23), 0, date(2026, 11, 23), "0 working days from D is D"),
    ],
)
def test_n_working_days_from_a_date(wd: WorkingDays, nation: Nation, start: date, days: int, expected: date, why: str):
    assert wd.add(nation, start, days) == expected, why


def test_negative_days_are_refused(wd: WorkingDays) -> None:
    with pytest.raises(ValueError, match="negative"):
        wd.add(ENGLAND, date(2026, 1, 1), -1)


@pytest.mark.parametrize(
    ("nation", "start", "end", "expected"),
    [
        (ENGLAND, date(2026, 12, 24), date(2027, 1, 4), 4),  # 29, 30, 31 Dec and 4 Jan
        (SCOTLAND, date(2026, 12, 24), date(2027, 1, 5), 4),  # 29, 30, 31 Dec and 5 Jan
        (ENGLAND, date(2026, 11, 23), date(2026, 11, 23), 0),
        (ENGLAND, date(2026, 11, 23), date(2026, 11, 30), 5),
        (ENGLAND, date(2026, 11, 30), date(2026, 11, 23), 0),
    ],
)
def test_working_days_between(wd: WorkingDays, nation: Nation, start: date, end: date, expected: int) -> None:
    assert wd.between(nation, start, end) == expected


def test_between_and_add_agree(wd: WorkingDays) -> None:
    start = date(2026, 12, 1)
    for n in range(0, 40):
        assert wd.between(SCOTLAND, start, wd.add(SCOTLAND, start, n)) == n


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # a leap year
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 11, 30), 6, date(2027, 5, 30)),
    ],
)
def test_six_months_is_the_same_day_clamped_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_weeks_are_seven_days() -> None:
    assert add_weeks(date(2026, 11, 23), 8) == date(2027, 1, 18)  # 56 days
    assert add_weeks(date(2026, 11, 23), 4) == date(2026, 12, 21)  # 28 days


def test_an_added_holiday_moves_the_date_and_a_removed_one_gives_the_day_back() -> None:
    plain = WorkingDays()
    added = WorkingDays(Overrides(added={"SCT": {date(2026, 11, 24): "special"}}))
    removed = WorkingDays(Overrides(removed={"SCT": {date(2026, 11, 30)}}))
    assert plain.add(SCOTLAND, date(2026, 11, 23), 1) == date(2026, 11, 24)
    assert added.add(SCOTLAND, date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert plain.add(SCOTLAND, date(2026, 11, 27), 1) == date(2026, 12, 1)
    assert removed.add(SCOTLAND, date(2026, 11, 27), 1) == date(2026, 11, 30)


def test_the_overrides_file_is_read_and_wales_means_the_england_and_wales_calendar(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_text(
        '[[added]]\nnation = "wales"\ndate = 2026-11-24\nname = "special"\n\n'
        '[[removed]]\nnation = "northern_ireland"\ndate = 2026-03-17\nreason = "test"\n'
    )
    wd = WorkingDays(load_overrides(path))
    assert wd.add(ENGLAND, date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert wd.add(NI, date(2026, 3, 16), 1) == date(2026, 3, 17)


def test_the_repository_overrides_file_loads() -> None:
    assert default_working_days().add(ENGLAND, date(2026, 12, 23), 3) == date(2026, 12, 30)


@pytest.mark.parametrize("nation", list(Nation))
def test_between_counts_what_a_day_by_day_walk_counts(wd: WorkingDays, nation: Nation) -> None:
    """The counted `between` against the definition walked day by day (R22), over every start weekday, spans from
    none to over a year, and the Christmas, New Year and Easter holidays of each calendar."""
    rng = random.Random(22)
    starts = [date(2026, 12, 18) + timedelta(days=i) for i in range(14)] + [
        date(2025, 1, 1) + timedelta(days=rng.randrange(0, 900)) for _ in range(40)
    ]
    for start in starts:
        for span in (0, 1, 2, 5, 6, 7, 8, 13, 30, 61, 200, 400):
            end = start + timedelta(days=span)
            walked = sum(wd.is_working_day(nation, start + timedelta(days=d)) for d in range(1, span + 1))
            assert wd.between(nation, start, end) == walked, (nation, start, end)
    assert wd.between(nation, date(2027, 1, 5), date(2027, 1, 1)) == 0
