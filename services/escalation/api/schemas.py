"""Request bodies for the escalation service's commands (R20, R25, R26)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.complaints.vocabulary import DgCaselistReason
from shared.vocabulary import IsoDate

ELEMENT_ID = r"^E[0-9]{1,3}$"
ElementId = Annotated[str, StringConstraints(pattern=ELEMENT_ID)]


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


class EscalationIn(BaseModel):
    escalated_on: IsoDate = Field(description="When the complainant said they were dissatisfied: the new stage's start")
    element_ids: list[ElementId] = Field(
        default_factory=list,
        max_length=50,
        description="The elements the complainant is still dissatisfied with; leave out for every element. After a "
        "mixed complaint's joint response, name the provider's elements: they go to the provider's next stage and "
        "the Jobcentre keeps the rest (000 14.21-14.22).",
    )

    model_config = _examples({"escalated_on": "2026-11-23"}, {"escalated_on": "2026-11-23", "element_ids": ["E1"]})

    def element_tuple(self) -> tuple[str, ...]:
        return tuple(self.element_ids)


class DgFlagIn(BaseModel):
    reason: DgCaselistReason = Field(description="Why it is held on the Director General caselist (003)")
    flagged_on: IsoDate

    model_config = _examples({"reason": "high_profile", "flagged_on": "2026-11-23"})


class DgClearanceIn(BaseModel):
    cleared_on: IsoDate

    model_config = _examples({"cleared_on": "2026-11-23"})
