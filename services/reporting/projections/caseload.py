"""Reporting's own complaint timelines and ICE case events, for the open caseload (R50, R21), applied by the
`reporting.facts` projection (same checkpoint, so the caseload joins `complaints` at one point in the log).

`timelines` keeps each complaint's timeline as the shared `evolve_timeline` folds it (the same rule the
escalation service uses, in reporting's own table); `ice_case_events` keeps each ICE case's events, folded with
the shared ICE decider when the figure is asked for. Only what events fixed is stored: due dates and deadline
statuses depend on the day asked about and the calendar, so they are computed at request time, never stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shared.complaints.decider import STREAM_TYPE as COMPLAINT_STREAM
from shared.complaints.timeline_rows import changed_timelines
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Tables, json_document
from shared.ice.decider import STREAM_TYPE as ICE_STREAM
from shared.profiles import Profiles


def caseload_statements(t: Tables) -> list[str]:
    return [
        f"""CREATE TABLE {t["timelines"]} (
            complaint_id text PRIMARY KEY,
            final_response_on date,
            withdrawn_on date,
            timeline jsonb NOT NULL)""",
        f"""CREATE TABLE {t["ice_case_events"]} (
            case_id text NOT NULL,
            version integer NOT NULL,
            type text NOT NULL,
            schema_version integer NOT NULL,
            data jsonb NOT NULL,
            PRIMARY KEY (case_id, version))""",
    ]


async def apply_caseload(conn: Any, events: Sequence[RecordedEvent], t: Tables, profiles: Profiles) -> None:
    """A batch's complaint timelines and ICE case events, in a few statements (the same rows as event by event)."""
    cases = [e for e in events if e.stream_type == ICE_STREAM]
    if cases:
        # Keyed by the stream's version: applying it again is a no-op.
        await conn.executemany(
            f"""INSERT INTO {t["ice_case_events"]} (case_id, version, type, schema_version, data)
                VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (case_id, version) DO NOTHING""",
            [
                (e.stream_id.removeprefix("ice-"), e.version, e.type, e.schema_version, json.dumps(e.data))
                for e in cases
            ],
        )
    await _timelines(conn, [e for e in events if e.stream_type == COMPLAINT_STREAM], t, profiles)


async def _timelines(conn: Any, events: Sequence[RecordedEvent], t: Tables, profiles: Profiles) -> None:
    """Each touched timeline read once, folded over its events of the batch, written once if it changed."""
    changed = await changed_timelines(conn, t["timelines"], events, profiles)
    if changed:
        await conn.executemany(
            f"""INSERT INTO {t["timelines"]} (complaint_id, final_response_on, withdrawn_on, timeline)
                VALUES ($1, $2, $3, $4::jsonb)
                ON CONFLICT (complaint_id) DO UPDATE SET final_response_on = EXCLUDED.final_response_on,
                    withdrawn_on = EXCLUDED.withdrawn_on, timeline = EXCLUDED.timeline""",
            [
                (f.complaint_id, f.timeline.final_response_on, f.timeline.withdrawn_on, json.dumps(json_document(f)))
                for f in changed
            ],
        )
