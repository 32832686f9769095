from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from shared.db import create_pool, raw_connection
from shared.eventstore import PostgresEventStore


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[Any]:
    """The asyncpg pool the services give the event store (`shared.http.platform`)."""
    pool = await create_pool(database_url, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
async def pg_store(pool: Any) -> AsyncIterator[PostgresEventStore]:
    """The store as the services build it: statements on the asyncpg pool."""
    store = PostgresEventStore(pool)
    yield store
    await store.close()


@pytest.fixture
async def pg_conn(engine: Any) -> AsyncIterator[Any]:
    """A pooled asyncpg connection for looking at the database directly."""
    async with raw_connection(engine) as conn:
        yield conn
