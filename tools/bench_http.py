"""`make bench`, service level: the register endpoint against a bare FastAPI + asyncpg INSERT, projection lag, RSS.

Both run as real uvicorn processes (the services' own command line) on one database; the load comes
from `tools.bench_load` in a process of its own at `--http-connections` connections, alternating bare
and register for `--rounds` rounds so noise falls on both. While the register load runs, this process
polls the intake list projection's checkpoint every few milliseconds; an event's projection lag is the
first time the checkpoint was seen at or past it minus the event's `recorded_at` (taken by the service
just before its INSERT), both on this machine's clock.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from shared.auth import OrganisationKind, Role, mint_token
from shared.db import create_engine, to_plain_url
from shared.eventstore.postgres import PostgresEventStore
from shared.settings import Settings
from tools.bench_load import CONTRACT, PROVIDER
from tools.seed import seed_directory

TARGET_HTTP_RATIO = 0.5
TARGET_HTTP_P99_MS = 60.0
TARGET_PROJECTION_LAG_P99_MS = 200.0
TARGET_RSS_MB = 200.0
LAG_POLL_S = 0.005
LAG_DRAIN_TIMEOUT_S = 20.0
INTAKE_LIST = "intake.complaints"
WEB_ONLY = {"BACKGROUND_WORK": "false"}

Emit = Callable[[str, object], None]


# --------------------------------------------------------------------------------------------
# Service processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (nan when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class ServiceProcess:
    """One uvicorn process, started as `make run` starts the services (uvloop, httptools, no access log)."""

    name: str
    module: str
    database_url: str
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    peak_rss_mb: float = 0.0

    def start(self) -> None:
        self.port = self.port or free_port()
        env = {**os.environ, "DATABASE_URL": self.database_url, "SERVICE_NAME": self.name, **self.env}
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            self.module,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "5",
        ]
        log = (self.log_dir / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        log.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def wait_ready(self, path: str = "/healthz", timeout_s: float = 90.0) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited at start-up; see {self.log_dir / (self.name + '.log')}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(self.base_url + path)).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f} s")

    def rss_mb(self) -> float:
        value = rss_mb(self.pid)
        if value == value:  # not nan
            self.peak_rss_mb = max(self.peak_rss_mb, value)
        return value

    async def settle(self, idle_cpu_s: float = 0.05, quiet_for_s: float = 1.0, timeout_s: float = 120.0) -> float:
        """Wait until the process uses under `idle_cpu_s` CPU per `quiet_for_s`; returns the seconds waited."""
        started = time.monotonic()
        last = cpu_seconds(self.pid)
        while time.monotonic() - started < timeout_s:
            await asyncio.sleep(quiet_for_s)
            now = cpu_seconds(self.pid)
            self.rss_mb()
            if now - last < idle_cpu_s:
                break
            last = now
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


class ServerCpu:
    """CPU seconds of every process of the PostgreSQL server (when it runs on this machine), cumulative.

    Reads the server's pids from pg_stat_activity on its own connection. A backend that exits loses
    what it used since the last reading (asyncpg pools replace a connection after 50,000 queries), so
    `sampling()` reads every half second while a measurement runs.
    """

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._seen: dict[int, float] = {}
        self.total = 0.0
        self.local = False
        """Whether any process of the server was seen on this machine (else the figures are meaningless)."""

    async def read(self) -> float:
        conn = await asyncpg.connect(self._dsn)
        try:
            pids = await conn.fetchval("SELECT array_agg(pid) FROM pg_stat_activity")
        finally:
            await conn.close()
        self._add(pids or [])
        return self.total

    @contextlib.asynccontextmanager
    async def sampling(self, every_s: float = 0.5) -> AsyncIterator[None]:
        stop = asyncio.Event()

        async def sample() -> None:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), every_s)
                await self.read()

        task = asyncio.create_task(sample())
        try:
            yield
        finally:
            stop.set()
            await task

    def _add(self, pids: Sequence[int]) -> None:
        first = not self._seen
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            if "(postgres" not in stat:  # a remote server's pid, or a local process it happens to match
                continue
            self.local = True
            now = cpu_seconds(pid)
            if now != now:  # gone since pg_stat_activity listed it
                continue
            # A backend first seen after the first reading started since then: all its CPU counts.
            self.total += now - self._seen.get(pid, now if first else 0.0)
            self._seen[pid] = now


# --------------------------------------------------------------------------------------------
# Load


@dataclass
class LoadResult:
    window: tuple[float, float]
    per_s: float
    latencies_ms: list[float]
    statuses: dict[str, int]
    errors: int
    first_error: str | None
    failed_bodies: list[str]
    total_requests: int = 0
    client_cpu_us_per_request: float = float("nan")
    service_cpu_ms_per_request: float = float("nan")
    """The service's processes together: its web process and, when it has one, its worker."""
    worker_cpu_ms_per_request: float = float("nan")
    server_cpu_ms_per_request: float = float("nan")


async def run_load(
    port: int, path: str, token: str | None, connections: int, warmup: float, seconds: float
) -> LoadResult:
    command = [
        sys.executable,
        "-m",
        "tools.bench_load",
        "--port",
        str(port),
        "--path",
        path,
        "--connections",
        str(connections),
        "--warmup",
        str(warmup),
        "--seconds",
        str(seconds),
    ]
    if token:
        command += ["--token", token]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"load generator failed ({process.returncode}): {err.decode()[-2000:]}")
    raw = json.loads(out)
    return LoadResult(
        window=(raw["window"][0], raw["window"][1]),
        per_s=raw["per_s"],
        latencies_ms=raw["latencies_ms"],
        statuses=raw["statuses"],
        errors=raw["errors"],
        first_error=raw["first_error"],
        failed_bodies=raw["failed_bodies"],
        total_requests=raw["total_requests"],
        client_cpu_us_per_request=raw["client_cpu_us_per_request"],
    )


async def costed_load(
    service: ServiceProcess,
    server: ServerCpu,
    path: str,
    token: str | None,
    args: argparse.Namespace,
    worker: ServiceProcess | None = None,
) -> LoadResult:
    """`run_load` with the service's (web and worker) and the database server's CPU per request over the whole run."""
    pids = [service.pid] + ([worker.pid] if worker else [])
    service_before, server_before = [cpu_seconds(pid) for pid in pids], await server.read()
    async with server.sampling():
        result = await run_load(service.port, path, token, args.http_connections, args.warmup, args.http_seconds)
    service_after, server_after = [cpu_seconds(pid) for pid in pids], await server.read()
    requests = max(1, result.total_requests)
    used = [(after - before) * 1000 / requests for before, after in zip(service_before, service_after, strict=True)]
    result.service_cpu_ms_per_request = sum(used)
    result.worker_cpu_ms_per_request = used[1] if worker else float("nan")
    served = (server_after - server_before) * 1000 / requests
    result.server_cpu_ms_per_request = served if server.local else float("nan")
    return result


# --------------------------------------------------------------------------------------------
# Projection lag


@dataclass
class CheckpointWatch:
    """(wall time, checkpoint) observations of one subscription, in order."""

    times: list[float] = field(default_factory=list)
    positions: list[tuple[int, int]] = field(default_factory=list)


async def watch_checkpoint(dsn: str, name: str, stop: asyncio.Event, into: CheckpointWatch) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        while not stop.is_set():
            row = await conn.fetchrow("SELECT tx_id, position FROM subscription_checkpoints WHERE name = $1", name)
            now = time.time()
            if row is not None:
                into.times.append(now)
                into.positions.append((row["tx_id"], row["position"]))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), LAG_POLL_S)
    finally:
        await conn.close()


def projection_lags_ms(watch: CheckpointWatch, events: Sequence[tuple[int, int, float]]) -> tuple[list[float], int]:
    """For each (tx_id, position, recorded_at epoch s): first observation at or past it, minus recorded_at.

    Returns the sorted lags and how many events the projection was never seen to reach.
    """
    lags: list[float] = []
    unseen = 0
    for tx_id, position, recorded in events:
        i = bisect.bisect_left(watch.positions, (tx_id, position))
        if i == len(watch.positions):
            unseen += 1
            continue
        lags.append(max(0.0, watch.times[i] - recorded) * 1000)
    lags.sort()
    return lags, unseen


_REGISTERED_IN_WINDOW = """
SELECT tx_id, position, extract(epoch FROM recorded_at)::float8 AS recorded
FROM events
WHERE event_type = 'complaint.registered' AND recorded_at BETWEEN to_timestamp($1) AND to_timestamp($2)
ORDER BY tx_id, position
"""


# --------------------------------------------------------------------------------------------
# The phase


def caseworker_token(settings: Settings) -> str:
    return mint_token(
        settings,
        subject="bench-caseworker",
        organisation_id=PROVIDER,
        organisation_kind=OrganisationKind.PROVIDER,
        roles=(Role.CASEWORKER,),
        ttl_seconds=4 * 3600,
    )


@dataclass
class HttpResults:
    bare: list[LoadResult] = field(default_factory=list)
    register: list[LoadResult] = field(default_factory=list)
    lags_ms: list[float] = field(default_factory=list)
    lag_unseen: int = 0
    rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)
    profiles: dict[str, Path | None] = field(default_factory=dict)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


async def seed(url: str) -> None:
    engine = create_engine(url)
    try:
        await seed_directory(PostgresEventStore(engine, notify=False))
    finally:
        await engine.dispose()
    assert CONTRACT  # the generator's bodies name the seeded provider's contract


async def wait_for_directory(dsn: str, timeout_s: float = 60.0) -> None:
    """The directory read model must list the seeded provider before complaints can name it."""
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with contextlib.suppress(asyncpg.UndefinedTableError):
                found = "SELECT 1 FROM directory.contracts WHERE contract_id = $1"
                if await conn.fetchval(found, CONTRACT):
                    return
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    raise RuntimeError(f"the directory read model never listed {CONTRACT}")


async def http_phase(url: str, args: argparse.Namespace, emit: Emit, log_dir: Path) -> HttpResults:
    """Start intake and the bare app, load each in turn, measure lag and RSS; stop them.

    Intake runs as deployed (deploy/k8s): a web process serving the requests, and a worker process of
    the same app leading its subscriptions, which keeps them out of the queue of requests on the web
    process's event loop (projection lag p99 about a third lower, measured both ways).
    """
    await seed(url)
    dsn = to_plain_url(url)
    token = caseworker_token(Settings())
    intake = ServiceProcess("intake", "services.intake.main:create_app", url, log_dir, env=WEB_ONLY)
    worker = ServiceProcess("intake_worker", "services.intake.main:create_app", url, log_dir)
    bare = ServiceProcess("bare", "tools.bench_bare:create_app", url, log_dir)
    results = HttpResults()
    server = ServerCpu(dsn)
    try:
        intake.start()
        worker.start()
        bare.start()
        await asyncio.gather(intake.wait_ready("/readyz"), worker.wait_ready("/readyz"), bare.wait_ready())
        await wait_for_directory(dsn)
        emit("http_connections", args.http_connections)
        for round_no in range(1, args.rounds + 1):
            b = await costed_load(bare, server, "/items", None, args)
            emit(f"round{round_no}_bare_insert_per_s", b.per_s)
            results.bare.append(b)
            watch = CheckpointWatch()
            stop = asyncio.Event()
            watcher = asyncio.create_task(watch_checkpoint(dsn, INTAKE_LIST, stop, watch))
            try:
                r = await costed_load(intake, server, "/complaints", token, args, worker)
                events = await _registered_in(dsn, r.window)
                await _drain(watch, events)
            finally:
                stop.set()
                await watcher
            lags, unseen = projection_lags_ms(watch, events)
            emit(f"round{round_no}_http_register_per_s", r.per_s)
            emit(f"round{round_no}_projection_lag_p99_ms", percentile(lags, 99))
            results.register.append(r)
            results.lags_ms += lags
            results.lag_unseen += unseen
        results.lags_ms.sort()
        for service in (intake, worker, bare):
            results.rss_mb[service.name] = service.rss_mb()
            results.cpu_s[service.name] = cpu_seconds(service.pid)
        if args.profile:
            # One more register load, not counted: the sampler slows what it samples.
            profiling = asyncio.create_task(_profile_after(intake.pid, args, log_dir / "intake-register.txt"))
            await run_load(intake.port, "/complaints", token, args.http_connections, args.warmup, args.http_seconds)
            results.profiles["intake-register"] = await profiling
    finally:
        intake.stop()
        worker.stop()
        bare.stop()
    return results


async def _profile_after(pid: int, args: argparse.Namespace, out: Path) -> Path | None:
    await asyncio.sleep(args.warmup + 0.5)
    return await profile(pid, max(1.0, args.http_seconds - 1), out)


async def _registered_in(dsn: str, window: tuple[float, float]) -> list[tuple[int, int, float]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(_REGISTERED_IN_WINDOW, window[0], window[1])
    finally:
        await conn.close()
    return [(r["tx_id"], r["position"], r["recorded"]) for r in rows]


async def _drain(watch: CheckpointWatch, events: Sequence[tuple[int, int, float]]) -> None:
    """Keep watching until the projection has passed the last event (or the drain times out)."""
    if not events:
        return
    last = (events[-1][0], events[-1][1])
    for _ in range(int(LAG_DRAIN_TIMEOUT_S / 0.05)):
        if watch.positions and watch.positions[-1] >= last:
            return
        await asyncio.sleep(0.05)


def report_http(results: HttpResults, aggregate: Callable[[Sequence[float]], float], emit: Emit) -> list[str]:
    """Print the service-level keys; returns the targets missed."""
    register_rate = aggregate([r.per_s for r in results.register])
    bare_rate = aggregate([b.per_s for b in results.bare])
    ratio = register_rate / bare_rate if bare_rate else 0.0
    register_lat = sorted(lat for r in results.register for lat in r.latencies_ms)
    bare_lat = sorted(lat for b in results.bare for lat in b.latencies_ms)
    p99 = percentile(register_lat, 99)
    lag_p99 = percentile(results.lags_ms, 99)
    emit("http_register_per_s", register_rate)
    emit("http_register_p50_ms", percentile(register_lat, 50))
    emit("http_register_p99_ms", p99)
    emit("bare_insert_per_s", bare_rate)
    emit("bare_insert_p50_ms", percentile(bare_lat, 50))
    emit("bare_insert_p99_ms", percentile(bare_lat, 99))
    emit("http_register_vs_bare_ratio", round(ratio, 3))
    for name, runs in (("http_register", results.register), ("bare_insert", results.bare)):
        emit(f"{name}_service_cpu_ms_per_request", sum(r.service_cpu_ms_per_request for r in runs) / len(runs))
        emit(f"{name}_server_cpu_ms_per_request", sum(r.server_cpu_ms_per_request for r in runs) / len(runs))
    emit(
        "http_register_worker_cpu_ms_per_request",
        statistics.mean(r.worker_cpu_ms_per_request for r in results.register),
    )
    statuses: dict[str, int] = {}
    for result in results.register + results.bare:
        for status, count in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    for name, runs in (("register", results.register), ("bare", results.bare)):
        emit(f"load_generator_{name}_cpu_us_per_request", statistics.mean(r.client_cpu_us_per_request for r in runs))
    emit("http_statuses", " ".join(f"{k}={v}" for k, v in sorted(statuses.items())))
    errors = sum(r.errors for r in results.register + results.bare)
    emit("http_errors", errors)
    for result in results.register + results.bare:
        if result.first_error or result.failed_bodies:
            emit("http_first_failure", (result.first_error or "") + " ".join(result.failed_bodies)[:300])
            break
    emit("projection_lag_p50_ms", percentile(results.lags_ms, 50))
    emit("projection_lag_p99_ms", lag_p99)
    emit("projection_lag_max_ms", results.lags_ms[-1] if results.lags_ms else float("nan"))
    emit("projection_lag_samples", len(results.lags_ms))
    emit("projection_lag_unapplied", results.lag_unseen)
    for name, value in results.rss_mb.items():
        emit(f"{name}_rss_mb_after_load", value)
    missed = []
    if ratio < TARGET_HTTP_RATIO:
        missed.append(f"http_register_vs_bare_ratio {ratio:.3f} < {TARGET_HTTP_RATIO}")
    if not p99 <= TARGET_HTTP_P99_MS:
        missed.append(f"http_register_p99_ms {p99:.1f} > {TARGET_HTTP_P99_MS:.0f}")
    if not lag_p99 < TARGET_PROJECTION_LAG_P99_MS:
        missed.append(f"projection_lag_p99_ms {lag_p99:.1f} >= {TARGET_PROJECTION_LAG_P99_MS:.0f}")
    if errors or any(int(s) >= 400 for s in statuses):
        missed.append("HTTP errors or error statuses under load")
    return missed


def new_log_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-services-"))


# --------------------------------------------------------------------------------------------
# Profiles (py-spy, when installed: it is not a project dependency)


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    if beside.exists():
        return str(beside)
    from shutil import which

    return which("py-spy")


async def profile(pid: int, seconds: float, out: Path) -> Path | None:
    """Sample `pid` with py-spy for `seconds` into collapsed stacks at `out` (None without py-spy)."""
    tool = py_spy()
    if tool is None:
        return None
    command = [tool, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))), "--rate", "250"]
    # --gil: only samples holding the GIL, i.e. the CPU the Python code itself spends.
    command += ["--format", "raw", "--output", str(out), "--nonblocking", "--gil"]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await process.wait()
    return out if await asyncio.to_thread(out.exists) else None


def summarise_profile(collapsed: str, top: int = 12, within: tuple[str, ...] = ()) -> list[tuple[str, float, float]]:
    """(function, inclusive share, self share) of the most expensive functions in py-spy's collapsed stacks.

    A function is counted once per stack for the inclusive share; `within` keeps only frames whose
    text contains one of the given fragments (e.g. project paths), which still counts library time
    below them as theirs.
    """
    total = 0
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        for frame in set(frames):
            if not within or any(fragment in frame for fragment in within):
                inclusive[frame] = inclusive.get(frame, 0) + count
        own[frames[-1]] = own.get(frames[-1], 0) + count
    if not total:
        return []
    ranked = sorted(inclusive.items(), key=lambda item: -item[1])[:top]
    return [(frame, n / total, own.get(frame, 0) / total) for frame, n in ranked]
