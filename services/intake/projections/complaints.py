"""`intake.complaints`: one row per complaint for the scoped, searchable list (R61, R10).

Existing databases: rebuild the projection when its columns change (`stage` was added for R20).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from shared.complaints.events import (
    ComplaintMarkedAsStaffComplaint,
    ComplaintRedirected,
    ComplaintRegistered,
    ComplaintWithdrawn,
    ResponseIssued,
)
from shared.complaints.vocabulary import ComplaintStatus
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables

COMPLAINT_ESCALATED = "complaint.escalated"
"""The complainant's dissatisfaction moved the complaint to its next stage (R20; 001 Annex 2 3.5). Matched by
its stored type, with `to_stage` in its data: the projection needs no more of the event than that."""


class ComplaintListProjection(Projection):
    name = "intake.complaints"
    schema = "intake"
    tables = ("complaints",)

    def create_statements(self, t: Tables) -> list[str]:
        table = t["complaints"]
        index = table.split(".")[-1]
        return [
            f"""CREATE TABLE {table} (
                complaint_id text PRIMARY KEY,
                provider_organisation_id text,
                logged_by_organisation_id text NOT NULL,
                programme text NOT NULL,
                about text NOT NULL,
                channel text NOT NULL,
                nation text NOT NULL,
                received_on date NOT NULL,
                status text NOT NULL,
                categories text[] NOT NULL,
                complainant_kind text NOT NULL,
                complainant_name jsonb,
                registered_at timestamptz NOT NULL,
                version integer NOT NULL,
                restricted boolean NOT NULL DEFAULT false,
                special_customer_record boolean NOT NULL DEFAULT false,
                routed_to_organisation_id text,
                stage integer NOT NULL DEFAULT 1)""",
            f"CREATE INDEX {index}_by_provider ON {table} (provider_organisation_id, registered_at DESC)",
            f"CREATE INDEX {index}_by_logger ON {table} (logged_by_organisation_id, registered_at DESC)",
            f"CREATE INDEX {index}_by_registered ON {table} (registered_at DESC, complaint_id DESC)",
        ]

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        # The batch is folded in memory over the rows it touches, then each touched row is written once: the
        # same result as applying event by event, in a few statements per batch instead of one per event.
        table = t["complaints"]
        mine = [event for event in events if event.type in _HANDLED]
        if not mine:
            return
        rows = await _current(conn, table, {event.data["complaint_id"] for event in mine})
        inserted: dict[str, dict[str, Any]] = {}
        changed: set[str] = set()
        for event in mine:
            complaint_id = event.data["complaint_id"]
            row = rows.get(complaint_id)
            if event.type == ComplaintRegistered.event_type:
                if row is None:  # registered twice (a replay): the first one stands
                    rows[complaint_id] = inserted[complaint_id] = _registered(event)
            elif row is not None and row["version"] < event.version:
                # A change applies once: only a row still behind this event's version moves.
                _CHANGES[event.type](row, event.data)
                row["version"] = event.version
                changed.add(complaint_id)
        await _insert(conn, table, list(inserted.values()))
        await _update(conn, table, [rows[c] for c in changed - inserted.keys()])


def _withdrawn(row: dict[str, Any], _: dict[str, Any]) -> None:
    row["status"] = ComplaintStatus.WITHDRAWN.value


def _responded(row: dict[str, Any], data: dict[str, Any]) -> None:
    # A response ends its stage (001 Annex 2 3.5); a final one also closes the complaint (R7).
    _reaches_stage(row, data["stage"])
    if data["final"]:
        row["status"] = ComplaintStatus.CLOSED.value


def _escalated(row: dict[str, Any], data: dict[str, Any]) -> None:
    _reaches_stage(row, data["to_stage"])


def _reaches_stage(row: dict[str, Any], stage: int) -> None:
    """The stage a complaint is at only ever rises: to the latest stage answered or escalated to."""
    row["stage"] = max(row["stage"], int(stage))


def _restricted(row: dict[str, Any], _: dict[str, Any]) -> None:
    row["restricted"] = True


def _redirected(row: dict[str, Any], data: dict[str, Any]) -> None:
    # The receiving Jobcentre owns it and sees it; the provider still does (R3).
    row["routed_to_organisation_id"] = data["to_organisation_id"]


_CHANGES: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    ComplaintWithdrawn.event_type: _withdrawn,
    ResponseIssued.event_type: _responded,
    COMPLAINT_ESCALATED: _escalated,
    ComplaintMarkedAsStaffComplaint.event_type: _restricted,
    ComplaintRedirected.event_type: _redirected,
}
_HANDLED = frozenset({ComplaintRegistered.event_type, *_CHANGES})
_MUTABLE = ("version", "status", "stage", "restricted", "routed_to_organisation_id")
"""The columns events after the registration change."""
_COLUMNS = (
    "complaint_id",
    "provider_organisation_id",
    "logged_by_organisation_id",
    "programme",
    "about",
    "channel",
    "nation",
    "received_on",
    "status",
    "categories",
    "complainant_kind",
    "complainant_name",
    "registered_at",
    "version",
    "restricted",
    "special_customer_record",
    "routed_to_organisation_id",
    "stage",
)


async def _current(conn: Any, table: str, complaint_ids: set[str]) -> dict[str, dict[str, Any]]:
    found = await conn.fetch(
        f"SELECT complaint_id, {', '.join(_MUTABLE)} FROM {table} WHERE complaint_id = ANY($1::text[])",
        list(complaint_ids),
    )
    return {r["complaint_id"]: dict(r) for r in found}


def _registered(event: RecordedEvent) -> dict[str, Any]:
    registered = ComplaintRegistered.model_validate(event.data)
    data = event.data
    name = data["complainant"]["name"] if registered.complainant is not None else None
    return {
        "complaint_id": data["complaint_id"],
        "provider_organisation_id": data["provider_organisation_id"],
        "logged_by_organisation_id": data["logged_by_organisation_id"],
        "programme": data["programme"],
        "about": data["about"],
        "channel": data["channel"],
        "nation": data["nation"],
        "received_on": registered.received_on,
        "status": ComplaintStatus.OPEN.value,
        "categories": sorted({e["category"] for e in data["elements"]}),
        "complainant_kind": registered.complainant_kind.value,
        "complainant_name": None if name is None else json.dumps(name),
        "registered_at": event.recorded_at,
        "version": event.version,
        "restricted": registered.staff_complaint is not None,
        "special_customer_record": registered.special_customer_record is not None,
        "routed_to_organisation_id": None,
        "stage": 1,
    }


async def _insert(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    values = ", ".join(f"${i}::jsonb" if c == "complainant_name" else f"${i}" for i, c in enumerate(_COLUMNS, 1))
    await conn.executemany(
        f"""INSERT INTO {table} ({", ".join(_COLUMNS)}) VALUES ({values})
            ON CONFLICT (complaint_id) DO NOTHING""",
        [tuple(row[c] for c in _COLUMNS) for row in rows],
    )


async def _update(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    await conn.execute(
        f"""UPDATE {table} AS c
            SET version = u.version, status = u.status, stage = u.stage, restricted = u.restricted,
                routed_to_organisation_id = u.routed_to_organisation_id
            FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::bool[], $6::text[])
                AS u(complaint_id, version, status, stage, restricted, routed_to_organisation_id)
            WHERE c.complaint_id = u.complaint_id""",
        [r["complaint_id"] for r in rows],
        *([r[c] for r in rows] for c in _MUTABLE),
    )
