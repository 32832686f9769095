"""What every complaint route shares: the scope check on the stream, and the answer with its ETag."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Path, Response

from services.intake.api.schemas import ComplaintOut
from services.intake.views import complaint_view
from shared.auth import Principal
from shared.commands import Outcome
from shared.complaints.decider import ComplaintState
from shared.complaints.streams import load_complaint, load_visible_complaint
from shared.errors import NotFound
from shared.eventstore.model import RecordedEvent
from shared.http.deps import etag
from shared.http.platform import Platform

ComplaintId = Annotated[UUID, Path(description="The complaint's id")]


async def _visible_stream(
    platform: Platform, principal: Principal, complaint_id: UUID, as_of: datetime | None = None
) -> tuple[ComplaintState, list[RecordedEvent]]:
    """The complaint if the caller may see it (R61), and never a staff complaint to the uncleared (R10)."""
    loaded = await load_visible_complaint(platform.store, platform.pool, principal, str(complaint_id), as_of)
    if loaded is None:
        # Outside the caller's scope looks exactly like absent (R61).
        suffix = f" as of {as_of.isoformat()}" if as_of else ""
        raise NotFound(detail=f"no complaint {complaint_id}{suffix}", requirement="R61")
    return loaded.state, loaded.recorded


async def answer(
    platform: Platform, complaint_id: UUID, outcome: Outcome[ComplaintState], response: Response
) -> ComplaintOut:
    """The complaint as it now stands, with its version as the ETag (R63): at least the outcome's version."""
    loaded = await load_complaint(platform.store, str(complaint_id))
    assert loaded.version >= outcome.version
    response.headers["ETag"] = etag(loaded.version)
    return complaint_view(loaded.state, loaded.recorded)
