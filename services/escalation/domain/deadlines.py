"""Every running deadline of a complaint, computed from its timeline, never stored (R21).

Pure: given what happened and when (a `Timeline`, built from events by the projection), the
complaint's process profile, a calendar and today's business date, `deadlines()` lists each
deadline with its due date and status. A holiday added to the calendar or a different `today`
gives a different answer at once, because nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from shared.calendar import WorkingDays, add_months, add_weeks, default_working_days
from shared.profiles import Profile
from shared.vocabulary import Nation

EIGHT_WEEKS = 8  # 000 14.02, R23
ICE_WINDOW_MONTHS = 6  # 000 14.23, 002 8.07, R24


class DeadlineKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    STAGE_RESPONSE = "stage_response"
    MIXED_CONTRIBUTION = "mixed_contribution"
    EIGHT_WEEK_FINAL_RESPONSE = "eight_week_final_response"
    ICE_WINDOW = "ice_window"


class DeadlineStatus(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    MET_LATE = "met_late"
    STOPPED = "stopped"  # the complaint was withdrawn before it was met (R5)


class Owner(StrEnum):
    PROVIDER = "provider"
    JOBCENTRE = "jobcentre"
    ICE = "ice"
    PHSO = "phso"
    COMPLAINANT = "complainant"


@dataclass(frozen=True)
class StageTimeline:
    number: int
    started_on: date
    responded_on: date | None = None


@dataclass(frozen=True)
class Timeline:
    """What happened to a complaint, as far as deadlines care."""

    received_on: date
    nation: Nation
    acknowledged_on: date | None = None
    stages: tuple[StageTimeline, ...] = ()
    final_response_on: date | None = None
    contribution_requested_on: date | None = None
    contribution_received_on: date | None = None
    referred_to_ice_on: date | None = None
    withdrawn_on: date | None = None


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    label: str
    owner: Owner
    starts_on: date
    due_on: date
    met_on: date | None
    status: DeadlineStatus
    requirement: str
    guidance: str | None = None
    stage: int | None = None


@dataclass(frozen=True)
class Policy:
    """How close counts as due soon: `due_soon_working_days` working days before the due date."""

    due_soon_working_days: int = 2
    calendar: WorkingDays = field(default_factory=default_working_days)


def status_of(
    due_on: date, met_on: date | None, today: date, nation: Nation, policy: Policy, stopped_on: date | None = None
) -> DeadlineStatus:
    if met_on is not None and met_on <= today:
        return DeadlineStatus.MET if met_on <= due_on else DeadlineStatus.MET_LATE
    if stopped_on is not None and stopped_on <= today:
        return DeadlineStatus.STOPPED
    if today > due_on:
        return DeadlineStatus.OVERDUE
    if policy.calendar.between(nation, today, due_on) <= policy.due_soon_working_days:
        return DeadlineStatus.DUE_SOON
    return DeadlineStatus.ON_TIME


def deadlines(timeline: Timeline, profile: Profile, today: date, policy: Policy | None = None) -> list[Deadline]:
    """Every deadline that has started by `today`, with its status on `today`."""
    policy = policy or Policy()
    t, cal, nation = timeline, policy.calendar, timeline.nation
    found: list[Deadline] = []

    def add(
        kind: DeadlineKind,
        label: str,
        owner: Owner,
        starts_on: date,
        due_on: date,
        met_on: date | None,
        requirement: str,
        guidance: str | None = None,
        stage: int | None = None,
    ) -> None:
        if starts_on > today:
            return
        met = met_on if met_on is not None and met_on <= today else None
        status = status_of(due_on, met, today, nation, policy, t.withdrawn_on)
        found.append(Deadline(kind, label, owner, starts_on, due_on, met, status, requirement, guidance, stage))

    add(
        DeadlineKind.ACKNOWLEDGEMENT,
        "Acknowledge receipt",
        Owner.PROVIDER,
        t.received_on,
        profile.acknowledgement.due(t.received_on, nation, cal),
        t.acknowledged_on,
        "R4",
        "003",
    )
    for stage in t.stages:
        if stage.number > profile.final_stage:
            continue  # a stage the profile does not have: no stated timescale to hold it to
        add(
            DeadlineKind.STAGE_RESPONSE,
            f"Respond at {profile.stage(stage.number).name}",
            Owner.PROVIDER,
            stage.started_on,
            profile.stage(stage.number).timescale.due(stage.started_on, nation, cal),
            stage.responded_on,
            "R20",
            "000 14.02",
            stage.number,
        )
    if t.contribution_requested_on is not None:
        add(
            DeadlineKind.MIXED_CONTRIBUTION,
            "Provider's contribution to the Jobcentre's response",
            Owner.PROVIDER,
            t.contribution_requested_on,
            profile.mixed_contribution.due(t.contribution_requested_on, nation, cal),
            t.contribution_received_on,
            "R25",
            "000 14.05",
        )
    add(
        DeadlineKind.EIGHT_WEEK_FINAL_RESPONSE,
        "Final response within eight weeks of receipt; after it the complainant may go to ICE directly",
        Owner.PROVIDER,
        t.received_on,
        add_weeks(t.received_on, EIGHT_WEEKS),
        t.final_response_on,
        "R23",
        "000 14.02",
    )
    if t.final_response_on is not None:
        add(
            DeadlineKind.ICE_WINDOW,
            "The complainant may refer to ICE within six months of the final response",
            Owner.COMPLAINANT,
            t.final_response_on,
            add_months(t.final_response_on, ICE_WINDOW_MONTHS),
            t.referred_to_ice_on,
            "R24",
            "000 14.23",
        )
    return found


def eight_week_right_arises_on(timeline: Timeline) -> date:
    """The day after which, with no final response, the complainant may go directly to ICE (R23)."""
    return add_weeks(timeline.received_on, EIGHT_WEEKS)
