"""Request bodies for routing a complaint (R3): redirection to the Jobcentre, referral to the provider."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from services.intake.api.schemas import Strict
from shared.complaints.vocabulary import RedirectionReason
from shared.vocabulary import ORGANISATION_ID_PATTERN, IsoDate


class RedirectionIn(Strict):
    reason: RedirectionReason = Field(
        description="`programme_policy`: about programme policy (000 14.09); `mixed_complaint`: against both the "
        "provider and the Jobcentre, which leads (000 14.04, 14.20; the complaint must be `about: mixed`)"
    )
    to_organisation_id: str = Field(pattern=ORGANISATION_ID_PATTERN, description="A Jobcentre in the directory")
    redirected_on: IsoDate = Field(description="When the complainant was directed to the Jobcentre")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reason": "programme_policy", "to_organisation_id": "jobcentre-leeds", "redirected_on": "2026-11-23"}
            ]
        },
    )


class ReferralIn(Strict):
    referred_on: IsoDate = Field(description="When the Jobcentre directed the complainant to the provider (000 14.06)")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"referred_on": "2026-11-23"}]})
