"""A complaint's events folded into the timeline the deadline rules read (R21).

`evolve_timeline` is the one place that knows which complaint events move which dates; the
deadlines endpoint folds a stream with it, and the timelines projection applies it per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from shared.complaints.deadlines import Owner, StageTimeline, Timeline
from shared.complaints.events import (
    ComplaintAcknowledged,
    ComplaintClearedFromDgCaselist,
    ComplaintEscalated,
    ComplaintFlaggedOnDgCaselist,
    ComplaintMarkedAsStaffComplaint,
    ComplaintRedirected,
    ComplaintRegistered,
    ComplaintWithdrawn,
    ContributionRequested,
    ContributionSubmitted,
    ResponseIssued,
)
from shared.complaints.profile import registered_profile
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
    kept_by_jobcentre: tuple[str, ...] = ()
    """A mixed complaint's elements the Jobcentre deals with independently after the joint response (000 14.22)."""
    dg_caselist: str | None = None
    """Why it is held on the Director General caselist, while it is (R26; 003)."""
    dg_flagged_on: date | None = None

    @property
    def stage(self) -> int:
        return self.timeline.stages[-1].number if self.timeline.stages else 1


def _registered(event: RecordedEvent, profiles: Profiles) -> ComplaintTimeline:
    registered = ComplaintRegistered.model_validate(event.data)
    # The Jobcentre leads a mixed complaint (000 14.03, R25) and answers one about itself.
    owner = Owner.PROVIDER if registered.about is ComplaintAbout.PROVIDER else Owner.JOBCENTRE
    return ComplaintTimeline(
        complaint_id=registered.complaint_id,
        provider_organisation_id=registered.provider_organisation_id,
        logged_by_organisation_id=registered.logged_by_organisation_id,
        profile_ref=registered_profile(registered, event.recorded_at, profiles).ref,
        timeline=Timeline(
            received_on=registered.received_on,
            nation=registered.nation,
            stages=(StageTimeline(1, registered.received_on, owner=owner),),
        ),
        owner=owner,
        programme=registered.programme.value,
        restricted=registered.staff_complaint is not None,
    )


def evolve_timeline(
    current: ComplaintTimeline | None, event: RecordedEvent, profiles: Profiles
) -> ComplaintTimeline | None:
    if event.type == ComplaintRegistered.event_type:
        return _registered(event, profiles)
    if current is None:
        return None
    t = current.timeline
    match event.type:
        case ComplaintAcknowledged.event_type:
            acknowledged = ComplaintAcknowledged.model_validate(event.data)
            return replace(current, timeline=replace(t, acknowledged_on=acknowledged.acknowledged_on))
        case ResponseIssued.event_type:
            return replace(current, timeline=_responded(t, ResponseIssued.model_validate(event.data)))
        case ComplaintEscalated.event_type:
            return _escalated(current, ComplaintEscalated.model_validate(event.data))
        case ContributionRequested.event_type:
            requested = ContributionRequested.model_validate(event.data)
            return replace(current, timeline=replace(t, contribution_requested_on=requested.requested_on))
        case ContributionSubmitted.event_type:
            submitted = ContributionSubmitted.model_validate(event.data)
            return replace(current, timeline=replace(t, contribution_received_on=submitted.submitted_on))
        case ComplaintWithdrawn.event_type:
            withdrawn = ComplaintWithdrawn.model_validate(event.data)
            return replace(current, timeline=replace(t, withdrawn_on=withdrawn.withdrawn_on))
        case ComplaintMarkedAsStaffComplaint.event_type:
            return replace(current, restricted=True)
        case ComplaintRedirected.event_type:
            redirected = ComplaintRedirected.model_validate(event.data)
            # The receiving Jobcentre answers every stage not yet answered (R3).
            stages = tuple(replace(s, owner=Owner.JOBCENTRE) if s.responded_on is None else s for s in t.stages)
            return replace(
                current,
                routed_to_organisation_id=redirected.to_organisation_id,
                owner=Owner.JOBCENTRE,
                timeline=replace(t, stages=stages),
            )
        case ComplaintFlaggedOnDgCaselist.event_type:
            flagged = ComplaintFlaggedOnDgCaselist.model_validate(event.data)
            return replace(current, dg_caselist=flagged.reason.value, dg_flagged_on=flagged.flagged_on)
        case ComplaintClearedFromDgCaselist.event_type:
            return replace(current, dg_caselist=None, dg_flagged_on=None)
    return current


def _escalated(current: ComplaintTimeline, escalated: ComplaintEscalated) -> ComplaintTimeline:
    """The next stage opens on the escalation date, with its own deadline and owner (R20, R25)."""
    owner = Owner(escalated.owned_by.value)
    stage = StageTimeline(escalated.to_stage, escalated.escalated_on, owner=owner, element_ids=escalated.element_ids)
    t = current.timeline
    return replace(
        current,
        owner=owner,
        timeline=replace(t, stages=(*t.stages, stage)),
        kept_by_jobcentre=(*current.kept_by_jobcentre, *escalated.kept_by_jobcentre),
    )


def _responded(t: Timeline, issued: ResponseIssued) -> Timeline:
    if all(s.number != issued.stage for s in t.stages):
        # Answered at a stage the timeline had not opened: it began when the previous stage was answered.
        previous = t.stages[-1] if t.stages else None
        started = previous.responded_on if previous and previous.responded_on else issued.issued_on
        owner = previous.owner if previous else Owner.PROVIDER
        t = replace(t, stages=(*t.stages, StageTimeline(issued.stage, started, owner=owner)))
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


def _stage(raw: dict[str, Any]) -> StageTimeline:
    return StageTimeline(
        raw["number"],
        date.fromisoformat(raw["started_on"]),
        _date(raw["responded_on"]),
        owner=Owner(raw.get("owner", Owner.PROVIDER.value)),
        element_ids=tuple(raw.get("element_ids", ())),
    )


def from_json(raw: dict[str, Any]) -> ComplaintTimeline:
    """Tolerates rows stored before a field existed: each newer field has its default."""
    t = raw["timeline"]
    timeline = Timeline(
        received_on=date.fromisoformat(t["received_on"]),
        nation=Nation(t["nation"]),
        acknowledged_on=_date(t["acknowledged_on"]),
        stages=tuple(_stage(s) for s in t["stages"]),
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
        kept_by_jobcentre=tuple(raw.get("kept_by_jobcentre", ())),
        dg_caselist=raw.get("dg_caselist"),
        dg_flagged_on=_date(raw.get("dg_flagged_on")),
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
