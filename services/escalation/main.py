"""The escalation service: working days, each complaint's deadlines, and the deadline watcher (R20-R26)."""

from __future__ import annotations

from fastapi import FastAPI

from services.escalation.api.caselist import router as caselist_router
from services.escalation.api.deadlines import router as deadlines_router
from services.escalation.api.escalations import router as escalations_router
from services.escalation.api.working_days import router as working_days_router
from services.escalation.api.worklists import router as worklist_router
from services.escalation.projections.ice_cases import IceCaseCopiesProjection
from services.escalation.projections.timelines import TimelinesProjection
from services.escalation.settings import EscalationSettings
from services.escalation.watcher import watch
from shared.clock import Clock
from shared.directory.projection import DirectoryProjection
from shared.http.app import ServiceSpec, create_service_app

SPEC = ServiceSpec(
    name="escalation",
    title="DWP complaints: escalation",
    description="Projects each complaint's current stage, owner and every running deadline on UK working days per nation, and escalates (R20-R26). "
    "Authenticate with a bearer token (Authorize button). Every error is RFC 9457 problem+json.",
    routers=[deadlines_router, escalations_router, caselist_router, worklist_router, working_days_router],
    tags=[
        # As the journey goes (Swagger UI shows tags in this order): escalate, the deadlines that follow, the
        # DG caselist; the working-days calculator is a tool, after them.
        {"name": "escalations", "description": "A dissatisfied complainant's complaint moves to the next stage (R20)"},
        {"name": "deadlines", "description": "Stages, owners and deadlines (R20-R26)"},
        {"name": "dg-caselist", "description": "The Director General caselist (R26)"},
        {"name": "working-days", "description": "UK working days per nation (R22)"},
    ],
    # Every service keeps the directory current (one leader among them) so scoping works on its own.
    projections=[DirectoryProjection(), TimelinesProjection(), IceCaseCopiesProjection()],
    background=[watch],
)


def create_app(settings: EscalationSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or EscalationSettings(), clock)
