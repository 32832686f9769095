"""The scope check every complaint command route of the escalation service shares (R61, R10)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path

from shared.auth import Principal
from shared.commands import Loaded
from shared.complaints.decider import ComplaintState
from shared.complaints.streams import load_visible_complaint
from shared.errors import NotFound
from shared.http.platform import Platform

ComplaintId = Annotated[UUID, Path(description="The complaint's id")]


async def visible_complaint(platform: Platform, principal: Principal, complaint_id: UUID) -> Loaded[ComplaintState]:
    """The complaint's stream if the caller may see it; outside the caller's scope looks exactly like absent."""
    loaded = await load_visible_complaint(platform.store, platform.pool, principal, str(complaint_id))
    if loaded is None:
        raise NotFound(detail=f"no complaint {complaint_id}", requirement="R61")
    return loaded
