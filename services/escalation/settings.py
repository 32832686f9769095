"""Escalation settings: the shared ones, with this service's name."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings


class EscalationSettings(Settings):
    service_name: str = Field("escalation", alias="SERVICE_NAME")
