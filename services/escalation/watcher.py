"""The deadline watcher: when a deadline passes unmet, a `deadline.missed` event, exactly once (R21, R23).

Each sweep computes every open complaint's deadlines for today, and the provider's on every ICE case
where it owes something (R31), and appends, to the complaint's `deadlines-{id}` stream, one event
per missed deadline and one when the eight-week right to go to ICE arises. Event ids are derived from the complaint and the deadline, so a second
sweep, or a sweep by another instance at the same moment, appends nothing new: the event store
treats a repeated event id as the same append. The complaint's own stream is never touched, so
the watcher never contends with people working the complaint.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date

from services.escalation.domain.ice_work import provider_work
from services.escalation.projections.ice_cases import open_ice_query, readable_ice_cases
from shared.clock import business_date
from shared.complaints.deadlines import Deadline, DeadlineKind, DeadlineStatus, Owner, Policy, deadlines
from shared.complaints.deadlines import policy_for as deadline_policy
from shared.complaints.timeline import ComplaintTimeline, from_json
from shared.db import raw_connection
from shared.decider import DomainEvent, encode
from shared.eventstore.model import SYSTEM_ACTOR, EventMetadata, NewEvent
from shared.http.platform import Platform
from shared.ice.deadlines import IceStandards, ice_standards
from shared.ice.state import IceCaseState
from shared.logging import get_logger
from shared.profiles import Profiles, default_profiles

log = get_logger(__name__)
STREAM_TYPE = "complaint_deadlines"
WATCH_NAMESPACE = uuid.UUID("5d0e2a7c-3a51-4f5e-9d3c-7b8a4f1e2c90")


class DeadlineMissed(DomainEvent):
    event_type = "deadline.missed"

    complaint_id: str
    kind: DeadlineKind
    stage: int | None
    label: str
    owner: str
    due_on: date
    requirement: str
    guidance: str | None
    reference: str | None = None
    """For an ICE deadline: the request, evidence request, draft, challenge or payment it is about (R31)."""


class EightWeekRightArisen(DomainEvent):
    """No final response within eight weeks of receipt: the complainant may go directly to ICE (000 14.02)."""

    event_type = "complaint.eight_week_right_arisen"

    complaint_id: str
    received_on: date
    arose_on: date


def deadlines_stream(complaint_id: str) -> str:
    return f"deadlines-{complaint_id}"


def _facts(found: ComplaintTimeline, missed: Deadline) -> list[DomainEvent]:
    facts: list[DomainEvent] = [
        DeadlineMissed(
            complaint_id=found.complaint_id,
            kind=missed.kind,
            stage=missed.stage,
            label=missed.label,
            owner=missed.owner.value,
            due_on=missed.due_on,
            requirement=missed.requirement,
            guidance=missed.guidance,
            reference=missed.reference,
        )
    ]
    if missed.kind is DeadlineKind.EIGHT_WEEK_FINAL_RESPONSE:
        facts.append(
            EightWeekRightArisen(
                complaint_id=found.complaint_id, received_on=found.timeline.received_on, arose_on=missed.due_on
            )
        )
    return facts


def missed_events(found: ComplaintTimeline, today: date, profiles: Profiles, policy: Policy) -> list[NewEvent]:
    """The events a sweep on `today` owes this complaint (ids stable across sweeps and instances)."""
    return _missed(found, deadlines(found.timeline, profiles.get(found.profile_ref), today, policy), today)


def missed_ice_events(
    found: ComplaintTimeline, case: IceCaseState, today: date, policy: Policy, standards: IceStandards
) -> list[NewEvent]:
    """The events a sweep on `today` owes the complaint's ICE case: each deadline the provider missed (R31, R34, R36)."""
    return _missed(found, provider_work(case, today, found.timeline.nation, policy, standards), today)


def _missed(found: ComplaintTimeline, candidates: list[Deadline], today: date) -> list[NewEvent]:
    metadata = EventMetadata(actor=SYSTEM_ACTOR, correlation_id=found.complaint_id, business_date=today.isoformat())
    events = []
    for d in candidates:
        # The ICE window is the complainant's to use, not a deadline anyone misses.
        if d.owner is Owner.COMPLAINANT or d.status not in (DeadlineStatus.OVERDUE, DeadlineStatus.MET_LATE):
            continue
        for fact in _facts(found, d):
            # One event per deadline, ever: a calendar change that moves a missed due date does not
            # make it a second miss. An ICE case has several of a kind (one per request), told apart by reference.
            key = f"{found.complaint_id}|{d.kind}|{d.stage}|{fact.event_type}"
            if d.reference is not None:
                key += f"|{d.reference}"
            events.append(
                NewEvent(
                    type=fact.event_type,
                    data=encode(fact),
                    metadata=metadata,
                    event_id=uuid.uuid5(WATCH_NAMESPACE, key),
                )
            )
    return events


async def sweep(platform: Platform, today: date, profiles: Profiles | None = None) -> int:
    """One pass over the open complaints; returns how many new events were appended."""
    profiles = profiles or default_profiles()
    policy = deadline_policy(platform.settings)
    standards = ice_standards(platform.settings)
    async with raw_connection(platform.pool) as conn:
        rows = await conn.fetch("SELECT timeline::text AS timeline FROM escalation.timelines WHERE open")
        owed = [
            (found.complaint_id, event)
            for found in (from_json(json.loads(row["timeline"])) for row in rows)
            for event in missed_events(found, today, profiles, policy)
        ]
        cases = readable_ice_cases(await conn.fetch(open_ice_query("true")))
        owed += [
            (found.complaint_id, event)
            for found, case in cases
            for event in missed_ice_events(found, case, today, policy, standards)
        ]
        # A missed deadline stays missed: without this, every sweep would append again (as a no-op) every event
        # an earlier sweep recorded, one round trip each, for as long as the complaint stays open.
        recorded = await conn.fetch(_RECORDED, [event.event_id for _, event in owed])
    known = {r["event_id"] for r in recorded}
    appended = 0
    for complaint_id, event in owed:
        if event.event_id in known:
            continue
        result = await platform.store.append(deadlines_stream(complaint_id), STREAM_TYPE, None, [event])
        appended += 0 if result.replayed else 1
    return appended


_RECORDED = "SELECT event_id FROM events WHERE event_id = ANY($1::uuid[])"


async def watch(platform: Platform) -> None:
    """Sweep every DEADLINE_WATCH_SECONDS until cancelled."""
    while True:
        try:
            appended = await sweep(platform, business_date(platform.clock.now()))
            if appended:
                log.info("deadlines.missed", appended=appended)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be away: the next sweep catches up
            log.warning("deadlines.sweep_failed", error=repr(exc))
        await asyncio.sleep(platform.settings.deadline_watch_seconds)
