"""Responses (R7): one per stage; the final one signposts ICE and is independently reviewed; AtW drafts.

- Stages are answered in order, one response each; the final response ends the provider's process
  (000 14.17; 002 8.06) and closes the complaint.
- Each response says, per element, whether the desired outcome can be achieved and if not why
  (001 Annex 2 3.7).
- A final response carries the standard ICE signposting text, inserted here, with the date by which
  to contact ICE: six months from the response date (000 14.17, 14.23, Annex 1; 002 8.06-8.07).
- A final response is reviewed by someone with no involvement in earlier responses (001 Annex 2 3.6).
- AtW: a drafted response goes to the AtW Service Delivery team, who approve it or ask for it to be
  reworded; it is sent only once approved (002 8.03).
"""

from __future__ import annotations

from datetime import date

from shared.complaints.checks import business_day_between, open_for_work, personal_text, refuse_if
from shared.complaints.commands import (
    ApproveDraftResponse,
    IssueResponse,
    RequestRewording,
    ResponseContent,
    SendApprovedDraft,
    SubmitDraftResponse,
)
from shared.complaints.events import (
    ElementFinding,
    OutstandingAction,
    ResponseDraftApproved,
    ResponseDraftSubmitted,
    ResponseIssued,
    ResponseRewordingRequested,
    Signposting,
)
from shared.complaints.signposting import ice_contact_by, same_wording, standard_text
from shared.complaints.state import ComplaintState, DraftState
from shared.complaints.vocabulary import ComplaintAbout, DraftStatus
from shared.decider import DomainEvent
from shared.errors import FieldError, NotFound, RuleViolation
from shared.vocabulary import Programme

REVIEW_GUIDANCE = "001 Annex 2 3.6"
WHY_NOT_GUIDANCE = "001 Annex 2 3.7"
SIGNPOSTING_GUIDANCE = "000 14.17, Annex 1; 002 8.06"
ATW_GUIDANCE = "002 8.03"


def _id(state: ComplaintState) -> str:
    assert state.complaint_id is not None
    return state.complaint_id


def _check_stage(content: ResponseContent, state: ComplaintState) -> None:
    final = state.final_response
    if final is not None:
        raise RuleViolation(
            detail=f"the final response was issued on {final.issued_on.isoformat()}: the provider's process has "
            "ended, and the complainant may go to ICE",
            requirement="R7",
            guidance="000 14.17",
        )
    expected = state.last_stage + 1
    if content.stage != expected:
        detail = (
            f"stage {content.stage} was already answered"
            if content.stage < expected
            else f"stage {expected} is answered first"
        )
        raise RuleViolation(
            detail=f"{detail}: the next response is for stage {expected}", requirement="R7", guidance="001 Annex 2 3.5"
        )


def _check_reviewer(content: ResponseContent, state: ComplaintState) -> None:
    """Annex 2 3.6: 'Our final response to the complaint is reviewed by someone who has had no involvement in
    earlier responses.' Involvement: wrote or reviewed an issued response, or drafted or reviewed a draft of
    an earlier stage."""
    if not content.final:
        return
    reviewer = content.reviewer_user_id
    assert reviewer is not None, "checked with the content"
    if reviewer == content.author_user_id:
        raise RuleViolation(
            detail=f"{reviewer} wrote this final response and cannot also review it",
            requirement="R7",
            guidance=REVIEW_GUIDANCE,
            extra={"reviewer_user_id": reviewer},
        )
    involved = state.involved_in_responses() | {
        person
        for d in state.drafts
        if d.stage < content.stage
        for person in (d.author_user_id, d.reviewer_user_id)
        if person is not None
    }
    if reviewer in involved:
        raise RuleViolation(
            detail=f"{reviewer} wrote or reviewed an earlier response on this complaint: the final response is "
            "reviewed by someone with no involvement in earlier responses",
            requirement="R7",
            guidance=REVIEW_GUIDANCE,
            extra={"reviewer_user_id": reviewer},
        )


def _check_findings(errors: list[FieldError], findings: tuple[ElementFinding, ...], state: ComplaintState) -> None:
    """One finding per element the stage answers: every element, or those escalated to it (000 14.21)."""
    in_play = state.elements_in_play or state.element_ids
    seen: list[str] = []
    for i, finding in enumerate(findings):
        if finding.element_id not in state.element_ids:
            errors.append(FieldError(f"findings.{i}.element_id", "R7", f"no element {finding.element_id}"))
        elif finding.element_id not in in_play:
            errors.append(
                FieldError(
                    f"findings.{i}.element_id",
                    "R7",
                    f"element {finding.element_id} was not escalated to stage {state.current_stage}: it answers "
                    f"{', '.join(in_play)}",
                )
            )
        elif finding.element_id in seen:
            errors.append(FieldError(f"findings.{i}.element_id", "R7", f"element {finding.element_id} twice"))
        seen.append(finding.element_id)
        if finding.desired_outcome_achievable:
            if finding.why_not is not None:
                errors.append(
                    FieldError(f"findings.{i}.why_not", "R7", "say why not only where the outcome cannot be achieved")
                )
        else:
            personal_text(
                errors,
                state,
                f"findings.{i}.why_not",
                finding.why_not,
                requirement="R7",
                what="where the desired outcome cannot be achieved, why not (001 Annex 2 3.7)",
            )
    missing = [e for e in in_play if e not in seen]
    if missing:
        errors.append(FieldError("findings", "R7", f"a response answers every element: missing {', '.join(missing)}"))


def _check_signposting(errors: list[FieldError], content: ResponseContent, programme: Programme) -> None:
    if not content.signposting_supplied:
        return  # inserted on issue
    if not content.final:
        errors.append(FieldError("signposting_text", "R7", "only a final response carries the ICE signposting"))
        return
    supplied = content.signposting_text
    if supplied is None or not supplied.strip():
        errors.append(
            FieldError(
                "signposting_text",
                "R7",
                "a final response must carry the standard ICE signposting text: leave the field out to have it "
                "inserted",
            )
        )
    elif not same_wording(supplied, standard_text(programme).text):
        errors.append(
            FieldError(
                "signposting_text",
                "R7",
                f"not the standard wording ({standard_text(programme).source}): leave the field out to have it "
                "inserted",
            )
        )


def _check_content(content: ResponseContent, state: ComplaintState, errors: list[FieldError]) -> None:
    _check_stage(content, state)
    if content.stage < 1:
        errors.append(FieldError("stage", "R7", "stages are numbered from 1"))
    personal_text(errors, state, "text", content.text, requirement="R7", what="the response's text")
    _check_findings(errors, content.findings, state)
    assert state.programme is not None
    _check_signposting(errors, content, state.programme)
    if content.final and content.reviewer_user_id is None:
        errors.append(FieldError("reviewer_user_id", "R7", "a final response names its reviewer (001 Annex 2 3.6)"))


def _guidance_of(errors: list[FieldError]) -> str:
    if any(e.field == "signposting_text" for e in errors):
        return SIGNPOSTING_GUIDANCE
    if any(e.field.endswith("why_not") for e in errors):
        return WHY_NOT_GUIDANCE
    return "001 Annex 2 3.5-3.7"


def _validate(content: ResponseContent, state: ComplaintState, extra: list[FieldError] | None = None) -> None:
    errors = list(extra or [])
    _check_content(content, state, errors)
    refuse_if(errors, "R7", _guidance_of(errors))
    _check_reviewer(content, state)


def _issued_on(errors: list[FieldError], issued_on: date, today: date, state: ComplaintState) -> None:
    assert state.received_on is not None
    floor, what = state.received_on, "the date received"
    if state.responses and state.responses[-1].issued_on > floor:
        floor, what = state.responses[-1].issued_on, "the previous response"
    if state.current_stage > 1 and state.stage_started_on is not None and state.stage_started_on > floor:
        floor, what = state.stage_started_on, f"the escalation to stage {state.current_stage}"
    business_day_between(
        errors, "issued_on", issued_on, requirement="R7", not_before=floor, not_before_what=what, today=today
    )


def _issued(
    state: ComplaintState,
    *,
    stage: int,
    final: bool,
    issued_on: date,
    author_user_id: str,
    reviewer_user_id: str | None,
    text: dict[str, object] | None,
    findings: tuple[ElementFinding, ...],
    draft_id: str | None,
    joint: bool = False,
) -> ResponseIssued:
    signposting = None
    outstanding: tuple[OutstandingAction, ...] = ()
    if final:
        assert state.programme is not None
        standard = standard_text(state.programme)
        signposting = Signposting(text=standard.text, source=standard.source, ice_contact_by=ice_contact_by(issued_on))
        outstanding = tuple(
            OutstandingAction(action_id=a.action_id, due_on=a.due_on) for a in state.actions if a.completed_on is None
        )
    return ResponseIssued(
        complaint_id=_id(state),
        stage=stage,
        final=final,
        issued_on=issued_on,
        author_user_id=author_user_id,
        reviewer_user_id=reviewer_user_id,
        text=text,
        findings=findings,
        draft_id=draft_id,
        signposting=signposting,
        outstanding_actions=outstanding,
        joint=joint,
    )


def _not_the_joint_response(content: ResponseContent, state: ComplaintState) -> None:
    """A mixed complaint's stage 1 is the Jobcentre's joint response, agreed with the provider (R25; 000 14.20)."""
    if state.about is ComplaintAbout.MIXED and content.stage == 1:
        raise RuleViolation(
            detail="a mixed complaint's first response is the Jobcentre's joint response, agreed with the provider's "
            "contribution: issue it as the joint response",
            requirement="R25",
            guidance="000 14.20",
        )


def issue_response(command: IssueResponse, state: ComplaintState) -> list[DomainEvent]:
    open_for_work(state)
    _not_the_joint_response(command.content, state)
    if state.programme is Programme.ATW:
        raise RuleViolation(
            detail="an Access to Work response is sent only once the AtW Service Delivery team has approved its "
            "draft: submit a draft",
            requirement="R7",
            guidance=ATW_GUIDANCE,
        )
    dates: list[FieldError] = []
    _issued_on(dates, command.issued_on, command.today, state)
    content = command.content
    _validate(content, state, dates)
    return [
        _issued(
            state,
            stage=content.stage,
            final=content.final,
            issued_on=command.issued_on,
            author_user_id=content.author_user_id,
            reviewer_user_id=content.reviewer_user_id,
            text=content.text,
            findings=content.findings,
            draft_id=None,
        )
    ]


def submit_draft(command: SubmitDraftResponse, state: ComplaintState) -> list[DomainEvent]:
    open_for_work(state)
    _not_the_joint_response(command.content, state)
    if state.programme is not Programme.ATW:
        raise RuleViolation(
            detail="only Access to Work drafts go to the AtW Service Delivery team: issue the response directly",
            requirement="R7",
            guidance=ATW_GUIDANCE,
        )
    content = command.content
    _validate(content, state)
    return [
        ResponseDraftSubmitted(
            complaint_id=_id(state),
            draft_id=f"D{len(state.drafts) + 1}",
            stage=content.stage,
            final=content.final,
            author_user_id=content.author_user_id,
            reviewer_user_id=content.reviewer_user_id,
            text=content.text,
            findings=content.findings,
        )
    ]


def _draft_in_play(state: ComplaintState, draft_id: str) -> DraftState:
    draft = next((d for d in state.drafts if d.draft_id == draft_id), None)
    if draft is None:
        raise NotFound(detail=f"no draft {draft_id} on this complaint", requirement="R7")
    latest = state.latest_draft
    if latest is None or latest.draft_id != draft.draft_id:
        detail = (
            f"draft {draft_id} was sent"
            if draft.status is DraftStatus.SENT
            else f"draft {draft_id} was superseded by {latest.draft_id if latest else 'a later draft'}"
        )
        raise RuleViolation(
            detail=f"{detail}: only the latest draft is in play", requirement="R7", guidance=ATW_GUIDANCE
        )
    return draft


def _awaiting_decision(draft: DraftState) -> None:
    if draft.status is DraftStatus.APPROVED:
        raise RuleViolation(
            detail=f"draft {draft.draft_id} is already approved", requirement="R7", guidance=ATW_GUIDANCE
        )
    if draft.status is DraftStatus.REWORDING_REQUESTED:
        raise RuleViolation(
            detail=f"rewording of draft {draft.draft_id} was requested: submit a new draft",
            requirement="R7",
            guidance=ATW_GUIDANCE,
        )


def approve_draft(command: ApproveDraftResponse, state: ComplaintState) -> list[DomainEvent]:
    open_for_work(state)
    draft = _draft_in_play(state, command.draft_id)
    _awaiting_decision(draft)
    return [
        ResponseDraftApproved(
            complaint_id=_id(state), draft_id=draft.draft_id, approved_by_user_id=command.approved_by_user_id
        )
    ]


def request_rewording(command: RequestRewording, state: ComplaintState) -> list[DomainEvent]:
    open_for_work(state)
    draft = _draft_in_play(state, command.draft_id)
    _awaiting_decision(draft)
    errors: list[FieldError] = []
    personal_text(errors, state, "comments", command.comments, requirement="R7", required=False)
    refuse_if(errors, "R7", ATW_GUIDANCE)
    return [
        ResponseRewordingRequested(
            complaint_id=_id(state),
            draft_id=draft.draft_id,
            requested_by_user_id=command.requested_by_user_id,
            comments=command.comments,
        )
    ]


def send_approved_draft(command: SendApprovedDraft, state: ComplaintState) -> list[DomainEvent]:
    open_for_work(state)
    draft = _draft_in_play(state, command.draft_id)
    if draft.status is not DraftStatus.APPROVED:
        raise RuleViolation(
            detail=f"draft {draft.draft_id} is not approved by the AtW Service Delivery team"
            + (
                ": rewording was requested, submit a new draft"
                if draft.status is DraftStatus.REWORDING_REQUESTED
                else ""
            ),
            requirement="R7",
            guidance=ATW_GUIDANCE,
        )
    content = ResponseContent(
        stage=draft.stage,
        final=draft.final,
        author_user_id=draft.author_user_id,
        reviewer_user_id=draft.reviewer_user_id,
        text=draft.text,
        findings=draft.findings,
    )
    dates: list[FieldError] = []
    _issued_on(dates, command.issued_on, command.today, state)
    _validate(content, state, dates)
    return [
        _issued(
            state,
            stage=draft.stage,
            final=draft.final,
            issued_on=command.issued_on,
            author_user_id=draft.author_user_id,
            reviewer_user_id=draft.reviewer_user_id,
            text=draft.text,
            findings=draft.findings,
            draft_id=draft.draft_id,
        )
    ]
