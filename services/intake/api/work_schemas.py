"""Request bodies for working and answering a complaint (R4, R5, R7, R8, R10).

Free text about the person (`evidence_reference`, `summary`, `desired_outcome`, `description`,
`reason`, `text`, `why_not`, `comments`) is personal data: it is sealed under the complainant's
key (R62), and refused for a Special Customer Record before it is sealed (R11).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from services.intake.api.schemas import USER_ID, Strict
from shared.complaints.vocabulary import AgreementEvidence, DiscussionParty, OutcomeKind
from shared.vocabulary import IsoDate

TEXT = 5000
LETTER = 20000


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": list(examples)})


class ProcessExplanationIn(Strict):
    explained_on: IsoDate = Field(
        description="The first contact at which the process was explained; may precede receipt"
    )
    evidence: AgreementEvidence = Field(description="A signature, or an e-mail from the customer (002 8.02)")
    evidence_reference: str | None = Field(
        None, min_length=1, max_length=500, description="Where the signature or e-mail is: personal data (R62)"
    )

    model_config = _examples(
        {"explained_on": "2026-10-01", "evidence": "email", "evidence_reference": "E-mail of 2026-10-02, 10:14"}
    )


class DiscussionIn(Strict):
    held_on: IsoDate
    held_with: DiscussionParty = Field(description="The complainant or their representative")
    summary: str | None = Field(None, min_length=1, max_length=TEXT, description="What was discussed (R62)")

    model_config = _examples(
        {"held_on": "2026-11-21", "held_with": "complainant", "summary": "Agreed to rebook the appointment."}
    )


class DesiredOutcomeIn(Strict):
    element_id: str = Field(max_length=10, examples=["E1"])
    desired_outcome: str | None = Field(None, min_length=1, max_length=TEXT)

    model_config = _examples({"element_id": "E1", "desired_outcome": "A fixed appointment and an apology."})


class PlannedActionIn(Strict):
    description: str | None = Field(None, min_length=1, max_length=TEXT, description="What will be done (R62)")
    due_on: IsoDate = Field(description="The timescale agreed with the complainant (001 Annex 2 3.2)")
    owner: str = Field(min_length=1, max_length=200, description="Who owns it: a user id or a team")


class ResolutionActionsIn(Strict):
    actions: list[PlannedActionIn] = Field(min_length=1, max_length=50)

    model_config = _examples(
        {"actions": [{"description": "Rebook the appointment", "due_on": "2026-12-04", "owner": "leeds-team"}]}
    )


class ActionCompletionIn(Strict):
    completed_on: IsoDate

    model_config = _examples({"completed_on": "2026-11-23"})


class WithdrawalIn(Strict):
    withdrawn_on: IsoDate
    reason: str | None = Field(None, min_length=1, max_length=TEXT)

    model_config = _examples({"withdrawn_on": "2026-11-23", "reason": "Resolved with the adviser."})


class FindingIn(Strict):
    element_id: str = Field(max_length=10)
    desired_outcome_achievable: bool
    why_not: str | None = Field(
        None, min_length=1, max_length=TEXT, description="Where it cannot be achieved, why not (001 Annex 2 3.7)"
    )


class ResponseContentIn(Strict):
    stage: int = Field(ge=1, le=10, description="The stage this response ends: 1, 2, ... (001 Annex 2 3.5)")
    final: bool = Field(description="The end of the provider's process: ICE signposting is inserted (000 14.17)")
    text: str | None = Field(None, min_length=1, max_length=LETTER, description="The letter's body (R62)")
    reviewer_user_id: str | None = Field(
        None,
        pattern=USER_ID,
        description="Final responses: someone with no involvement in earlier responses (001 Annex 2 3.6)",
    )
    findings: list[FindingIn] = Field(min_length=1, max_length=50, description="One per element")
    signposting_text: str | None = Field(
        None,
        max_length=LETTER,
        description="Leave out: the standard ICE text is inserted. If sent it must be the standard wording.",
    )


_RESPONSE = {
    "stage": 1,
    "final": False,
    "text": "Dear Sam, we have looked into your complaint ...",
    "findings": [{"element_id": "E1", "desired_outcome_achievable": True}],
}
_FINAL = {
    "stage": 2,
    "final": True,
    "text": "Dear Sam, this is our final response ...",
    "reviewer_user_id": "reviewer-7",
    "findings": [{"element_id": "E1", "desired_outcome_achievable": False, "why_not": "Appointments follow the rota."}],
}


class ResponseIn(ResponseContentIn):
    issued_on: IsoDate = Field(description="The response's date; a final response's ICE window runs from it")

    model_config = _examples({**_RESPONSE, "issued_on": "2026-11-23"}, {**_FINAL, "issued_on": "2026-12-14"})


class DraftIn(ResponseContentIn):
    model_config = _examples(_RESPONSE, _FINAL)


class RewordingIn(Strict):
    comments: str | None = Field(None, min_length=1, max_length=TEXT, description="What to reword (R62)")

    model_config = _examples({"comments": "Please explain the rota in plain words."})


class SendDraftIn(Strict):
    issued_on: IsoDate = Field(description="The date the approved response is sent")

    model_config = _examples({"issued_on": "2026-11-23"})


class OutcomeIn(Strict):
    element_id: str = Field(max_length=10)
    outcomes: list[OutcomeKind] = Field(min_length=1, max_length=6)
    financial_redress_pence: int | None = Field(
        None, description="Financial redress: the amount in pence, more than 0 (001 Annex 2 5.7)"
    )

    model_config = _examples(
        {"element_id": "E1", "outcomes": ["apology", "financial_redress"], "financial_redress_pence": 5000}
    )


class StaffComplaintMarkerIn(Strict):
    responsible_team_leader_user_id: str = Field(pattern=USER_ID)

    model_config = _examples({"responsible_team_leader_user_id": "team-leader-3"})
