"""Routing (R3): redirection to the Jobcentre (000 14.04, 14.09, 14.20), referral to the provider (14.06-14.08),
and who may act on a complaint after it: given events, when a command, then events or a refusal."""

from __future__ import annotations

from datetime import date

import pytest

from shared.complaints.commands import (
    AcknowledgeComplaint,
    IssueResponse,
    RecordDiscussion,
    RedirectComplaint,
    ReferToProvider,
    WithdrawComplaint,
)
from shared.complaints.decider import decide_as
from shared.complaints.events import (
    ComplaintRedirected,
    ComplaintReferredToProvider,
    ComplaintRegistered,
    DiscussionRecorded,
)
from shared.complaints.vocabulary import AcknowledgementMethod, ComplaintAbout, DiscussionParty, RedirectionReason
from shared.decider import Command
from shared.errors import Forbidden, NotFound, RuleViolation, ValidationProblem
from tests.unit.complaints.helpers import (
    COMPLAINT_ID,
    RECEIVED,
    TODAY,
    content,
    fields_of,
    given,
    history,
    refused,
    registered,
    sealed,
    then,
)

PROVIDER = "provider-alpha"
JOBCENTRE = "jobcentre-leeds"


def redirect(**overrides: object) -> RedirectComplaint:
    fields: dict[str, object] = {
        "reason": RedirectionReason.PROGRAMME_POLICY,
        "to_organisation_id": JOBCENTRE,
        "redirected_on": TODAY,
        "acting_organisation_id": PROVIDER,
        "today": TODAY,
    }
    fields.update(overrides)
    return RedirectComplaint(**fields)


def refer(**overrides: object) -> ReferToProvider:
    fields: dict[str, object] = {"referred_on": TODAY, "acting_organisation_id": JOBCENTRE, "today": TODAY}
    fields.update(overrides)
    return ReferToProvider(**fields)


def logged_by_jobcentre(**overrides: object) -> ComplaintRegistered:
    return registered(logged_by_organisation_id=JOBCENTRE, logged_by_organisation_kind="jobcentre", **overrides)


def discussion() -> RecordDiscussion:
    return RecordDiscussion(
        held_on=TODAY,
        held_with=DiscussionParty.COMPLAINANT,
        held_by_user_id="ann",
        summary=sealed("Talked it through."),
        today=TODAY,
    )


# Redirection to the Jobcentre (000 14.04, 14.09, 14.20)


def test_a_programme_policy_complaint_is_redirected_to_the_jobcentre() -> None:
    (event,) = then(given(registered()), redirect())
    assert event == ComplaintRedirected(
        complaint_id=COMPLAINT_ID,
        reason=RedirectionReason.PROGRAMME_POLICY,
        from_organisation_id=PROVIDER,
        to_organisation_id=JOBCENTRE,
        redirected_on=TODAY,
    )
    state = given(registered(), event)
    assert state.redirected_to_organisation_id == JOBCENTRE
    assert state.registered, "a redirection is an event, never a deletion"


def test_a_mixed_complaint_raised_with_the_provider_is_redirected() -> None:
    (event,) = then(given(registered(about=ComplaintAbout.MIXED)), redirect(reason=RedirectionReason.MIXED_COMPLAINT))
    assert isinstance(event, ComplaintRedirected)
    assert event.reason is RedirectionReason.MIXED_COMPLAINT


def test_a_mixed_complaint_redirection_needs_a_mixed_complaint() -> None:
    problem = refused(
        ValidationProblem, given(registered()), redirect(reason=RedirectionReason.MIXED_COMPLAINT), requirement="R3"
    )
    assert fields_of(problem) == {"reason": "R3"}


@pytest.mark.parametrize("day", [date(2026, 11, 19), date(2026, 11, 24)])
def test_the_redirection_date_lies_between_receipt_and_today(day: date) -> None:
    assert date(2026, 11, 20) == RECEIVED
    problem = refused(ValidationProblem, given(registered()), redirect(redirected_on=day), requirement="R3")
    assert fields_of(problem) == {"redirected_on": "R3"}


def test_an_already_redirected_complaint_is_not_redirected_again() -> None:
    problem = refused(RuleViolation, given(*history(redirect())), redirect(), requirement="R3")
    assert "already redirected" in problem.detail


def test_a_withdrawn_complaint_is_not_redirected() -> None:
    withdrawal = WithdrawComplaint(withdrawn_on=TODAY, reason=sealed("Sorted."), today=TODAY)
    refused(RuleViolation, given(*history(withdrawal)), redirect())


def test_a_finally_answered_complaint_is_not_redirected() -> None:
    final = IssueResponse(content=content(final=True, reviewer_user_id="bob"), issued_on=TODAY, today=TODAY)
    problem = refused(RuleViolation, given(*history(final)), redirect(), requirement="R3")
    assert "final response" in problem.detail


def test_an_unregistered_complaint_is_not_found() -> None:
    refused(NotFound, given(), redirect())


# After a redirection the receiving Jobcentre owns the complaint (R3)

ACTIONS: list[Command] = [
    discussion(),
    AcknowledgeComplaint(acknowledged_on=TODAY, method=AcknowledgementMethod.LETTER, today=TODAY),
    IssueResponse(content=content(), issued_on=TODAY, today=TODAY),
]


@pytest.mark.parametrize("command", ACTIONS, ids=lambda c: type(c).__name__)
def test_a_redirected_complaint_refuses_the_providers_actions(command: Command) -> None:
    state = given(*history(redirect()))
    with pytest.raises(RuleViolation) as caught:
        decide_as(PROVIDER, "provider").decide(command, state)
    assert caught.value.requirement == "R3"
    assert caught.value.guidance is not None
    assert "14.09" in caught.value.guidance


def test_the_receiving_jobcentre_works_a_redirected_complaint() -> None:
    state = given(*history(redirect()))
    (event,) = decide_as(JOBCENTRE, "jobcentre").decide(discussion(), state)
    assert isinstance(event, DiscussionRecorded)


def test_the_provider_works_a_complaint_not_redirected() -> None:
    (event,) = decide_as(PROVIDER, "provider").decide(discussion(), given(registered()))
    assert isinstance(event, DiscussionRecorded)


# Referral to the provider (000 14.06-14.08)


def test_the_jobcentre_refers_a_complaint_about_the_provider_to_it() -> None:
    (event,) = then(given(logged_by_jobcentre()), refer())
    assert event == ComplaintReferredToProvider(
        complaint_id=COMPLAINT_ID, from_organisation_id=JOBCENTRE, to_organisation_id=PROVIDER, referred_on=TODAY
    )


def test_after_referral_the_provider_handles_it_as_if_raised_directly() -> None:
    events = history(refer(), start=(logged_by_jobcentre(),))
    (event,) = decide_as(PROVIDER, "provider").decide(discussion(), given(*events))
    assert isinstance(event, DiscussionRecorded)


def test_only_the_jobcentre_that_logged_it_refers_it() -> None:
    refused(Forbidden, given(logged_by_jobcentre()), refer(acting_organisation_id="jobcentre-york"), "R3")
    refused(Forbidden, given(registered()), refer(acting_organisation_id=PROVIDER), "R3")


def test_only_a_complaint_about_the_provider_is_referred() -> None:
    state = given(logged_by_jobcentre(about=ComplaintAbout.MIXED))
    problem = refused(RuleViolation, state, refer(), requirement="R3")
    assert "about: mixed" in problem.detail


def test_a_complaint_is_referred_once() -> None:
    events = history(refer(), start=(logged_by_jobcentre(),))
    refused(RuleViolation, given(*events), refer(), requirement="R3")


def test_the_referral_date_is_not_after_today() -> None:
    problem = refused(ValidationProblem, given(logged_by_jobcentre()), refer(referred_on=date(2026, 11, 24)), "R3")
    assert fields_of(problem) == {"referred_on": "R3"}
