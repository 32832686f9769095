"""What an ICE case puts on worklists and before the deadline watcher (R21, R26, R31): pure, from the case's state.

While ICE examines the complaint every deadline the case runs is someone's work: the provider's answers to ICE's
requests (at most five working days, 000 14.25), evidence, draft-report comments and challenge responses, and
ICE's own replies and standards. Once the case is closed or declined only what the provider still owes remains
(payments of fee and redress fall due four weeks after the final report, 001 Annex 1 2.11.3).
"""

from __future__ import annotations

from datetime import date

from shared.complaints.deadlines import Deadline, Owner, Policy, with_ice_case
from shared.ice.deadlines import IceStandards, ice_deadlines
from shared.ice.state import IceCaseState
from shared.ice.vocabulary import CaseStatus
from shared.vocabulary import Nation


def case_finished(state: IceCaseState) -> bool:
    return state.status in (CaseStatus.DECLINED, CaseStatus.CLOSED)


def still_owed(state: IceCaseState) -> bool:
    """Whether the case can still put a deadline on someone's worklist (the read model's `open`)."""
    if not state.exists:
        return False
    if not case_finished(state):
        return True
    # Which deadlines the provider owes does not depend on ICE's configurable standards (those are ICE's own).
    return any(
        d.owner == "provider" and d.met_on is None and d.stopped_on is None
        for d in ice_deadlines(state, IceStandards())
    )


def ice_work(
    state: IceCaseState, today: date, nation: Nation, policy: Policy, standards: IceStandards
) -> list[Deadline]:
    """The case's deadlines on `today` that are someone's work, with their statuses."""
    finished = case_finished(state)
    return [
        d
        for d in with_ice_case([], state, today, nation, policy, standards)
        if d.owner is not Owner.COMPLAINANT and (not finished or d.owner is Owner.PROVIDER)
    ]
