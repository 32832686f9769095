"""The event store: an append-only log of complaint events in PostgreSQL."""

from shared.eventstore.base import EventStore
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.model import (
    START,
    Actor,
    AppendResult,
    EventMetadata,
    LogPosition,
    NewEvent,
    RecordedEvent,
    UpcasterRegistry,
)
from shared.eventstore.postgres import PostgresEventStore

__all__ = [
    "START",
    "Actor",
    "AppendResult",
    "EventMetadata",
    "EventStore",
    "InMemoryEventStore",
    "LogPosition",
    "NewEvent",
    "PostgresEventStore",
    "RecordedEvent",
    "UpcasterRegistry",
]
