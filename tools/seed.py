"""Seed the development directory through the directory's own handlers (events, not rows). Idempotent."""

from __future__ import annotations

import asyncio
import sys

from shared.auth import OrganisationKind, Principal, Role
from shared.clock import SystemClock
from shared.db import create_engine, resolve_database_url
from shared.directory import handlers
from shared.errors import Conflict
from shared.eventstore.postgres import PostgresEventStore
from shared.http.deps import CommandContext
from shared.settings import Settings
from tools.devdirectory import CONTRACTS, ORGANISATIONS, SUBCONTRACTORS

SEEDER = Principal(
    subject="dev-seed",
    organisation_id="dwp",
    organisation_kind=OrganisationKind.DWP_BUSINESS,
    roles=frozenset({Role.DWP_ADMIN}),
)


async def seed_directory(store: PostgresEventStore) -> int:
    """Register what is missing; returns how many changes were made."""
    clock = SystemClock()
    ctx = CommandContext(SEEDER, clock.now(), "dev-seed", "dev-seed", ("dev-seed", "directory", "v1"))
    changes = 0
    for org in ORGANISATIONS:
        try:
            await handlers.register_organisation(store, org, ctx)
            changes += 1
        except Conflict:
            pass
    for prime, sub in SUBCONTRACTORS:
        outcome = await handlers.add_subcontractor(store, prime, sub, ctx)
        changes += len(outcome.new_events)
    for contract in CONTRACTS:
        try:
            await handlers.register_contract(store, contract, ctx)
            changes += 1
        except Conflict:
            pass
    return changes


async def main() -> None:
    settings = Settings()
    engine = create_engine(resolve_database_url(settings), settings)
    try:
        changes = await seed_directory(PostgresEventStore(engine, notify=True))
        print(f"directory seeded: {changes} change(s)")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
