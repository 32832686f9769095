"""Process profiles (R20): stages and stated timescales per programme and organisation, as data.

A profile is selected by programme and organisation (a specific organisation's profile before the
programme's, before the catch-all) and by the date the complaint was registered: the latest
version effective on that date. The `(id, version)` chosen is what a complaint records, so a later
profile change never moves an existing complaint's deadlines.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.calendar import WorkingDays
from shared.vocabulary import Nation

PROFILES_FILE = Path(__file__).with_name("profiles.toml")
ANY = "*"
MAX_CONTRIBUTION_WORKING_DAYS = 5  # 000 14.05, R25


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Timescale(Frozen):
    """Exactly one of working days (nation's calendar), calendar days or weeks."""

    working_days: int | None = Field(None, ge=0)
    days: int | None = Field(None, ge=0)
    weeks: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if sum(v is not None for v in (self.working_days, self.days, self.weeks)) != 1:
            raise ValueError("a timescale is exactly one of working_days, days or weeks")
        return self

    def due(self, start: date, nation: Nation, calendar: WorkingDays) -> date:
        if self.working_days is not None:
            return calendar.add(nation, start, self.working_days)
        if self.days is not None:
            return start + timedelta(days=self.days)
        assert self.weeks is not None
        return start + timedelta(weeks=self.weeks)


class Stage(Frozen):
    name: str
    timescale: Timescale


class Profile(Frozen):
    id: str
    version: int = Field(ge=1)
    effective_from: date
    programme: str
    organisation: str
    source: str
    acknowledgement: Timescale
    mixed_contribution: Timescale
    draft_approval: bool
    stages: tuple[Stage, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _contribution_within_five_working_days(self) -> Self:
        wd = self.mixed_contribution.working_days
        if wd is None or wd > MAX_CONTRIBUTION_WORKING_DAYS:
            raise ValueError(
                f"{self.id} v{self.version}: the mixed-complaint contribution is due within at most "
                f"{MAX_CONTRIBUTION_WORKING_DAYS} working days (000 14.05, R25)"
            )
        return self

    @property
    def ref(self) -> str:
        return f"{self.id}@v{self.version}"

    @property
    def final_stage(self) -> int:
        return len(self.stages)

    def stage_name(self, number: int) -> str:
        return self.stages[number - 1].name if 1 <= number <= len(self.stages) else f"Stage {number}"

    def stage(self, number: int) -> Stage:
        if not 1 <= number <= len(self.stages):
            raise ValueError(f"{self.ref} has stages 1 to {len(self.stages)}, not {number}")
        return self.stages[number - 1]


class Profiles:
    def __init__(self, profiles: list[Profile]) -> None:
        seen: set[tuple[str, int]] = set()
        for p in profiles:
            if (p.id, p.version) in seen:
                raise ValueError(f"profile {p.ref} defined twice")
            seen.add((p.id, p.version))
        self._profiles = profiles

    def select(self, programme: str, organisation_id: str | None, registered_on: date) -> Profile:
        candidates = [p for p in self._profiles if p.effective_from <= registered_on]
        for organisation, prog in ((organisation_id, programme), (organisation_id, ANY), (ANY, programme), (ANY, ANY)):
            matching = [p for p in candidates if p.organisation == organisation and p.programme == prog]
            if matching:
                return max(matching, key=lambda p: (p.effective_from, p.version))
        raise LookupError(f"no process profile for {programme} / {organisation_id} on {registered_on}")

    def get(self, ref: str) -> Profile:
        """The exact version a complaint recorded, e.g. `cms@v1`."""
        for p in self._profiles:
            if p.ref == ref:
                return p
        raise LookupError(f"no process profile {ref}")


def load_profiles(path: Path = PROFILES_FILE) -> Profiles:
    raw = tomllib.loads(path.read_text())
    return Profiles([Profile.model_validate(entry) for entry in raw.get("profiles", [])])


@lru_cache(maxsize=1)
def default_profiles() -> Profiles:
    return load_profiles()
