"""An in-memory event store: a unit-test double that passes the same contract suite as PostgreSQL."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from shared.clock import Clock, SystemClock
from shared.errors import ConcurrencyError, DuplicateEventIdError
from shared.eventstore.model import (
    AppendResult,
    LogPosition,
    NewEvent,
    RecordedEvent,
    UpcasterRegistry,
)


class InMemoryEventStore:
    def __init__(self, clock: Clock | None = None, upcasters: UpcasterRegistry | None = None) -> None:
        self._clock = clock or SystemClock()
        self._upcasters = upcasters or UpcasterRegistry()
        self._log: list[RecordedEvent] = []
        self._streams: dict[str, list[RecordedEvent]] = {}
        self._by_id: dict[object, RecordedEvent] = {}
        self._lock = asyncio.Lock()

    async def append(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: int | None,
        events: Sequence[NewEvent],
    ) -> AppendResult:
        if not events:
            raise ValueError("append needs at least one event")
        ids = [e.event_id for e in events]
        if len(set(ids)) != len(ids):
            raise DuplicateEventIdError(f"the same event id twice in one append: {ids}")
        # Stored as PostgreSQL stores it, as JSON: what it refuses is refused here, tuples come back
        # as lists, and the caller's dicts are not kept by reference.
        payloads = [json.loads(json.dumps(e.data)) for e in events]
        async with self._lock:
            stream = self._streams.setdefault(stream_id, [])
            known = [self._by_id[e.event_id] for e in events if e.event_id in self._by_id]
            if known:
                if len(known) != len(events) or any(k.stream_id != stream_id for k in known):
                    raise DuplicateEventIdError(f"event ids already used elsewhere: {[k.event_id for k in known]}")
                return AppendResult(stream_id, known[0].version, known[-1].version, known[-1].position, True)
            if expected_version is not None and expected_version != len(stream):
                raise ConcurrencyError(stream_id, expected_version, len(stream))
            recorded_at = self._clock.now()
            tx_id = len(self._log) + 1
            for new, data in zip(events, payloads, strict=True):
                event = RecordedEvent(
                    event_id=new.event_id,
                    stream_id=stream_id,
                    stream_type=stream_type,
                    version=len(stream) + 1,
                    type=new.type,
                    schema_version=new.schema_version,
                    data=data,
                    metadata=new.metadata,
                    recorded_at=recorded_at,
                    position=LogPosition(tx_id, len(self._log) + 1),
                )
                stream.append(event)
                self._log.append(event)
                self._by_id[new.event_id] = event
            appended = tuple(self._read(e) for e in stream[-len(events) :])
            return AppendResult(
                stream_id, stream[-len(events)].version, stream[-1].version, stream[-1].position, recorded=appended
            )

    async def read_stream(
        self, stream_id: str, from_version: int = 1, recorded_until: datetime | None = None
    ) -> list[RecordedEvent]:
        return [
            self._read(e)
            for e in self._streams.get(stream_id, [])
            if e.version >= from_version and (recorded_until is None or e.recorded_at <= recorded_until)
        ]

    async def stream_version(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, []))

    async def read_all(self, after: LogPosition, limit: int) -> list[RecordedEvent]:
        newer = (e for e in self._log if e.position > after)
        return [self._read(e) for _, e in zip(range(limit), newer, strict=False)]

    def _read(self, event: RecordedEvent) -> RecordedEvent:
        """A copy, as a database read is: neither the reader nor an upcaster can change the log."""
        return self._upcasters.upcast(replace(event, data=copy.deepcopy(event.data)))
