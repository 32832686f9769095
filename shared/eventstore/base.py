"""The narrow event-store interface every implementation honours (ARCHITECTURE.md §3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from shared.eventstore.model import AppendResult, LogPosition, NewEvent, RecordedEvent


class EventStore(Protocol):
    async def append(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: int | None,
        events: Sequence[NewEvent],
    ) -> AppendResult:
        """Append to one stream in one transaction.

        `expected_version` is the version the writer last saw (0: the stream must not exist);
        `None` appends at whatever the end is. A lost race raises `ConcurrencyError` carrying the
        current version. Re-sending the same event ids is a no-op returning the first result.
        """
        ...

    async def read_stream(
        self, stream_id: str, from_version: int = 1, recorded_until: datetime | None = None
    ) -> list[RecordedEvent]:
        """The stream's events in version order; `recorded_until` gives its history as of an instant."""
        ...

    async def stream_version(self, stream_id: str) -> int:
        """0 for a stream that does not exist."""
        ...

    async def read_all(self, after: LogPosition, limit: int) -> list[RecordedEvent]:
        """The next committed events of the global log after `after`, in global order.

        Never skips and never repeats a committed event, never returns an aborted one.
        """
        ...
