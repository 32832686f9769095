"""Builders for the ICE case decider's tests: given events, when a command, then events or a refusal.

One complaint (two elements) is referred to ICE; `at_*` journeys decide real commands in turn, so every state a
test starts from was reached through the decider itself rather than hand-written events.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from shared.complaints.events import Sealed
from shared.decider import Command, DomainEvent, fold
from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ProblemError,
    RuleViolation,
    ValidationProblem,
)
from shared.ice import commands as c
from shared.ice.decider import ICE_DECIDER, decide
from shared.ice.events import (
    AgreedAction,
    ChallengeGroundRecord,
    ContractTerms,
    ElementFinding,
    EvidenceItemRequested,
    Passage,
    PhsoRecommendation,
    Recommendation,
    RedressItem,
)
from shared.ice.fees import FeeRate
from shared.ice.state import IceCaseState
from shared.ice.vocabulary import (
    ChallengeGround,
    EvidenceKind,
    Finding,
    PhsoRoute,
    RecommendationKind,
    RedressKind,
    RequestKind,
)
from shared.personal_data import seal_value

SUBJECT = uuid.UUID("6f1c2a64-3b1e-4c39-9a55-0d1f4b0c2e11")
KEY = bytes(range(32))
CASE_ID = "complaint-0001"
PROVIDER = "provider-alpha"
ELEMENTS = ("E1", "E2")
STEPS = ("acknowledged", "stage_1_response", "final_response")

RECEIVED = date(2026, 1, 5)
FINAL_RESPONSE = date(2026, 2, 20)
REFERRED = date(2026, 3, 2)
ACCEPTED = date(2026, 3, 3)
GATEWAY_ASKED = date(2026, 3, 4)
GATEWAY_DUE = date(2026, 3, 11)  # five working days from Wednesday 4 March 2026
CONFIRMED = date(2026, 3, 6)
PASSED = date(2026, 3, 9)
SETTLEMENT_FROM = date(2026, 4, 1)
EVIDENCE_ASKED = date(2026, 4, 2)
EVIDENCE_DUE = date(2026, 4, 10)
INVESTIGATION_FROM = date(2026, 5, 1)
DRAFTED = date(2026, 5, 11)
COMMENTS_DUE = date(2026, 5, 18)
REPORTED = date(2026, 6, 1)
TODAY = date(2026, 12, 31)
DAY = timedelta(days=1)

LET_IN_SCHEME = date(2015, 6, 1)
ABOVE_THRESHOLD = 10_000_000

DEFAULT_RATE = FeeRate(version="2011-04-01", effective_from=date(2011, 4, 1), amount_pence=500_000)
SCHEDULE = (DEFAULT_RATE,)

STATUS = {ValidationProblem: 422, RuleViolation: 409, Conflict: 409, Forbidden: 403, NotFound: 404}
SLUG = {
    ValidationProblem: "validation",
    RuleViolation: "rule-violation",
    Conflict: "conflict",
    Forbidden: "forbidden",
    NotFound: "not-found",
}


def sealed(text: str) -> Sealed:
    return seal_value(SUBJECT, KEY, text)


# Given / when / then


def given(*events: DomainEvent) -> IceCaseState:
    return fold(ICE_DECIDER, events)


def then(events: list[DomainEvent] | tuple[DomainEvent, ...], command: Command) -> list[DomainEvent]:
    return decide(command, given(*events))


def history(*commands: Command, start: list[DomainEvent] | None = None) -> list[DomainEvent]:
    """Decide each command in turn on the events so far: the events of a whole journey."""
    events: list[DomainEvent] = list(start or [])
    for command in commands:
        events.extend(decide(command, given(*events)))
    return events


def refused(
    kind: type[ProblemError],
    events: list[DomainEvent] | tuple[DomainEvent, ...] | IceCaseState,
    command: Command,
    requirement: str | None,
    guidance: str | None = None,
) -> ProblemError:
    """The command is refused with exactly `kind`, its status and problem type, naming `requirement`."""
    state = events if isinstance(events, IceCaseState) else given(*events)
    with pytest.raises(ProblemError) as caught:
        decide(command, state)
    problem = caught.value
    assert type(problem) is kind, problem
    assert problem.status == STATUS[kind]
    assert problem.type == f"urn:dwp-complaints:problem:{SLUG[kind]}"
    assert problem.requirement == requirement, problem
    if guidance is not None:
        assert problem.guidance == guidance, problem
    return problem


def fields_of(problem: ProblemError) -> dict[str, str]:
    assert isinstance(problem, ValidationProblem)
    return {e.field: e.rule for e in problem.errors}


def invalid(
    events: list[DomainEvent] | tuple[DomainEvent, ...] | IceCaseState,
    command: Command,
    requirement: str,
    field: str,
    rule: str | None = None,
    guidance: str | None = None,
) -> FieldError:
    """Refused with a 422 naming `field` (under `rule`, by default the requirement)."""
    problem = refused(ValidationProblem, events, command, requirement, guidance)
    matching = [e for e in problem.errors if e.field == field]
    assert matching, f"no error on {field}: {problem.errors}"
    assert matching[0].rule == (rule or requirement)
    return matching[0]


# Referral


def facts(**overrides: Any) -> c.ComplaintFacts:
    fields: dict[str, Any] = {
        "complaint_id": CASE_ID,
        "subject_id": str(SUBJECT),
        "provider_organisation_id": PROVIDER,
        "logged_by_organisation_id": PROVIDER,
        "programme": "ipes",
        "nation": "england",
        "element_ids": ELEMENTS,
        "received_on": RECEIVED,
        "final_response_on": FINAL_RESPONSE,
        "withdrawn": False,
    }
    fields.update(overrides)
    return c.ComplaintFacts(**fields)


def contract(let_or_renewed_on: date = LET_IN_SCHEME, value_pence: int = ABOVE_THRESHOLD) -> ContractTerms:
    return ContractTerms(contract_id="ipes-alpha", value_pence=value_pence, let_or_renewed_on=let_or_renewed_on)


def record_referral(complaint: c.ComplaintFacts | None = None, **overrides: Any) -> c.RecordReferral:
    fields: dict[str, Any] = {
        "complaint": complaint or facts(),
        "contract": contract(),
        "referred_on": REFERRED,
        "today": TODAY,
    }
    fields.update(overrides)
    return c.RecordReferral(**fields)


def accept(**overrides: Any) -> c.AcceptReferral:
    fields: dict[str, Any] = {"accepted_on": ACCEPTED, "justification": None, "today": TODAY}
    fields.update(overrides)
    return c.AcceptReferral(**fields)


def decline(**overrides: Any) -> c.DeclineReferral:
    fields: dict[str, Any] = {"declined_on": ACCEPTED, "reason": sealed("Not a DWP provider matter."), "today": TODAY}
    fields.update(overrides)
    return c.DeclineReferral(**fields)


def make_request(**overrides: Any) -> c.MakeRequest:
    """A gateway confirmation request by default."""
    fields: dict[str, Any] = {
        "request_id": "Q1",
        "kind": RequestKind.CONFIRMATION,
        "made_on": GATEWAY_ASKED,
        "due_on": None,
        "latest_due_on": GATEWAY_DUE,
        "steps": STEPS,
        "today": TODAY,
    }
    fields.update(overrides)
    return c.MakeRequest(**fields)


def ask_comments(request_id: str = "Q2", **overrides: Any) -> c.MakeRequest:
    return make_request(request_id=request_id, kind=RequestKind.COMMENTS, steps=(), **overrides)


def answer(request_id: str = "Q2", **overrides: Any) -> c.AnswerRequest:
    fields: dict[str, Any] = {"request_id": request_id, "answered_on": CONFIRMED, "today": TODAY}
    fields.update(overrides)
    return c.AnswerRequest(**fields)


def confirm(request_id: str = "Q1", **overrides: Any) -> c.ConfirmGatewaySteps:
    fields: dict[str, Any] = {"request_id": request_id, "confirmed_on": CONFIRMED, "today": TODAY}
    fields.update(overrides)
    return c.ConfirmGatewaySteps(**fields)


def return_to_provider(**overrides: Any) -> c.ReturnToProvider:
    fields: dict[str, Any] = {
        "steps": ("stage_1_response", "final_response"),
        "reason": sealed("The stage 1 response was never sent."),
        "returned_on": CONFIRMED,
        "today": TODAY,
    }
    fields.update(overrides)
    return c.ReturnToProvider(**fields)


def report_revisited(**overrides: Any) -> c.ReportRevisitedSteps:
    fields: dict[str, Any] = {
        "steps": ("stage_1_response", "final_response"),
        "reported_on": date(2026, 3, 20),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.ReportRevisitedSteps(**fields)


def pass_gateway(**overrides: Any) -> c.PassGateway:
    fields: dict[str, Any] = {"passed_on": PASSED, "today": TODAY}
    fields.update(overrides)
    return c.PassGateway(**fields)


# Stages 1 and 2


def allocate(**overrides: Any) -> c.AllocateInvestigator:
    fields: dict[str, Any] = {"investigator_user_id": "ice-ivy", "allocated_on": PASSED, "today": TODAY}
    fields.update(overrides)
    return c.AllocateInvestigator(**fields)


def action(action_id: str = "A1", due_on: date = date(2026, 3, 31)) -> AgreedAction:
    return AgreedAction(action_id=action_id, description=sealed(f"Do {action_id}."), due_on=due_on)


def agree_resolution(*actions: AgreedAction, **overrides: Any) -> c.AgreeResolution:
    fields: dict[str, Any] = {"agreed_on": date(2026, 3, 16), "actions": actions, "today": TODAY}
    fields.update(overrides)
    return c.AgreeResolution(**fields)


def complete_action(action_id: str = "A1", **overrides: Any) -> c.CompleteAgreedAction:
    fields: dict[str, Any] = {"action_id": action_id, "completed_on": date(2026, 3, 25), "today": TODAY}
    fields.update(overrides)
    return c.CompleteAgreedAction(**fields)


def move_on(**overrides: Any) -> c.MoveToNextStage:
    fields: dict[str, Any] = {"moved_on": SETTLEMENT_FROM, "today": TODAY}
    fields.update(overrides)
    return c.MoveToNextStage(**fields)


def evidence_item(item_id: str, kind: EvidenceKind = EvidenceKind.CASE_PAPERS) -> EvidenceItemRequested:
    return EvidenceItemRequested(item_id=item_id, kind=kind, description=f"the {kind.value} ({item_id})")


def request_evidence(*item_ids: str, **overrides: Any) -> c.RequestEvidence:
    items = tuple(evidence_item(i) for i in item_ids) if item_ids else (evidence_item("I1"),)
    fields: dict[str, Any] = {
        "request_id": "EV1",
        "items": items,
        "requested_on": EVIDENCE_ASKED,
        "due_on": None,
        "latest_due_on": EVIDENCE_DUE,
        "today": TODAY,
    }
    fields.update(overrides)
    return c.RequestEvidence(**fields)


def upload(item_id: str = "I1", request_id: str = "EV1", **overrides: Any) -> c.RecordEvidenceUpload:
    fields: dict[str, Any] = {
        "request_id": request_id,
        "item_id": item_id,
        "blob_key": f"ice/{CASE_ID}/{request_id}/{item_id}",
        "content_type": "application/pdf",
        "size_bytes": 1024,
        "sha256": "ab" * 32,
        "today": date(2026, 4, 8),
    }
    fields.update(overrides)
    return c.RecordEvidenceUpload(**fields)


def not_held(item_id: str = "I1", request_id: str = "EV1", **overrides: Any) -> c.MarkEvidenceNotHeld:
    fields: dict[str, Any] = {
        "request_id": request_id,
        "item_id": item_id,
        "reason": sealed("Calls were not recorded before 2025."),
        "today": date(2026, 4, 8),
    }
    fields.update(overrides)
    return c.MarkEvidenceNotHeld(**fields)


def propose(proposal_id: str = "P1", *actions: AgreedAction, **overrides: Any) -> c.ProposeWayForward:
    fields: dict[str, Any] = {
        "proposal_id": proposal_id,
        "proposal": sealed("An apology and a new adviser."),
        "actions": actions,
        "proposed_on": date(2026, 4, 15),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.ProposeWayForward(**fields)


def provider_answers(agrees: bool, proposal_id: str = "P1", **overrides: Any) -> c.AnswerWayForward:
    fields: dict[str, Any] = {
        "proposal_id": proposal_id,
        "provider_agrees": agrees,
        "answered_on": date(2026, 4, 20),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.AnswerWayForward(**fields)


def complainant_says(satisfied: bool, proposal_id: str = "P1", **overrides: Any) -> c.RecordComplainantSatisfaction:
    fields: dict[str, Any] = {
        "proposal_id": proposal_id,
        "satisfied": satisfied,
        "recorded_on": date(2026, 4, 22),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.RecordComplainantSatisfaction(**fields)


# Stage 3


def passage(passage_id: str) -> Passage:
    return Passage(passage_id=passage_id, text=sealed(f"Paragraph {passage_id} of the report."))


def finding(element_id: str, upheld: bool, *passage_ids: str) -> ElementFinding:
    return ElementFinding(
        element_id=element_id,
        finding=Finding.UPHELD if upheld else Finding.NOT_UPHELD,
        maladministration=upheld,
        passage_ids=passage_ids,
    )


def recommendation(
    recommendation_id: str, kind: RecommendationKind = RecommendationKind.CASE_SPECIFIC
) -> Recommendation:
    return Recommendation(
        recommendation_id=recommendation_id, kind=kind, text=sealed(f"Recommendation {recommendation_id}.")
    )


def redress(redress_id: str, amount_pence: int, kind: RedressKind = RedressKind.CONSOLATORY_PAYMENT) -> RedressItem:
    return RedressItem(redress_id=redress_id, kind=kind, amount_pence=amount_pence)


def issue_draft(draft_id: str = "D1", **overrides: Any) -> c.IssueDraftReport:
    fields: dict[str, Any] = {
        "draft_id": draft_id,
        "issued_on": DRAFTED,
        "comments_due_on": None,
        "latest_comments_due_on": COMMENTS_DUE,
        "passages": (passage("p1"), passage("p2")),
        "findings": (finding("E1", True, "p1"), finding("E2", False, "p2")),
        "recommendations": (recommendation("R-1"),),
        "proposed_redress": (redress("C1", 25_000),),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.IssueDraftReport(**fields)


def comments(draft_id: str = "D1", **overrides: Any) -> c.SubmitDraftComments:
    fields: dict[str, Any] = {
        "draft_id": draft_id,
        "comments": sealed("We have no comments beyond our letter."),
        "submitted_on": date(2026, 5, 13),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.SubmitDraftComments(**fields)


def ground(kind: ChallengeGround = ChallengeGround.FACTUAL_INACCURACY, passage_id: str = "p1") -> ChallengeGroundRecord:
    return ChallengeGroundRecord(ground=kind, passage_id=passage_id, detail=sealed("The call was on 3 March."))


def raise_challenge(*grounds: ChallengeGroundRecord, **overrides: Any) -> c.RaiseChallenge:
    fields: dict[str, Any] = {
        "challenge_id": "CH1",
        "draft_id": "D1",
        "raised_on": date(2026, 5, 14),
        "raised_by_user_id": "lee-lead",
        "raised_by_roles": frozenset({"complaints_lead"}),
        "addressed_to": "adjudication_manager",
        "grounds": grounds or (ground(),),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.RaiseChallenge(**fields)


def resolve_informally(challenge_id: str = "CH1", **overrides: Any) -> c.ResolveChallengeInformally:
    fields: dict[str, Any] = {
        "challenge_id": challenge_id,
        "outcome": sealed("Misunderstanding cleared up on a call."),
        "resolved_on": date(2026, 5, 15),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.ResolveChallengeInformally(**fields)


def escalate(challenge_id: str = "CH1", **overrides: Any) -> c.EscalateChallenge:
    fields: dict[str, Any] = {
        "challenge_id": challenge_id,
        "escalated_on": date(2026, 5, 15),
        "reply_due_on": date(2026, 5, 29),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.EscalateChallenge(**fields)


def adjudication_reply(challenge_id: str = "CH1", **overrides: Any) -> c.RecordAdjudicationReply:
    fields: dict[str, Any] = {
        "challenge_id": challenge_id,
        "replied_on": date(2026, 5, 22),
        "reply": sealed("We accept the date was wrong."),
        "revised_draft_id": None,
        "provider_response_due_on": date(2026, 6, 5),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.RecordAdjudicationReply(**fields)


def challenge_response(agrees: bool, challenge_id: str = "CH1", **overrides: Any) -> c.RecordChallengeResponse:
    fields: dict[str, Any] = {
        "challenge_id": challenge_id,
        "agrees": agrees,
        "responded_on": date(2026, 5, 26),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.RecordChallengeResponse(**fields)


def head_of_office_letter(challenge_id: str = "CH1", **overrides: Any) -> c.RecordHeadOfOfficeLetter:
    fields: dict[str, Any] = {
        "challenge_id": challenge_id,
        "written_on": date(2026, 5, 27),
        "director_name": sealed("Dana Director"),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.RecordHeadOfOfficeLetter(**fields)


def challenge_outcome(challenge_id: str = "CH1", **overrides: Any) -> c.RecordChallengeOutcome:
    fields: dict[str, Any] = {
        "challenge_id": challenge_id,
        "outcome": sealed("The director accepted the report as it stands."),
        "closed_on": date(2026, 5, 29),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.RecordChallengeOutcome(**fields)


UPHELD = (finding("E1", True), finding("E2", True))
PARTLY_UPHELD = (finding("E1", True), finding("E2", False))
NOT_UPHELD = (finding("E1", False), finding("E2", False))


def issue_final(**overrides: Any) -> c.IssueFinalReport:
    fields: dict[str, Any] = {
        "report_id": "FR1",
        "report_date": REPORTED,
        "findings": PARTLY_UPHELD,
        "recommendations": (
            recommendation("R-1"),
            recommendation("R-SYS", RecommendationKind.SYSTEMIC),
        ),
        "redress": (redress("C1", 25_000), redress("K1", 4_250, RedressKind.COSTS)),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.IssueFinalReport(**fields)


def assess(report_id: str = "FR1", schedule: tuple[FeeRate, ...] = SCHEDULE) -> c.AssessContributionToCosts:
    return c.AssessContributionToCosts(report_id=report_id, assessed_on=REPORTED, schedule=schedule)


def pay(target: str, amount_pence: int, payment_id: str = "PAY1", **overrides: Any) -> c.RecordPayment:
    fields: dict[str, Any] = {
        "payment_id": payment_id,
        "target": target,
        "amount_pence": amount_pence,
        "paid_on": date(2026, 6, 10),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.RecordPayment(**fields)


def destroy(*items: str, **overrides: Any) -> c.RecordEvidenceDestruction:
    fields: dict[str, Any] = {"items": items, "destroyed_on": date(2026, 7, 1)}
    fields.update(overrides)
    return c.RecordEvidenceDestruction(**fields)


def action_recommendation(recommendation_id: str = "R-SYS", **overrides: Any) -> c.ActionRecommendation:
    fields: dict[str, Any] = {"recommendation_id": recommendation_id, "actioned_on": date(2026, 7, 1), "today": TODAY}
    fields.update(overrides)
    return c.ActionRecommendation(**fields)


# PHSO


def refer_to_phso(route: PhsoRoute = PhsoRoute.PHSO_VIA_MP, **overrides: Any) -> c.ReferToPhso:
    fields: dict[str, Any] = {
        "route": route,
        "referred_on": date(2026, 7, 1),
        "member_name": sealed("Morgan MP"),
        "today": TODAY,
    }
    fields.update(overrides)
    return c.ReferToPhso(**fields)


def accept_phso(**overrides: Any) -> c.AcceptPhsoReferral:
    fields: dict[str, Any] = {"accepted_on": date(2026, 7, 15), "today": TODAY}
    fields.update(overrides)
    return c.AcceptPhsoReferral(**fields)


def phso_recommendation(recommendation_id: str, additional_redress_pence: int = 0) -> PhsoRecommendation:
    return PhsoRecommendation(
        recommendation_id=recommendation_id,
        text=sealed(f"Ombudsman recommendation {recommendation_id}."),
        additional_redress_pence=additional_redress_pence,
    )


def phso_report(*recommendations: PhsoRecommendation, **overrides: Any) -> c.IssuePhsoReport:
    fields: dict[str, Any] = {
        "issued_on": date(2026, 9, 1),
        "upheld": True,
        "recommendations": recommendations,
        "today": TODAY,
    }
    fields.update(overrides)
    return c.IssuePhsoReport(**fields)


def complete_phso(recommendation_id: str, **overrides: Any) -> c.CompletePhsoRecommendation:
    fields: dict[str, Any] = {"recommendation_id": recommendation_id, "completed_on": date(2026, 9, 15), "today": TODAY}
    fields.update(overrides)
    return c.CompletePhsoRecommendation(**fields)


# Journeys: the events of a case decided up to a point


def referred(**fact_overrides: Any) -> list[DomainEvent]:
    return history(record_referral(facts(**fact_overrides)))


def at_gateway(**fact_overrides: Any) -> list[DomainEvent]:
    return history(accept(), start=referred(**fact_overrides))


def gateway_confirmed(**fact_overrides: Any) -> list[DomainEvent]:
    return history(make_request(), confirm(), start=at_gateway(**fact_overrides))


def at_resolution(**fact_overrides: Any) -> list[DomainEvent]:
    return history(pass_gateway(), start=gateway_confirmed(**fact_overrides))


def at_settlement(**fact_overrides: Any) -> list[DomainEvent]:
    return history(move_on(), start=at_resolution(**fact_overrides))


def evidence_complete(**fact_overrides: Any) -> list[DomainEvent]:
    """At settlement with one evidence request: I1 uploaded, I2 not held."""
    return history(request_evidence("I1", "I2"), upload("I1"), not_held("I2"), start=at_settlement(**fact_overrides))


def at_investigation(**fact_overrides: Any) -> list[DomainEvent]:
    return history(move_on(moved_on=INVESTIGATION_FROM), start=evidence_complete(**fact_overrides))


def drafted(**fact_overrides: Any) -> list[DomainEvent]:
    return history(issue_draft(), start=at_investigation(**fact_overrides))


def challenged(*commands: Command) -> list[DomainEvent]:
    """Draft D1 under challenge CH1 by the complaints lead, then `commands`."""
    return history(raise_challenge(), *commands, start=drafted())


def reported(**final_overrides: Any) -> list[DomainEvent]:
    return history(issue_final(**final_overrides), start=drafted())


def assessed(**final_overrides: Any) -> list[DomainEvent]:
    return history(assess(), start=reported(**final_overrides))
