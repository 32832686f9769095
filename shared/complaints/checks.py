"""Checks the complaint decider's rules share: refusals that name the field, the rule and the guidance."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.complaints.state import ComplaintState
from shared.errors import FieldError, NotFound, RuleViolation, ValidationProblem

SCR_GUIDANCE = "004 62-71"


def refuse_if(errors: list[FieldError], requirement: str, guidance: str | None = None) -> None:
    """Raise one 422 naming every broken rule at once; the problem's requirement is the first error's."""
    if not errors:
        return
    rules = [e.rule for e in errors if e.rule.startswith("R")]
    raise ValidationProblem(
        detail="; ".join(f"{e.field}: {e.message}" for e in errors),
        requirement=rules[0] if rules else requirement,
        guidance=guidance,
        errors=errors,
    )


def registered(state: ComplaintState) -> ComplaintState:
    if not state.registered:
        raise NotFound(detail="no such complaint")
    return state


def open_for_work(state: ComplaintState) -> ComplaintState:
    """Registered and not withdrawn: a withdrawal closes the complaint to every later command (R5)."""
    registered(state)
    if state.withdrawn_on is not None:
        raise RuleViolation(
            detail=f"the complaint was withdrawn on {state.withdrawn_on.isoformat()}: nothing more is recorded on it",
            requirement="R5",
            guidance="001 Annex 2 3.3",
        )
    return state


def personal_text(
    errors: list[FieldError],
    state: ComplaintState,
    field: str,
    value: Any,
    *,
    requirement: str,
    required: bool = True,
    what: str = "this",
) -> None:
    """Free text about the person: refused outright for a Special Customer Record (R11), else required."""
    if state.special_customer_record:
        if value is not None:
            errors.append(
                FieldError(
                    field,
                    "R11",
                    "a Special Customer Record complaint holds no personal data: keep it on the clerical file",
                )
            )
    elif value is None and required:
        errors.append(FieldError(field, requirement, f"{what} is required"))


def business_day_between(
    errors: list[FieldError],
    field: str,
    day: date,
    *,
    requirement: str,
    not_before: date | None,
    not_before_what: str,
    today: date,
) -> None:
    """A business date on or after `not_before` and not after today."""
    if not_before is not None and day < not_before:
        errors.append(FieldError(field, requirement, f"cannot precede {not_before_what} ({not_before.isoformat()})"))
    if day > today:
        errors.append(FieldError(field, requirement, f"cannot be after today ({today.isoformat()})"))
