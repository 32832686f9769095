"""IceGateway settings: the shared ones, with this service's name."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings


class IceGatewaySettings(Settings):
    service_name: str = Field("ice_gateway", alias="SERVICE_NAME")
