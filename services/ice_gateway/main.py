"""The ICE gateway: referrals, the gateway check, the three ICE stages, draft-report challenges, final reports,
the contribution to costs and redress, evidence retention, and the ombudsman (R30-R40)."""

from __future__ import annotations

from fastapi import FastAPI

from services.ice_gateway.api.cases import router as cases_router
from services.ice_gateway.api.cases import systemic_router
from services.ice_gateway.api.gateway import router as gateway_router
from services.ice_gateway.api.phso import router as phso_router
from services.ice_gateway.api.reports import router as reports_router
from services.ice_gateway.api.stages import UPLOAD_ROUTE
from services.ice_gateway.api.stages import router as stages_router
from services.ice_gateway.process import BLOBS, fee_process_manager, retention_job
from services.ice_gateway.projections.cases import IceCasesProjection
from services.ice_gateway.settings import IceGatewaySettings
from shared.blobstore import create_blob_store
from shared.clock import Clock
from shared.directory.projection import DirectoryProjection
from shared.http.app import ServiceSpec, create_service_app
from shared.http.platform import Platform


def _open_blob_store(platform: Platform) -> None:
    platform.resources[BLOBS] = create_blob_store(platform.settings)


async def _close_blob_store(platform: Platform) -> None:
    if BLOBS in platform.resources:
        await platform.resources.pop(BLOBS).aclose()


SPEC = ServiceSpec(
    name="ice_gateway",
    title="DWP complaints: ICE gateway",
    description="ICE referrals, the gateway check, evidence requests, draft-report challenges, final reports, fee and "
    "redress recovery, PHSO (R30-R40). Authenticate with a bearer token (Authorize button). Every error is RFC 9457 "
    "problem+json.",
    routers=[cases_router, gateway_router, stages_router, reports_router, phso_router, systemic_router],
    tags=[
        {"name": "ice", "description": "ICE referrals, the gateway and the three stages (R30-R37, R39, R40)"},
        {"name": "phso", "description": "The Parliamentary and Health Service Ombudsman / NI Ombudsman (R38)"},
    ],
    # Every service keeps the directory current (one leader among them) so scoping works on its own.
    projections=[DirectoryProjection(), IceCasesProjection()],
    process_managers=[fee_process_manager],
    extra_startup=[_open_blob_store],
    extra_shutdown=[_close_blob_store],
    background=[retention_job],
    streaming_uploads=[UPLOAD_ROUTE],
)


def create_app(settings: IceGatewaySettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or IceGatewaySettings(), clock)
