"""Mixed complaints (R25; 000 14.03-14.05, 14.20-14.22): the Jobcentre leads, asks the provider for a contribution,
issues the joint response (the provider's stage 1); the provider's issues then escalate to the provider."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared.complaints.commands import (
    IssueJointResponse,
    RedirectComplaint,
    RequestContribution,
    SubmitContribution,
)
from shared.complaints.decider import decide_as
from shared.complaints.events import (
    ComplaintEscalated,
    ComplaintRegistered,
    ContributionRequested,
    ContributionSubmitted,
    ResponseIssued,
)
from shared.complaints.vocabulary import ComplaintAbout, RedirectionReason, StageOwner
from shared.decider import DomainEvent
from shared.errors import Forbidden, RuleViolation, ValidationProblem
from shared.personal_data import open_value
from tests.unit.complaints.helpers import (
    COMPLAINT_ID,
    KEY,
    RECEIVED,
    TODAY,
    content,
    element,
    escalate,
    fields_of,
    finding,
    given,
    history,
    refused,
    registered,
    respond,
    sealed,
    then,
)

JOBCENTRE = "jobcentre-leeds"
PROVIDER = "provider-alpha"
DUE = date(2026, 11, 27)  # five working days after Friday 20 November
BOTH = (finding("E1"), finding("E2"))


def mixed(**overrides: Any) -> ComplaintRegistered:
    """A mixed complaint logged by the Jobcentre, which leads on it (000 14.03)."""
    fields: dict[str, Any] = {
        "about": ComplaintAbout.MIXED,
        "logged_by_organisation_id": JOBCENTRE,
        "logged_by_organisation_kind": "jobcentre",
        "elements": (element("E1"), element("E2")),
    }
    fields.update(overrides)
    return registered(**fields)


def request(**overrides: Any) -> RequestContribution:
    fields: dict[str, Any] = {"requested_on": RECEIVED, "due_on": DUE, "acting_organisation_id": JOBCENTRE}
    fields.update(overrides)
    return RequestContribution(today=TODAY, **fields)


def submit(**overrides: Any) -> SubmitContribution:
    fields: dict[str, Any] = {
        "submitted_on": TODAY,
        "text": sealed("We rebooked the appointment on 18 November."),
        "acting_organisation_id": PROVIDER,
    }
    fields.update(overrides)
    return SubmitContribution(today=TODAY, **fields)


def joint(issued_on: date = TODAY, **overrides: Any) -> IssueJointResponse:
    acting = overrides.pop("acting_organisation_id", JOBCENTRE)
    return IssueJointResponse(
        content=content(findings=BOTH, **overrides), issued_on=issued_on, acting_organisation_id=acting, today=TODAY
    )


def journey(*commands: Any, start: DomainEvent | None = None) -> list[DomainEvent]:
    return history(*commands, start=(start or mixed(),))


def test_contribution_requested_submitted_then_the_joint_response_is_the_provider_s_stage_1() -> None:
    (requested,) = then(given(mixed()), request())
    assert requested == ContributionRequested(
        complaint_id=COMPLAINT_ID,
        requested_on=RECEIVED,
        due_on=DUE,
        requested_by_organisation_id=JOBCENTRE,
        provider_organisation_id=PROVIDER,
    )
    (submitted,) = then(given(*journey(request())), submit())
    assert isinstance(submitted, ContributionSubmitted)
    assert submitted.text is not None
    assert open_value(KEY, submitted.text) == "We rebooked the appointment on 18 November."
    (response,) = then(given(*journey(request(), submit())), joint())
    assert isinstance(response, ResponseIssued)
    assert (response.stage, response.final, response.joint, response.signposting) == (1, False, True, None)
    state = given(*journey(request(), submit(), joint()))
    assert (state.contribution_received_on, state.joint_response_on) == (TODAY, TODAY)


def test_a_contribution_is_requested_only_on_a_mixed_complaint() -> None:
    problem = refused(RuleViolation, given(registered()), request(), "R25")
    assert "about: provider" in problem.detail
    refused(RuleViolation, given(registered()), joint(), "R25")


def test_only_the_leading_jobcentre_asks_for_the_contribution() -> None:
    refused(Forbidden, given(mixed()), request(acting_organisation_id=PROVIDER), "R25")
    refused(Forbidden, given(mixed()), request(acting_organisation_id="jobcentre-york"), "R25")
    refused(RuleViolation, given(*journey(request())), request(), "R25")  # asked once


def test_a_mixed_complaint_raised_with_the_provider_is_redirected_before_the_jobcentre_asks() -> None:
    with_provider = mixed(logged_by_organisation_id=PROVIDER, logged_by_organisation_kind="provider")
    problem = refused(RuleViolation, given(with_provider), request(), "R25")
    assert problem.guidance == "000 14.03-14.04"
    redirect = RedirectComplaint(
        reason=RedirectionReason.MIXED_COMPLAINT,
        to_organisation_id=JOBCENTRE,
        redirected_on=RECEIVED,
        acting_organisation_id=PROVIDER,
        today=TODAY,
    )
    (event,) = then(given(*journey(redirect, start=with_provider)), request())
    assert isinstance(event, ContributionRequested)


def test_only_the_complaint_s_provider_submits_and_only_once_asked() -> None:
    refused(RuleViolation, given(mixed()), submit(), "R25")  # not asked yet
    asked = given(*journey(request()))
    refused(Forbidden, asked, submit(acting_organisation_id=JOBCENTRE), "R25")
    refused(Forbidden, asked, submit(acting_organisation_id="provider-beta"), "R25")
    refused(RuleViolation, given(*journey(request(), submit())), submit(), "R25")  # submitted once


def test_a_contribution_has_its_text_and_a_date_after_the_request() -> None:
    problem = refused(
        ValidationProblem,
        given(*journey(request(requested_on=TODAY))),
        submit(text=None, submitted_on=RECEIVED),
        "R25",
    )
    assert fields_of(problem) == {"submitted_on": "R25", "text": "R25"}


def test_the_joint_response_waits_for_the_contribution_until_it_is_overdue() -> None:
    refused(RuleViolation, given(mixed()), joint(), "R25")  # not even asked
    waiting = given(*journey(request()))
    problem = refused(RuleViolation, waiting, joint(), "R25")
    assert problem.extra == {"contribution_due_on": "2026-11-27"}
    # Asked on 9 November, due 16 November, never sent: on 17 November the Jobcentre may go ahead without it.
    early = mixed(received_on=date(2026, 11, 9))
    asked = given(*journey(request(requested_on=date(2026, 11, 9), due_on=date(2026, 11, 16)), start=early))
    refused(RuleViolation, asked, joint(issued_on=date(2026, 11, 16)), "R25")
    (response,) = then(asked, joint(issued_on=date(2026, 11, 17)))
    assert isinstance(response, ResponseIssued)
    assert response.joint


def test_only_the_leading_jobcentre_issues_the_joint_response_once() -> None:
    ready = given(*journey(request(), submit()))
    refused(Forbidden, ready, joint(acting_organisation_id=PROVIDER), "R25")
    refused(RuleViolation, given(*journey(request(), submit(), joint())), joint(), "R25")


def test_a_mixed_complaint_s_first_response_is_the_joint_one() -> None:
    problem = refused(RuleViolation, given(*journey(request(), submit())), respond(1, findings=BOTH), "R25")
    assert problem.guidance == "000 14.20"


def test_after_the_joint_response_the_provider_s_issues_go_to_the_provider_s_next_stage() -> None:
    answered = journey(request(), submit(), joint())
    problem = refused(ValidationProblem, given(*answered), escalate(), "R25")
    assert fields_of(problem) == {"element_ids": "R25"}
    (event,) = then(given(*answered), escalate(element_ids=("E1",)))
    assert event == ComplaintEscalated(
        complaint_id=COMPLAINT_ID,
        from_stage=1,
        to_stage=2,
        escalated_on=TODAY,
        element_ids=("E1",),
        owned_by=StageOwner.PROVIDER,
        kept_by_jobcentre=("E2",),
    )
    state = given(*answered, event)
    assert (state.stage_owner, state.elements_in_play, state.kept_by_jobcentre) == (
        StageOwner.PROVIDER,
        ("E1",),
        ("E2",),
    )
    # The provider's stage-2 response answers its own issue, not the Jobcentre's.
    final = respond(2, issued_on=TODAY, final=True, findings=(finding("E1"),))
    (issued,) = decide_as(PROVIDER, "provider").decide(final, state)
    assert isinstance(issued, ResponseIssued)


def test_a_redirected_mixed_complaint_s_provider_works_its_escalated_stage() -> None:
    with_provider = mixed(logged_by_organisation_id=PROVIDER, logged_by_organisation_kind="provider")
    redirect = RedirectComplaint(
        reason=RedirectionReason.MIXED_COMPLAINT,
        to_organisation_id=JOBCENTRE,
        redirected_on=RECEIVED,
        acting_organisation_id=PROVIDER,
        today=TODAY,
    )
    answered = journey(redirect, request(), submit(), joint(), start=with_provider)
    as_provider = decide_as(PROVIDER, "provider")
    (escalated,) = as_provider.decide(escalate(element_ids=("E1",)), given(*answered))
    final = respond(2, issued_on=TODAY, final=True, findings=(finding("E1"),))
    (issued,) = as_provider.decide(final, given(*answered, escalated))
    assert isinstance(issued, ResponseIssued)


def test_someone_else_cannot_escalate_the_provider_s_issues() -> None:
    answered = given(*journey(request(), submit(), joint()))
    stranger = escalate(element_ids=("E1",), acting_organisation_id="provider-beta")
    with pytest.raises(Forbidden) as caught:
        then(answered, stranger)
    assert caught.value.requirement == "R25"
