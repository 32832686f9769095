"""Process profiles as data (R20): validation and selection by programme, organisation and date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.profiles import Profile, Profiles, default_profiles, load_profiles


def profile(**changes) -> Profile:
    base = {
        "id": "p",
        "version": 1,
        "effective_from": date(2025, 1, 1),
        "programme": "*",
        "organisation": "*",
        "source": "test",
        "acknowledgement": {"working_days": 2},
        "mixed_contribution": {"working_days": 5},
        "draft_approval": False,
        "stages": [{"name": "Stage 1", "timescale": {"working_days": 10}}],
    }
    base.update(changes)
    return Profile.model_validate(base)


def test_the_repository_profiles_load_and_atw_needs_draft_approval() -> None:
    profiles = default_profiles()
    atw = profiles.select("atw", "provider-beta", date(2026, 1, 1))
    assert atw.draft_approval is True
    cms = profiles.select("cms", None, date(2026, 1, 1))
    assert [s.name for s in cms.stages][1] == "Complaints resolution team"
    assert cms.stage(2).timescale.days == 15


def test_a_contribution_over_five_working_days_is_refused() -> None:
    with pytest.raises(ValidationError, match="at most 5 working days"):
        profile(mixed_contribution={"working_days": 6})
    with pytest.raises(ValidationError, match="at most 5 working days"):
        profile(mixed_contribution={"days": 5})


def test_a_timescale_has_exactly_one_unit() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        profile(acknowledgement={"working_days": 2, "days": 2})


def test_selection_prefers_the_organisation_then_the_programme_then_the_catch_all_by_effective_date() -> None:
    profiles = Profiles(
        [
            profile(id="all"),
            profile(id="ipes", programme="ipes"),
            profile(id="alpha", organisation="provider-alpha"),
            profile(id="ipes", version=2, programme="ipes", effective_from=date(2026, 6, 1)),
        ]
    )
    assert profiles.select("ipes", "provider-alpha", date(2026, 1, 1)).ref == "alpha@v1"
    assert profiles.select("ipes", "provider-beta", date(2026, 1, 1)).ref == "ipes@v1"
    assert profiles.select("ipes", "provider-beta", date(2026, 6, 1)).ref == "ipes@v2"
    assert profiles.select("cms", "provider-beta", date(2026, 6, 1)).ref == "all@v1"
    with pytest.raises(LookupError):
        profiles.select("cms", None, date(2024, 1, 1))


def test_a_version_defined_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="defined twice"):
        Profiles([profile(), profile()])
    path = tmp_path / "profiles.toml"
    path.write_text("")
    assert isinstance(load_profiles(path), Profiles)


def test_an_unknown_stage_number_is_refused() -> None:
    with pytest.raises(ValueError, match="stages 1 to 1"):
        profile().stage(2)
