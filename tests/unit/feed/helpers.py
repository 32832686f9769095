"""Recorded events for the feed's unit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.eventstore.model import Actor, EventMetadata, LogPosition, RecordedEvent

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CASEWORKER = Actor("user-1", "provider-alpha", "provider", "caseworker")


def recorded(
    event_type: str,
    data: dict[str, Any] | None = None,
    *,
    stream_id: str = "complaint-c1",
    stream_type: str = "complaint",
    position: LogPosition = LogPosition(10, 1),
    schema_version: int = 1,
    actor: Actor = CASEWORKER,
) -> RecordedEvent:
    return RecordedEvent(
        event_id=uuid.uuid4(),
        stream_id=stream_id,
        stream_type=stream_type,
        version=1,
        type=event_type,
        schema_version=schema_version,
        data=data or {},
        metadata=EventMetadata(actor=actor, correlation_id="corr-1", business_date="2026-11-23"),
        recorded_at=AT,
        position=position,
    )
