"""`escalation.ice_cases`: each ICE case's events, and whether the provider owes anything on it, for the
worklists and the deadline watcher (R21, R26, R31).

An ICE case runs after the provider's own process has ended, so `escalation.timelines` no longer counts the
complaint as open; what the provider owes on the case (each ICE request, evidence requests, draft-report comments,
challenge responses, agreed actions, payments) comes from the case folded by the shared ICE decider, as the
deadlines view folds it. Only the events and who may see the case are kept: due dates and statuses are worked out
when read, so a calendar change needs no rebuild. Only cases where the provider owes something are `open`, so
the worklists read those alone, not every case ICE still has.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from services.escalation.domain.ice_work import still_owed
from shared.complaints.timeline import ComplaintTimeline, from_json
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables
from shared.ice.copies import copied_events, fold_copies
from shared.ice.decider import STREAM_TYPE as ICE_STREAM
from shared.ice.state import IceCaseState
from shared.logging import get_logger

log = get_logger(__name__)
ICE_CASES = "escalation.ice_cases"
ICE_CASE_EVENTS = "escalation.ice_case_events"


class IceCaseCopiesProjection(Projection):
    name = "escalation.ice_cases"
    schema = "escalation"
    tables = ("ice_cases", "ice_case_events")
    version = 3  # v3: scoped by the complaint's timeline; v2: `open` while the provider owes something

    def create_statements(self, t: Tables) -> list[str]:
        cases, copies = t["ice_cases"], t["ice_case_events"]
        index = cases.split(".")[-1]
        return [
            # Who may see a case's deadlines is who may see its complaint now (its timeline row), not as referred:
            # a complaint marked as about staff, or redirected, after the referral is scoped as it is (R10, R61).
            f"CREATE TABLE {cases} (complaint_id text PRIMARY KEY, open boolean NOT NULL)",
            f"CREATE INDEX {index}_open ON {cases} (complaint_id) WHERE open",
            f"""CREATE TABLE {copies} (
                complaint_id text NOT NULL,
                version integer NOT NULL,
                type text NOT NULL,
                schema_version integer NOT NULL,
                data jsonb NOT NULL,
                PRIMARY KEY (complaint_id, version))""",
        ]

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        mine = [event for event in events if event.stream_type == ICE_STREAM]
        if not mine:
            return
        copies = t["ice_case_events"]
        # Keyed by the stream's version: applying a batch again is a no-op.
        await conn.executemany(
            f"""INSERT INTO {copies} (complaint_id, version, type, schema_version, data)
                VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (complaint_id, version) DO NOTHING""",
            [(_case_id(e), e.version, e.type, e.schema_version, json.dumps(e.data)) for e in mine],
        )
        # Each touched case folded once over all its events (a case has tens, not thousands).
        rows = await conn.fetch(
            f"""SELECT complaint_id, version, type, schema_version, data::text AS data FROM {copies}
                WHERE complaint_id = ANY($1::text[]) ORDER BY complaint_id, version""",
            sorted({_case_id(e) for e in mine}),
        )
        cases = []
        for case_id, case_rows in groupby(rows, key=lambda r: r["complaint_id"]):
            recorded = copied_events(
                case_id, [(r["version"], r["type"], r["schema_version"], json.loads(r["data"])) for r in case_rows]
            )
            row = _case_row(case_id, recorded)
            if row is not None:
                cases.append(row)
        await conn.executemany(
            f"""INSERT INTO {t["ice_cases"]} (complaint_id, open) VALUES ($1, $2)
                ON CONFLICT (complaint_id) DO UPDATE SET open = EXCLUDED.open""",
            cases,
        )


def _case_id(event: RecordedEvent) -> str:
    return event.stream_id.removeprefix("ice-")


def _case_row(case_id: str, recorded: Sequence[RecordedEvent]) -> tuple[Any, ...] | None:
    state = fold_copies(recorded)
    if not state.exists:
        return None  # not referred yet (nothing can fall due)
    return (case_id, still_owed(state))


def open_ice_query(conditions: str) -> str:
    """The open ICE cases (alias `c`) whose complaints' timelines (alias `t`) meet `conditions`, each with the
    timeline and the case's events."""
    return f"""
        SELECT c.complaint_id, t.timeline::text AS timeline,
               (SELECT json_agg(json_build_array(x.version, x.type, x.schema_version, x.data) ORDER BY x.version)::text
                FROM {ICE_CASE_EVENTS} x WHERE x.complaint_id = c.complaint_id) AS events
        FROM {ICE_CASES} c JOIN escalation.timelines t ON t.complaint_id = c.complaint_id
        WHERE c.open AND {conditions}"""


def ice_case_of(row: Any) -> tuple[ComplaintTimeline, IceCaseState]:
    found = from_json(json.loads(row["timeline"]))
    return found, fold_copies(copied_events(found.complaint_id, json.loads(row["events"] or "[]")))


def readable_ice_cases(rows: Iterable[Any]) -> list[tuple[ComplaintTimeline, IceCaseState]]:
    """`ice_case_of` each row, leaving out (and logging) one this code cannot fold, e.g. an event type of a newer
    release after a rollback: one such case must not stop every worklist and every sweep."""
    found = []
    for row in rows:
        try:
            found.append(ice_case_of(row))
        except Exception as exc:
            log.error("ice_cases.unreadable", complaint_id=row["complaint_id"], error=repr(exc))
    return found
