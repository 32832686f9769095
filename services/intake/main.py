"""The intake service: complaints logged, read and listed; the directory admin API; erasure; the event feed and
webhooks other systems integrate with."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.api.complaints import router as complaints_router
from services.intake.api.contributions import router as contributions_router
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
from shared.feed.api import router as feed_router
from shared.feed.webhooks.api import router as webhooks_router
from shared.feed.webhooks.delivery import webhook_worker
from shared.feed.webhooks.enqueue import WebhookDeliverySubscriber
from shared.http.app import ServiceSpec, create_service_app
from shared.http.platform import Platform


async def _deliver_webhooks(platform: Platform) -> None:
    """Delivery loops per WEBHOOK_WORKERS (0: this instance only enqueues; another one sends)."""
    settings = platform.settings
    if not isinstance(settings, IntakeSettings) or settings.webhook_workers == 0:
        return
    await webhook_worker(settings.webhook_retry_policy, workers=settings.webhook_workers)(platform)


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
        contributions_router,
        letters_router,
        dissatisfactions_router,
        directory_router,
        erasure_router,
        feed_router,
        webhooks_router,
    ],
    tags=[
        {"name": "complaints", "description": "Register, read and list complaints (R1-R11)"},
        {"name": "dissatisfactions", "description": "Dissatisfactions resolved as normal business (R2)"},
        {"name": "directory", "description": "Organisations, supply chains and contracts (R61)"},
        {"name": "personal-data", "description": "Erasure of a data subject's personal data (R62)"},
        {"name": "feed", "description": "The events your organisation may see, in log order, long-poll (R60, R61)"},
        {"name": "webhooks", "description": "Those events pushed to your system: signed, retried, logged (R61, R63)"},
    ],
    # Every service keeps the directory current (one leader among them) so scoping works on its own.
    projections=[DirectoryProjection(), ComplaintListProjection()],
    process_managers=[lambda platform: WebhookDeliverySubscriber(platform.clock)],
    background=[_deliver_webhooks],
)


def create_app(settings: IntakeSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or IntakeSettings(), clock)
