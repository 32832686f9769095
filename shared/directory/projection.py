"""The directory read model, used by every service to scope queries to a caller's supply chain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shared.directory.domain import ContractRegistered, OrganisationRegistered, SubcontractorAdded
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables

_CONTRACT = ContractRegistered.event_type
_TYPES = {OrganisationRegistered.event_type, SubcontractorAdded.event_type, _CONTRACT}


class DirectoryProjection(Projection):
    name = "directory"
    schema = "directory"
    tables = ("organisations", "supply_chain", "contracts")

    def create_statements(self, t: Tables) -> list[str]:
        return [
            f"""CREATE TABLE {t["organisations"]} (
                organisation_id text PRIMARY KEY,
                name text NOT NULL,
                kind text NOT NULL,
                registered_at timestamptz NOT NULL)""",
            f"""CREATE TABLE {t["supply_chain"]} (
                prime_id text NOT NULL,
                subcontractor_id text NOT NULL,
                PRIMARY KEY (prime_id, subcontractor_id))""",
            f"""CREATE TABLE {t["contracts"]} (
                contract_id text PRIMARY KEY,
                provider_organisation_id text NOT NULL,
                programme text NOT NULL,
                value_pence bigint NOT NULL,
                let_or_renewed_on date NOT NULL,
                nation text NOT NULL,
                title text NOT NULL,
                registered_at timestamptz NOT NULL)""",
        ]

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        # One statement per table for the whole batch; each insert ignores a row already there, so the
        # order of the three kinds does not matter and a replay is a no-op.
        mine = [event for event in events if event.type in _TYPES]
        organisations = [
            (e.data["organisation_id"], e.data["name"], e.data["kind"], e.recorded_at)
            for e in mine
            if e.type == OrganisationRegistered.event_type
        ]
        links = [
            (e.data["prime_id"], e.data["subcontractor_id"]) for e in mine if e.type == SubcontractorAdded.event_type
        ]
        contracts = [{**e.data, "registered_at": e.recorded_at.isoformat()} for e in mine if e.type == _CONTRACT]
        if organisations:
            await conn.executemany(
                f"""INSERT INTO {t["organisations"]} (organisation_id, name, kind, registered_at)
                    VALUES ($1, $2, $3, $4) ON CONFLICT (organisation_id) DO NOTHING""",
                organisations,
            )
        if links:
            await conn.executemany(
                f"""INSERT INTO {t["supply_chain"]} (prime_id, subcontractor_id) VALUES ($1, $2)
                    ON CONFLICT DO NOTHING""",
                links,
            )
        if contracts:
            await conn.execute(
                f"""INSERT INTO {t["contracts"]} (contract_id, provider_organisation_id, programme, value_pence,
                        let_or_renewed_on, nation, title, registered_at)
                    SELECT c.contract_id, c.provider_organisation_id, c.programme, c.value_pence,
                           c.let_or_renewed_on, c.nation, c.title, c.registered_at
                    FROM jsonb_to_recordset($1::jsonb) AS c(contract_id text, provider_organisation_id text,
                         programme text, value_pence bigint, let_or_renewed_on date, nation text, title text,
                         registered_at timestamptz)
                    ON CONFLICT (contract_id) DO NOTHING""",
                json.dumps(contracts),
            )


SUPPLY_CHAIN_SQL = """
WITH RECURSIVE chain(organisation_id) AS (
    SELECT $1::text
    UNION
    SELECT s.subcontractor_id FROM directory.supply_chain s JOIN chain c ON s.prime_id = c.organisation_id
)
SELECT organisation_id FROM chain
"""


async def supply_chain(conn: Any, organisation_id: str) -> list[str]:
    """The organisation and every sub-contractor below it: what a provider may see (R61)."""
    rows = await conn.fetch(SUPPLY_CHAIN_SQL, organisation_id)
    return [r["organisation_id"] for r in rows]
