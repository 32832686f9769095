"""For read models that keep each complaint's timeline as a row (escalation's worklist, reporting's caseload)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shared.complaints.timeline import ComplaintTimeline, evolve_timeline, from_json
from shared.eventstore.model import RecordedEvent
from shared.profiles import Profiles


async def changed_timelines(
    conn: Any, table: str, events: Sequence[RecordedEvent], profiles: Profiles
) -> list[ComplaintTimeline]:
    """The timelines a batch of complaint events changes: each touched row read once from `table` (a `timeline`
    jsonb column keyed by `complaint_id`), folded over its events in memory, returned if it differs."""
    if not events:
        return []
    ids = {event.stream_id.removeprefix("complaint-") for event in events}
    stored = await conn.fetch(
        f"SELECT complaint_id, timeline::text AS timeline FROM {table} WHERE complaint_id = ANY($1::text[])",
        list(ids),
    )
    before = {r["complaint_id"]: from_json(json.loads(r["timeline"])) for r in stored}
    after: dict[str, ComplaintTimeline] = dict(before)
    for event in events:
        complaint_id = event.stream_id.removeprefix("complaint-")
        found = evolve_timeline(after.get(complaint_id), event, profiles)
        if found is not None:
            after[complaint_id] = found
    return [found for complaint_id, found in after.items() if before.get(complaint_id) != found]
