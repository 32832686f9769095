"""Escalation command handlers: load -> fold -> decide -> append, on the complaint stream with the shared decider.

The route checked the role and the scope and loaded the stream; the rules are the decider's.
"""

from __future__ import annotations

from services.escalation.api.schemas import DgClearanceIn, DgFlagIn, EscalationIn
from shared.auth import Role
from shared.clock import business_date
from shared.commands import Loaded, Outcome
from shared.complaints.commands import ClearFromDgCaselist, EscalateComplaint, FlagOnDgCaselist
from shared.complaints.decider import ComplaintState
from shared.complaints.profile import complaint_profile
from shared.complaints.streams import decide_on_complaint
from shared.decider import Command
from shared.http.deps import CommandContext
from shared.http.platform import Platform
from shared.profiles import default_profiles

WORKING_ROLES = (Role.CASEWORKER, Role.COMPLAINTS_LEAD, Role.SENIOR_MANAGER)
"""Who works and answers a complaint, as in intake: they also escalate it and keep the caselist current."""


async def _decide(
    platform: Platform, complaint_id: str, command: Command, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    """The principal's organisation's work: refused to a provider once the complaint was redirected away (R3)."""
    return await decide_on_complaint(platform.store, complaint_id, command, ctx, if_match, acting=True)


async def escalate(
    platform: Platform,
    complaint_id: str,
    loaded: Loaded[ComplaintState],
    body: EscalationIn,
    ctx: CommandContext,
    if_match: int | None,
) -> Outcome[ComplaintState]:
    # A complaint that recorded its profile carries its last stage; an older one gets it looked up here (R20).
    unrecorded = (
        None if loaded.state.final_stage is not None else complaint_profile(loaded.recorded, default_profiles())
    )
    command = EscalateComplaint(
        escalated_on=body.escalated_on,
        element_ids=body.element_tuple(),
        acting_organisation_id=ctx.principal.organisation_id,
        acting_organisation_kind=ctx.principal.organisation_kind.value,
        unrecorded_final_stage=unrecorded.final_stage if unrecorded is not None else None,
        today=business_date(ctx.now),
    )
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def flag_on_dg_caselist(
    platform: Platform, complaint_id: str, body: DgFlagIn, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    command = FlagOnDgCaselist(reason=body.reason, flagged_on=body.flagged_on, today=business_date(ctx.now))
    return await _decide(platform, complaint_id, command, ctx, if_match)


async def clear_from_dg_caselist(
    platform: Platform, complaint_id: str, body: DgClearanceIn, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    command = ClearFromDgCaselist(cleared_on=body.cleared_on, today=business_date(ctx.now))
    return await _decide(platform, complaint_id, command, ctx, if_match)
