"""The ICE gateway's own workers: the fee process manager (R36) and the evidence retention job (R37).

Both act as the system: their commands go through the same decider as any request, with event ids
derived from what caused them, so running twice (a redelivered batch, two instances) changes nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from services.ice_gateway import handlers
from services.ice_gateway.settings import IceGatewaySettings
from shared.auth import OrganisationKind, Principal
from shared.blobstore import BlobStore
from shared.clock import business_date
from shared.db import raw_connection
from shared.eventstore.model import RecordedEvent
from shared.http.deps import CommandContext
from shared.http.platform import Platform
from shared.ice import commands as c
from shared.ice.events import FinalReportIssued
from shared.ice.reports import evidence_destroyable
from shared.logging import get_logger

log = get_logger(__name__)
SYSTEM = Principal(
    subject="system", organisation_id="system", organisation_kind=OrganisationKind.DWP_BUSINESS, roles=frozenset()
)
BLOBS = "blobs"


def blob_store(platform: Platform) -> BlobStore:
    store: BlobStore = platform.resources[BLOBS]
    return store


def system_context(platform: Platform, purpose: str, cause: str, correlation_id: str) -> CommandContext:
    """Keyed by its cause: a re-run appends nothing new (R63)."""
    return CommandContext(
        principal=SYSTEM,
        now=platform.clock.now(),
        correlation_id=correlation_id,
        causation_id=cause,
        idempotency=(f"system/{purpose}", cause, purpose),
    )


class FeeProcessManager:
    """Final report issued -> contribution to costs assessed, exactly once per case (R36).

    The decider assesses a case once; a redelivered report event decides nothing, and the event id derived
    from the report event makes even a concurrent second run a replay of the first.
    """

    name = "ice.fees"

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def handle(self, conn: Any, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            if event.type == FinalReportIssued.event_type:
                await self.assess(event)

    async def assess(self, event: RecordedEvent) -> None:
        case_id, report_id = event.data["case_id"], event.data["report_id"]
        ctx = system_context(self.platform, self.name, str(event.event_id), case_id)
        await handlers.assess_contribution_to_costs(self.platform, case_id, report_id, ctx)


def fee_process_manager(platform: Platform) -> FeeProcessManager:
    return FeeProcessManager(platform)


async def destroy_evidence(platform: Platform, today: date) -> int:
    """One pass: delete the content of every concluded case's evidence and record it (R37; 004 Part B 8).

    Content first, then the event: a crash in between leaves content already gone, and the next pass deletes
    nothing more (deleting is idempotent) and records it. Returns how many cases it recorded."""
    settings = platform.settings
    retention = settings.evidence_retention_days if isinstance(settings, IceGatewaySettings) else 0
    until = today - timedelta(days=retention)
    async with raw_connection(platform.pool) as conn:
        rows = await conn.fetch(
            "SELECT case_id FROM ice.cases WHERE evidence_held > 0 AND closed_on <= $1 ORDER BY closed_on", until
        )
    recorded = 0
    for row in rows:
        loaded = await handlers.load_case(platform, row["case_id"])
        items = evidence_destroyable(loaded.state)
        if not items:
            continue
        for ref in items:
            request_id, _, item_id = ref.partition("/")
            request = loaded.state.evidence_request(request_id)
            item = request.item(item_id) if request else None
            if item is not None and item.blob_key is not None:
                await blob_store(platform).delete(item.blob_key)
        cause = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ice-evidence-destroyed:{row['case_id']}:{','.join(items)}"))
        ctx = system_context(platform, "ice.retention", cause, row["case_id"])
        outcome = await handlers.decide(
            platform, row["case_id"], c.RecordEvidenceDestruction(items=items, destroyed_on=today), ctx, None
        )
        recorded += 1 if outcome.new_events else 0
    return recorded


async def retention_job(platform: Platform) -> None:
    """Every EVIDENCE_RETENTION_SWEEP_SECONDS until cancelled; the database may be away: the next pass catches up."""
    settings = platform.settings
    every = settings.evidence_retention_sweep_seconds if isinstance(settings, IceGatewaySettings) else 60.0
    while True:
        try:
            recorded = await destroy_evidence(platform, business_date(platform.clock.now()))
            if recorded:
                log.info("ice.evidence_destroyed", cases=recorded)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("ice.retention_failed", error=repr(exc))
        await asyncio.sleep(every)
