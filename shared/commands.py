"""The one write path: load the stream, fold, decide, append with the expected version."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from shared.auth import Role
from shared.decider import Decider, DomainEvent, EventCodec, encode, fold
from shared.errors import ConcurrencyError, Conflict, PreconditionFailed
from shared.eventstore.base import EventStore
from shared.eventstore.model import AppendResult, NewEvent, RecordedEvent
from shared.http.deps import CommandContext

S = TypeVar("S")

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome(Generic[S]):
    state: S
    version: int
    new_events: list[DomainEvent]
    result: AppendResult | None
    recorded: list[RecordedEvent] = field(default_factory=list)
    """The whole stream after the command, as a read would give it now (so a handler need not read it again)."""


@dataclass(frozen=True)
class Loaded(Generic[S]):
    state: S
    version: int
    recorded: list[RecordedEvent]


async def load(
    store: EventStore,
    stream_id: str,
    decider: Decider[Any, Any, S],
    codec: EventCodec,
    recorded_until: datetime | None = None,
) -> Loaded[S]:
    recorded = await store.read_stream(stream_id, recorded_until=recorded_until)
    state = fold(decider, (codec.decode(r) for r in recorded))
    return Loaded(state, recorded[-1].version if recorded else 0, recorded)


async def execute(
    store: EventStore,
    *,
    stream_id: str,
    stream_type: str,
    decider: Decider[Any, Any, S],
    codec: EventCodec,
    command: Any,
    ctx: CommandContext,
    if_match: int | None = None,
    role: Role | None = None,
    decide: Callable[[Any, S], Sequence[DomainEvent]] | None = None,
    new_stream: bool = False,
) -> Outcome[S]:
    """Decide against the current state and append; on a lost race decide again (up to 3 times).

    With `If-Match` the client's version is the expected version: a change in between is a 412,
    never silently decided again on state the client has not seen. `new_stream`: the stream id was
    just made for this request, so it is decided on the initial state without reading it (a stream that
    exists after all refuses the append at version 0: a retry of the same request, or a lost race).
    """
    decide_fn = decide or decider.decide
    for attempt in range(MAX_ATTEMPTS):
        if new_stream and attempt == 0:
            loaded: Loaded[S] = Loaded(decider.initial_state, 0, [])
        else:
            loaded = await load(store, stream_id, decider, codec)
        if (earlier := _appended_by_this_request(loaded, stream_id, ctx)) is not None:
            return earlier
        if if_match is not None and if_match != loaded.version:
            raise _stale(loaded.version)
        new = list(decide_fn(command, loaded.state))
        if not new:
            return Outcome(loaded.state, loaded.version, [], None, loaded.recorded)
        metadata = ctx.metadata(role)
        batch = [
            NewEvent(
                type=e.event_type,
                schema_version=e.schema_version,
                data=encode(e),
                metadata=metadata,
                event_id=ctx.event_id(stream_id, i),
            )
            for i, e in enumerate(new)
        ]
        try:
            result = await store.append(stream_id, stream_type, loaded.version, batch)
        except ConcurrencyError as exc:
            if if_match is not None:
                raise _stale(exc.current_version) from exc
            continue
        if result.replayed:
            # A re-run of a keyed request whose first run appended: answer from the stream as it is.
            again = await load(store, stream_id, decider, codec)
            return Outcome(again.state, again.version, [], result, again.recorded)
        state = fold(decider, new, loaded.state)
        return Outcome(state, result.last_version, new, result, [*loaded.recorded, *result.recorded])
    raise Conflict(detail="too many concurrent changes to this stream; retry", requirement="R63")


def _appended_by_this_request(loaded: Loaded[S], stream_id: str, ctx: CommandContext) -> Outcome[S] | None:
    """A keyed request whose first run appended (then died, or lost its stored response) is answered
    from the stream as it is, instead of being decided again on state that already includes it."""
    if ctx.idempotency is None:
        return None
    first = ctx.event_id(stream_id, 0)
    mine = [r for r in loaded.recorded if r.event_id == first]
    if not mine:
        return None
    done = AppendResult(stream_id, mine[0].version, mine[0].version, mine[0].position, replayed=True)
    return Outcome(loaded.state, loaded.version, [], done, loaded.recorded)


def _stale(current: int) -> PreconditionFailed:
    return PreconditionFailed(
        detail=f'If-Match does not match: the current version is "{current}"; read it again',
        requirement="R63",
        extra={"current_version": current},
    )
