"""A complaint's events folded into the timeline the deadline rules read (R21).

`evolve_timeline` is the one place that knows which complaint events move which dates; the
deadlines endpoint folds a stream with it, and the timelines projection applies it per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from services.escalation.domain.deadlines import Owner, StageTimeline, Timeline
from shared.clock import business_date
from shared.complaints.events import (
    ComplaintAcknowledged,
    ComplaintMarkedAsStaffComplaint,
    ComplaintRedirected,
    ComplaintRegistered,
    ComplaintWithdrawn,
    ResponseIssued,
)
from shared.complaints.vocabulary import ComplaintAbout
from shared.eventstore.model import RecordedEvent
from shared.profiles import Profiles
from shared.vocabulary import Nation


@dataclass(frozen=True)
class ComplaintTimeline:
    complaint_id: str
    provider_organisation_id: str | None
    logged_by_organisation_id: str
    profile_ref: str
    timeline: Timeline
    owner: Owner
    programme: str = ""
    restricted: bool = False
    """A complaint about a member of staff: only principals cleared for them see it (R10)."""
    routed_to_organisation_id: str | None = None
    """The Jobcentre a provider redirected it to, which owns it from then on (R3)."""


def evolve_timeline(
    current: ComplaintTimeline | None, event: RecordedEvent, profiles: Profiles
) -> ComplaintTimeline | None:
    if event.type == ComplaintRegistered.event_type:
        registered = ComplaintRegistered.model_validate(event.data)
        # The profile in effect on the day the complaint was registered (R20).
        profile = profiles.select(
            registered.programme.value, registered.provider_organisation_id, business_date(event.recorded_at)
        )
        return ComplaintTimeline(
            complaint_id=registered.complaint_id,
            provider_organisation_id=registered.provider_organisation_id,
            logged_by_organisation_id=registered.logged_by_organisation_id,
            profile_ref=profile.ref,
            timeline=Timeline(
                received_on=registered.received_on,
                nation=registered.nation,
                stages=(StageTimeline(1, registered.received_on),),
            ),
            # The Jobcentre leads a mixed complaint (000 14.03, R25).
            owner=Owner.PROVIDER if registered.about is ComplaintAbout.PROVIDER else Owner.JOBCENTRE,
            programme=registered.programme.value,
            restricted=registered.staff_complaint is not None,
        )
    if current is None:
        return None
    t = current.timeline
    match event.type:
        case ComplaintAcknowledged.event_type:
            acknowledged = ComplaintAcknowledged.model_validate(event.data)
            return replace(current, timeline=replace(t, acknowledged_on=acknowledged.acknowledged_on))
        case ResponseIssued.event_type:
            return replace(current, timeline=_responded(t, ResponseIssued.model_validate(event.data)))
        case ComplaintWithdrawn.event_type:
            withdrawn = ComplaintWithdrawn.model_validate(event.data)
            return replace(current, timeline=replace(t, withdrawn_on=withdrawn.withdrawn_on))
        case ComplaintMarkedAsStaffComplaint.event_type:
            return replace(current, restricted=True)
        case ComplaintRedirected.event_type:
            redirected = ComplaintRedirected.model_validate(event.data)
            return replace(current, routed_to_organisation_id=redirected.to_organisation_id, owner=Owner.JOBCENTRE)
    return current


def _responded(t: Timeline, issued: ResponseIssued) -> Timeline:
    if all(s.number != issued.stage for s in t.stages):
        # Answered at a stage the timeline had not opened: it began when the previous stage was answered.
        previous = t.stages[-1].responded_on if t.stages else None
        t = replace(t, stages=(*t.stages, StageTimeline(issued.stage, previous or issued.issued_on)))
    stages = tuple(
        replace(s, responded_on=issued.issued_on) if s.number == issued.stage and s.responded_on is None else s
        for s in t.stages
    )
    final_on = issued.issued_on if issued.final else t.final_response_on
    return replace(t, stages=stages, final_response_on=final_on)


def complaint_timeline(recorded: Sequence[RecordedEvent], profiles: Profiles) -> ComplaintTimeline | None:
    """None for a stream with no registration."""
    result: ComplaintTimeline | None = None
    for event in recorded:
        result = evolve_timeline(result, event, profiles)
    return result


def to_json(found: ComplaintTimeline) -> dict[str, Any]:
    raw: dict[str, Any] = _jsonable(asdict(found))
    return raw


def from_json(raw: dict[str, Any]) -> ComplaintTimeline:
    t = raw["timeline"]
    timeline = Timeline(
        received_on=date.fromisoformat(t["received_on"]),
        nation=Nation(t["nation"]),
        acknowledged_on=_date(t["acknowledged_on"]),
        stages=tuple(
            StageTimeline(s["number"], date.fromisoformat(s["started_on"]), _date(s["responded_on"]))
            for s in t["stages"]
        ),
        final_response_on=_date(t["final_response_on"]),
        contribution_requested_on=_date(t["contribution_requested_on"]),
        contribution_received_on=_date(t["contribution_received_on"]),
        referred_to_ice_on=_date(t["referred_to_ice_on"]),
        withdrawn_on=_date(t["withdrawn_on"]),
    )
    return ComplaintTimeline(
        complaint_id=raw["complaint_id"],
        provider_organisation_id=raw["provider_organisation_id"],
        logged_by_organisation_id=raw["logged_by_organisation_id"],
        profile_ref=raw["profile_ref"],
        timeline=timeline,
        owner=Owner(raw["owner"]),
        programme=raw.get("programme", ""),
        restricted=raw.get("restricted", False),
        routed_to_organisation_id=raw.get("routed_to_organisation_id"),
    )


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
