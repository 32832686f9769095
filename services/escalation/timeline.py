"""A complaint's events folded into the timeline the deadline rules read (R21)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from services.escalation.domain.deadlines import Owner, StageTimeline, Timeline
from shared.clock import business_date
from shared.complaints.events import ComplaintAcknowledged, ComplaintRegistered
from shared.complaints.vocabulary import ComplaintAbout
from shared.eventstore.model import RecordedEvent
from shared.profiles import Profile, Profiles


@dataclass(frozen=True)
class ComplaintTimeline:
    complaint_id: str
    provider_organisation_id: str | None
    logged_by_organisation_id: str
    profile: Profile
    timeline: Timeline
    owner: Owner


def complaint_timeline(recorded: Sequence[RecordedEvent], profiles: Profiles) -> ComplaintTimeline | None:
    """None for a stream with no registration (nothing to project)."""
    result: ComplaintTimeline | None = None
    for event in recorded:
        if event.type == ComplaintRegistered.event_type:
            registered = ComplaintRegistered.model_validate(event.data)
            # The profile in effect on the day the complaint was registered (R20).
            profile = profiles.select(
                registered.programme.value, registered.provider_organisation_id, business_date(event.recorded_at)
            )
            timeline = Timeline(
                received_on=registered.received_on,
                nation=registered.nation,
                stages=(StageTimeline(1, registered.received_on),),
            )
            # The Jobcentre leads a mixed complaint (000 14.03, R25).
            owner = Owner.PROVIDER if registered.about is ComplaintAbout.PROVIDER else Owner.JOBCENTRE
            result = ComplaintTimeline(
                registered.complaint_id,
                registered.provider_organisation_id,
                registered.logged_by_organisation_id,
                profile,
                timeline,
                owner,
            )
        elif result is not None and event.type == ComplaintAcknowledged.event_type:
            acknowledged = ComplaintAcknowledged.model_validate(event.data)
            result = replace(result, timeline=replace(result.timeline, acknowledged_on=acknowledged.acknowledged_on))
    return result
