"""Request bodies for a mixed complaint's contribution and joint response (R25; 000 14.03-14.05, 14.20-14.21).

The contribution's text and the joint response's text are personal data: sealed under the complainant's key
(R62), refused for a Special Customer Record (R11).
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from services.intake.api import examples
from services.intake.api.schemas import USER_ID, Strict
from services.intake.api.work_schemas import LETTER, TEXT, FindingIn
from shared.vocabulary import IsoDate


class ContributionRequestIn(Strict):
    requested_on: IsoDate = Field(
        description="When the Jobcentre asked: the contribution is due within the profile's stated timescale, at "
        "most five working days on the complaint's calendar (000 14.05)"
    )

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"requested_on": "2026-11-23"}]})


class ContributionIn(Strict):
    submitted_on: IsoDate
    text: str | None = Field(None, min_length=1, max_length=TEXT, description="The provider's contribution (R62)")

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"submitted_on": "2026-11-25", "text": "The appointment was rebooked on 18 November."}]
        },
    )


class JointResponseIn(Strict):
    issued_on: IsoDate = Field(description="The joint response's date: stage 1 of the provider's process (000 14.21)")
    text: str | None = Field(None, min_length=1, max_length=LETTER, description="The letter's body (R62)")
    reviewer_user_id: str | None = Field(None, pattern=USER_ID)
    findings: list[FindingIn] = Field(min_length=1, max_length=50, description="One per element, both sides'")

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "issued_on": "2026-11-27",
                    "text": "Dear Sam, the Jobcentre and your provider have looked into your complaint ...",
                    "findings": [
                        {"element_id": "E1", "desired_outcome_achievable": True},
                        {"element_id": "E2", "desired_outcome_achievable": True},
                    ],
                }
            ]
        },
    )


# Success-response examples: the mixed complaint as each operation leaves it (validated by tests/api/test_conventions).

_MIXED = {"about": "mixed", "logged_by_organisation_id": examples.JOBCENTRE}
CONTRIBUTION_REQUESTED = examples.complaint(version=2, **_MIXED)
CONTRIBUTION_SUBMITTED = examples.complaint(version=3, **_MIXED)
JOINTLY_ANSWERED = examples.complaint(
    version=4,
    responses=[
        {
            "stage": 1,
            "final": False,
            "issued_on": "2026-11-27",
            "author_user_id": "jobcentre-caseworker-jo",
            "reviewer_user_id": "jobcentre-team-leader-kim",
            "text": "The Jobcentre and your provider have looked into your complaint together.",
            "findings": [{"element_id": "E1", "desired_outcome_achievable": True, "why_not": None}],
            "draft_id": None,
            "signposting": None,
            "outstanding_actions": [],
        }
    ],
    **_MIXED,
)
