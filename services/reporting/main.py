"""The reporting service: management information from its own read models (R50-R52)."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting.api.caseload import router as caseload_router
from services.reporting.api.escalations import router as escalations_router
from services.reporting.api.figures import router as figures_router
from services.reporting.api.ice import router as ice_router
from services.reporting.projections.facts import ComplaintFactsProjection
from services.reporting.settings import ReportingSettings
from shared.clock import Clock
from shared.directory.projection import DirectoryProjection
from shared.http.app import ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="reporting",
    title="DWP complaints: reporting",
    description="Read models and management information for DWP, ICE and PHSO, as JSON and CSV (R50-R52). "
    "Authenticate with a bearer token (Authorize button). Every error is RFC 9457 problem+json.",
    routers=[figures_router, escalations_router, ice_router, caseload_router],
    tags=[{"name": "reports", "description": "Management information (R50-R52)"}],
    # Every service keeps the directory current (one leader among them) so scoping works on its own.
    projections=[DirectoryProjection(), ComplaintFactsProjection()],
)


def create_app(settings: ReportingSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or ReportingSettings(), clock)
