"""The running system the journeys drive: a fresh embedded PostgreSQL, the four services as uvicorn processes on
free loopback ports (APP_ENV=test), and the test clock they all read.

Everything this run creates lives under `.run/e2e-<id>/` in the project (git-ignored) and is removed at the end;
the services' logs are kept under `.artifacts/e2e/<id>/` for CI, and an error or traceback in any of them fails the
run. Waits are bounded; nothing asserts timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx

from shared.clock import FileClock, business_date
from shared.db import start_embedded_postgres, stop_embedded_postgres
from shared.settings import PROJECT_ROOT
from tools.devserver import Service, prepare

T = TypeVar("T")

SERVICES = (
    Service("intake", "services.intake.main:create_app", 0),
    Service("escalation", "services.escalation.main:create_app", 0),
    Service("ice_gateway", "services.ice_gateway.main:create_app", 0),
    Service("reporting", "services.reporting.main:create_app", 0),
)
LOG_ROOT = PROJECT_ROOT / ".artifacts" / "e2e"
LOG_PROBLEMS = ("Traceback", "[error", "[critical", "ERROR:", "CRITICAL:")
"""What a service log must not contain (console logs: structlog's `[error    ]`, uvicorn's `ERROR:`)."""
READY_SECONDS = 90.0
WAIT_SECONDS = 30.0
"""The longest a journey waits for a read model or a process manager to catch up."""

SERVICE_ENV = {
    "APP_ENV": "test",
    "LOG_LEVEL": "WARNING",
    "LOG_JSON": "false",
    # Four processes share one embedded server (max_connections 100): small pools.
    "DB_POOL_SIZE": "4",
    "DB_MAX_OVERFLOW": "4",
    "SUBSCRIPTION_POLL_SECONDS": "0.2",
    "SUBSCRIPTION_LEADER_RETRY_SECONDS": "0.2",
    "DEADLINE_WATCH_SECONDS": "1",
    "EVIDENCE_RETENTION_SWEEP_SECONDS": "3600",
}

START = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
"""Where the test clock starts: a Monday morning, no bank holiday near it. The journeys move it only forward."""


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


async def eventually(
    probe: Callable[[], Awaitable[T]],
    until: Callable[[T], bool],
    *,
    what: str,
    seconds: float = WAIT_SECONDS,
    every: float = 0.2,
) -> T:
    """Call `probe` until `until(result)` holds; fail naming `what` and the last result after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = await probe()
        if until(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f}s: {what}\nlast seen: {result!r}")
        await asyncio.sleep(every)


class TestClock:
    """The instant every service reads as "now" (shared/clock.py FileClock); the journeys move it forward."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, path: Path) -> None:
        self._file = FileClock(path)

    @property
    def path(self) -> Path:
        return self._file.path

    def set(self, at: datetime) -> None:
        self._file.set(at)

    def now(self) -> datetime:
        return self._file.now()

    def today(self) -> date:
        return business_date(self.now())

    def advance(self, delta: timedelta) -> date:
        """Move time forward (never back: what was recorded stays in the past); returns the new business date."""
        if delta < timedelta(0):
            raise ValueError("the test clock only moves forward")
        self._file.advance(delta)
        return self.today()


@dataclass
class ServiceProcess:
    service: Service
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str]) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            self.service.module,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "5",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env={**env, "SERVICE_NAME": self.name},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class RunningSystem:
    run_dir: Path
    pgdata: Path
    database_url: str
    clock: TestClock
    jwt_secret: str
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.processes[service].base_url

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ({p.log_path}):\n{p.log_tail()}" for p in self.processes.values())

    def problems_in_logs(self) -> list[str]:
        found = []
        for p in self.processes.values():
            with contextlib.suppress(OSError):
                lines = p.log_path.read_text(errors="replace").splitlines()
                found += [f"{p.name}: {line}" for line in lines if any(sign in line for sign in LOG_PROBLEMS)]
        return found

    def check_alive(self) -> None:
        dead = [p for p in self.processes.values() if p.process is None or p.process.poll() is not None]
        if dead:
            raise AssertionError(f"service(s) exited: {', '.join(p.name for p in dead)}\n{self.logs()}")


async def _wait_ready(system: RunningSystem) -> None:
    deadline = time.monotonic() + READY_SECONDS
    pending = dict(system.processes)
    async with httpx.AsyncClient(timeout=2) as http:
        while pending:
            system.check_alive()
            for name, process in list(pending.items()):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{process.base_url}/readyz")).status_code == 200:
                        del pending[name]
            if pending and time.monotonic() > deadline:
                raise AssertionError(f"not ready after {READY_SECONDS:.0f}s: {', '.join(pending)}\n{system.logs()}")
            await asyncio.sleep(0.2)


async def start_system() -> RunningSystem:
    """PostgreSQL under `.run/e2e-<id>/pgdata`, migrated and seeded, then the four services, ready."""
    run_id = uuid.uuid4().hex[:8]
    run_dir = PROJECT_ROOT / ".run" / f"e2e-{run_id}"
    run_dir.mkdir(parents=True)
    pgdata = run_dir / "pgdata"
    clock = TestClock(run_dir / "clock")
    clock.set(START)
    system = RunningSystem(run_dir, pgdata, "", clock, jwt_secret=secrets.token_hex(32))
    try:
        system.database_url = await asyncio.to_thread(start_embedded_postgres, pgdata, "complaints_e2e")
        await prepare(system.database_url)  # migrations to head, the development directory
        log_dir = LOG_ROOT / run_id
        log_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            **SERVICE_ENV,
            "DATABASE_URL": system.database_url,
            "TEST_CLOCK_FILE": str(clock.path),
            "JWT_HS256_SECRET": system.jwt_secret,
            "BLOB_STORE": "local",
            "BLOB_STORE_PATH": str(run_dir / "blobs"),
        }
        for service, port in zip(SERVICES, free_ports(len(SERVICES)), strict=True):
            process = ServiceProcess(service, port, log_dir / f"{service.name}.log")
            system.processes[service.name] = process
            process.start(env)
        await _wait_ready(system)
    except BaseException:
        await stop_system(system)
        raise
    return system


async def stop_system(system: RunningSystem) -> None:
    """Stop the services, then PostgreSQL, and remove the run's folder (the logs stay)."""
    try:
        await asyncio.gather(*(asyncio.to_thread(p.stop) for p in system.processes.values()))
    finally:
        try:
            if system.pgdata.exists():
                await asyncio.to_thread(stop_embedded_postgres, system.pgdata)
        finally:
            shutil.rmtree(system.run_dir, ignore_errors=True)
