"""Reporting's own read model (R50): one fact row per complaint and per element, fed by the log.

Facts hold dimensions only (who, what programme, where, when, how), never personal data, so the
figures survive erasure untouched. Aggregation happens at query time for any date range and
grouping. `reporting.projection_state` records the last event applied, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.complaints.events import ComplaintRegistered
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables


class ComplaintFactsProjection(Projection):
    name = "reporting.facts"
    schema = "reporting"
    tables = ("complaints", "elements", "projection_state")

    def create_statements(self, t: Tables) -> list[str]:
        complaints, elements, state = t["complaints"], t["elements"], t["projection_state"]
        c_index, e_index = complaints.split(".")[-1], elements.split(".")[-1]
        return [
            f"""CREATE TABLE {complaints} (
                complaint_id text PRIMARY KEY,
                provider_organisation_id text,
                contract_id text,
                programme text NOT NULL,
                nation text NOT NULL,
                about text NOT NULL,
                channel text NOT NULL,
                complainant_kind text NOT NULL,
                received_on date NOT NULL,
                logged_by_organisation_id text NOT NULL)""",
            f"CREATE INDEX {c_index}_received ON {complaints} (received_on)",
            f"""CREATE TABLE {elements} (
                complaint_id text NOT NULL,
                element_id text NOT NULL,
                category text NOT NULL,
                PRIMARY KEY (complaint_id, element_id))""",
            f"CREATE INDEX {e_index}_category ON {elements} (category)",
            f"""CREATE TABLE {state} (
                only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
                last_event_at timestamptz,
                events_applied bigint NOT NULL DEFAULT 0)""",
            f"INSERT INTO {state} (only_row) VALUES (true)",
        ]

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        for event in events:
            if event.type == ComplaintRegistered.event_type:
                await self._registered(conn, ComplaintRegistered.model_validate(event.data), t)
        await conn.execute(
            f"UPDATE {t['projection_state']} SET last_event_at = $1, events_applied = events_applied + $2",
            events[-1].recorded_at,
            len(events),
        )

    @staticmethod
    async def _registered(conn: Any, e: ComplaintRegistered, t: Tables) -> None:
        await conn.execute(
            f"""INSERT INTO {t["complaints"]} (complaint_id, provider_organisation_id, contract_id, programme, nation,
                    about, channel, complainant_kind, received_on, logged_by_organisation_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (complaint_id) DO NOTHING""",
            e.complaint_id,
            e.provider_organisation_id,
            e.contract_id,
            e.programme.value,
            e.nation.value,
            e.about.value,
            e.channel.value,
            e.complainant_kind.value,  # a Special Customer Record carries the kind without the person (R11)
            e.received_on,
            e.logged_by_organisation_id,
        )
        await conn.executemany(
            f"""INSERT INTO {t["elements"]} (complaint_id, element_id, category) VALUES ($1, $2, $3)
                ON CONFLICT DO NOTHING""",
            [(e.complaint_id, el.element_id, el.category.value) for el in e.elements],
        )
