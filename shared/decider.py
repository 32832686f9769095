"""The Decider pattern: pure functions at the centre of every stream type.

`decide(command, state) -> list[event]` refuses with a `ProblemError` naming the rule, or returns
the events; `evolve(state, event) -> state` folds them. Events are frozen pydantic models with a
stable stored type name and schema version; `EventCodec` maps them to and from stored events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from shared.eventstore.model import RecordedEvent


class DomainEvent(BaseModel):
    """A fact, past tense. `event_type` is stable forever; bump `schema_version` and upcast on change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


class Command(BaseModel):
    """An intention, imperative. The handler puts the time and the acting principal on it."""

    model_config = ConfigDict(frozen=True, extra="forbid")


E = TypeVar("E", bound=DomainEvent)
C = TypeVar("C", bound=Command)
S = TypeVar("S")


class EventCodec:
    """Stored type name -> event class, for one stream type's events."""

    def __init__(self, *classes: type[DomainEvent]) -> None:
        self._by_type: dict[str, type[DomainEvent]] = {}
        for cls in classes:
            if cls.event_type in self._by_type:
                raise ValueError(f"event type {cls.event_type} registered twice")
            self._by_type[cls.event_type] = cls

    def decode(self, recorded: RecordedEvent) -> DomainEvent:
        cls = self._by_type.get(recorded.type)
        if cls is None:
            raise KeyError(f"unknown event type {recorded.type}")
        if recorded.schema_version != cls.schema_version:
            raise ValueError(
                f"{recorded.type}: stored v{recorded.schema_version}, code expects v{cls.schema_version}; "
                "register an upcaster"
            )
        return cls.model_validate(recorded.data)

    def knows(self, event_type: str) -> bool:
        return event_type in self._by_type

    @property
    def types(self) -> list[str]:
        return sorted(self._by_type)


def encode(event: DomainEvent) -> dict[str, Any]:
    return event.model_dump(mode="json")


@dataclass(frozen=True)
class Decider(Generic[C, E, S]):
    initial_state: S
    decide: Callable[[C, S], list[E]]
    evolve: Callable[[S, E], S]
    is_terminal: Callable[[S], bool] = lambda _state: False


def fold(decider: Decider[Any, E, S], events: Iterable[E], state: S | None = None) -> S:
    current = decider.initial_state if state is None else state
    for event in events:
        current = decider.evolve(current, event)
    return current


def decode_all(codec: EventCodec, recorded: Sequence[RecordedEvent]) -> list[DomainEvent]:
    return [codec.decode(r) for r in recorded]
