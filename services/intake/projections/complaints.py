"""`intake.complaints`: one row per complaint for the scoped, searchable list (R61, R10).

Existing databases: rebuild the projection when its columns change (`stage` was added for R20).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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

_REACHES_STAGE = "stage = GREATEST(stage, $3::int)"
"""The stage a complaint is at only ever rises: to the latest stage answered or escalated to."""
_ANSWERED = _REACHES_STAGE + ", status = COALESCE($4::text, status)"
"""A response ends its stage (001 Annex 2 3.5); a final one also closes the complaint (R7)."""


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
        table = t["complaints"]
        for event in events:
            if event.type == ComplaintRegistered.event_type:
                await _registered(conn, table, event)
            elif event.type == ComplaintWithdrawn.event_type:
                await _update(conn, table, event, "status = $3", ComplaintStatus.WITHDRAWN.value)
            elif event.type == ResponseIssued.event_type:
                # One update for both changes: each event may move the row's version only once.
                closed = ComplaintStatus.CLOSED.value if event.data["final"] else None
                await _update(conn, table, event, _ANSWERED, event.data["stage"], closed)
            elif event.type == COMPLAINT_ESCALATED:
                await _update(conn, table, event, _REACHES_STAGE, event.data["to_stage"])
            elif event.type == ComplaintMarkedAsStaffComplaint.event_type:
                await _update(conn, table, event, "restricted = $3", True)
            elif event.type == ComplaintRedirected.event_type:
                # The receiving Jobcentre owns it and sees it; the provider still does (R3).
                await _update(conn, table, event, "routed_to_organisation_id = $3", event.data["to_organisation_id"])


async def _registered(conn: Any, table: str, event: RecordedEvent) -> None:
    registered = ComplaintRegistered.model_validate(event.data)
    data = event.data
    name = data["complainant"]["name"] if registered.complainant is not None else None
    await conn.execute(
        f"""INSERT INTO {table} (complaint_id, provider_organisation_id, logged_by_organisation_id,
                programme, about, channel, nation, received_on, status, categories, complainant_kind,
                complainant_name, registered_at, version, restricted, special_customer_record)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::date, $9, $10, $11, $12::jsonb, $13, $14, $15, $16)
            ON CONFLICT (complaint_id) DO NOTHING""",
        data["complaint_id"],
        data["provider_organisation_id"],
        data["logged_by_organisation_id"],
        data["programme"],
        data["about"],
        data["channel"],
        data["nation"],
        data["received_on"],
        ComplaintStatus.OPEN.value,
        sorted({e["category"] for e in data["elements"]}),
        registered.complainant_kind.value,
        None if name is None else json.dumps(name),
        event.recorded_at,
        event.version,
        registered.staff_complaint is not None,
        registered.special_customer_record is not None,
    )


async def _update(conn: Any, table: str, event: RecordedEvent, assignment: str, *values: Any) -> None:
    """Apply a change once: only a row still behind this event's version moves (idempotent on replay).

    `values` are `$3`, `$4`, ... of `assignment`.
    """
    await conn.execute(
        f"UPDATE {table} SET {assignment}, version = $2 WHERE complaint_id = $1 AND version < $2",
        event.data["complaint_id"],
        event.version,
        *values,
    )
