"""`intake.complaints`: one row per complaint for the scoped, searchable list (R61)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shared.complaints.events import ComplaintRegistered
from shared.complaints.vocabulary import ComplaintStatus
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables


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
                complainant_name jsonb NOT NULL,
                registered_at timestamptz NOT NULL,
                version integer NOT NULL)""",
            f"CREATE INDEX {index}_by_provider ON {table} (provider_organisation_id, registered_at DESC)",
            f"CREATE INDEX {index}_by_logger ON {table} (logged_by_organisation_id, registered_at DESC)",
            f"CREATE INDEX {index}_by_registered ON {table} (registered_at DESC, complaint_id DESC)",
        ]

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        table = t["complaints"]
        for event in events:
            if event.type != ComplaintRegistered.event_type:
                continue
            data = event.data
            await conn.execute(
                f"""INSERT INTO {table} (complaint_id, provider_organisation_id, logged_by_organisation_id,
                        programme, about, channel, nation, received_on, status, categories, complainant_kind,
                        complainant_name, registered_at, version)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::date, $9, $10, $11, $12::jsonb, $13, $14)
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
                data["complainant"]["kind"],
                json.dumps(data["complainant"]["name"]),
                event.recorded_at,
                event.version,
            )
