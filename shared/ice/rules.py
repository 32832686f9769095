"""Checks the ICE decider's rules share: refusals naming the field, the requirement and the guidance."""

from __future__ import annotations

from datetime import date

from shared.complaints.checks import refuse_if
from shared.errors import FieldError, NotFound, RuleViolation
from shared.ice.state import IceCaseState
from shared.ice.vocabulary import CaseStatus, IceStage

GATEWAY_GUIDANCE = "000 14.24; 002 8.10"


def referred(state: IceCaseState) -> IceCaseState:
    if not state.exists:
        raise NotFound(detail="no ICE case: the complaint has not been referred to ICE", requirement="R30")
    return state


def accepted(state: IceCaseState) -> IceCaseState:
    """Accepted by ICE and not declined: the case is ICE's to examine."""
    referred(state)
    if state.status is CaseStatus.REFERRED:
        raise RuleViolation(detail="ICE has not yet accepted the referral", requirement="R30")
    if state.status is CaseStatus.DECLINED:
        raise RuleViolation(detail="ICE declined the referral: nothing more is recorded on it", requirement="R30")
    return state


def open_case(state: IceCaseState) -> IceCaseState:
    accepted(state)
    if state.status is CaseStatus.CLOSED:
        assert state.closed_on is not None
        assert state.closure is not None
        raise RuleViolation(
            detail=f"the ICE case closed on {state.closed_on.isoformat()} ({state.closure.value})", requirement="R30"
        )
    return state


def at_stage(state: IceCaseState, *stages: IceStage, requirement: str, guidance: str) -> IceCaseState:
    open_case(state)
    if state.stage not in stages:
        where = state.stage.value if state.stage else state.status.value if state.status else "referred"
        wanted = " or ".join(s.value for s in stages)
        raise RuleViolation(
            detail=f"the case is at {where}; this belongs to {wanted}", requirement=requirement, guidance=guidance
        )
    return state


def dated(
    errors: list[FieldError], field: str, day: date, *, today: date, not_before: date | None, what: str, rule: str
) -> None:
    if not_before is not None and day < not_before:
        errors.append(FieldError(field, rule, f"cannot precede {what} ({not_before.isoformat()})"))
    if day > today:
        errors.append(FieldError(field, rule, f"cannot be after today ({today.isoformat()})"))


def refuse_bad_date(
    field: str,
    day: date,
    *,
    today: date,
    not_before: date | None,
    what: str,
    rule: str,
    guidance: str | None = None,
) -> None:
    """A command whose only own check is one date: refused (422 naming it) unless it falls between `not_before`
    and today."""
    errors: list[FieldError] = []
    dated(errors, field, day, today=today, not_before=not_before, what=what, rule=rule)
    refuse_if(errors, rule, guidance)


def due_within(
    errors: list[FieldError], field: str, due_on: date | None, start: date, latest: date, *, rule: str, limit: str
) -> date:
    """A due date ICE states, never later than the latest the rule allows; the latest when none is stated."""
    if due_on is None:
        return latest
    if due_on < start:
        errors.append(FieldError(field, rule, f"cannot precede {start.isoformat()}"))
    if due_on > latest:
        errors.append(FieldError(field, rule, f"{limit}: at the latest {latest.isoformat()}"))
    return due_on


def unique(errors: list[FieldError], field: str, ids: list[str], what: str) -> None:
    if len(set(ids)) != len(ids):
        errors.append(FieldError(field, "unique", f"{what} ids must be unique"))
