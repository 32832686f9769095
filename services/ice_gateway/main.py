"""The ice gateway service. Health, auth and docs now; its domain arrives with its own issue."""

from __future__ import annotations

from fastapi import FastAPI

from services.ice_gateway.settings import IceGatewaySettings
from shared.clock import Clock
from shared.directory.projection import DirectoryProjection
from shared.http.app import ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="ice_gateway",
    title="DWP complaints: ICE gateway",
    description="ICE referrals, the gateway check, evidence requests, draft-report challenges, final reports, fee and redress recovery, PHSO (R30-R40). "
    "Authenticate with a bearer token (Authorize button). Every error is RFC 9457 problem+json.",
    routers=[],
    tags=[{"name": "ice", "description": "ICE referrals and stages (R30-R40)"}],
    # Every service keeps the directory current (one leader among them) so scoping works on its own.
    projections=[DirectoryProjection()],
)


def create_app(settings: IceGatewaySettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or IceGatewaySettings(), clock)
