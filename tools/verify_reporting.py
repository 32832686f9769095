"""Verify reporting's read model against the log (R52): exit 1 on any difference.

    python -m tools.verify_reporting

Replays the event log in memory up to the read model's checkpoint, recomputes every complaint
and element fact from the raw event data (independently of the projection's code), and compares
them with `reporting.complaints` and `reporting.elements`, row by row. Uses DATABASE_URL, or the
embedded PostgreSQL of `make run`.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from typing import Any

from shared.db import create_pool, raw_connection, resolve_database_url
from shared.eventstore.model import START, LogPosition
from shared.eventstore.postgres import PostgresEventStore
from shared.eventstore.subscriptions import read_checkpoint
from shared.settings import Settings

FACT_COLUMNS = (
    "provider_organisation_id",
    "contract_id",
    "programme",
    "nation",
    "about",
    "channel",
    "complainant_kind",
    "received_on",
    "logged_by_organisation_id",
    "withdrawn_on",
)


@dataclass
class Replayed:
    complaints: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    elements: set[tuple[str, str, str]] = field(default_factory=set)


def fact_of(data: dict[str, Any]) -> tuple[Any, ...]:
    complainant = data.get("complainant")
    special = data.get("special_customer_record") or {}
    kind = complainant["kind"] if complainant else special.get("complainant_kind", "special_customer_record")
    return (
        data["provider_organisation_id"],
        data["contract_id"],
        data["programme"],
        data["nation"],
        data["about"],
        data["channel"],
        kind,
        data["received_on"],
        data["logged_by_organisation_id"],
        None,
    )


async def replay(store: PostgresEventStore, until: LogPosition) -> Replayed:
    replayed, after = Replayed(), START
    while events := await store.read_all(after, 5000):
        for event in events:
            if event.position > until:
                return replayed
            if event.type == "complaint.withdrawn" and event.data["complaint_id"] in replayed.complaints:
                fact = replayed.complaints[event.data["complaint_id"]]
                replayed.complaints[event.data["complaint_id"]] = (*fact[:-1], event.data["withdrawn_on"])
            if event.type == "complaint.registered":
                replayed.complaints[event.data["complaint_id"]] = fact_of(event.data)
                for element in event.data["elements"]:
                    replayed.elements.add((event.data["complaint_id"], element["element_id"], element["category"]))
        after = events[-1].position
    return replayed


async def differences(pool: Any) -> list[str]:
    store = PostgresEventStore(pool, notify=False)
    # One snapshot for the checkpoint and the rows, so a batch committed meanwhile cannot show up
    # as rows past the checkpoint.
    async with raw_connection(pool) as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        checkpoint = await read_checkpoint(conn, "reporting.facts")
        # Every column as text or null, as the log's JSON has it.
        columns = ", ".join(f"{c}::text AS {c}" for c in FACT_COLUMNS)
        rows = await conn.fetch(f"SELECT complaint_id, {columns} FROM reporting.complaints")
        element_rows = await conn.fetch("SELECT complaint_id, element_id, category FROM reporting.elements")
    expected = await replay(store, checkpoint)
    actual = {r["complaint_id"]: tuple(r[c] for c in FACT_COLUMNS) for r in rows}
    found: list[str] = []
    for complaint_id in sorted(set(expected.complaints) | set(actual)):
        want, have = expected.complaints.get(complaint_id), actual.get(complaint_id)
        if want != have:
            found.append(f"complaint {complaint_id}: log says {want}, read model says {have}")
    actual_elements = {(r["complaint_id"], r["element_id"], r["category"]) for r in element_rows}
    for extra in sorted(actual_elements - expected.elements):
        found.append(f"element {extra}: in the read model, not in the log")
    for missing in sorted(expected.elements - actual_elements):
        found.append(f"element {missing}: in the log, not in the read model")
    return found


async def main() -> int:
    settings = Settings()
    pool = await create_pool(resolve_database_url(settings), settings)
    try:
        found = await differences(pool)
    finally:
        await pool.close()
    for line in found:
        print(line)
    print(f"reporting verify: {len(found)} difference(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
