"""`escalation.timelines`: each complaint's timeline, for the deadline watcher and worklists (R21, R26).

Only dates that events fixed are stored; due dates and statuses are computed from them and the
calendar when read, so a calendar change needs no rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shared.complaints.decider import STREAM_TYPE
from shared.complaints.timeline import evolve_timeline, from_json, to_json
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables
from shared.profiles import Profiles, default_profiles


class TimelinesProjection(Projection):
    name = "escalation.timelines"
    schema = "escalation"
    tables = ("timelines",)

    def __init__(self, profiles: Profiles | None = None) -> None:
        self._profiles = profiles or default_profiles()

    def create_statements(self, t: Tables) -> list[str]:
        table = t["timelines"]
        index = table.split(".")[-1]
        return [
            f"""CREATE TABLE {table} (
                complaint_id text PRIMARY KEY,
                provider_organisation_id text,
                logged_by_organisation_id text NOT NULL,
                programme text NOT NULL,
                restricted boolean NOT NULL,
                routed_to_organisation_id text,
                open boolean NOT NULL,
                timeline jsonb NOT NULL)""",
            f"CREATE INDEX {index}_open ON {table} (complaint_id) WHERE open",
        ]

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        table = t["timelines"]
        for event in events:
            if event.stream_type != STREAM_TYPE:
                continue
            complaint_id = event.stream_id.removeprefix("complaint-")
            raw = await conn.fetchval(f"SELECT timeline::text FROM {table} WHERE complaint_id = $1", complaint_id)
            current = from_json(json.loads(raw)) if raw is not None else None
            found = evolve_timeline(current, event, self._profiles)
            if found is None or found == current:
                continue
            await conn.execute(
                f"""INSERT INTO {table} (complaint_id, provider_organisation_id, logged_by_organisation_id, programme,
                        restricted, routed_to_organisation_id, open, timeline)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
                    ON CONFLICT (complaint_id) DO UPDATE
                    SET restricted = EXCLUDED.restricted, routed_to_organisation_id = EXCLUDED.routed_to_organisation_id,
                        open = EXCLUDED.open, timeline = EXCLUDED.timeline""",
                found.complaint_id,
                found.provider_organisation_id,
                found.logged_by_organisation_id,
                found.programme,
                found.restricted,
                found.routed_to_organisation_id,
                # Open while the provider's process runs: withdrawn or finally answered, nothing more falls due here
                # (what ICE runs shows in the deadlines view, from the ICE case).
                found.timeline.withdrawn_on is None and found.timeline.final_response_on is None,
                json.dumps(to_json(found)),
            )
