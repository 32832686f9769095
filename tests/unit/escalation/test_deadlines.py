"""Deadlines computed from a complaint's timeline, its profile and today (R20-R25), worked by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from shared.calendar import Overrides, WorkingDays
from shared.complaints.deadlines import (
    DeadlineKind,
    DeadlineStatus,
    Policy,
    StageTimeline,
    Timeline,
    deadlines,
    eight_week_right_arises_on,
)
from shared.profiles import default_profiles
from shared.vocabulary import Nation

RECEIVED = date(2026, 11, 23)  # a Monday
DEFAULT = default_profiles().get("provider-default@v1")
CMS = default_profiles().get("cms@v1")
S = DeadlineStatus


def by_kind(found, kind: DeadlineKind, stage: int | None = None):
    (only,) = [d for d in found if d.kind is kind and (stage is None or d.stage == stage)]
    return only


def opened(**changes: Any) -> Timeline:
    """A complaint received on RECEIVED in England, at stage 1 since then, with `changes`."""
    return replace(Timeline(RECEIVED, Nation.ENGLAND, stages=(StageTimeline(1, RECEIVED),)), **changes)


def test_due_dates_of_a_new_complaint() -> None:
    found = deadlines(opened(), DEFAULT, today=RECEIVED)
    assert by_kind(found, DeadlineKind.ACKNOWLEDGEMENT).due_on == date(2026, 11, 25)  # 2 working days
    assert by_kind(found, DeadlineKind.STAGE_RESPONSE, 1).due_on == date(2026, 12, 14)  # 15 working days
    assert by_kind(found, DeadlineKind.EIGHT_WEEK_FINAL_RESPONSE).due_on == date(2027, 1, 18)  # 56 days
    assert {d.kind for d in found} == {
        DeadlineKind.ACKNOWLEDGEMENT,
        DeadlineKind.STAGE_RESPONSE,
        DeadlineKind.EIGHT_WEEK_FINAL_RESPONSE,
    }


@pytest.mark.parametrize(
    ("today", "acknowledged_on", "expected"),
    [
        (date(2026, 11, 23), None, S.DUE_SOON),  # 2 working days to go: due soon at the default threshold
        (date(2026, 11, 25), None, S.DUE_SOON),  # the due date itself
        (date(2026, 11, 26), None, S.OVERDUE),
        (date(2026, 11, 26), date(2026, 11, 25), S.MET),
        (date(2026, 11, 30), date(2026, 11, 26), S.MET_LATE),
        (date(2026, 11, 24), date(2026, 11, 26), S.DUE_SOON),  # acknowledged later: not yet, as of the 24th
    ],
)
def test_statuses(today: date, acknowledged_on: date | None, expected: DeadlineStatus) -> None:
    found = deadlines(opened(acknowledged_on=acknowledged_on), DEFAULT, today=today)
    assert by_kind(found, DeadlineKind.ACKNOWLEDGEMENT).status is expected


def test_on_time_when_more_than_the_threshold_away() -> None:
    found = deadlines(opened(), DEFAULT, today=date(2026, 11, 24))
    assert by_kind(found, DeadlineKind.STAGE_RESPONSE, 1).status is S.ON_TIME


def test_a_stage_across_christmas_differs_by_nation() -> None:
    stages = (StageTimeline(1, RECEIVED, date(2026, 12, 14)), StageTimeline(2, date(2026, 12, 14)))
    england = deadlines(opened(stages=stages), DEFAULT, today=date(2026, 12, 15))
    scotland = deadlines(opened(stages=stages, nation=Nation.SCOTLAND), DEFAULT, today=date(2026, 12, 15))
    # 20 working days from Mon 14 Dec: 25, 28 Dec and 1 Jan are holidays; Scotland adds Mon 4 Jan.
    assert by_kind(england, DeadlineKind.STAGE_RESPONSE, 2).due_on == date(2027, 1, 14)
    assert by_kind(scotland, DeadlineKind.STAGE_RESPONSE, 2).due_on == date(2027, 1, 15)
    assert by_kind(england, DeadlineKind.STAGE_RESPONSE, 1).status is S.MET


def test_cms_resolution_team_decides_within_15_calendar_days() -> None:
    stages = (StageTimeline(1, RECEIVED, date(2026, 12, 14)), StageTimeline(2, date(2026, 12, 14)))
    found = deadlines(opened(stages=stages), CMS, today=date(2026, 12, 14))
    assert by_kind(found, DeadlineKind.STAGE_RESPONSE, 2).due_on == date(2026, 12, 29)


def test_mixed_contribution_within_five_working_days() -> None:
    timeline = opened(contribution_requested_on=date(2026, 12, 23))
    found = deadlines(timeline, DEFAULT, today=date(2026, 12, 23))
    contribution = by_kind(found, DeadlineKind.MIXED_CONTRIBUTION)
    assert contribution.due_on == date(2027, 1, 4)  # 24, 29, 30, 31 Dec, 4 Jan
    assert contribution.requirement == "R25"


def test_final_response_meets_the_eight_weeks_and_opens_the_six_month_ice_window() -> None:
    timeline = opened(final_response_on=date(2027, 1, 14))
    found = deadlines(timeline, DEFAULT, today=date(2027, 2, 1))
    assert by_kind(found, DeadlineKind.EIGHT_WEEK_FINAL_RESPONSE).status is S.MET
    window = by_kind(found, DeadlineKind.ICE_WINDOW)
    assert (window.due_on, window.status) == (date(2027, 7, 14), S.ON_TIME)


def test_no_final_response_after_eight_weeks_gives_the_right_to_go_to_ice() -> None:
    found = deadlines(opened(), DEFAULT, today=date(2027, 1, 19))
    assert by_kind(found, DeadlineKind.EIGHT_WEEK_FINAL_RESPONSE).status is S.OVERDUE
    assert eight_week_right_arises_on(opened()) == date(2027, 1, 18)
    late = deadlines(opened(final_response_on=date(2027, 1, 20)), DEFAULT, today=date(2027, 1, 25))
    assert by_kind(late, DeadlineKind.EIGHT_WEEK_FINAL_RESPONSE).status is S.MET_LATE


def test_the_ice_window_is_clamped_to_the_month_end_and_a_late_referral_shows() -> None:
    timeline = opened(final_response_on=date(2026, 8, 31), referred_to_ice_on=date(2027, 3, 1))
    window = by_kind(deadlines(timeline, DEFAULT, today=date(2027, 3, 2)), DeadlineKind.ICE_WINDOW)
    assert window.due_on == date(2027, 2, 28)
    assert window.status is S.MET_LATE


def test_withdrawal_stops_every_running_deadline() -> None:
    timeline = opened(acknowledged_on=date(2026, 11, 24), withdrawn_on=date(2026, 11, 27))
    found = deadlines(timeline, DEFAULT, today=date(2027, 3, 1))
    assert by_kind(found, DeadlineKind.ACKNOWLEDGEMENT).status is S.MET
    assert by_kind(found, DeadlineKind.STAGE_RESPONSE, 1).status is S.STOPPED
    assert by_kind(found, DeadlineKind.EIGHT_WEEK_FINAL_RESPONSE).status is S.STOPPED
    before = deadlines(timeline, DEFAULT, today=date(2026, 11, 26))
    assert by_kind(before, DeadlineKind.STAGE_RESPONSE, 1).status is S.ON_TIME


def test_a_holiday_added_to_the_calendar_moves_open_deadlines_but_not_met_ones() -> None:
    extra = Policy(calendar=WorkingDays(Overrides(added={"ENG": {date(2026, 11, 25): "special"}})))
    open_now = deadlines(opened(), DEFAULT, today=RECEIVED, policy=extra)
    assert by_kind(open_now, DeadlineKind.ACKNOWLEDGEMENT).due_on == date(2026, 11, 26)
    met = deadlines(opened(acknowledged_on=date(2026, 11, 24)), DEFAULT, today=date(2026, 11, 30), policy=extra)
    assert by_kind(met, DeadlineKind.ACKNOWLEDGEMENT).status is S.MET


def test_deadlines_not_yet_started_are_not_listed() -> None:
    timeline = opened(contribution_requested_on=date(2026, 12, 1))
    kinds = {d.kind for d in deadlines(timeline, DEFAULT, today=date(2026, 11, 30))}
    assert DeadlineKind.MIXED_CONTRIBUTION not in kinds
