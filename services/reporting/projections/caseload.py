"""Reporting's own complaint timelines and ICE case events, for the open caseload (R50, R21), applied by the
`reporting.facts` projection (same checkpoint, so the caseload joins `complaints` at one point in the log).

`timelines` keeps each complaint's timeline as the shared `evolve_timeline` folds it (the same rule the
escalation service uses, in reporting's own table); `ice_case_events` keeps each ICE case's events, folded with
the shared ICE decider when the figure is asked for. Only what events fixed is stored: due dates and deadline
statuses depend on the day asked about and the calendar, so they are computed at request time, never stored.
"""

from __future__ import annotations

import json
from typing import Any

from shared.complaints.decider import STREAM_TYPE as COMPLAINT_STREAM
from shared.complaints.timeline import evolve_timeline, from_json, to_json
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Tables
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


async def apply_caseload(conn: Any, event: RecordedEvent, t: Tables, profiles: Profiles) -> None:
    if event.stream_type == COMPLAINT_STREAM:
        await _timeline(conn, event, t, profiles)
    elif event.stream_type == ICE_STREAM:
        # Keyed by the stream's version: applying it again is a no-op.
        await conn.execute(
            f"""INSERT INTO {t["ice_case_events"]} (case_id, version, type, schema_version, data)
                VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (case_id, version) DO NOTHING""",
            event.stream_id.removeprefix("ice-"),
            event.version,
            event.type,
            event.schema_version,
            json.dumps(event.data),
        )


async def _timeline(conn: Any, event: RecordedEvent, t: Tables, profiles: Profiles) -> None:
    complaint_id = event.stream_id.removeprefix("complaint-")
    raw = await conn.fetchval(f"SELECT timeline::text FROM {t['timelines']} WHERE complaint_id = $1", complaint_id)
    current = from_json(json.loads(raw)) if raw is not None else None
    found = evolve_timeline(current, event, profiles)
    if found is None or found == current:
        return
    await conn.execute(
        f"""INSERT INTO {t["timelines"]} (complaint_id, final_response_on, withdrawn_on, timeline)
            VALUES ($1, $2, $3, $4::jsonb)
            ON CONFLICT (complaint_id) DO UPDATE SET final_response_on = EXCLUDED.final_response_on,
                withdrawn_on = EXCLUDED.withdrawn_on, timeline = EXCLUDED.timeline""",
        found.complaint_id,
        found.timeline.final_response_on,
        found.timeline.withdrawn_on,
        json.dumps(to_json(found)),
    )
