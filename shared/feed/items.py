"""One event as an outside system sees it: its facts, an organisation-safe actor, personal values masked.

The same shape is a feed item and (with `delivery_id` and `subscription_id`) a webhook delivery's body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.eventstore.model import Actor, RecordedEvent
from shared.feed.cursor import encode_cursor
from shared.personal_data import is_sealed
from shared.vocabulary import IsoDate

PERSONAL_MARKER = "[personal]"
"""What stands in for every personal value (R62): fetch it through the API, where access is controlled."""

JSON = dict[str, Any]


def mask_personal(value: Any) -> Any:
    """`value` with every sealed personal value replaced by `PERSONAL_MARKER`, at any depth."""
    if is_sealed(value):
        return PERSONAL_MARKER
    if isinstance(value, dict):
        return {key: mask_personal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_personal(item) for item in value]
    return value


def safe_actor(actor: Actor, viewer_organisation_id: str) -> JSON:
    """Who acted, as another organisation may know it: the user id only for the actor's own organisation."""
    return {
        "organisation_id": actor.organisation_id,
        "organisation_kind": actor.organisation_kind,
        "role": actor.role,
        "user_id": actor.user_id if actor.organisation_id == viewer_organisation_id else None,
    }


def feed_item(event: RecordedEvent, viewer_organisation_id: str) -> JSON:
    """The JSON form of `event` for a system of `viewer_organisation_id`."""
    return {
        "event_id": str(event.event_id),
        "type": event.type_name,
        "stream": event.stream_id,
        "stream_type": event.stream_type,
        "stream_version": event.version,
        "cursor": encode_cursor(event.position),
        "recorded_at": event.recorded_at.isoformat(),
        "business_date": event.metadata.business_date,
        "actor": safe_actor(event.metadata.actor, viewer_organisation_id),
        "correlation_id": event.metadata.correlation_id,
        "data": mask_personal(event.data),
    }


class FeedActor(BaseModel):
    organisation_id: str = Field(examples=["provider-alpha"])
    organisation_kind: str = Field(examples=["provider"])
    role: str = Field(description="The role the action relied on (R60)", examples=["caseworker"])
    user_id: str | None = Field(
        None, description="Only when the actor is of your own organisation; `null` otherwise", examples=["user-17"]
    )


EXAMPLE_ITEM: JSON = {
    "event_id": "4c1f7f0e-52a4-4f3b-9d0e-2b8f8a7d1c22",
    "type": "complaint.registered.v1",
    "stream": "complaint-0d5c8a52-3f1e-4b7a-9c2d-6e8f1a4b7c90",
    "stream_type": "complaint",
    "stream_version": 1,
    "cursor": "ZjE6NzQxMi44ODI",
    "recorded_at": "2026-11-23T10:02:11.402000Z",
    "business_date": "2026-11-23",
    "actor": {"organisation_id": "provider-alpha", "organisation_kind": "provider", "role": "caseworker"},
    "correlation_id": "9a3f0c4e-1b2d-4e5f-8a7b-6c5d4e3f2a1b",
    "data": {
        "complaint_id": "0d5c8a52-3f1e-4b7a-9c2d-6e8f1a4b7c90",
        "programme": "ipes",
        "provider_organisation_id": "provider-alpha",
        "complainant": {"kind": "participant", "name": PERSONAL_MARKER, "email": PERSONAL_MARKER},
    },
}


class FeedItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_ITEM]})

    event_id: UUID
    type: str = Field(description="The stable event type with its schema version", examples=["complaint.registered.v1"])
    stream: str = Field(description="`complaint-{id}` or `ice-{case id}`", examples=["complaint-0d5c8a52"])
    stream_type: str = Field(examples=["complaint"])
    stream_version: int = Field(description="The event's version within its stream", examples=[1])
    cursor: str = Field(description="Resume the feed just after this event with `after=` this value")
    recorded_at: datetime = Field(description="When the event was recorded (UTC)")
    business_date: IsoDate | None = Field(description="The business date in Europe/London (R60)")
    actor: FeedActor
    correlation_id: str
    data: JSON = Field(description=f"The event's data; every personal value is `{PERSONAL_MARKER}` (R62)")
