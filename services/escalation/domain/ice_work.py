"""What an ICE case puts on a provider's worklist and before the deadline watcher (R21, R26, R31): pure, from the
case's state.

The provider's side of the case: its answers to ICE's requests (at most five working days, 000 14.25), evidence,
comments on each draft report, responses to the Adjudication Manager, agreed actions, and the payments of fee and
redress (four weeks from the final report, 001 Annex 1 2.11.3), which stay owed after the case has closed. ICE's
own replies and service standards are ICE's work: the deadlines view and the ICE gateway show them, and a
complaint's worklist does not.
"""

from __future__ import annotations

from datetime import date

from shared.complaints.deadlines import Deadline, Owner, Policy, with_ice_case
from shared.ice.deadlines import IceStandards, ice_deadlines
from shared.ice.state import IceCaseState
from shared.vocabulary import Nation


def still_owed(state: IceCaseState) -> bool:
    """Whether the provider owes anything on the case, met or not yet due (the read model's `open`). A case with
    nothing owed adds nothing to a worklist, however long it stays open at ICE."""
    # The provider's deadlines do not depend on ICE's configurable standards (those are ICE's own).
    return state.exists and any(
        d.owner == "provider" and d.met_on is None and d.stopped_on is None
        for d in ice_deadlines(state, IceStandards())
    )


def provider_work(
    state: IceCaseState, today: date, nation: Nation, policy: Policy, standards: IceStandards
) -> list[Deadline]:
    """The provider's deadlines on the case as of `today`, with their statuses."""
    return [d for d in with_ice_case([], state, today, nation, policy, standards) if d.owner is Owner.PROVIDER]
