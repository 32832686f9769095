"""Rebuild read models from position zero beside the live ones, then swap them in (no downtime).

    python -m tools.rebuild                  # every projection
    python -m tools.rebuild intake.complaints directory

Uses DATABASE_URL, or the embedded PostgreSQL of `make run` (started if it is not running, and then
left running: `make run` stops it). The services may keep running:
their live subscriptions pause only for the swap transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from services.escalation.projections.ice_cases import IceCaseCopiesProjection
from services.escalation.projections.timelines import TimelinesProjection
from services.ice_gateway.projections.cases import IceCasesProjection
from services.intake.projections.complaints import ComplaintListProjection
from services.reporting.projections.facts import ComplaintFactsProjection
from shared.db import create_pool, raw_connection, resolve_database_url
from shared.directory.projection import DirectoryProjection
from shared.eventstore.postgres import PostgresEventStore
from shared.eventstore.projections import Projection, describe_stale, rebuild_projections, stale_projections
from shared.settings import Settings

PROJECTIONS: dict[str, Projection] = {  # every Projection subclass of the code base (tests/unit/test_rebuild_tool.py)
    p.name: p
    for p in (
        DirectoryProjection(),
        ComplaintListProjection(),
        TimelinesProjection(),
        IceCaseCopiesProjection(),
        ComplaintFactsProjection(),
        IceCasesProjection(),
    )
}


async def rebuild(names: list[str]) -> None:
    settings = Settings()
    pool = await create_pool(resolve_database_url(settings), settings)
    try:
        store = PostgresEventStore(pool, notify=False)
        # One pass over the log for all of them: the log is read and decoded once, not once per read model.
        positions = await rebuild_projections(pool, store, [PROJECTIONS[name] for name in dict.fromkeys(names)])
        for name, position in positions.items():
            print(f"{name}: rebuilt and swapped in at {position.encode()}")
    finally:
        await pool.close()


async def rebuild_stale(url: str) -> list[str]:
    """Rebuild the read models whose live generation is not the version the code writes (`Projection.version`):
    the migrations job and `make run` call it after the schema migrations. Returns the names rebuilt."""
    pool = await create_pool(url, max_size=4)
    try:
        async with raw_connection(pool) as conn:
            stale = await stale_projections(conn, list(PROJECTIONS.values()))
        if stale:
            print(describe_stale(stale), flush=True)
            await rebuild_projections(pool, PostgresEventStore(pool, notify=False), [PROJECTIONS[n] for n in stale])
        return sorted(stale)
    finally:
        await pool.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.rebuild", description=__doc__.split("\n\n")[0])
    parser.add_argument("projections", nargs="*", help=f"default: all of {', '.join(PROJECTIONS)}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.projections) - set(PROJECTIONS))
    if unknown:
        parser.error(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(PROJECTIONS)}")
    asyncio.run(rebuild(args.projections or list(PROJECTIONS)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
