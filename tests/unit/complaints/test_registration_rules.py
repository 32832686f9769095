"""Registration rules beyond R1: time limits (R9), staff complaints (R10), Special Customer Records (R11)."""

from __future__ import annotations

from datetime import date

import pytest

from shared.complaints.events import (
    ComplaintRegistered,
    ElementRecord,
    SpecialCustomerRecordRef,
    StaffComplaintMarker,
)
from shared.complaints.vocabulary import Category, ComplainantKind, ComplaintAbout, RaisedVia
from shared.decider import encode
from shared.errors import ValidationProblem
from shared.vocabulary import Programme
from tests.unit.complaints.helpers import (
    SUBJECT,
    complainant,
    element,
    fields_of,
    given,
    refused,
    register,
    register_scr,
    registered,
    registered_scr,
    sealed,
    then,
)

CLOSED = date(2025, 9, 19)  # 14 months later: 2026-11-19, the day before the date received (2026-11-20)


def cms(**overrides: object) -> dict[str, object]:
    """CMS is a DWP business (003): about the Jobcentre/DWP business, no provider."""
    return {
        "programme": Programme.CMS,
        "about": ComplaintAbout.JOBCENTRE,
        "provider_organisation_id": None,
        "contract_id": None,
        **overrides,
    }


# R9: time limits (003)


def test_a_cms_complaint_more_than_14_months_after_the_case_closed_is_refused() -> None:
    problem = refused(ValidationProblem, given(), register(**cms(case_closed_on=CLOSED)), "R9")
    assert fields_of(problem) == {"received_on": "R9"}
    assert problem.guidance == "003"
    assert problem.status == 422
    assert "2026-11-19" in problem.detail
    assert "14 months" in problem.detail


def test_a_cms_complaint_on_the_last_day_of_the_14_months_is_accepted() -> None:
    (event,) = then(given(), register(**cms(case_closed_on=date(2025, 9, 20))))
    assert isinstance(event, ComplaintRegistered)
    assert event.case_closed_on == date(2025, 9, 20)
    assert event.raised_via is RaisedVia.COMPLAINANT


def test_the_limit_is_counted_in_calendar_months_clamped_to_the_month_end() -> None:
    # 31 August 2025 + 14 months = 31 October 2026; 30 December 2024 + 14 months = 28 February 2026 is shorter.
    (event,) = then(given(), register(**cms(case_closed_on=date(2025, 8, 31), received_on=date(2026, 10, 31))))
    assert isinstance(event, ComplaintRegistered)
    problem = refused(
        ValidationProblem, given(), register(**cms(case_closed_on=date(2025, 8, 31), received_on=date(2026, 11, 1)))
    )
    assert fields_of(problem) == {"received_on": "R9"}


def test_a_cms_complaint_while_the_case_is_open_has_no_limit() -> None:
    (event,) = then(given(), register(**cms()))
    assert isinstance(event, ComplaintRegistered)
    assert event.case_closed_on is None


@pytest.mark.parametrize("kind", [ComplainantKind.MP, ComplainantKind.MLA])
def test_no_limit_when_an_mp_raises_it(kind: ComplainantKind) -> None:
    event, *_flagged = then(given(), register(**cms(case_closed_on=CLOSED), complainant=complainant(kind)))
    assert isinstance(event, ComplaintRegistered)
    assert event.raised_via is RaisedVia.ELECTED_MEMBER


@pytest.mark.parametrize("via", [RaisedVia.ICE, RaisedVia.PHSO])
def test_no_limit_when_ice_or_phso_raises_it(via: RaisedVia) -> None:
    (event,) = then(given(), register(**cms(case_closed_on=CLOSED), raised_via=via))
    assert isinstance(event, ComplaintRegistered)
    assert event.raised_via is via


@pytest.mark.parametrize("kind", [ComplainantKind.MSP, ComplainantKind.MS_AM, ComplainantKind.MEP])
def test_other_elected_members_are_not_named_by_the_guidance(kind: ComplainantKind) -> None:
    """003 lifts the limit for MPs (MLAs in Northern Ireland), ICE and PHSO only."""
    problem = refused(ValidationProblem, given(), register(**cms(case_closed_on=CLOSED), complainant=complainant(kind)))
    assert fields_of(problem) == {"received_on": "R9"}


def test_an_scr_cms_complaint_is_limited_too() -> None:
    problem = refused(ValidationProblem, given(), register_scr(**cms(case_closed_on=CLOSED)))
    assert fields_of(problem) == {"received_on": "R9"}


def test_programmes_without_a_limit_refuse_a_case_closure_date() -> None:
    problem = refused(ValidationProblem, given(), register(case_closed_on=CLOSED), "R9")
    assert fields_of(problem) == {"case_closed_on": "R9"}


def test_a_case_closed_in_the_future_is_refused() -> None:
    problem = refused(ValidationProblem, given(), register(**cms(case_closed_on=date(2026, 11, 24))))
    assert fields_of(problem) == {"case_closed_on": "R9"}


def test_raised_by_an_elected_member_names_the_member() -> None:
    problem = refused(ValidationProblem, given(), register(raised_via=RaisedVia.ELECTED_MEMBER), "R1")
    assert fields_of(problem) == {"raised_via": "R1"}
    problem = refused(
        ValidationProblem, given(), register(complainant=complainant(ComplainantKind.MP), raised_via="complainant")
    )
    assert fields_of(problem) == {"raised_via": "R1"}


# R10: complaints about a member of staff (003)


def test_a_staff_complaint_is_restricted_with_only_its_team_leader() -> None:
    marker = StaffComplaintMarker(responsible_team_leader_user_id="tl-jo")
    event = registered(staff_complaint=marker)
    assert event.staff_complaint == marker
    state = given(event)
    assert state.staff_complaint is True
    assert state.responsible_team_leader_user_id == "tl-jo"
    assert set(StaffComplaintMarker.model_fields) == {"responsible_team_leader_user_id"}


def test_a_staff_marker_holds_no_staff_details() -> None:
    with pytest.raises(ValueError, match="extra"):
        StaffComplaintMarker(responsible_team_leader_user_id="tl-jo", staff_name="Pat")  # type: ignore[call-arg]


def test_an_ordinary_complaint_is_not_restricted() -> None:
    state = given(registered())
    assert state.staff_complaint is False
    assert state.responsible_team_leader_user_id is None


# R11: Special Customer Records (004 62-71)


def test_an_scr_complaint_is_registered_with_a_clerical_reference_only() -> None:
    event = registered_scr()
    assert event.complainant is None
    assert event.special_customer_record == SpecialCustomerRecordRef(
        clerical_reference="SCR/LEEDS/0042", complainant_kind=ComplainantKind.PARTICIPANT
    )
    assert event.complainant_kind is ComplainantKind.PARTICIPANT
    assert event.elements[0].summary is None
    assert "$personal" not in str(encode(event))
    state = given(event)
    assert state.special_customer_record is True
    assert state.subject_id is None
    assert state.complainant_kind is ComplainantKind.PARTICIPANT


def test_an_scr_complaint_with_a_complainant_is_refused() -> None:
    problem = refused(ValidationProblem, given(), register_scr(complainant=complainant()), "R11")
    assert fields_of(problem) == {"complainant": "R11"}
    assert problem.guidance == "004 62-71"


def test_an_scr_complaint_with_free_text_about_the_person_is_refused() -> None:
    elements = (
        ElementRecord(element_id="E1", category=Category.TAKE_TOO_LONG, summary=sealed("x")),
        ElementRecord(element_id="E2", category=Category.GOT_IT_WRONG, desired_outcome=sealed("y")),
    )
    problem = refused(ValidationProblem, given(), register_scr(elements=elements), "R11")
    assert fields_of(problem) == {"elements.0.summary": "R11", "elements.1.desired_outcome": "R11"}


def test_an_ordinary_complaint_needs_a_complainant_and_summaries() -> None:
    bare = ElementRecord(element_id="E1", category=Category.TAKE_TOO_LONG)
    problem = refused(ValidationProblem, given(), register(complainant=None, elements=(bare,)), "R1")
    assert fields_of(problem) == {"complainant": "R1", "elements.0.summary": "R1"}


def test_an_element_of_an_ordinary_complaint_keeps_its_sealed_text() -> None:
    event = registered(elements=(element(),))
    assert event.elements[0].summary is not None
    assert event.complainant is not None
    assert event.complainant.subject_id == str(SUBJECT)
