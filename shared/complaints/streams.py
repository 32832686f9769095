"""The complaint stream's I/O: load it, or decide a command on it and append (intake and escalation)."""

from __future__ import annotations

from datetime import datetime

from shared.auth import Principal
from shared.commands import Loaded, Outcome, execute, load
from shared.complaints.decider import COMPLAINT_DECIDER, STREAM_TYPE, ComplaintState, complaint_stream, decide_as
from shared.complaints.events import COMPLAINT_CODEC
from shared.complaints.scope import may_see_complaint
from shared.db import ConnectionSource
from shared.decider import Command
from shared.eventstore.base import EventStore
from shared.http.deps import CommandContext


async def load_complaint(
    store: EventStore, complaint_id: str, recorded_until: datetime | None = None
) -> Loaded[ComplaintState]:
    return await load(store, complaint_stream(complaint_id), COMPLAINT_DECIDER, COMPLAINT_CODEC, recorded_until)


async def load_visible_complaint(
    store: EventStore,
    db: ConnectionSource,
    principal: Principal,
    complaint_id: str,
    recorded_until: datetime | None = None,
) -> Loaded[ComplaintState] | None:
    """The complaint's stream (as it stood at `recorded_until`) if `principal` may see it; None when it is absent or
    outside the caller's scope, which the caller answers alike (R61). A complaint marked as about staff later is
    restricted in its past too (R10). The one load-and-check behind every read of a single complaint."""
    loaded = await load_complaint(store, complaint_id, recorded_until)
    state = loaded.state
    if not state.registered:
        return None
    restricted = state.staff_complaint
    if recorded_until is not None and not restricted:
        restricted = (await load_complaint(store, complaint_id)).state.staff_complaint
    visible = await may_see_complaint(
        store,
        db,
        principal,
        complaint_id,
        provider_organisation_id=state.provider_organisation_id,
        logged_by_organisation_id=state.logged_by_organisation_id,
        programme=state.programme.value if state.programme else None,
        restricted=restricted,
        routed_to=state.redirected_to_organisation_id,
    )
    return loaded if visible else None


async def decide_on_complaint(
    store: EventStore,
    complaint_id: str,
    command: Command,
    ctx: CommandContext,
    if_match: int | None = None,
    *,
    acting: bool = False,
    new_stream: bool = False,
) -> Outcome[ComplaintState]:
    """`acting`: the command is the principal's organisation's work, refused once the complaint was redirected
    away from it (R3)."""
    decider = COMPLAINT_DECIDER
    if acting:
        principal = ctx.principal
        decider = decide_as(principal.organisation_id, principal.organisation_kind.value)
    return await execute(
        store,
        stream_id=complaint_stream(complaint_id),
        stream_type=STREAM_TYPE,
        decider=decider,
        codec=COMPLAINT_CODEC,
        command=command,
        ctx=ctx,
        if_match=if_match,
        new_stream=new_stream,
    )
