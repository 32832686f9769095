"""The scope check every complaint command route of the escalation service shares (R61, R10)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path

from shared.auth import Principal
from shared.commands import Loaded
from shared.complaints.decider import ComplaintState
from shared.complaints.scope import may_see_complaint
from shared.complaints.streams import load_complaint
from shared.errors import NotFound
from shared.http.platform import Platform

ComplaintId = Annotated[UUID, Path(description="The complaint's id")]


async def visible_complaint(platform: Platform, principal: Principal, complaint_id: UUID) -> Loaded[ComplaintState]:
    """The complaint's stream if the caller may see it; outside the caller's scope looks exactly like absent."""
    loaded = await load_complaint(platform.store, str(complaint_id))
    state = loaded.state
    if state.registered and await may_see_complaint(
        platform.store,
        platform.pool,
        principal,
        str(complaint_id),
        provider_organisation_id=state.provider_organisation_id,
        logged_by_organisation_id=state.logged_by_organisation_id,
        programme=state.programme.value if state.programme else None,
        restricted=state.staff_complaint,
        routed_to=state.redirected_to_organisation_id,
    ):
        return loaded
    raise NotFound(detail=f"no complaint {complaint_id}", requirement="R61")
