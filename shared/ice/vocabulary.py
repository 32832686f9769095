"""The ICE gateway's words, from the guidance (000 14.18-14.38; 001 ch.4-5; 002 8.06-8.23; 004 Part B)."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    REFERRED = "referred"
    """Received; ICE has not yet accepted (or declined) it (R30)."""
    DECLINED = "declined"
    GATEWAY = "gateway"
    """Accepted: ICE checks each step of the provider's internal process was completed (000 14.24; 002 8.10)."""
    RETURNED_TO_PROVIDER = "returned_to_provider"
    RESOLUTION = "resolution"
    SETTLEMENT = "settlement"
    INVESTIGATION = "investigation"
    CLOSED = "closed"


class IceStage(StrEnum):
    RESOLUTION = "resolution"
    SETTLEMENT = "settlement"
    INVESTIGATION = "investigation"


class EligibilityBasis(StrEnum):
    FINAL_RESPONSE_WITHIN_SIX_MONTHS = "final_response_within_six_months"
    """R24; 000 14.23; 002 8.07."""
    EIGHT_WEEKS_WITHOUT_FINAL_RESPONSE = "eight_weeks_without_final_response"
    """R23; 000 14.02."""


class RequestKind(StrEnum):
    """Correspondence from ICE the provider must answer within five working days at most (000 14.25)."""

    CONFIRMATION = "confirmation"
    EVIDENCE = "evidence"
    COMMENTS = "comments"
    INFORMATION = "information"


class EvidenceKind(StrEnum):
    """What ICE asks for at settlement (000 14.30; 004 Part B 4)."""

    CASE_PAPERS = "case_papers"
    CALL_RECORDING = "call_recording"
    ASSESSMENT_RECORDING = "assessment_recording"
    LETTERS = "letters"
    OTHER = "other"


class ChallengeGround(StrEnum):
    """Grounds a challenge to a draft report may state (002 8.17): only the first four are accepted."""

    FACTUAL_INACCURACY = "factual_inaccuracy"
    MISINTERPRETATION_OF_CASE_EVENTS = "misinterpretation_of_case_events"
    MISINTERPRETATION_OF_PROCEDURE = "misinterpretation_of_procedure"
    MISINTERPRETATION_OF_POLICY = "misinterpretation_of_policy"
    DIFFERENCE_OF_OPINION = "difference_of_opinion"
    LEVEL_OF_REDRESS = "level_of_redress"


ACCEPTED_GROUNDS = frozenset(
    {
        ChallengeGround.FACTUAL_INACCURACY,
        ChallengeGround.MISINTERPRETATION_OF_CASE_EVENTS,
        ChallengeGround.MISINTERPRETATION_OF_PROCEDURE,
        ChallengeGround.MISINTERPRETATION_OF_POLICY,
    }
)


class ChallengeStatus(StrEnum):
    RAISED = "raised"
    """With the Adjudication Manager; an informal discussion may resolve it (002 8.18)."""
    FORMAL_STAGE_1 = "formal_stage_1"
    """The Adjudication Manager replies within ten working days (002 8.20)."""
    AWAITING_PROVIDER = "awaiting_provider"
    """The Adjudication Manager replied; the provider has ten working days to respond (002 8.20)."""
    FORMAL_STAGE_2 = "formal_stage_2"
    """The Head of Office writes to the provider's director (002 8.21)."""
    CLOSED = "closed"


class ChallengeClosure(StrEnum):
    RESOLVED_INFORMALLY = "resolved_informally"
    AGREED_AT_STAGE_1 = "agreed_at_stage_1"
    HEAD_OF_OFFICE_OUTCOME = "head_of_office_outcome"


class Finding(StrEnum):
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"


class ReportOutcome(StrEnum):
    UPHELD = "upheld"
    """Every element upheld."""
    PARTLY_UPHELD = "partly_upheld"
    """Some elements upheld: for the fee it counts as upheld (R35, R36)."""
    NOT_UPHELD = "not_upheld"


class RecommendationKind(StrEnum):
    CASE_SPECIFIC = "case_specific"
    SYSTEMIC = "systemic"
    """Tracked per provider until actioned (R39; 000 14.27, 14.37)."""


class RedressKind(StrEnum):
    """Financial redress the provider pays the customer (004 Part B 7)."""

    CONSOLATORY_PAYMENT = "consolatory_payment"
    COSTS = "costs"


class Closure(StrEnum):
    RESOLVED = "resolved"
    """Closed at stage 1, Resolution: no finding of fault, no fee (000 14.29)."""
    SETTLED = "settled"
    """Closed at stage 2, Settlement: no finding of fault, no fee (000 14.31)."""
    FINAL_REPORT = "final_report"
    WITHDRAWN = "withdrawn"


class PhsoRoute(StrEnum):
    """Who takes the case on (000 14.38; 001 ch.5): the PHSO via an MP, in Northern Ireland the NI Ombudsman
    via an MLA."""

    PHSO_VIA_MP = "phso_via_mp"
    NI_OMBUDSMAN_VIA_MLA = "ni_ombudsman_via_mla"
