"""Stage 3 Investigation: the draft report, the provider's comments and challenges to the draft (R34; 002 8.16-8.21)."""

from __future__ import annotations

from datetime import date

import pytest

from shared.decider import Command
from shared.errors import Conflict, Forbidden, RuleViolation, ValidationProblem
from shared.ice.commands import IssueDraftReport
from shared.ice.events import (
    AdjudicationManagerReplied,
    ChallengeClosed,
    ChallengeFormallyEscalated,
    ChallengeRaised,
    ChallengeResponseRecorded,
    DraftCommentsSubmitted,
    DraftReportIssued,
    FinalReportIssued,
    HeadOfOfficeWroteToDirector,
)
from shared.ice.vocabulary import ChallengeClosure, ChallengeGround, ChallengeStatus
from tests.unit.ice.helpers import (
    ACCEPTED,
    CASE_ID,
    COMMENTS_DUE,
    DAY,
    DRAFTED,
    TODAY,
    adjudication_reply,
    at_investigation,
    challenge_outcome,
    challenge_response,
    challenged,
    comments,
    drafted,
    escalate,
    evidence_complete,
    finding,
    given,
    ground,
    head_of_office_letter,
    history,
    invalid,
    issue_draft,
    issue_final,
    passage,
    raise_challenge,
    recommendation,
    redress,
    refused,
    reported,
    resolve_informally,
    then,
)

INVESTIGATION = "000 14.32-14.33; 004 Part B 5"
CHALLENGE = "002 8.16-8.21"
RAISED = date(2026, 5, 14)


def revised_draft(draft_id: str = "D2", challenge_id: str | None = "CH1") -> IssueDraftReport:
    return issue_draft(
        draft_id,
        challenge_id=challenge_id,
        issued_on=date(2026, 5, 20),
        latest_comments_due_on=date(2026, 5, 27),
        passages=(passage("p1"), passage("p3")),
        findings=(finding("E1", True, "p1"), finding("E2", False, "p3")),
    )


# The draft report


def test_the_draft_report_is_issued_with_comments_due_in_five_working_days() -> None:
    command = issue_draft()
    events = then(at_investigation(), command)
    assert events == [
        DraftReportIssued(
            case_id=CASE_ID,
            draft_id="D1",
            revision=1,
            issued_on=DRAFTED,
            comments_due_on=COMMENTS_DUE,
            passages=command.passages,
            findings=command.findings,
            recommendations=command.recommendations,
            proposed_redress=command.proposed_redress,
            challenge_id=None,
        )
    ]
    draft = given(*at_investigation(), *events).latest_draft
    assert draft is not None
    assert draft.draft_id == "D1"
    assert draft.passage_ids == frozenset({"p1", "p2"})


def test_draft_comment_due_dates() -> None:
    (kept,) = then(at_investigation(), issue_draft(comments_due_on=date(2026, 5, 14)))
    assert isinstance(kept, DraftReportIssued)
    assert kept.comments_due_on == date(2026, 5, 14)
    error = invalid(
        at_investigation(),
        issue_draft(comments_due_on=COMMENTS_DUE + DAY),
        "R34",
        "comments_due_on",
        guidance=INVESTIGATION,
    )
    assert "five working days" in error.message
    invalid(at_investigation(), issue_draft(comments_due_on=DRAFTED - DAY), "R34", "comments_due_on")


def test_the_draft_belongs_to_the_investigation() -> None:
    problem = refused(RuleViolation, evidence_complete(), issue_draft(), "R34", INVESTIGATION)
    assert "settlement" in problem.detail


def test_no_draft_after_the_final_report() -> None:
    problem = refused(RuleViolation, reported(), issue_draft("D9"), "R35")
    assert "final report" in problem.detail


def test_draft_ids_are_unique() -> None:
    refused(Conflict, drafted(), issue_draft(issued_on=date(2026, 5, 12)), "R34")


def test_draft_field_refusals() -> None:
    start = at_investigation()
    invalid(start, issue_draft(passages=(passage("p1"), passage("p1"))), "R34", "passages", "unique")
    invalid(start, issue_draft(recommendations=(recommendation("R-1"),) * 2), "R34", "recommendations", "unique")
    invalid(start, issue_draft(proposed_redress=(redress("C1", 1),) * 2), "R34", "proposed_redress", "unique")
    invalid(start, issue_draft(issued_on=ACCEPTED - DAY), "R34", "issued_on")
    invalid(start, issue_draft(issued_on=TODAY + DAY), "R34", "issued_on")


def test_a_finding_for_each_element_and_only_those() -> None:
    start = at_investigation()
    error = invalid(start, issue_draft(findings=(finding("E1", True, "p1"),)), "R35", "findings")
    assert "missing: E2" in error.message
    error = invalid(
        start,
        issue_draft(findings=(finding("E1", True), finding("E2", False), finding("E3", True))),
        "R35",
        "findings",
    )
    assert "E3" in error.message
    problem = refused(
        ValidationProblem,
        start,
        issue_draft(findings=(finding("E1", True), finding("E1", False), finding("E2", False))),
        "R34",
    )
    assert {e.field: e.rule for e in problem.errors} == {"findings": "unique"}


def test_findings_name_only_passages_of_the_draft() -> None:
    error = invalid(
        at_investigation(),
        issue_draft(findings=(finding("E1", True, "p1"), finding("E2", False, "p9"))),
        "R34",
        "findings.1.passage_ids",
    )
    assert "p9" in error.message


# Comments on the draft


def test_the_provider_comments_on_the_draft() -> None:
    command = comments()
    events = then(drafted(), command)
    assert events == [
        DraftCommentsSubmitted(
            case_id=CASE_ID, draft_id="D1", submitted_on=date(2026, 5, 13), comments=command.comments
        )
    ]
    draft = given(*drafted(), *events).draft("D1")
    assert draft is not None
    assert draft.comments_on == date(2026, 5, 13)


def test_comment_refusals() -> None:
    invalid(drafted(), comments(comments=None), "R34", "comments")
    invalid(drafted(), comments(submitted_on=DRAFTED - DAY), "R34", "submitted_on")
    invalid(drafted(), comments(submitted_on=TODAY + DAY), "R34", "submitted_on")
    commented = history(comments(), start=drafted())
    refused(RuleViolation, commented, comments(), "R34")
    problem = refused(RuleViolation, at_investigation(), comments(), "R34")
    assert "no draft is issued" in problem.detail
    revised = history(
        issue_draft("D2", issued_on=date(2026, 5, 20), latest_comments_due_on=date(2026, 5, 27)), start=drafted()
    )
    problem = refused(RuleViolation, revised, comments("D1"), "R34")
    assert "the current draft is D2" in problem.detail
    problem = refused(RuleViolation, reported(), comments(), "R35", "000 14.38")


# Raising a challenge: who, to whom, on what grounds (002 8.16-8.17)


def test_a_caseworker_cannot_challenge_the_draft() -> None:
    problem = refused(
        Forbidden, drafted(), raise_challenge(raised_by_roles=frozenset({"caseworker"})), "R34", "002 8.16"
    )
    assert "complaints lead or a senior manager" in problem.detail
    refused(Forbidden, drafted(), raise_challenge(raised_by_roles=frozenset()), "R34")


@pytest.mark.parametrize("role", ["complaints_lead", "senior_manager"])
def test_the_complaints_lead_or_a_senior_manager_challenges(role: str) -> None:
    command = raise_challenge(raised_by_roles=frozenset({role, "caseworker"}))
    events = then(drafted(), command)
    assert events == [
        ChallengeRaised(
            case_id=CASE_ID,
            challenge_id="CH1",
            draft_id="D1",
            raised_on=RAISED,
            raised_by_user_id="lee-lead",
            raised_by_role=role,
            addressed_to="adjudication_manager",
            grounds=command.grounds,
        )
    ]
    challenge = given(*drafted(), *events).open_challenge
    assert challenge is not None
    assert challenge.status is ChallengeStatus.RAISED
    assert challenge.draft_id == "D1"


@pytest.mark.parametrize(
    "accepted",
    [
        ChallengeGround.FACTUAL_INACCURACY,
        ChallengeGround.MISINTERPRETATION_OF_CASE_EVENTS,
        ChallengeGround.MISINTERPRETATION_OF_PROCEDURE,
        ChallengeGround.MISINTERPRETATION_OF_POLICY,
    ],
)
def test_factual_and_interpretation_grounds_are_accepted(accepted: ChallengeGround) -> None:
    (event,) = then(drafted(), raise_challenge(ground(accepted)))
    assert isinstance(event, ChallengeRaised)
    assert event.grounds[0].ground is accepted


@pytest.mark.parametrize("ground_kind", [ChallengeGround.LEVEL_OF_REDRESS, ChallengeGround.DIFFERENCE_OF_OPINION])
def test_a_challenge_on_the_level_of_redress_or_a_difference_of_opinion_is_refused(
    ground_kind: ChallengeGround,
) -> None:
    error = invalid(
        drafted(), raise_challenge(ground(), ground(ground_kind, "p2")), "R34", "grounds.1.ground", guidance="002 8.17"
    )
    assert ground_kind.value in error.message
    assert "8.17" in error.message


def test_a_ground_tied_to_a_passage_not_in_the_draft_is_refused() -> None:
    error = invalid(
        drafted(), raise_challenge(ground(passage_id="p9")), "R34", "grounds.0.passage_id", guidance="002 8.17"
    )
    assert "D1" in error.message


def test_a_challenge_states_articulated_grounds_to_the_adjudication_manager() -> None:
    invalid(drafted(), raise_challenge(grounds=()), "R34", "grounds")
    vague = ground().model_copy(update={"detail": None})
    invalid(drafted(), raise_challenge(vague), "R34", "grounds.0.detail")
    invalid(drafted(), raise_challenge(addressed_to="head_of_office"), "R34", "addressed_to")
    invalid(drafted(), raise_challenge(raised_on=DRAFTED - DAY), "R34", "raised_on")
    invalid(drafted(), raise_challenge(raised_on=TODAY + DAY), "R34", "raised_on")


def test_one_open_challenge_at_a_time_with_unique_ids() -> None:
    open_one = challenged()
    problem = refused(RuleViolation, open_one, raise_challenge(challenge_id="CH2"), "R34", CHALLENGE)
    assert "CH1" in problem.detail
    closed = challenged(resolve_informally())
    refused(Conflict, closed, raise_challenge(), "R34")
    (event,) = then(closed, raise_challenge(challenge_id="CH2"))
    assert isinstance(event, ChallengeRaised)


def test_a_challenge_is_to_the_current_draft_during_the_investigation() -> None:
    revised = history(
        issue_draft("D2", issued_on=date(2026, 5, 20), latest_comments_due_on=date(2026, 5, 27)), start=drafted()
    )
    refused(RuleViolation, revised, raise_challenge(draft_id="D1"), "R34")
    refused(RuleViolation, at_investigation(), raise_challenge(), "R34")
    refused(RuleViolation, evidence_complete(), raise_challenge(), "R34", INVESTIGATION)


def test_no_challenge_after_the_final_report_there_is_no_appeal() -> None:
    problem = refused(RuleViolation, reported(), raise_challenge(), "R35", "000 14.38")
    assert "final report" in problem.detail


# Informal resolution (002 8.18)


def test_an_informal_discussion_resolves_the_challenge() -> None:
    command = resolve_informally()
    events = then(challenged(), command)
    assert events == [
        ChallengeClosed(
            case_id=CASE_ID,
            challenge_id="CH1",
            closed_on=date(2026, 5, 15),
            closure=ChallengeClosure.RESOLVED_INFORMALLY,
            outcome=command.outcome,
        )
    ]
    state = given(*challenged(), *events)
    assert state.open_challenge is None
    challenge = state.challenge("CH1")
    assert challenge is not None
    assert challenge.status is ChallengeStatus.CLOSED
    assert challenge.closed_on == date(2026, 5, 15)


def test_informal_resolution_refusals() -> None:
    refused(RuleViolation, challenged(), resolve_informally("CH9"), "R34")
    invalid(challenged(), resolve_informally(resolved_on=RAISED - DAY), "R34", "resolved_on")
    invalid(challenged(), resolve_informally(resolved_on=TODAY + DAY), "R34", "resolved_on")
    problem = refused(RuleViolation, challenged(escalate()), resolve_informally(), "R34", CHALLENGE)
    assert "formal_stage_1" in problem.detail


# Formal stage 1: the Adjudication Manager (002 8.20)


def test_formal_escalation_to_the_adjudication_manager() -> None:
    events = then(challenged(), escalate())
    assert events == [
        ChallengeFormallyEscalated(
            case_id=CASE_ID, challenge_id="CH1", escalated_on=date(2026, 5, 15), reply_due_on=date(2026, 5, 29)
        )
    ]
    challenge = given(*challenged(), *events).challenge("CH1")
    assert challenge is not None
    assert challenge.status is ChallengeStatus.FORMAL_STAGE_1
    assert challenge.reply_due_on == date(2026, 5, 29)


def test_escalation_refusals() -> None:
    refused(RuleViolation, challenged(), escalate("CH9"), "R34")
    invalid(challenged(), escalate(escalated_on=RAISED - DAY), "R34", "escalated_on")
    invalid(challenged(), escalate(escalated_on=TODAY + DAY), "R34", "escalated_on")
    refused(RuleViolation, challenged(escalate()), escalate(), "R34", CHALLENGE)
    refused(RuleViolation, challenged(resolve_informally()), escalate(), "R34", CHALLENGE)


def test_a_revised_draft_is_issued_for_the_challenge_first() -> None:
    escalated = challenged(escalate())
    command = revised_draft()
    events = then(escalated, command)
    assert len(events) == 1
    assert isinstance(events[0], DraftReportIssued)
    assert events[0].revision == 2
    assert events[0].challenge_id == "CH1"
    draft = given(*escalated, *events).latest_draft
    assert draft is not None
    assert draft.draft_id == "D2"
    assert draft.challenge_id == "CH1"


def test_a_revised_draft_needs_an_open_challenge() -> None:
    problem = refused(RuleViolation, drafted(), revised_draft(), "R34", "002 8.19-8.20")
    assert "CH1" in problem.detail
    refused(RuleViolation, challenged(resolve_informally()), revised_draft(), "R34", "002 8.19-8.20")


def test_the_adjudication_manager_replies_with_the_revised_draft() -> None:
    revised = challenged(escalate(), revised_draft())
    command = adjudication_reply(revised_draft_id="D2")
    events = then(revised, command)
    assert events == [
        AdjudicationManagerReplied(
            case_id=CASE_ID,
            challenge_id="CH1",
            replied_on=date(2026, 5, 22),
            reply=command.reply,
            revised_draft_id="D2",
            provider_response_due_on=date(2026, 6, 5),
        )
    ]
    challenge = given(*revised, *events).challenge("CH1")
    assert challenge is not None
    assert challenge.status is ChallengeStatus.AWAITING_PROVIDER
    assert challenge.replied_on == date(2026, 5, 22)
    assert challenge.response_due_on == date(2026, 6, 5)


def test_the_adjudication_manager_replies_without_a_revision() -> None:
    (event,) = then(challenged(escalate()), adjudication_reply())
    assert isinstance(event, AdjudicationManagerReplied)
    assert event.revised_draft_id is None


def test_adjudication_reply_refusals() -> None:
    escalated = challenged(escalate())
    # The revised draft must be issued first, and for this challenge.
    invalid(escalated, adjudication_reply(revised_draft_id="D2"), "R34", "revised_draft_id", guidance="002 8.20")
    invalid(escalated, adjudication_reply(revised_draft_id="D1"), "R34", "revised_draft_id")
    invalid(escalated, adjudication_reply(replied_on=RAISED - DAY), "R34", "replied_on")
    invalid(escalated, adjudication_reply(replied_on=TODAY + DAY), "R34", "replied_on")
    refused(RuleViolation, escalated, adjudication_reply("CH9"), "R34")
    refused(RuleViolation, challenged(), adjudication_reply(), "R34", CHALLENGE)


def test_the_provider_agrees_and_the_challenge_closes() -> None:
    replied = challenged(escalate(), revised_draft(), adjudication_reply(revised_draft_id="D2"))
    events = then(replied, challenge_response(True))
    assert events == [
        ChallengeResponseRecorded(case_id=CASE_ID, challenge_id="CH1", agrees=True, responded_on=date(2026, 5, 26)),
        ChallengeClosed(
            case_id=CASE_ID,
            challenge_id="CH1",
            closed_on=date(2026, 5, 26),
            closure=ChallengeClosure.AGREED_AT_STAGE_1,
        ),
    ]
    closed = [*replied, *events]
    assert given(*closed).open_challenge is None
    final = then(closed, issue_final(report_date=date(2026, 6, 1)))
    assert isinstance(final[0], FinalReportIssued)


def test_the_provider_disagrees_and_the_challenge_stays_open() -> None:
    replied = challenged(escalate(), adjudication_reply())
    events = then(replied, challenge_response(False))
    assert events == [
        ChallengeResponseRecorded(case_id=CASE_ID, challenge_id="CH1", agrees=False, responded_on=date(2026, 5, 26))
    ]
    challenge = given(*replied, *events).challenge("CH1")
    assert challenge is not None
    assert challenge.status is ChallengeStatus.AWAITING_PROVIDER
    assert challenge.provider_agrees is False
    assert challenge.responded_on == date(2026, 5, 26)


def test_challenge_response_refusals() -> None:
    replied = challenged(escalate(), adjudication_reply())
    invalid(replied, challenge_response(True, responded_on=date(2026, 5, 21)), "R34", "responded_on")
    invalid(replied, challenge_response(True, responded_on=TODAY + DAY), "R34", "responded_on")
    refused(RuleViolation, challenged(escalate()), challenge_response(True), "R34", CHALLENGE)
    disagreed = challenged(escalate(), adjudication_reply(), challenge_response(False))
    problem = refused(RuleViolation, disagreed, challenge_response(True), "R34", "002 8.21")
    assert "Head of Office" in problem.detail


# Formal stage 2: the Head of Office (002 8.21)


def test_the_head_of_office_writes_to_the_director_and_the_outcome_is_recorded() -> None:
    disagreed = challenged(escalate(), adjudication_reply(), challenge_response(False))
    letter = head_of_office_letter()
    events = then(disagreed, letter)
    assert events == [
        HeadOfOfficeWroteToDirector(
            case_id=CASE_ID, challenge_id="CH1", written_on=date(2026, 5, 27), director_name=letter.director_name
        )
    ]
    written = [*disagreed, *events]
    challenge = given(*written).challenge("CH1")
    assert challenge is not None
    assert challenge.status is ChallengeStatus.FORMAL_STAGE_2
    outcome = challenge_outcome()
    closing = then(written, outcome)
    assert closing == [
        ChallengeClosed(
            case_id=CASE_ID,
            challenge_id="CH1",
            closed_on=date(2026, 5, 29),
            closure=ChallengeClosure.HEAD_OF_OFFICE_OUTCOME,
            outcome=outcome.outcome,
        )
    ]
    assert given(*written, *closing).open_challenge is None


def test_head_of_office_refusals() -> None:
    disagreed = challenged(escalate(), adjudication_reply(), challenge_response(False))
    invalid(disagreed, head_of_office_letter(written_on=date(2026, 5, 21)), "R34", "written_on")
    invalid(disagreed, head_of_office_letter(written_on=TODAY + DAY), "R34", "written_on")
    refused(RuleViolation, challenged(escalate()), head_of_office_letter(), "R34", CHALLENGE)
    written = history(head_of_office_letter(), start=disagreed)
    refused(RuleViolation, written, head_of_office_letter(), "R34", CHALLENGE)
    invalid(written, challenge_outcome(outcome=None), "R34", "outcome", guidance="002 8.21")
    invalid(written, challenge_outcome(closed_on=RAISED - DAY), "R34", "closed_on")
    invalid(written, challenge_outcome(closed_on=TODAY + DAY), "R34", "closed_on")
    refused(RuleViolation, disagreed, challenge_outcome(), "R34", CHALLENGE)


# The final report waits for the challenge


@pytest.mark.parametrize(
    "steps",
    [
        (),
        (escalate(),),
        (escalate(), adjudication_reply()),
        (escalate(), adjudication_reply(), challenge_response(False)),
        (escalate(), adjudication_reply(), challenge_response(False), head_of_office_letter()),
    ],
    ids=["raised", "formal_stage_1", "awaiting_provider", "provider_disagreed", "formal_stage_2"],
)
def test_the_final_report_is_refused_while_a_challenge_is_open(steps: tuple[Command, ...]) -> None:
    open_one = challenged(*steps)
    problem = refused(RuleViolation, open_one, issue_final(), "R34", CHALLENGE)
    assert "CH1" in problem.detail


@pytest.mark.parametrize(
    "steps",
    [
        (resolve_informally(),),
        (escalate(), adjudication_reply(), challenge_response(True)),
        (escalate(), adjudication_reply(), challenge_response(False), head_of_office_letter(), challenge_outcome()),
    ],
    ids=["informally", "agreed_at_stage_1", "head_of_office_outcome"],
)
def test_the_final_report_follows_a_closed_challenge(steps: tuple[Command, ...]) -> None:
    events = then(challenged(*steps), issue_final())
    assert isinstance(events[0], FinalReportIssued)
