"""IceGateway settings: the shared ones, with this service's name, ICE's service standards (R40) and the
evidence retention job (R37)."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings


class IceGatewaySettings(Settings):
    service_name: str = Field("ice_gateway", alias="SERVICE_NAME")

    # Evidence is destroyed once ICE's examination concluded (004 Part B 8): days after closure, 0 = at once.
    evidence_retention_days: int = Field(0, alias="EVIDENCE_RETENTION_DAYS", ge=0)
    evidence_retention_sweep_seconds: float = Field(60.0, alias="EVIDENCE_RETENTION_SWEEP_SECONDS", gt=0)
