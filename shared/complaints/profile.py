"""Which process profile a complaint follows (R20): the one it recorded at registration.

Complaints registered before profiles were recorded on them fall back to the profile in effect on
their registration date, which is what they were given then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.clock import business_date
from shared.complaints.events import ComplaintRegistered
from shared.eventstore.model import RecordedEvent
from shared.profiles import Profile, Profiles


def registered_profile(registered: ComplaintRegistered, registered_at: datetime, profiles: Profiles) -> Profile:
    """`registered_at`: when the registration was recorded (its business date selects the fallback)."""
    if registered.process_profile is not None:
        return profiles.get(registered.process_profile)
    return profiles.select(
        registered.programme.value, registered.provider_organisation_id, business_date(registered_at)
    )


def complaint_profile(recorded: Sequence[RecordedEvent], profiles: Profiles) -> Profile:
    """The profile of a complaint's stream (it must hold the registration)."""
    first = next(r for r in recorded if r.type == ComplaintRegistered.event_type)
    return registered_profile(ComplaintRegistered.model_validate(first.data), first.recorded_at, profiles)
