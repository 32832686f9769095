"""The services as real uvicorn processes on free loopback ports, on an embedded PostgreSQL of their own.

Used by the fuzz and browser suites (and `python -m tools.fuzz`): a fresh database on the embedded server
under `pgdata` (its own folder, so it never meets the test suite's or `make run`'s server), migrated and
seeded with the development directory, then the chosen services started and waited for. Everything is
stopped on exit: the processes, the database, and the embedded server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from shared import migrations
from shared.auth import OrganisationKind, Role, mint_token
from shared.db import (
    create_engine,
    create_scratch_database,
    drop_database,
    start_embedded_postgres,
    stop_embedded_postgres,
)
from shared.eventstore.postgres import PostgresEventStore
from shared.settings import PROJECT_ROOT, Settings
from tools.seed import seed_directory

MODULES = {
    "intake": "services.intake.main:create_app",
    "escalation": "services.escalation.main:create_app",
    "ice_gateway": "services.ice_gateway.main:create_app",
    "reporting": "services.reporting.main:create_app",
}
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Caller:
    """A principal to mint a development token for."""

    label: str
    organisation_id: str
    organisation_kind: OrganisationKind
    roles: tuple[Role, ...]

    @property
    def subject(self) -> str:
        return f"{self.label}@{self.organisation_id}"


DWP_ADMIN = Caller("dwp-admin", "dwp", OrganisationKind.DWP_BUSINESS, (Role.DWP_ADMIN, Role.DATA_PROTECTION_OFFICER))
PROVIDER_LEAD = Caller(
    "provider-lead", "provider-alpha", OrganisationKind.PROVIDER, (Role.COMPLAINTS_LEAD, Role.CASEWORKER)
)
ICE_EXAMINER = Caller("ice-examiner", "ice", OrganisationKind.ICE, (Role.CASE_EXAMINER,))
MI_ANALYST = Caller("mi-analyst", "dwp-mi", OrganisationKind.DWP_MI, (Role.MI_ANALYST,))


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind((HOST, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class ServiceStack:
    database_url: str
    urls: dict[str, str]
    logs: dict[str, Path]
    settings: Settings = field(default_factory=Settings)

    def token(self, caller: Caller) -> str:
        return mint_token(
            self.settings,
            subject=caller.subject,
            organisation_id=caller.organisation_id,
            organisation_kind=caller.organisation_kind,
            roles=caller.roles,
            ttl_seconds=3600,
        )

    def headers(self, caller: Caller) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(caller)}"}


async def _prepare(server_url: str) -> str:
    url = await create_scratch_database(server_url, "stack")
    await migrations.upgrade_async(url)
    engine = create_engine(url)
    try:
        await seed_directory(PostgresEventStore(engine, notify=True))
    finally:
        await engine.dispose()
    return url


def _wait_ready(urls: dict[str, str], processes: dict[str, subprocess.Popen[bytes]], logs: dict[str, Path]) -> None:
    deadline = time.monotonic() + 90
    pending = dict(urls)
    while pending and time.monotonic() < deadline:
        for name, url in list(pending.items()):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    del pending[name]
        for name, process in processes.items():
            if process.poll() is not None:
                tail = logs[name].read_text(errors="replace")[-4000:]
                raise RuntimeError(f"{name} exited during start-up (code {process.returncode}):\n{tail}")
        time.sleep(0.3)
    if pending:
        raise RuntimeError(f"not ready after 90 s: {', '.join(pending)}")


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def service_stack(
    names: Sequence[str],
    *,
    pgdata: Path,
    log_dir: Path,
    extra_env: dict[str, str] | None = None,
) -> Iterator[ServiceStack]:
    """Start `names` (keys of MODULES) on a fresh database of the embedded server under `pgdata`."""
    log_dir.mkdir(parents=True, exist_ok=True)
    server_url = start_embedded_postgres(pgdata, "postgres")
    url = asyncio.run(_prepare(server_url))
    ports = free_ports(len(names))
    urls = {name: f"http://{HOST}:{port}" for name, port in zip(names, ports, strict=True)}
    logs = {name: log_dir / f"{name}.log" for name in names}
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
        "BLOB_STORE": "local",
        "BLOB_STORE_PATH": str(log_dir / "blobs"),
        "DB_POOL_SIZE": "5",
        "DB_MAX_OVERFLOW": "5",
        **(extra_env or {}),
    }
    env.pop("JWT_JWKS_URL", None)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    files: list[IO[bytes]] = []
    try:
        for name, port in zip(names, ports, strict=True):
            out = logs[name].open("wb")
            files.append(out)
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                MODULES[name],
                "--factory",
                "--host",
                HOST,
                "--port",
                str(port),
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "5",
            ]
            processes[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command, cwd=PROJECT_ROOT, env={**env, "SERVICE_NAME": name}, stdout=out, stderr=subprocess.STDOUT
            )
        _wait_ready(urls, processes, logs)
        yield ServiceStack(database_url=url, urls=urls, logs=logs)
    finally:
        _stop(processes)
        for f in files:
            f.close()
        with contextlib.suppress(Exception):
            asyncio.run(drop_database(url))
        stop_embedded_postgres(pgdata)
