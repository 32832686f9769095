"""The parts of the ICE case view (`IceCaseOut`): one response model per event the case folds, with what the fold
adds. Each holds its event's fields but `case_id`; where an event's `Record` is the same shape it is reused as is.

Free text about the person is `PersonalText`: the model holds it sealed and the reveal middleware opens it at the
edge (R62), so callers read the text, `[erased]` or `[withheld]`. None for a Special Customer Record's case (R11).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

from shared.http.personal import PersonalText
from shared.ice.events import ContractTerms, ElementFinding, Eligibility, RedressItem
from shared.ice.vocabulary import (
    ChallengeClosure,
    ChallengeGround,
    ChallengeStatus,
    Closure,
    IceStage,
    PhsoRoute,
    RecommendationKind,
    ReportOutcome,
)


def _absent(value: object) -> bool:
    return value is None


def _no_default(schema: JsonDict) -> None:
    schema.pop("default", None)


def absent_until(description: str) -> Any:
    """A key the answer leaves out until the event that sets it has happened: absent then, never `null`."""
    return Field(None, description=description, exclude_if=_absent, json_schema_extra=_no_default)


# The referral and ICE's decision on it (R23, R24, R30)


class ReferralOut(BaseModel):
    """The referral as received (`ice.referral_received`), with its eligibility (R23, R24, R30)."""

    complaint_id: str
    subject_id: str | None = Field(description="The complainant's data subject; none for a Special Customer Record")
    provider_organisation_id: str
    logged_by_organisation_id: str
    programme: str
    nation: str
    element_ids: list[str]
    complaint_received_on: date
    final_response_on: date | None
    referred_on: date
    contract: ContractTerms | None
    eligibility: Eligibility
    restricted: bool = Field(
        description="A complaint about a member of staff: only those cleared for them see it, besides ICE's office "
        "(R10)"
    )
    routed_to_organisation_id: str | None = Field(
        description="The Jobcentre a provider redirected the complaint to, which leads it and sees its ICE case "
        "(R3, R61)"
    )


class ReferralAcceptedOut(BaseModel):
    accepted_on: date
    justification: PersonalText | None = Field(
        description="Why a referral flagged as outside the time limits was accepted (R23, R24, R30)"
    )


class ReferralDeclinedOut(BaseModel):
    declined_on: date
    reason: PersonalText | None


# The gateway (R30; 000 14.24; 002 8.10): its events in order, `event` saying which


class GatewayStepsConfirmedOut(BaseModel):
    """The provider confirmed each step of its internal process was completed (R30; 000 14.24; 002 8.10)."""

    event: Literal["gateway_steps_confirmed"]
    request_id: str
    confirmed_on: date
    steps: list[str]


class ReturnedToProviderOut(BaseModel):
    """ICE returned the case for the provider to revisit the named steps (000 14.24; 002 8.10)."""

    event: Literal["returned_to_provider"]
    returned_on: date
    steps: list[str]
    reason: PersonalText | None


class RevisitedStepsReportedOut(BaseModel):
    """The provider reported the returned steps revisited."""

    event: Literal["revisited_steps_reported"]
    reported_on: date
    steps: list[str]


class GatewayPassedOut(BaseModel):
    """ICE went on to examine the complaint, beginning at stage 1, Resolution (000 14.28-14.29)."""

    event: Literal["gateway_passed"]
    passed_on: date


GatewayEventOut = Annotated[
    GatewayStepsConfirmedOut | ReturnedToProviderOut | RevisitedStepsReportedOut | GatewayPassedOut,
    Field(discriminator="event"),
]


# Resolution and settlement (R32, R33; 000 14.29-14.31; 002 8.08)


class InvestigatorOut(BaseModel):
    """The investigator allocated: starts ICE's own settlement and report standards (R40)."""

    investigator_user_id: str
    allocated_on: date


class ResolutionOut(BaseModel):
    """Stage 1: the agreement ICE brokered (R32; 002 8.08). Its actions are in the case's `actions`."""

    agreed_on: date


class ActionOut(BaseModel):
    """An action as agreed at resolution or proposed in a way forward: what is to be done, by when (R32)."""

    action_id: str
    description: PersonalText | None
    due_on: date


class AgreedActionOut(ActionOut):
    """An action agreed at resolution or in a way forward, monitored until completed (R32; 000 14.31)."""

    completed_on: date | None
    agreed_in: str = Field(description="`resolution`, or the `proposal_id` of the way forward that agreed it")


class WayForwardOut(BaseModel):
    """Stage 2, settlement: a way forward ICE proposed, the provider's answer and the complainant's (000 14.31).
    Its actions are also in the case's `actions`."""

    proposal_id: str
    proposed_on: date
    proposal: PersonalText | None
    actions: list[ActionOut] = Field(description="The actions proposed; the case's `actions` follows them")
    provider_agrees: bool | None = Field(description="None until the provider answers")
    complainant_satisfied: bool | None = Field(description="None until the complainant's view is recorded")
    provider_answered_on: date | SkipJsonSchema[None] = absent_until("Present once the provider answered")
    complainant_recorded_on: date | SkipJsonSchema[None] = absent_until(
        "Present once the complainant's satisfaction was recorded"
    )


# The draft report and challenges to it (R34; 000 14.33; 002 8.16-8.21)


class PassageOut(BaseModel):
    passage_id: str
    text: PersonalText | None


class RecommendationOut(BaseModel):
    recommendation_id: str
    kind: RecommendationKind = Field(description="A systemic one is tracked per provider until actioned (R39)")
    text: PersonalText | None


class DraftReportCommentsOut(BaseModel):
    """The provider's comments on a draft report (R34; 000 14.33)."""

    draft_id: str
    submitted_on: date
    comments: PersonalText | None


class DraftReportOut(BaseModel):
    """Stage 3: a draft report; the provider may comment within five working days (R34; 000 14.33)."""

    draft_id: str
    revision: int
    issued_on: date
    comments_due_on: date
    passages: list[PassageOut]
    findings: list[ElementFinding]
    recommendations: list[RecommendationOut]
    proposed_redress: list[RedressItem]
    challenge_id: str | None = Field(description="A revised draft issued in answer to this challenge (002 8.19-8.20)")
    comments: DraftReportCommentsOut | None = Field(description="None until the provider comments")


class ChallengeGroundOut(BaseModel):
    ground: ChallengeGround
    passage_id: str = Field(description="The passage of the draft the ground concerns")
    detail: PersonalText | None


class ChallengeFormallyEscalatedOut(BaseModel):
    """Formal stage 1: the Adjudication Manager replies within ten working days (002 8.20)."""

    event: Literal["challenge_formally_escalated"]
    challenge_id: str
    escalated_on: date
    reply_due_on: date


class AdjudicationManagerRepliedOut(BaseModel):
    """The Adjudication Manager's reply; the provider has ten working days to respond (002 8.20)."""

    event: Literal["adjudication_manager_replied"]
    challenge_id: str
    replied_on: date
    reply: PersonalText | None
    revised_draft_id: str | None
    provider_response_due_on: date


class ChallengeResponseRecordedOut(BaseModel):
    """The provider's response to the Adjudication Manager's reply: agreement closes the challenge (002 8.20)."""

    event: Literal["challenge_response_recorded"]
    challenge_id: str
    agrees: bool
    responded_on: date


class HeadOfOfficeWroteToDirectorOut(BaseModel):
    """Formal stage 2: the Head of Office wrote to the provider's director (002 8.21)."""

    event: Literal["head_of_office_wrote_to_director"]
    challenge_id: str
    written_on: date
    director_name: PersonalText | None


class ChallengeClosedOut(BaseModel):
    event: Literal["challenge_closed"]
    challenge_id: str
    closed_on: date
    closure: ChallengeClosure
    outcome: PersonalText | None


ChallengeEventOut = Annotated[
    ChallengeFormallyEscalatedOut
    | AdjudicationManagerRepliedOut
    | ChallengeResponseRecordedOut
    | HeadOfOfficeWroteToDirectorOut
    | ChallengeClosedOut,
    Field(discriminator="event"),
]


class ChallengeOut(BaseModel):
    """A challenge to a draft report, by the provider's complaints lead or senior manager, addressed to the ICE
    Adjudication Manager, on factual or interpretation grounds only (R34; 002 8.16-8.17)."""

    challenge_id: str
    draft_id: str
    raised_on: date
    raised_by_user_id: str
    raised_by_role: str
    addressed_to: str = Field(description="Always the ICE Adjudication Manager (002 8.16)")
    grounds: list[ChallengeGroundOut]
    status: ChallengeStatus = Field(description="Where the challenge stands (002 8.18-8.21)")
    history: list[ChallengeEventOut] = Field(description="What happened to it since it was raised, in order")


# The final report and what follows it (R35-R39)


class FinalReportOut(BaseModel):
    """The final report (R35): no appeal exists (000 14.38). Fee and redress are due four weeks after its date
    (001 Annex 1 2.11.3)."""

    report_id: str
    report_date: date
    findings: list[ElementFinding]
    outcome: ReportOutcome
    recommendations: list[RecommendationOut]
    redress: list[RedressItem]
    payments_due_on: date
    provider_organisation_id: str


class ContributionToCostsOut(BaseModel):
    """Whether the contribution to costs (fee) is due, how much and why, assessed once after the final report
    (R36)."""

    report_id: str
    due: bool
    amount_pence: int
    reason: str = Field(description="Why the fee is or is not due, as the fee rule found")
    rule_version: str
    schedule_version: str | None
    due_on: date | None
    assessed_on: date


class RecommendationActionedOut(BaseModel):
    """A final-report recommendation actioned by the provider (R39)."""

    recommendation_id: str
    actioned_on: date


class CaseClosedOut(BaseModel):
    stage: IceStage | None = Field(description="The stage the case closed at; none when it closed before the gateway")
    closure: Closure
    closed_on: date
    fault_found: bool


class EvidenceDestroyedOut(BaseModel):
    """The evidence content destroyed once ICE's investigation concluded (R37; 004 Part B 8)."""

    items: list[str] = Field(description="`request_id/item_id` of each destroyed item")
    destroyed_on: date


# The ombudsman (000 14.38; 001 ch.5; 004 Part B 11)


class PhsoReferralOut(BaseModel):
    route: PhsoRoute
    referred_on: date
    member_name: PersonalText | None = Field(description="The MP (or MLA) who took the case to the ombudsman")


class PhsoAcceptedOut(BaseModel):
    accepted_on: date
    ice_exhausted: bool = Field(
        description="False: the PHSO used its discretion to accept a case that has not been through ICE (001 ch.5)"
    )


class PhsoRecommendationOut(BaseModel):
    recommendation_id: str
    text: PersonalText | None
    additional_redress_pence: int


class PhsoReportOut(BaseModel):
    issued_on: date
    upheld: bool
    recommendations: list[PhsoRecommendationOut]


class PhsoRecommendationCompletedOut(BaseModel):
    """The provider must action every PHSO recommendation (004 Part B 11)."""

    recommendation_id: str
    completed_on: date


class PhsoOut(BaseModel):
    """The case with the ombudsman: the PHSO, or in Northern Ireland the NI Ombudsman (000 14.38; 001 ch.5)."""

    referral: PhsoReferralOut
    accepted: PhsoAcceptedOut | SkipJsonSchema[None] = absent_until("Present once the ombudsman accepted the case")
    report: PhsoReportOut | SkipJsonSchema[None] = absent_until("Present once the ombudsman reported")
    completed: list[PhsoRecommendationCompletedOut] | SkipJsonSchema[None] = absent_until(
        "The recommendations completed, present from the first"
    )
