"""The Director General caselist (R26; 003): flagged and cleared by events; an elected member's complaint is
flagged at registration."""

from __future__ import annotations

from datetime import date

import pytest

from shared.complaints.commands import ClearFromDgCaselist, FlagOnDgCaselist, WithdrawComplaint
from shared.complaints.decider import decide
from shared.complaints.events import (
    ComplaintClearedFromDgCaselist,
    ComplaintFlaggedOnDgCaselist,
    ComplaintRegistered,
)
from shared.complaints.state import ComplaintState
from shared.complaints.vocabulary import ComplainantKind, DgCaselistReason, RaisedVia
from shared.errors import NotFound, RuleViolation, ValidationProblem
from tests.unit.complaints.helpers import (
    COMPLAINT_ID,
    RECEIVED,
    TODAY,
    complainant,
    fields_of,
    given,
    history,
    refused,
    register,
    registered,
    respond,
    sealed,
    then,
)


def flag(reason: DgCaselistReason = DgCaselistReason.HIGH_PROFILE, flagged_on: date = TODAY) -> FlagOnDgCaselist:
    return FlagOnDgCaselist(reason=reason, flagged_on=flagged_on, today=TODAY)


def clear(cleared_on: date = TODAY) -> ClearFromDgCaselist:
    return ClearFromDgCaselist(cleared_on=cleared_on, today=TODAY)


@pytest.mark.parametrize("kind", [ComplainantKind.MP, ComplainantKind.MSP, ComplainantKind.MLA])
def test_an_elected_member_s_complaint_goes_on_the_caselist_at_registration(kind: ComplainantKind) -> None:
    registration, flagged = decide(register(complainant=complainant(kind)), ComplaintState())
    assert isinstance(registration, ComplaintRegistered)
    assert registration.raised_via is RaisedVia.ELECTED_MEMBER
    assert flagged == ComplaintFlaggedOnDgCaselist(
        complaint_id=COMPLAINT_ID, reason=DgCaselistReason.PARLIAMENTARY_CONTACT, flagged_on=TODAY
    )
    assert given(registration, flagged).dg_caselist is DgCaselistReason.PARLIAMENTARY_CONTACT


def test_a_complainant_s_own_complaint_is_not_flagged() -> None:
    (only,) = decide(register(), ComplaintState())
    assert isinstance(only, ComplaintRegistered)
    assert given(only).dg_caselist is None


def test_flagged_and_cleared_by_events() -> None:
    (flagged,) = then(given(registered()), flag())
    assert flagged == ComplaintFlaggedOnDgCaselist(
        complaint_id=COMPLAINT_ID, reason=DgCaselistReason.HIGH_PROFILE, flagged_on=TODAY
    )
    (cleared,) = then(given(registered(), flagged), clear())
    assert cleared == ComplaintClearedFromDgCaselist(complaint_id=COMPLAINT_ID, cleared_on=TODAY)
    state = given(registered(), flagged, cleared)
    assert (state.dg_caselist, state.dg_flagged_on) == (None, None)
    # Flagged again later, for another reason.
    (again,) = then(state, flag(DgCaselistReason.PARLIAMENTARY_CONTACT))
    assert isinstance(again, ComplaintFlaggedOnDgCaselist)


def test_one_flag_at_a_time_and_only_a_flag_is_cleared() -> None:
    problem = refused(RuleViolation, given(*history(flag())), flag(DgCaselistReason.PARLIAMENTARY_CONTACT), "R26")
    assert "already on the Director General caselist (high_profile, since 2026-11-23)" in problem.detail
    assert problem.guidance == "003"
    refused(RuleViolation, given(registered()), clear(), "R26")


def test_dates_are_checked() -> None:
    problem = refused(ValidationProblem, given(registered()), flag(flagged_on=date(2026, 11, 19)), "R26")
    assert fields_of(problem) == {"flagged_on": "R26"}
    problem = refused(ValidationProblem, given(*history(flag())), clear(cleared_on=RECEIVED), "R26")
    assert fields_of(problem) == {"cleared_on": "R26"}
    refused(ValidationProblem, given(*history(flag())), clear(cleared_on=date(2026, 11, 24)), "R26")


def test_the_caselist_is_kept_current_through_the_lifecycle() -> None:
    """Cleared after the final response or a withdrawal; flagged after the final response, never once withdrawn."""
    final = respond(1, final=True)
    (cleared,) = then(given(*history(flag(), final)), clear())
    assert isinstance(cleared, ComplaintClearedFromDgCaselist)
    (late,) = then(given(*history(final)), flag(DgCaselistReason.PARLIAMENTARY_CONTACT))
    assert isinstance(late, ComplaintFlaggedOnDgCaselist)
    withdrawal = WithdrawComplaint(withdrawn_on=TODAY, reason=sealed("No longer needed."), today=TODAY)
    (cleared,) = then(given(*history(flag(), withdrawal)), clear())
    assert isinstance(cleared, ComplaintClearedFromDgCaselist)
    refused(RuleViolation, given(*history(withdrawal)), flag(), "R5")


def test_no_complaint_no_flag() -> None:
    refused(NotFound, ComplaintState(), flag())
    refused(NotFound, ComplaintState(), clear())
