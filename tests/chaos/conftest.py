"""Fixtures of the fault tests: an embedded PostgreSQL of their own, a fresh database per test, services as
processes, and the summary lines (`chaos <test>: sent=... lost=0`) printed at the end of the run."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from shared import migrations
from shared.db import create_engine, create_scratch_database, drop_database, to_plain_url
from shared.eventstore.postgres import PostgresEventStore
from shared.settings import PROJECT_ROOT
from tests.chaos.harness import SERVICE_ENV, EmbeddedPostgres, ServiceProcess, free_ports
from tools.seed import seed_directory

SUMMARY = pytest.StashKey[list[str]]()

Launch = Callable[..., Awaitable[ServiceProcess]]
Report = Callable[[str], None]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chaos: fault tests with real processes (make chaos; not in make test)")
    config.stash[SUMMARY] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(SUMMARY, [])
    if lines:
        terminalreporter.section("chaos summary")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Report:
    """Record a summary line: printed now (with -s) and in the run's closing summary."""

    def add(line: str) -> None:
        request.config.stash[SUMMARY].append(line)
        print(line, flush=True)

    return add


@pytest.fixture(scope="session")
def chaos_postgres() -> Iterator[EmbeddedPostgres]:
    """A cluster for this run alone under `.pgdata-chaos/`: the tests stop and restart it freely."""
    root = Path(os.environ.get("CHAOS_PGDATA_ROOT", PROJECT_ROOT / ".pgdata-chaos"))
    root.mkdir(parents=True, exist_ok=True)
    pgdata = root / f"run-{os.getpid()}"
    server = EmbeddedPostgres(pgdata)
    server.start()
    try:
        yield server
    finally:
        try:
            server.start()  # a failed test may have left it stopped
            server.stop("fast")
        finally:
            shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture
async def chaos_db(chaos_postgres: EmbeddedPostgres) -> AsyncIterator[str]:
    """A fresh database, migrated, with the development directory seeded (provider-alpha and its contract)."""
    url = await create_scratch_database(chaos_postgres.url, "chaos")
    await migrations.upgrade_async(url)
    engine = create_engine(url, pool_size=2, max_overflow=0)
    try:
        await seed_directory(PostgresEventStore(engine, notify=False))
    finally:
        await engine.dispose()
    yield url
    chaos_postgres.start()
    await drop_database(url)


@pytest.fixture
async def pool(chaos_db: str) -> AsyncIterator[asyncpg.Pool]:
    """The test's own connections, for the audit (reconnects by itself after a PostgreSQL restart)."""
    created = await asyncpg.create_pool(to_plain_url(chaos_db), min_size=0, max_size=4)
    assert created is not None
    yield created
    created.terminate()


@pytest.fixture
async def launch(chaos_db: str, tmp_path: Path) -> AsyncIterator[Launch]:
    """`await launch(name, app)`: a service process on a free loopback port, ready; all stopped at teardown."""
    started: list[ServiceProcess] = []

    async def start(name: str, app: str, **env: str) -> ServiceProcess:
        (port,) = free_ports(1)
        service = ServiceProcess(name, app, port, {**SERVICE_ENV, "DATABASE_URL": chaos_db, **env}, tmp_path)
        started.append(service)
        service.start()
        await service.wait_ready()
        return service

    yield start
    for service in started:
        await service.stop()
