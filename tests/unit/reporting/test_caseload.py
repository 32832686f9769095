"""The open caseload's rule, pure (services/reporting/domain/caseload.py): where a complaint stands on a day.

Worked by hand; England, the default provider profile (acknowledge within 2 working days, stage 1 within 15),
due soon = within 2 working days, no bank holidays between 2026-06-01 and 2026-08-31 but 2026-08-31 itself.
"""

from __future__ import annotations

from datetime import date

from services.reporting.domain.caseload import IceCase, Standing, most_urgent, standing
from shared.complaints.deadlines import Policy
from shared.complaints.timeline import complaint_timeline
from shared.decider import DomainEvent, fold
from shared.ice.deadlines import IceStandards
from shared.ice.decider import ICE_DECIDER
from shared.ice.state import IceCaseState
from shared.profiles import default_profiles
from tests.unit.reporting.journeys import (
    InMemoryLog,
    accepted,
    phso_accepted,
    phso_referral,
    phso_report,
    referral,
    registered,
    response,
)

POLICY = Policy()
STANDARDS = IceStandards()


def at(events: list[DomainEvent], ice: list[DomainEvent], on: str) -> Standing | None:
    found = complaint_timeline(InMemoryLog().add(events), default_profiles())
    assert found is not None
    case = IceCase(fold(ICE_DECIDER, ice)) if ice else None
    profile = default_profiles().get(found.profile_ref)
    return standing(found, profile, case, date.fromisoformat(on), POLICY, STANDARDS)


def test_a_complaint_moves_from_on_time_to_due_soon_to_overdue_then_closes() -> None:
    # Received Mon 06-01; acknowledgement due Wed 06-03; stage 1 due 15 working days on: Mon 06-22.
    events: list[DomainEvent] = [registered("c1", "p", "2026-06-01"), response("c1", 1, "2026-06-24", final=True)]
    assert at(events, [], "2026-05-31") is None
    assert at(events, [], "2026-06-01") == Standing("1", "due_soon")  # the acknowledgement, two working days off
    assert at(events, [], "2026-06-04") == Standing("1", "overdue")  # never acknowledged
    assert at(events, [], "2026-06-24") is None  # the final response


def test_with_ice_then_with_the_ombudsman_then_done() -> None:
    complaint: list[DomainEvent] = [
        registered("c2", "p", "2026-01-05"),
        response("c2", 1, "2026-03-02", final=True),
    ]
    # Accepted 06-02: ICE's resolution standard (8 weeks) due 07-28. The ombudsman accepts 08-10, reports 08-20.
    ice: list[DomainEvent] = [
        referral("c2", "p", "2026-06-01"),
        accepted("c2", "2026-06-02"),
        phso_referral("c2", "2026-08-05"),
        phso_accepted("c2", "2026-08-10", ice_exhausted=False),
        phso_report("c2", "2026-08-20", upheld=False, redress={}),
    ]
    assert at(complaint, ice, "2026-05-31") is None  # answered, not yet referred
    assert at(complaint, ice, "2026-06-01") == Standing("ice", "none")  # referred: nothing runs until acceptance
    assert at(complaint, ice, "2026-06-15") == Standing("ice", "on_time")
    assert at(complaint, ice, "2026-07-29") == Standing("ice", "overdue")
    assert at(complaint, ice, "2026-08-10") == Standing("phso", "overdue")  # ICE's standard still unmet
    assert at(complaint, ice, "2026-08-20") == Standing("ice", "overdue")  # the ombudsman reported; ICE still open


def test_a_declined_referral_is_not_open() -> None:
    complaint: list[DomainEvent] = [registered("c3", "p", "2026-01-05"), response("c3", 1, "2026-03-02", final=True)]
    case = IceCase(fold(ICE_DECIDER, [referral("c3", "p", "2026-05-01")]), declined_on=date(2026, 5, 5))
    found = complaint_timeline(InMemoryLog().add(complaint), default_profiles())
    assert found is not None
    profile = default_profiles().get(found.profile_ref)
    assert standing(found, profile, case, date(2026, 5, 4), POLICY, STANDARDS) == Standing("ice", "none")
    assert standing(found, profile, case, date(2026, 5, 5), POLICY, STANDARDS) is None


def test_no_deadline_is_none() -> None:
    assert most_urgent([]) == "none"
    assert IceCase(IceCaseState()).state.exists is False
