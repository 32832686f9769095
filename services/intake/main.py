"""The intake service: complaints logged, read and listed; the directory admin API; erasure."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.api.complaints import router as complaints_router
from services.intake.api.dissatisfactions import router as dissatisfactions_router
from services.intake.api.letters import router as letters_router
from services.intake.api.responses import router as responses_router
from services.intake.api.work import router as work_router
from services.intake.projections.complaints import ComplaintListProjection
from services.intake.settings import IntakeSettings
from shared.clock import Clock
from shared.directory.api import router as directory_router
from shared.directory.projection import DirectoryProjection
from shared.erasure import router as erasure_router
from shared.http.app import ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="intake",
    title="DWP complaints: intake",
    description="Complaints and dissatisfactions are logged, routed, acknowledged, worked and answered. "
    "Authenticate with a bearer token (Authorize button). Every error is RFC 9457 problem+json. Send an "
    "`Idempotency-Key` with every POST; use `If-Match` with the ETag you read to change a complaint safely.",
    routers=[
        complaints_router,
        work_router,
        responses_router,
        letters_router,
        dissatisfactions_router,
        directory_router,
        erasure_router,
    ],
    tags=[
        {"name": "complaints", "description": "Register, read and list complaints (R1-R11)"},
        {"name": "dissatisfactions", "description": "Dissatisfactions resolved as normal business (R2)"},
        {"name": "directory", "description": "Organisations, supply chains and contracts (R61)"},
        {"name": "personal-data", "description": "Erasure of a data subject's personal data (R62)"},
    ],
    # Every service keeps the directory current (one leader among them) so scoping works on its own.
    projections=[DirectoryProjection(), ComplaintListProjection()],
)


def create_app(settings: IntakeSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or IntakeSettings(), clock)
