"""The Director General caselist (R26; 003): "If a complaint is held on the Director General Caselist (e.g.,
high profile or parliamentary contact) ensure the caselist is updated throughout the lifecycle of the
complaint."

A flag and its clearing are events. A complaint raised by an elected member is flagged at registration
(parliamentary contact, `decider`). One flag at a time: to change the reason, clear it and flag again.
A flag may be set on a finally answered complaint (the parliamentary contact may come later) and
cleared at any point of the lifecycle, withdrawal included, so the caselist never keeps a stale entry.
"""

from __future__ import annotations

from shared.complaints.checks import business_day_between, open_for_work, refuse_if, registered
from shared.complaints.commands import ClearFromDgCaselist, FlagOnDgCaselist
from shared.complaints.events import ComplaintClearedFromDgCaselist, ComplaintFlaggedOnDgCaselist
from shared.complaints.state import ComplaintState
from shared.decider import DomainEvent
from shared.errors import FieldError, RuleViolation

GUIDANCE = "003"


def _id(state: ComplaintState) -> str:
    assert state.complaint_id is not None
    return state.complaint_id


def flag(command: FlagOnDgCaselist, state: ComplaintState) -> list[DomainEvent]:
    open_for_work(state)
    if state.dg_caselist is not None:
        assert state.dg_flagged_on is not None
        raise RuleViolation(
            detail=f"the complaint is already on the Director General caselist ({state.dg_caselist.value}, since "
            f"{state.dg_flagged_on.isoformat()}): clear it first to change the reason",
            requirement="R26",
            guidance=GUIDANCE,
        )
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "flagged_on",
        command.flagged_on,
        requirement="R26",
        not_before=state.received_on,
        not_before_what="the date received",
        today=command.today,
    )
    refuse_if(errors, "R26", GUIDANCE)
    return [ComplaintFlaggedOnDgCaselist(complaint_id=_id(state), reason=command.reason, flagged_on=command.flagged_on)]


def clear(command: ClearFromDgCaselist, state: ComplaintState) -> list[DomainEvent]:
    registered(state)
    if state.dg_caselist is None:
        raise RuleViolation(
            detail="the complaint is not on the Director General caselist", requirement="R26", guidance=GUIDANCE
        )
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "cleared_on",
        command.cleared_on,
        requirement="R26",
        not_before=state.dg_flagged_on,
        not_before_what="the day it was flagged",
        today=command.today,
    )
    refuse_if(errors, "R26", GUIDANCE)
    return [ComplaintClearedFromDgCaselist(complaint_id=_id(state), cleared_on=command.cleared_on)]
