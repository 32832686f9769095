"""An ICE case folded from a read model's own copy of its events.

Reporting (the open caseload) and escalation (worklists, the deadline watcher) keep each ICE case's events
as rows `(version, type, schema_version, data)` and fold them with the shared ICE decider when asked, so a
rule change needs no rebuild and both read models agree with the ICE gateway's own view of the case.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from shared.decider import fold
from shared.eventstore.model import START, EventMetadata, RecordedEvent
from shared.ice.decider import ICE_DECIDER, STREAM_TYPE, ice_stream
from shared.ice.events import ICE_CODEC
from shared.ice.state import IceCaseState

CopiedEvent = Sequence[Any]
"""(version, type, schema_version, data): what a read model keeps of each of a case's events."""

_NO_METADATA = EventMetadata.from_dict({})
_NO_TIME = datetime.min.replace(tzinfo=UTC)


def copied_events(case_id: str, rows: Iterable[CopiedEvent]) -> list[RecordedEvent]:
    """The copies as recorded events, in the order given (by version), for the ICE codec to decode."""
    return [
        RecordedEvent(
            event_id=uuid.UUID(int=0),
            stream_id=ice_stream(case_id),
            stream_type=STREAM_TYPE,
            version=version,
            type=type_,
            schema_version=schema_version,
            data=data,
            metadata=_NO_METADATA,
            recorded_at=_NO_TIME,
            position=START,
        )
        for version, type_, schema_version, data in rows
    ]


def fold_copies(recorded: Iterable[RecordedEvent]) -> IceCaseState:
    state: IceCaseState = fold(ICE_DECIDER, (ICE_CODEC.decode(r) for r in recorded))
    return state
