from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared import migrations
from shared.db import create_engine, create_scratch_database, drop_database
from tests.db import server_url


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """A fresh, migrated database on a real PostgreSQL, dropped after the session."""
    url = await create_scratch_database(server_url(), "test")
    await migrations.upgrade_async(url)
    yield url
    await drop_database(url)


@pytest.fixture(scope="session")
async def engine(database_url: str):
    engine = create_engine(database_url, pool_size=20, max_overflow=20)
    yield engine
    await engine.dispose()
