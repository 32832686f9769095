"""Reading the feed: the visible events after a position, and the long poll that waits for some.

Pages come from `read_all`, which never skips a committed event (ARCHITECTURE.md §4), filtered by the caller's
scope. A page ends at `limit` visible events, at the head of the log, or after `scan_budget` events scanned
(so one request over a long stretch of invisible events stays bounded); the cursor moves past everything
scanned, visible or not.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from shared.db import ConnectionSource, raw_connection
from shared.eventstore.model import LogPosition, RecordedEvent
from shared.eventstore.postgres import PostgresEventStore
from shared.feed.visibility import FeedScope, load_facts

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class FeedPage:
    events: list[RecordedEvent]
    next: LogPosition
    at_head: bool
    """Nothing more was committed after `next` when the page was read."""


@dataclass(frozen=True)
class FeedOptions:
    batch_size: int = 200
    scan_budget: int = 5000
    poll_seconds: float = 0.25
    """How often a long poll looks at the log again."""


async def scan(
    conn: Any, store: PostgresEventStore, scope: FeedScope, after: LogPosition, limit: int, options: FeedOptions
) -> FeedPage:
    found: list[RecordedEvent] = []
    position, scanned = after, 0
    while scanned < options.scan_budget:
        batch = await store.read_all_on(conn, position, min(options.batch_size, options.scan_budget - scanned))
        if not batch:
            return FeedPage(found, position, at_head=True)
        facts = await load_facts(conn, batch)
        for event in batch:
            position, scanned = event.position, scanned + 1
            if scope.allows(facts.get(event.stream_id)):
                found.append(event)
                if len(found) == limit:
                    return FeedPage(found, position, at_head=False)
    return FeedPage(found, position, at_head=False)


class FeedReader:
    def __init__(
        self,
        store: PostgresEventStore,
        db: ConnectionSource,
        options: FeedOptions | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._store = store
        self._db = db
        self._options = options or FeedOptions()
        self._monotonic = monotonic
        self._sleep = sleep

    async def page(self, scope: FeedScope, after: LogPosition, limit: int) -> FeedPage:
        async with raw_connection(self._db) as conn:
            return await scan(conn, self._store, scope, after, limit, self._options)

    async def wait_for_page(self, scope: FeedScope, after: LogPosition, limit: int, wait_seconds: float) -> FeedPage:
        """A page with something in it, or, after up to `wait_seconds` at the head of the log, an empty one."""
        deadline = self._monotonic() + wait_seconds
        while True:
            page = await self.page(scope, after, limit)
            remaining = deadline - self._monotonic()
            if page.events or not page.at_head or remaining <= 0:
                return page
            after = page.next
            await self._sleep(min(self._options.poll_seconds, remaining))
