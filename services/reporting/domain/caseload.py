"""Where an open complaint stands on a given day, for the open caseload (R50, R21). Pure.

A complaint is open on `as_of` when it had been received by then, was not withdrawn by then and had no final
response by then; or when its ICE case was open then (referred, not declined, not closed: stage "ice"); or when
the ombudsman had accepted it and not yet reported (stage "phso"). Its deadline status is that of its most
urgent unmet deadline on `as_of` (the earliest due of those on time, due soon or overdue), by the shared rules;
at ICE or with the ombudsman, of the ICE case's deadlines (both sides), since the complaint's own process is
then over. No unmet deadline: "none".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from shared.complaints.deadlines import Deadline, DeadlineStatus, Policy, deadlines, with_ice_case
from shared.complaints.timeline import ComplaintTimeline
from shared.ice.deadlines import IceStandards
from shared.ice.state import IceCaseState
from shared.profiles import Profile

ICE = "ice"
PHSO = "phso"
NONE = "none"
UNMET = (DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON, DeadlineStatus.ON_TIME)
STATUSES = (DeadlineStatus.OVERDUE.value, DeadlineStatus.DUE_SOON.value, DeadlineStatus.ON_TIME.value, NONE)
"""The deadline-status columns, most urgent first."""


@dataclass(frozen=True)
class IceCase:
    """An ICE case as folded by the shared ICE decider, with the one date its state does not keep."""

    state: IceCaseState
    declined_on: date | None = None


@dataclass(frozen=True)
class Standing:
    stage: str
    """The stage number, or "ice" or "phso"."""
    status: str
    """overdue, due_soon, on_time or none."""


def _before(on: date | None, as_of: date) -> bool:
    return on is not None and on <= as_of


def ice_stage(case: IceCase | None, as_of: date) -> str | None:
    """ "phso" while the ombudsman examines it, "ice" while its ICE case is open, on `as_of`; else None."""
    if case is None or not case.state.exists:
        return None
    phso = case.state.phso
    if phso is not None and _before(phso.accepted_on, as_of) and not _before(phso.report_issued_on, as_of):
        return PHSO
    s = case.state
    if _before(s.referred_on, as_of) and not _before(s.closed_on, as_of) and not _before(case.declined_on, as_of):
        return ICE
    return None


def most_urgent(found: Sequence[Deadline]) -> str:
    unmet = [d for d in found if d.status in UNMET]
    return min(unmet, key=lambda d: d.due_on).status.value if unmet else NONE


def standing(
    found: ComplaintTimeline,
    profile: Profile,
    case: IceCase | None,
    as_of: date,
    policy: Policy,
    standards: IceStandards,
) -> Standing | None:
    """The complaint's stage and deadline status on `as_of`, or None when it was not open then."""
    t = found.timeline
    if t.received_on > as_of:
        return None
    at_ice = ice_stage(case, as_of)
    if at_ice is not None and case is not None:
        theirs = with_ice_case([], case.state, as_of, t.nation, policy, standards)
        return Standing(at_ice, most_urgent(theirs))
    if _before(t.withdrawn_on, as_of) or _before(t.final_response_on, as_of):
        return None
    started = [s.number for s in t.stages if s.started_on <= as_of]
    return Standing(str(started[-1] if started else 1), most_urgent(deadlines(t, profile, as_of, policy)))
