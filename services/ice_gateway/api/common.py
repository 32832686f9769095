"""What every ICE case route shares: the scope check, and the answer with its ETag."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path, Response

from services.ice_gateway.access import visible_case
from services.ice_gateway.views import IceCaseOut, case_view
from shared.auth import Principal
from shared.clock import business_date
from shared.commands import Loaded
from shared.http.deps import etag
from shared.http.platform import Platform
from shared.ice.deadlines import IceStandards, ice_standards
from shared.ice.state import IceCaseState

CaseId = Annotated[UUID, Path(description="The ICE case's id: the referred complaint's id")]
RefId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
CONCURRENCY = " Send `If-Match` with the ETag you read (412 if the case changed since, R63)."
CONTENT_URL = "/ice-cases/{case_id}/evidence-requests/{{request_id}}/items/{{item_id}}/content"


def standards(platform: Platform) -> IceStandards:
    return ice_standards(platform.settings)


async def visible(platform: Platform, principal: Principal, case_id: UUID) -> Loaded[IceCaseState]:
    return await visible_case(platform, principal, str(case_id))


async def answer(platform: Platform, principal: Principal, case_id: UUID, response: Response) -> IceCaseOut:
    """The case as it now stands, with its version as the ETag (R63)."""
    loaded = await visible_case(platform, principal, str(case_id))
    response.headers["ETag"] = etag(loaded.version)
    today = business_date(platform.clock.now())
    return case_view(loaded.recorded, today, standards(platform), CONTENT_URL.format(case_id=case_id))
