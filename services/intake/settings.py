"""Intake's settings: the shared ones, with this service's name."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings


class IntakeSettings(Settings):
    service_name: str = Field("intake", alias="SERVICE_NAME")
