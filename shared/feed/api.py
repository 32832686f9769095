"""`GET /feed`: the events the caller's organisation may see, in log order, with a long poll (R61, R62)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from shared.db import raw_connection
from shared.feed.cursor import decode_cursor, encode_cursor
from shared.feed.items import EXAMPLE_ITEM, PERSONAL_MARKER, FeedItem, feed_item
from shared.feed.reader import FeedOptions, FeedReader
from shared.feed.visibility import feed_scope
from shared.http.deps import CurrentPrincipal, PlatformDep
from shared.http.problems import problem_responses

FEED_OPTIONS = "feed.options"
"""`platform.resources[FEED_OPTIONS]`: a `FeedOptions` overriding the defaults (page scan, poll interval)."""
MAX_WAIT_SECONDS = 30

EXAMPLE_PAGE: dict[str, Any] = {"items": [EXAMPLE_ITEM], "next_cursor": "ZjE6NzQxMi44ODI"}


class FeedPageOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PAGE]})

    items: list[FeedItem]
    next_cursor: str = Field(description="Send as `after=` to read on; unchanged content means nothing new yet")


router = APIRouter(prefix="/feed", tags=["feed"])


@router.get(
    "",
    name="read",
    summary="Read the event feed",
    description="The events your organisation may see (R61), in log order, after `after` (a `next_cursor`; "
    "nothing to start at the beginning of the log): complaint events of complaints in your scope (staff "
    "complaints only if you are cleared, R10) and ICE case events of cases in your scope. Each item has the "
    "event's type with its version, stream, recorded time, business date and an organisation-safe actor (R60); "
    f"every personal value in `data` is `{PERSONAL_MARKER}` (R62): fetch personal data through the API, where "
    "access is controlled. With `wait` (seconds, at most 30) and nothing new, the request waits for new events "
    "and then answers, possibly with an empty page: call again with `next_cursor`. Delivery is at least once "
    "from your side: keep the last cursor you processed.",
    response_model=FeedPageOut,
    responses=problem_responses(),
)
async def read(
    principal: CurrentPrincipal,
    platform: PlatformDep,
    after: Annotated[
        str | None, Query(max_length=64, description="A `next_cursor` (or an item's `cursor`) from this feed")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page, at most 500")] = 100,
    wait: Annotated[
        float, Query(ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for new events (long poll), 0 to 30")
    ] = 0,
) -> FeedPageOut:
    position = decode_cursor(after, "query.after")
    async with raw_connection(platform.pool) as conn:
        scope = await feed_scope(conn, principal)
    options = platform.resources.get(FEED_OPTIONS)
    reader = FeedReader(platform.store, platform.pool, options if isinstance(options, FeedOptions) else None)
    page = await reader.wait_for_page(scope, position, limit, wait)
    items = [FeedItem.model_validate(feed_item(e, principal.organisation_id)) for e in page.events]
    return FeedPageOut(items=items, next_cursor=encode_cursor(page.next))
