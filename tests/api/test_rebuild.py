"""`python -m tools.rebuild`: read models rebuilt beside the live ones and swapped in (R52)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import raw_connection
from tests.api.helpers import Provider, register, wait_for_listed
from tools.rebuild import rebuild


async def test_the_rebuild_command_swaps_in_a_new_generation(
    client: httpx.AsyncClient, provider: Provider, database_url: str, engine: AsyncEngine, monkeypatch
) -> None:
    """It rebuilds every projection beside the live one; the list still answers."""
    created = (await register(client, provider.caseworker, provider.body())).json()
    await wait_for_listed(client, provider.caseworker, {created["complaint_id"]})
    async with raw_connection(engine) as conn:
        before = await conn.fetchval("SELECT generation FROM projections WHERE name = 'intake.complaints'")
    monkeypatch.setenv("DATABASE_URL", database_url)
    await rebuild(["intake.complaints", "directory"])
    async with raw_connection(engine) as conn:
        after = await conn.fetchval("SELECT generation FROM projections WHERE name = 'intake.complaints'")
    assert after == before + 1
    await wait_for_listed(client, provider.caseworker, {created["complaint_id"]})
