"""`escalation.timelines`: each complaint's timeline, for the deadline watcher and worklists (R21, R26).

Only dates that events fixed are stored; due dates and statuses are computed from them and the
calendar when read, so a calendar change needs no rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shared.complaints.decider import STREAM_TYPE
from shared.complaints.timeline_rows import changed_timelines
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables, json_document
from shared.profiles import Profiles, default_profiles


def open_scoped_table(table: str, *columns: str) -> list[str]:
    """A table keyed by complaint with the scope columns a worklist filters on, `open`, and `columns`; with its
    indexes (api/worklists.py `open_rows_in_scope` reads them)."""
    index = table.split(".")[-1]
    return [
        f"""CREATE TABLE {table} (
            complaint_id text PRIMARY KEY,
            provider_organisation_id text,
            logged_by_organisation_id text NOT NULL,
            programme text NOT NULL,
            restricted boolean NOT NULL,
            routed_to_organisation_id text,
            open boolean NOT NULL{"".join(f", {c}" for c in columns)})""",
        f"CREATE INDEX {index}_open ON {table} (complaint_id) WHERE open",
        # One per arm of a worklist's scope (api/worklists.py `open_rows_in_scope`), so an organisation's worklist
        # reads its own open complaints, not every organisation's; partial, so the closed history adds nothing.
        f"CREATE INDEX {index}_open_provider ON {table} (provider_organisation_id) WHERE open",
        f"CREATE INDEX {index}_open_logged_by ON {table} (logged_by_organisation_id) WHERE open",
        f"CREATE INDEX {index}_open_routed_to ON {table} (routed_to_organisation_id) WHERE open",
    ]


class TimelinesProjection(Projection):
    name = "escalation.timelines"
    schema = "escalation"
    tables = ("timelines",)

    def __init__(self, profiles: Profiles | None = None) -> None:
        self._profiles = profiles or default_profiles()

    def create_statements(self, t: Tables) -> list[str]:
        return open_scoped_table(t["timelines"], "timeline jsonb NOT NULL")

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        # Each touched timeline is read once, folded over its events of the batch in memory and written once:
        # the same rows as event by event, in two statements per batch.
        table = t["timelines"]
        mine = [event for event in events if event.stream_type == STREAM_TYPE]
        changed = await changed_timelines(conn, table, mine, self._profiles)
        if not changed:
            return
        await conn.executemany(
            f"""INSERT INTO {table} (complaint_id, provider_organisation_id, logged_by_organisation_id, programme,
                    restricted, routed_to_organisation_id, open, timeline)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
                ON CONFLICT (complaint_id) DO UPDATE
                SET restricted = EXCLUDED.restricted, routed_to_organisation_id = EXCLUDED.routed_to_organisation_id,
                    open = EXCLUDED.open, timeline = EXCLUDED.timeline""",
            [
                (
                    found.complaint_id,
                    found.provider_organisation_id,
                    found.logged_by_organisation_id,
                    found.programme,
                    found.restricted,
                    found.routed_to_organisation_id,
                    # Open while the provider's process runs: withdrawn or finally answered, nothing more falls due
                    # here (what ICE runs shows in the deadlines view, from the ICE case).
                    found.timeline.withdrawn_on is None and found.timeline.final_response_on is None,
                    json.dumps(json_document(found)),
                )
                for found in changed
            ],
        )
