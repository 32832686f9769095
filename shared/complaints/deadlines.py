"""Every running deadline of a complaint, computed from its timeline, never stored (R21).

Pure: given what happened and when (a `Timeline`, built from events by the projection), the
complaint's process profile, a calendar and today's business date, `deadlines()` lists each
deadline with its due date and status. A holiday added to the calendar or a different `today`
gives a different answer at once, because nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from shared.calendar import WorkingDays, add_months, add_weeks, default_working_days, working_days_for
from shared.ice.deadlines import IceStandards, ice_deadlines
from shared.ice.state import IceCaseState
from shared.ice.vocabulary import CaseStatus
from shared.profiles import Profile
from shared.settings import Settings
from shared.vocabulary import Nation

EIGHT_WEEKS = 8  # 000 14.02, R23
ICE_WINDOW_MONTHS = 6  # 000 14.23, 002 8.07, R24


class DeadlineKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    STAGE_RESPONSE = "stage_response"
    MIXED_CONTRIBUTION = "mixed_contribution"
    EIGHT_WEEK_FINAL_RESPONSE = "eight_week_final_response"
    ICE_WINDOW = "ice_window"
    # Once the complaint is with ICE (shared/ice/deadlines.py): R31, R32-R34, R36, R40.
    ICE_REQUEST = "ice_request"
    EVIDENCE_REQUEST = "evidence_request"
    AGREED_ACTION = "agreed_action"
    DRAFT_REPORT_COMMENTS = "draft_report_comments"
    ADJUDICATION_REPLY = "adjudication_reply"
    CHALLENGE_RESPONSE = "challenge_response"
    PAYMENT = "payment"
    ICE_STANDARD_RESOLVE = "ice_standard_resolve"
    ICE_STANDARD_SETTLE = "ice_standard_settle"
    ICE_STANDARD_REPORT = "ice_standard_report"


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
    owner: Owner = Owner.PROVIDER
    """Who answers the stage: a mixed complaint's stage 1 is the Jobcentre's joint response, the provider's issues
    escalated after it are the provider's (R25; 000 14.20-14.22)."""
    element_ids: tuple[str, ...] = ()
    """The elements escalated to this stage; empty: every element."""


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
    reference: str | None = None
    """Which request, draft, challenge or payment an ICE deadline is about."""


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

    # Whoever holds the complaint acknowledges it; whoever holds it now owes the final response.
    first_owner = t.stages[0].owner if t.stages else Owner.PROVIDER
    current_owner = t.stages[-1].owner if t.stages else Owner.PROVIDER
    add(
        DeadlineKind.ACKNOWLEDGEMENT,
        "Acknowledge receipt",
        first_owner,
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
            stage.owner,
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
        current_owner,
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


def calendar_for(settings: Settings) -> WorkingDays:
    """The running service's calendar: the `holidays` package with its reviewed overrides file (R22)."""
    return working_days_for(settings.bank_holiday_overrides_file)


def policy_for(settings: Settings) -> Policy:
    """The running service's policy: its settings' due-soon threshold and calendar."""
    return Policy(due_soon_working_days=settings.due_soon_working_days, calendar=calendar_for(settings))


def with_ice_case(
    found: list[Deadline],
    case: IceCaseState,
    today: date,
    nation: Nation,
    policy: Policy,
    standards: IceStandards,
) -> list[Deadline]:
    """A complaint's deadlines once it is with ICE: the six-month window met by the referral (R24), and every
    deadline the ICE case runs, on both sides (R31, R34, R36, R40), with their statuses on `today`."""
    if not case.exists or case.referred_on is None:
        return found
    referred_on = case.referred_on if case.referred_on <= today else None
    merged = [
        replace(d, met_on=referred_on, status=status_of(d.due_on, referred_on, today, nation, policy))
        if d.kind is DeadlineKind.ICE_WINDOW
        else d
        for d in found
    ]
    for d in ice_deadlines(case, standards):
        if d.starts_on > today:
            continue
        met = d.met_on if d.met_on is not None and d.met_on <= today else None
        merged.append(
            Deadline(
                kind=DeadlineKind(d.kind),
                label=d.label,
                owner=Owner(d.owner),
                starts_on=d.starts_on,
                due_on=d.due_on,
                met_on=met,
                status=status_of(d.due_on, met, today, nation, policy, d.stopped_on),
                requirement=d.requirement,
                guidance=d.guidance,
                reference=d.reference,
            )
        )
    return merged


def owner_with_ice(owner: Owner, case: IceCaseState) -> Owner:
    """Who holds the complaint now: ICE while its case is open, the ombudsman while it examines it (R21)."""
    phso = case.phso
    if phso is not None and phso.accepted_on is not None and phso.report_issued_on is None:
        return Owner.PHSO
    if case.exists and case.status not in (CaseStatus.DECLINED, CaseStatus.CLOSED):
        return Owner.ICE
    return owner
