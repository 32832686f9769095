"""Request bodies of the ICE gateway (R30-R40). Free text here is personal data: it is sealed before it is
stored (R62). Dates are business dates (Europe/London); money is integer pence."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.ice.vocabulary import (
    ChallengeGround,
    EvidenceKind,
    Finding,
    PhsoRoute,
    RecommendationKind,
    RedressKind,
    RequestKind,
)
from shared.vocabulary import IsoDate

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000, strip_whitespace=True)]
Step = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


CLERICAL = "Required, except on a Special Customer Record's case, where it must be left out (R11; 004 62-71)"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": list(examples)})


class ReferralIn(BaseModel):
    complaint_id: UUID = Field(description="The complaint the complainant brings to ICE")
    referred_on: IsoDate = Field(description="When ICE received the referral")
    model_config = _examples({"complaint_id": "3f1c6c1e-5d7a-4a53-9b7e-0a4c1f7f2f11", "referred_on": "2026-11-23"})


class AcceptanceIn(BaseModel):
    accepted_on: IsoDate
    justification: Text | None = Field(
        None, description="Required when the referral is flagged as outside the time limits (R23, R24)"
    )
    model_config = _examples(
        {"accepted_on": "2026-11-24"},
        {
            "accepted_on": "2026-11-24",
            "justification": "The complainant was in hospital for the whole of the six months.",
        },
    )


class DeclineIn(BaseModel):
    declined_on: IsoDate
    reason: Text | None = Field(None, description=CLERICAL)
    model_config = _examples(
        {"declined_on": "2026-11-24", "reason": "Referred eleven months after the final response with no reason given."}
    )


class RequestIn(BaseModel):
    request_id: Id
    kind: RequestKind = Field(description="`confirmation` (the gateway, with `steps`), `comments` or `information`")
    made_on: IsoDate
    due_on: IsoDate | None = Field(
        None, description="At most five working days after `made_on`; omitted: exactly five (R31)"
    )
    steps: list[Step] = Field(default_factory=list, max_length=50)
    model_config = _examples(
        {
            "request_id": "gw-1",
            "kind": "confirmation",
            "made_on": "2026-11-24",
            "steps": ["Stage 1 response", "Stage 2 (final) response"],
        },
        {"request_id": "info-1", "kind": "information", "made_on": "2026-11-24", "due_on": "2026-11-27"},
    )


class AnswerIn(BaseModel):
    answered_on: IsoDate
    model_config = _examples({"answered_on": "2026-11-26"})


class ConfirmationIn(BaseModel):
    confirmed_on: IsoDate
    model_config = _examples({"confirmed_on": "2026-11-26"})


class ReturnIn(BaseModel):
    returned_on: IsoDate
    steps: list[Step] = Field(min_length=1, max_length=50)
    reason: Text | None = None
    model_config = _examples(
        {
            "returned_on": "2026-11-27",
            "steps": ["Stage 2 (final) response"],
            "reason": "The final response did not address the second element.",
        }
    )


class RevisitIn(BaseModel):
    reported_on: IsoDate
    steps: list[Step] = Field(min_length=1, max_length=50)
    model_config = _examples({"reported_on": "2026-12-04", "steps": ["Stage 2 (final) response"]})


class PassIn(BaseModel):
    passed_on: IsoDate
    model_config = _examples({"passed_on": "2026-12-07"})


class WithdrawalIn(BaseModel):
    withdrawn_on: IsoDate
    reason: Text | None = Field(None, description="Why, if the complainant said")
    model_config = _examples({"withdrawn_on": "2026-12-01", "reason": "The provider has since resolved it."})


class AllocationIn(BaseModel):
    investigator_user_id: Id
    allocated_on: IsoDate
    model_config = _examples({"investigator_user_id": "ice-investigator-7", "allocated_on": "2026-12-07"})


class ActionIn(BaseModel):
    action_id: Id
    description: Text | None = Field(None, description=CLERICAL)
    due_on: IsoDate


class ResolutionIn(BaseModel):
    agreed_on: IsoDate
    actions: list[ActionIn] = Field(default_factory=list, max_length=50)
    model_config = _examples(
        {
            "agreed_on": "2026-12-08",
            "actions": [
                {"action_id": "a1", "description": "Reissue the travel expenses refund", "due_on": "2026-12-15"}
            ],
        }
    )


class CompletionIn(BaseModel):
    completed_on: IsoDate
    model_config = _examples({"completed_on": "2026-12-14"})


class MoveIn(BaseModel):
    moved_on: IsoDate
    model_config = _examples({"moved_on": "2026-12-08"})


class EvidenceItemIn(BaseModel):
    item_id: Id
    kind: EvidenceKind
    description: Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)] = Field(
        description="What is wanted, without personal data"
    )


class EvidenceRequestIn(BaseModel):
    request_id: Id
    items: list[EvidenceItemIn] = Field(min_length=1, max_length=100)
    requested_on: IsoDate
    due_on: IsoDate | None = Field(None, description="At most five working days after `requested_on` (R31)")
    model_config = _examples(
        {
            "request_id": "ev-1",
            "requested_on": "2026-12-08",
            "items": [
                {"item_id": "papers", "kind": "case_papers", "description": "The complaint file"},
                {"item_id": "call-1", "kind": "call_recording", "description": "Call of 3 March"},
            ],
        }
    )


class NotHeldIn(BaseModel):
    reason: Text | None = Field(None, description=CLERICAL)
    model_config = _examples({"reason": "Calls before April are not recorded at this site."})


class ProposalIn(BaseModel):
    proposal_id: Id
    proposed_on: IsoDate
    proposal: Text | None = Field(None, description=CLERICAL)
    actions: list[ActionIn] = Field(default_factory=list, max_length=50)
    model_config = _examples(
        {
            "proposal_id": "p1",
            "proposed_on": "2026-12-16",
            "proposal": "An apology and a £50 consolatory payment.",
            "actions": [],
        }
    )


class ProviderAnswerIn(BaseModel):
    provider_agrees: bool
    answered_on: IsoDate
    model_config = _examples({"provider_agrees": True, "answered_on": "2026-12-17"})


class SatisfactionIn(BaseModel):
    satisfied: bool
    recorded_on: IsoDate
    model_config = _examples({"satisfied": True, "recorded_on": "2026-12-18"})


class PassageIn(BaseModel):
    passage_id: Id
    text: Text | None = Field(None, description=CLERICAL)


class FindingIn(BaseModel):
    element_id: str
    finding: Finding
    maladministration: bool = False
    passage_ids: list[Id] = Field(default_factory=list, max_length=50)


class RecommendationIn(BaseModel):
    recommendation_id: Id
    kind: RecommendationKind
    text: Text | None = Field(None, description=CLERICAL)


class RedressIn(BaseModel):
    redress_id: Id
    kind: RedressKind
    amount_pence: int = Field(ge=1, le=100_000_000)


_REPORT_EXAMPLE: dict[str, Any] = {
    "findings": [{"element_id": "e1", "finding": "upheld", "maladministration": True, "passage_ids": ["p2"]}],
    "recommendations": [
        {"recommendation_id": "r1", "kind": "case_specific", "text": "Apologise in writing."},
        {"recommendation_id": "r2", "kind": "systemic", "text": "Reword the appointment letter."},
    ],
}


class DraftReportIn(BaseModel):
    draft_id: Id
    issued_on: IsoDate
    comments_due_on: IsoDate | None = Field(None, description="At most five working days after `issued_on` (000 14.33)")
    passages: list[PassageIn] = Field(min_length=1, max_length=500)
    findings: list[FindingIn] = Field(min_length=1, max_length=100)
    recommendations: list[RecommendationIn] = Field(default_factory=list, max_length=100)
    proposed_redress: list[RedressIn] = Field(default_factory=list, max_length=50)
    challenge_id: Id | None = Field(None, description="A revised draft issued in answer to this challenge (002 8.19)")
    model_config = _examples(
        {
            "draft_id": "d1",
            "issued_on": "2027-01-11",
            "passages": [
                {"passage_id": "p1", "text": "On 3 March the adviser cancelled the appointment."},
                {"passage_id": "p2", "text": "No letter was sent."},
            ],
            **_REPORT_EXAMPLE,
            "proposed_redress": [{"redress_id": "cp1", "kind": "consolatory_payment", "amount_pence": 10000}],
        }
    )


class CommentsIn(BaseModel):
    comments: Text | None = Field(None, description=CLERICAL)
    submitted_on: IsoDate
    model_config = _examples({"comments": "We accept the findings.", "submitted_on": "2027-01-13"})


class GroundIn(BaseModel):
    ground: ChallengeGround = Field(
        description="Only factual inaccuracy or misinterpretation of case events, procedure or policy are "
        "accepted; a difference of opinion, such as the level of redress, is refused (002 8.17)"
    )
    passage_id: Id = Field(description="The passage of the draft the ground concerns")
    detail: Text | None = Field(None, description=CLERICAL)


class ChallengeIn(BaseModel):
    challenge_id: Id
    draft_id: Id
    raised_on: IsoDate
    addressed_to: str = Field("adjudication_manager", description="Always the ICE Adjudication Manager (002 8.16)")
    grounds: list[GroundIn] = Field(min_length=1, max_length=50)
    model_config = _examples(
        {
            "challenge_id": "c1",
            "draft_id": "d1",
            "raised_on": "2027-01-13",
            "grounds": [
                {
                    "ground": "factual_inaccuracy",
                    "passage_id": "p2",
                    "detail": "A letter was sent on 4 March; copy attached to evidence item papers.",
                }
            ],
        }
    )


class InformalResolutionIn(BaseModel):
    resolved_on: IsoDate
    outcome: Text | None = None
    model_config = _examples(
        {"resolved_on": "2027-01-15", "outcome": "Discussed by phone; the provider withdrew the challenge."}
    )


class FormalEscalationIn(BaseModel):
    escalated_on: IsoDate
    model_config = _examples({"escalated_on": "2027-01-15"})


class AdjudicationReplyIn(BaseModel):
    replied_on: IsoDate
    reply: Text | None = Field(None, description=CLERICAL)
    revised_draft_id: Id | None = Field(None, description="A revised draft issued for this challenge, if any")
    model_config = _examples(
        {"replied_on": "2027-01-22", "reply": "Passage p2 is corrected.", "revised_draft_id": "d2"}
    )


class ChallengeResponseIn(BaseModel):
    agrees: bool
    responded_on: IsoDate
    model_config = _examples({"agrees": True, "responded_on": "2027-01-25"})


class HeadOfOfficeLetterIn(BaseModel):
    written_on: IsoDate
    director_name: Text | None = None
    model_config = _examples({"written_on": "2027-02-01", "director_name": "A. Director"})


class ChallengeOutcomeIn(BaseModel):
    closed_on: IsoDate
    outcome: Text | None = Field(None, description=CLERICAL)
    model_config = _examples({"closed_on": "2027-02-10", "outcome": "The director agreed the report as revised."})


class FinalReportIn(BaseModel):
    report_id: Id
    report_date: IsoDate
    findings: list[FindingIn] = Field(min_length=1, max_length=100)
    recommendations: list[RecommendationIn] = Field(default_factory=list, max_length=100)
    redress: list[RedressIn] = Field(default_factory=list, max_length=50)
    model_config = _examples(
        {
            "report_id": "fr1",
            "report_date": "2027-02-15",
            **_REPORT_EXAMPLE,
            "redress": [{"redress_id": "cp1", "kind": "consolatory_payment", "amount_pence": 10000}],
        }
    )


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="allow")


class PaymentIn(BaseModel):
    payment_id: Id
    target: str = Field(
        description="`fee` for the contribution to costs, or a redress item's id, or a PHSO recommendation's id"
    )
    amount_pence: int = Field(ge=1, le=100_000_000)
    paid_on: IsoDate
    model_config = _examples({"payment_id": "pay-1", "target": "fee", "amount_pence": 500000, "paid_on": "2027-03-01"})


class ActionedIn(BaseModel):
    actioned_on: IsoDate
    model_config = _examples({"actioned_on": "2027-03-01"})


class PhsoReferralIn(BaseModel):
    route: PhsoRoute
    referred_on: IsoDate
    member_name: Text | None = Field(None, description="The MP (or MLA) who took the case to the ombudsman")
    model_config = _examples({"route": "phso_via_mp", "referred_on": "2027-04-01", "member_name": "A. Member MP"})


class PhsoAcceptanceIn(BaseModel):
    accepted_on: IsoDate
    model_config = _examples({"accepted_on": "2027-04-15"})


class PhsoRecommendationIn(BaseModel):
    recommendation_id: Id
    text: Text | None = Field(None, description=CLERICAL)
    additional_redress_pence: int = Field(0, ge=0, le=100_000_000)


class PhsoReportIn(BaseModel):
    issued_on: IsoDate
    upheld: bool
    recommendations: list[PhsoRecommendationIn] = Field(default_factory=list, max_length=100)
    model_config = _examples(
        {
            "issued_on": "2027-06-01",
            "upheld": True,
            "recommendations": [
                {"recommendation_id": "phso-1", "text": "Pay a further £150.", "additional_redress_pence": 15000}
            ],
        }
    )
