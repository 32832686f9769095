"""Responses (R7): one per stage, the final one signposted to ICE and independently reviewed, AtW drafts approved."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shared.complaints.commands import (
    ApproveDraftResponse,
    CompleteResolutionAction,
    IssueResponse,
    PlannedAction,
    PlanResolutionActions,
    RequestRewording,
    ResponseContent,
    SendApprovedDraft,
    SubmitDraftResponse,
)
from shared.complaints.events import (
    ComplaintRegistered,
    OutstandingAction,
    ResponseDraftApproved,
    ResponseDraftSubmitted,
    ResponseIssued,
    ResponseRewordingRequested,
    Signposting,
)
from shared.complaints.signposting import ANNEX_1_TEXT, ice_contact_by, same_wording, standard_text
from shared.complaints.vocabulary import ComplaintStatus, DraftStatus
from shared.decider import Command, DomainEvent
from shared.errors import NotFound, RuleViolation, ValidationProblem
from shared.vocabulary import Programme
from tests.unit.complaints.helpers import (
    COMPLAINT_ID,
    TODAY,
    content,
    element,
    fields_of,
    finding,
    given,
    history,
    refused,
    registered,
    registered_scr,
    sealed,
    then,
)

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"


def issue(issued_on: date = TODAY, **overrides: object) -> IssueResponse:
    return IssueResponse(content=content(**overrides), issued_on=issued_on, today=TODAY)


def final(issued_on: date = TODAY, **overrides: object) -> IssueResponse:
    fields: dict[str, object] = {"stage": 2, "final": True, "author_user_id": "cat", "reviewer_user_id": "dan"}
    fields.update(overrides)
    return issue(issued_on, **fields)


STAGE_1 = issue(date(2026, 11, 21), author_user_id="ann", reviewer_user_id="bob")


# A response per stage


def test_a_stage_response_is_issued() -> None:
    command = issue()
    (event,) = then(given(registered()), command)
    assert event == ResponseIssued(
        complaint_id=COMPLAINT_ID,
        stage=1,
        final=False,
        issued_on=TODAY,
        author_user_id="ann",
        reviewer_user_id=None,
        text=command.content.text,
        findings=command.content.findings,
    )
    state = given(registered(), event)
    assert state.last_stage == 1
    assert state.status is ComplaintStatus.OPEN


def test_stages_are_answered_in_order_once_each() -> None:
    state = given(*history(STAGE_1))
    again = refused(RuleViolation, state, issue(stage=1), "R7")
    assert "stage 1 was already answered" in again.detail
    skipped = refused(RuleViolation, given(registered()), issue(stage=2), "R7")
    assert "stage 1 is answered first" in skipped.detail
    assert skipped.guidance == "001 Annex 2 3.5"


def test_a_response_is_dated_between_receipt_or_the_last_response_and_today() -> None:
    state = given(*history(STAGE_1))
    early = refused(ValidationProblem, state, issue(date(2026, 11, 20), stage=2), "R7")
    assert fields_of(early) == {"issued_on": "R7"}
    assert "previous response" in early.detail
    late = refused(ValidationProblem, given(registered()), issue(date(2026, 11, 24)), "R7")
    assert fields_of(late) == {"issued_on": "R7"}


def test_a_response_has_text_except_for_an_scr() -> None:
    problem = refused(ValidationProblem, given(registered()), issue(text=None), "R7")
    assert fields_of(problem) == {"text": "R7"}
    (event,) = then(given(registered_scr()), issue(text=None))
    assert isinstance(event, ResponseIssued)
    problem = refused(ValidationProblem, given(registered_scr()), issue(), "R11")
    assert fields_of(problem) == {"text": "R11"}


# Per element: can the desired outcome be achieved, and if not why (001 Annex 2 3.7)


def test_where_the_outcome_cannot_be_achieved_the_response_says_why() -> None:
    problem = refused(ValidationProblem, given(registered()), issue(findings=(finding(achievable=False),)), "R7")
    assert fields_of(problem) == {"findings.0.why_not": "R7"}
    assert problem.guidance == "001 Annex 2 3.7"
    (event,) = then(given(registered()), issue(findings=(finding(achievable=False, why_not="Policy sets it."),)))
    assert isinstance(event, ResponseIssued)
    assert event.findings[0].desired_outcome_achievable is False
    assert event.findings[0].why_not is not None


def test_why_not_is_given_only_where_the_outcome_cannot_be_achieved() -> None:
    problem = refused(ValidationProblem, given(registered()), issue(findings=(finding(why_not="?"),)))
    assert fields_of(problem) == {"findings.0.why_not": "R7"}


def test_a_response_answers_every_element_once() -> None:
    two = registered(elements=(element("E1"), element("E2")))
    missing = refused(ValidationProblem, given(two), issue(findings=(finding("E1"),)))
    assert fields_of(missing) == {"findings": "R7"}
    assert "missing E2" in missing.detail
    twice = refused(ValidationProblem, given(two), issue(findings=(finding("E1"), finding("E1"), finding("E2"))))
    assert fields_of(twice) == {"findings.1.element_id": "R7"}
    unknown = refused(ValidationProblem, given(two), issue(findings=(finding("E1"), finding("E2"), finding("E3"))))
    assert fields_of(unknown) == {"findings.2.element_id": "R7"}


def test_an_scr_response_keeps_why_not_on_the_clerical_file() -> None:
    (event,) = then(given(registered_scr()), issue(text=None, findings=(finding(achievable=False),)))
    assert isinstance(event, ResponseIssued)
    problem = refused(
        ValidationProblem, given(registered_scr()), issue(text=None, findings=(finding(achievable=False, why_not="x"),))
    )
    assert fields_of(problem) == {"findings.0.why_not": "R11"}


# The final response: ICE signposting (000 14.17, 14.23, Annex 1; 002 8.06-8.07)


def test_a_final_response_carries_the_standard_signposting_and_the_ice_date() -> None:
    events = history(STAGE_1, final(date(2026, 11, 23)))
    event = events[-1]
    assert isinstance(event, ResponseIssued)
    assert event.final is True
    assert event.signposting == Signposting(text=ANNEX_1_TEXT, source="000 Annex 1", ice_contact_by=date(2027, 5, 23))
    state = given(*events)
    assert state.status is ComplaintStatus.CLOSED
    assert state.final_response is not None


def test_the_ice_date_is_six_calendar_months_clamped_to_the_month_end() -> None:
    assert ice_contact_by(date(2026, 8, 31)) == date(2027, 2, 28)
    assert ice_contact_by(date(2027, 8, 31)) == date(2028, 2, 29)
    assert ice_contact_by(date(2026, 11, 23)) == date(2027, 5, 23)


def test_only_a_final_response_is_signposted() -> None:
    (event,) = then(given(registered()), issue())
    assert isinstance(event, ResponseIssued)
    assert event.signposting is None
    problem = refused(
        ValidationProblem, given(registered()), issue(signposting_supplied=True, signposting_text=ANNEX_1_TEXT)
    )
    assert fields_of(problem) == {"signposting_text": "R7"}


def test_a_final_response_without_the_signposting_text_is_refused() -> None:
    state = given(*history(STAGE_1))
    for missing in (None, "", "   "):
        problem = refused(ValidationProblem, state, final(signposting_supplied=True, signposting_text=missing), "R7")
        assert fields_of(problem) == {"signposting_text": "R7"}
        assert problem.guidance == "000 14.17, Annex 1; 002 8.06"


def test_a_final_response_with_other_signposting_wording_is_refused() -> None:
    state = given(*history(STAGE_1))
    altered = ANNEX_1_TEXT.replace("six months", "three months")
    problem = refused(ValidationProblem, state, final(signposting_supplied=True, signposting_text=altered), "R7")
    assert fields_of(problem) == {"signposting_text": "R7"}
    assert "000 Annex 1" in problem.detail


def test_the_standard_text_sent_explicitly_is_accepted_whatever_its_line_breaks() -> None:
    rewrapped = " ".join(ANNEX_1_TEXT.split()).replace("\u00a0", " ")
    assert same_wording(rewrapped, ANNEX_1_TEXT)
    events = history(STAGE_1, final(signposting_supplied=True, signposting_text=rewrapped))
    event = events[-1]
    assert isinstance(event, ResponseIssued)
    assert event.signposting is not None
    assert event.signposting.text == ANNEX_1_TEXT


def test_a_first_response_may_be_final() -> None:
    (event,) = then(given(registered()), final(stage=1))
    assert isinstance(event, ResponseIssued)
    assert event.final is True


def test_nothing_is_answered_after_the_final_response() -> None:
    state = given(*history(STAGE_1, final()))
    problem = refused(RuleViolation, state, issue(stage=3), "R7")
    assert "the final response was issued on 2026-11-23" in problem.detail
    assert problem.guidance == "000 14.17"


def test_the_final_response_lists_the_outstanding_actions() -> None:
    """At closure, tell the complainant how long outstanding actions will take (R5; 001 Annex 2 3.4)."""
    plan = PlanResolutionActions(
        actions=(
            PlannedAction(description=sealed("Rebook"), due_on=date(2026, 12, 4), owner="team"),
            PlannedAction(description=sealed("Refund"), due_on=date(2026, 12, 18), owner="finance"),
        ),
        today=TODAY,
    )
    done = CompleteResolutionAction(action_id="A1", completed_on=TODAY, today=TODAY)
    events = history(plan, done, final(stage=1))
    event = events[-1]
    assert isinstance(event, ResponseIssued)
    assert event.outstanding_actions == (OutstandingAction(action_id="A2", due_on=date(2026, 12, 18)),)
    after = history(CompleteResolutionAction(action_id="A2", completed_on=TODAY, today=TODAY), start=tuple(events))
    assert given(*after).actions[1].completed_on == TODAY


# The final response's reviewer (001 Annex 2 3.6)


def test_a_final_response_names_its_reviewer() -> None:
    problem = refused(ValidationProblem, given(*history(STAGE_1)), final(reviewer_user_id=None), "R7")
    assert fields_of(problem) == {"reviewer_user_id": "R7"}


@pytest.mark.parametrize("reviewer", ["ann", "bob"])
def test_the_reviewer_had_no_involvement_in_earlier_responses(reviewer: str) -> None:
    """ann wrote and bob reviewed the stage 1 response: neither may review the final one."""
    problem = refused(RuleViolation, given(*history(STAGE_1)), final(reviewer_user_id=reviewer), "R7")
    assert problem.status == 409
    assert problem.guidance == "001 Annex 2 3.6"
    assert reviewer in problem.detail
    assert problem.extra == {"reviewer_user_id": reviewer}


def test_the_reviewer_is_not_the_author() -> None:
    problem = refused(RuleViolation, given(*history(STAGE_1)), final(author_user_id="dan", reviewer_user_id="dan"))
    assert problem.requirement == "R7"
    assert "cannot also review it" in problem.detail


def test_an_earlier_author_may_write_the_final_response_if_someone_new_reviews_it() -> None:
    events = history(STAGE_1, final(author_user_id="ann", reviewer_user_id="dan"))
    assert isinstance(events[-1], ResponseIssued)


# Access to Work: drafts approved by the AtW Service Delivery team (002 8.03)


def atw() -> ComplaintRegistered:
    return registered(programme=Programme.ATW, contract_id="atw-alpha")


def submit(**overrides: object) -> SubmitDraftResponse:
    return SubmitDraftResponse(content=content(**overrides), today=TODAY)


def approve(draft_id: str = "D1") -> ApproveDraftResponse:
    return ApproveDraftResponse(draft_id=draft_id, approved_by_user_id="atw-sd-1")


def reword(draft_id: str = "D1") -> RequestRewording:
    return RequestRewording(draft_id=draft_id, requested_by_user_id="atw-sd-1", comments=sealed("Say sorry."))


def send(draft_id: str = "D1", issued_on: date = TODAY) -> SendApprovedDraft:
    return SendApprovedDraft(draft_id=draft_id, issued_on=issued_on, today=TODAY)


def atw_history(*commands: Command) -> list[DomainEvent]:
    return history(*commands, start=(atw(),))


def test_an_atw_draft_is_submitted_approved_and_sent() -> None:
    command = submit()
    events = atw_history(command, approve(), send())
    assert events[1] == ResponseDraftSubmitted(
        complaint_id=COMPLAINT_ID,
        draft_id="D1",
        stage=1,
        final=False,
        author_user_id="ann",
        reviewer_user_id=None,
        text=command.content.text,
        findings=command.content.findings,
    )
    assert events[2] == ResponseDraftApproved(complaint_id=COMPLAINT_ID, draft_id="D1", approved_by_user_id="atw-sd-1")
    sent = events[3]
    assert isinstance(sent, ResponseIssued)
    assert (sent.draft_id, sent.stage, sent.text, sent.author_user_id) == ("D1", 1, command.content.text, "ann")
    state = given(*events)
    assert state.drafts[0].status is DraftStatus.SENT
    assert state.latest_draft is None
    assert state.last_stage == 1


def test_an_atw_response_cannot_be_issued_without_a_draft() -> None:
    problem = refused(RuleViolation, given(atw()), issue(), "R7")
    assert problem.guidance == "002 8.03"
    assert "AtW Service Delivery team" in problem.detail


def test_an_atw_draft_is_not_sent_before_approval() -> None:
    problem = refused(RuleViolation, given(*atw_history(submit())), send(), "R7")
    assert problem.guidance == "002 8.03"
    assert "not approved" in problem.detail


def test_a_rewording_request_needs_a_new_draft() -> None:
    request = reword()
    events = atw_history(submit(), request)
    assert events[-1] == ResponseRewordingRequested(
        complaint_id=COMPLAINT_ID, draft_id="D1", requested_by_user_id="atw-sd-1", comments=request.comments
    )
    state = given(*events)
    assert state.drafts[0].status is DraftStatus.REWORDING_REQUESTED
    assert "submit a new draft" in refused(RuleViolation, state, send(), "R7").detail
    assert "submit a new draft" in refused(RuleViolation, state, approve(), "R7").detail
    redrafted = atw_history(
        submit(), reword(), submit(text=sealed("Dear Sam, we are sorry.")), approve("D2"), send("D2")
    )
    sent = redrafted[-1]
    assert isinstance(sent, ResponseIssued)
    assert sent.draft_id == "D2"


def test_only_the_latest_draft_can_be_approved_or_sent() -> None:
    state = given(*atw_history(submit(), approve(), submit(text=sealed("Second thoughts."))))
    assert [d.status for d in state.drafts] == [DraftStatus.SUPERSEDED, DraftStatus.SUBMITTED]
    problem = refused(RuleViolation, state, send("D1"), "R7")
    assert "superseded by D2" in problem.detail
    refused(RuleViolation, state, approve("D1"), "R7")


def test_a_draft_is_approved_once() -> None:
    state = given(*atw_history(submit(), approve()))
    assert "already approved" in refused(RuleViolation, state, approve(), "R7").detail
    assert "already approved" in refused(RuleViolation, state, reword(), "R7").detail


def test_an_unknown_draft_is_not_found() -> None:
    refused(NotFound, given(*atw_history(submit())), approve("D9"), "R7")
    refused(NotFound, given(atw()), send("D1"), "R7")


def test_a_sent_draft_is_not_in_play() -> None:
    state = given(*atw_history(submit(), approve(), send()))
    assert "was sent" in refused(RuleViolation, state, approve(), "R7").detail


def test_drafts_go_to_the_atw_team_only_for_atw() -> None:
    problem = refused(RuleViolation, given(registered()), submit(), "R7")
    assert problem.guidance == "002 8.03"


def test_a_draft_is_checked_like_a_response() -> None:
    problem = refused(ValidationProblem, given(atw()), submit(findings=(finding(achievable=False),)), "R7")
    assert fields_of(problem) == {"findings.0.why_not": "R7"}


def test_an_atw_final_response_is_reviewed_independently_and_signposted() -> None:
    stage_1 = atw_history(submit(author_user_id="ann", reviewer_user_id="bob"), approve(), send())
    involved = refused(
        RuleViolation,
        given(*stage_1),
        submit(stage=2, final=True, author_user_id="cat", reviewer_user_id="bob"),
        "R7",
    )
    assert involved.guidance == "001 Annex 2 3.6"
    events = history(
        submit(stage=2, final=True, author_user_id="cat", reviewer_user_id="dan"),
        approve("D2"),
        send("D2"),
        start=tuple(stage_1),
    )
    sent = events[-1]
    assert isinstance(sent, ResponseIssued)
    assert sent.final is True
    assert sent.signposting is not None
    assert sent.signposting.text == standard_text(Programme.ATW).text
    assert sent.signposting.source.startswith("000 Annex 1")
    assert sent.signposting.ice_contact_by == date(2027, 5, 23)
    assert given(*events).status is ComplaintStatus.CLOSED


def test_a_draft_author_of_an_earlier_stage_counts_as_involved() -> None:
    """Someone who drafted an earlier response, even a superseded draft, was involved in it."""
    stage_1 = atw_history(submit(author_user_id="eve"), submit(author_user_id="ann"), approve("D2"), send("D2"))
    problem = refused(
        RuleViolation,
        given(*stage_1),
        submit(stage=2, final=True, author_user_id="cat", reviewer_user_id="eve"),
        "R7",
    )
    assert "eve" in problem.detail


# The standard text itself


def test_the_standard_text_is_quoted_exactly_from_000_annex_1() -> None:
    seed = next(iter(SEEDS.glob("000_*.txt")), None)
    if seed is None:
        pytest.skip("the guidance seeds are not beside the project")
    assert ANNEX_1_TEXT in seed.read_text()


def test_every_programme_has_a_standard_text() -> None:
    for programme in Programme:
        assert standard_text(programme).text == ANNEX_1_TEXT


def test_response_content_is_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        content().stage = 3  # type: ignore[misc]
    assert isinstance(content(), ResponseContent)
