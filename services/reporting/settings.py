"""Reporting settings: the shared ones, with this service's name."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings


class ReportingSettings(Settings):
    service_name: str = Field("reporting", alias="SERVICE_NAME")
