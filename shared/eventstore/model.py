"""The shapes the event store speaks in: new events, recorded events, positions in the global log."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True, order=True)
class LogPosition:
    """A place in the global log: (committing transaction id, insert position).

    Ordering by transaction id first is what lets a reader never skip an event that commits
    late: every transaction below the oldest still-running one has finished, so nothing new can
    appear behind a position the reader has passed (ARCHITECTURE.md §4).
    """

    tx_id: int
    position: int

    def encode(self) -> str:
        return f"{self.tx_id}.{self.position}"

    @classmethod
    def decode(cls, text: str) -> LogPosition:
        # ASCII digits only (str.isdigit also accepts other scripts' digits and superscripts), and
        # within PostgreSQL's bigint, so a bad cursor is a ValueError here, not a database error.
        match = _ENCODED.fullmatch(text)
        if match is None:
            raise ValueError(f"not a log position: {text!r}")
        position = cls(int(match["tx"]), int(match["pos"]))
        if max(position.tx_id, position.position) > _BIGINT_MAX:
            raise ValueError(f"log position out of range: {text!r}")
        return position


_ENCODED = re.compile(r"(?P<tx>[0-9]{1,19})\.(?P<pos>[0-9]{1,19})")
_BIGINT_MAX = 2**63 - 1


START = LogPosition(0, 0)


@dataclass(frozen=True)
class Actor:
    """Who caused an event: the verified principal (R60)."""

    user_id: str
    organisation_id: str
    organisation_kind: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {
            "user_id": self.user_id,
            "organisation_id": self.organisation_id,
            "organisation_kind": self.organisation_kind,
            "role": self.role,
        }


SYSTEM_ACTOR = Actor(user_id="system", organisation_id="system", organisation_kind="system", role="system")


@dataclass(frozen=True)
class EventMetadata:
    actor: Actor
    correlation_id: str
    causation_id: str | None = None
    idempotency_key: str | None = None
    business_date: str | None = None

    def as_dict(self) -> JSON:
        return {
            "actor": self.actor.as_dict(),
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "idempotency_key": self.idempotency_key,
            "business_date": self.business_date,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> EventMetadata:
        actor = raw.get("actor") or {}
        return cls(
            actor=Actor(
                user_id=actor.get("user_id", ""),
                organisation_id=actor.get("organisation_id", ""),
                organisation_kind=actor.get("organisation_kind", ""),
                role=actor.get("role", ""),
            ),
            correlation_id=raw.get("correlation_id", ""),
            causation_id=raw.get("causation_id"),
            idempotency_key=raw.get("idempotency_key"),
            business_date=raw.get("business_date"),
        )


@dataclass(frozen=True)
class NewEvent:
    """An event about to be appended. Its id makes an exact retry of the append a no-op."""

    type: str
    data: JSON
    metadata: EventMetadata
    schema_version: int = 1
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class RecordedEvent:
    event_id: uuid.UUID
    stream_id: str
    stream_type: str
    version: int
    type: str
    schema_version: int
    data: JSON
    metadata: EventMetadata
    recorded_at: datetime
    position: LogPosition

    @property
    def type_name(self) -> str:
        """The stable stored type with its schema version, e.g. `complaint.registered.v1`."""
        return f"{self.type}.v{self.schema_version}"


@dataclass(frozen=True)
class AppendResult:
    stream_id: str
    first_version: int
    last_version: int
    last_position: LogPosition
    replayed: bool = False
    """True when the append was an exact retry and nothing new was written."""
    recorded: tuple[RecordedEvent, ...] = ()
    """The events as this append recorded them (empty for a replay): what reading them back would give."""


Upcaster = Callable[[JSON], JSON]


class UpcasterRegistry:
    """Old schema versions are upcast on read, one version step at a time.

    `register("complaint.registered", 1, fn)` turns v1 data into v2 data. Stored rows are never
    rewritten: the log stays as it was written.
    """

    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, from_version: int, upcaster: Upcaster) -> None:
        key = (event_type, from_version)
        if key in self._steps:
            raise ValueError(f"upcaster for {event_type} v{from_version} already registered")
        self._steps[key] = upcaster

    def upcast(self, event: RecordedEvent) -> RecordedEvent:
        data, version = event.data, event.schema_version
        while (step := self._steps.get((event.type, version))) is not None:
            data, version = step(data), version + 1
        if version == event.schema_version:
            return event
        return replace(event, data=data, schema_version=version)
