"""`make bench`, at scale: read latencies at a small log and a large one, side by side, and rebuilding every read model.

On a database of its own: the directory (ICE, DWP MI, `--providers` providers with a contract each),
then the present (journeys received in the last `PRESENT_WEEKS` weeks, `--small-events` events), and the
services run on it once until every subscriber has caught up, as in service. That database is copied
(`CREATE DATABASE ... TEMPLATE`) and the copy gets the history (journeys back to `HISTORY_FROM` until
its log holds `--events` events): the present is the same in both, only the history grew. Every read
model of the four services is rebuilt from position zero on the large log with `rebuild_projections`
(the machinery of `tools.rebuild`, one pass over the log for all of them), timed; the small log's read
models are rebuilt the same way, untimed. Both databases are vacuumed and analysed, and intake,
escalation and reporting start as uvicorn processes on each (six at once, ports of their own) and
settle. Three reads are timed one request at a time from this process: a complaint
(`GET /complaints/{id}`, as a caseworker of its provider), a worklist (`GET /worklist`, as that provider's
complaints lead) and an MI figure (`GET /figures/complaints-received` for the last four weeks by
provider, as DWP MI), in `READ_ROUNDS` rounds of `--read-repeats` requests per read and side, small and
large alternating request by request (which goes first alternates too). Measured minutes apart, machine
noise (autovacuum after the bulk load, the page cache, other processes) fell on one side only;
interleaved, it falls on both. A read's growth is its median latency on the large log over its median on
the small one, all rounds pooled.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from services.escalation.main import SPEC as ESCALATION
from services.ice_gateway.main import SPEC as ICE_GATEWAY
from services.intake.main import SPEC as INTAKE
from services.reporting.main import SPEC as REPORTING
from shared.auth import OrganisationKind, Principal, Role, mint_token
from shared.clock import business_date
from shared.db import create_pool, create_scratch_database, drop_database, to_plain_url, with_database
from shared.directory import handlers as directory
from shared.directory.domain import RegisterContract, RegisterOrganisation
from shared.errors import Conflict
from shared.eventstore.postgres import PostgresEventStore
from shared.eventstore.projections import Projection, rebuild_projections
from shared.http.deps import CommandContext
from shared.migrations import upgrade_async
from shared.settings import Settings
from shared.vocabulary import Nation, Programme
from tools.bench_generate import (
    HISTORY_FROM,
    PRESENT_WEEKS,
    Generator,
    Organisation,
    bench_providers,
    copy_rows,
    copy_subject_keys,
    weekly_journeys,
)
from tools.bench_http import ServerCpu, ServiceProcess, free_port, percentile
from tools.bench_journeys import CONTRACT_LET_ON, CONTRACT_VALUE_PENCE, Template, build_templates
from tools.rebuild import PROJECTIONS as REBUILD_TOOL_PROJECTIONS

TARGET_REBUILD_PER_S = 20_000.0
TARGET_SCALE_GROWTH = 1.5
CATCH_UP_TIMEOUT_S = 600.0
Emit = Callable[[str, object], None]

SERVICES = (
    ("intake", "services.intake.main:create_app"),
    ("escalation", "services.escalation.main:create_app"),
    ("reporting", "services.reporting.main:create_app"),
)
SERVICE_ENV = {
    # Only the start-up sweep: later sweeps would land inside the timed reads (its cost is reported apart).
    "DEADLINE_WATCH_SECONDS": "86400",
}


def all_projections() -> list[Projection]:
    """Every read model of the four services (what "rebuild all read models" has to cover)."""
    found: dict[str, Projection] = {}
    for spec in (INTAKE, ESCALATION, ICE_GATEWAY, REPORTING):
        for projection in spec.projections:
            found.setdefault(projection.name, projection)
    return list(found.values())


# --------------------------------------------------------------------------------------------
# Directory


ADMIN = Principal(
    subject="bench-admin",
    organisation_id="dwp",
    organisation_kind=OrganisationKind.DWP_BUSINESS,
    roles=frozenset({Role.DWP_ADMIN}),
)


async def seed_directory(store: PostgresEventStore, organisations: Sequence[Organisation]) -> None:
    ctx = CommandContext(ADMIN, datetime.now(UTC), "bench-seed", "bench-seed", None)
    orgs = [("ice", OrganisationKind.ICE), ("dwp-mi", OrganisationKind.DWP_MI), ("dwp", OrganisationKind.DWP_BUSINESS)]
    orgs += [(o.provider, OrganisationKind.PROVIDER) for o in organisations]
    for org_id, kind in orgs:
        with contextlib.suppress(Conflict):
            await directory.register_organisation(
                store, RegisterOrganisation(organisation_id=org_id, name=f"Bench {org_id}", kind=kind), ctx
            )
    for o in organisations:
        contract = RegisterContract(
            contract_id=o.contract,
            provider_organisation_id=o.provider,
            provider_kind=OrganisationKind.PROVIDER,
            programme=Programme.IPES,
            value_pence=CONTRACT_VALUE_PENCE,
            let_or_renewed_on=date.fromisoformat(CONTRACT_LET_ON),
            nation=Nation.ENGLAND,
            title=f"Bench contract {o.contract}",
        )
        with contextlib.suppress(Conflict):
            await directory.register_contract(store, contract, ctx)


# --------------------------------------------------------------------------------------------
# Reads


READ_ROUNDS = 8
"""Rounds of the timed reads. Small and large alternate within each round, so noise lands on both alike."""
WARM_UP_REQUESTS = 10
"""Untimed requests per read and side first: the services' pools, statement caches and the database's buffers."""
READS = ("complaint_read", "worklist", "mi_figure")

Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]
"""One request of a read; the int picks the complaint, so both sides read the same complaints in the same order."""


@dataclass
class Reads:
    """Latencies (ms) of each timed read at one size of the log."""

    events: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, set[int]] = field(default_factory=dict)
    round_medians: dict[str, list[float]] = field(default_factory=dict)
    """Read -> its median in each round (for the spread of the growth from round to round)."""

    def add_round(self, name: str, lats: list[float], statuses: set[int]) -> None:
        self.latencies.setdefault(name, []).extend(lats)
        self.statuses.setdefault(name, set()).update(statuses)
        self.round_medians.setdefault(name, []).append(statistics.median(lats))

    def median(self, name: str) -> float:
        values = self.latencies.get(name) or []
        return statistics.median(values) if values else float("nan")


def _headers(settings: Settings, org: str, kind: OrganisationKind, role: Role) -> dict[str, str]:
    token = mint_token(
        settings, subject=f"bench-{org}-{role.value}", organisation_id=org, organisation_kind=kind, roles=(role,)
    )
    return {"Authorization": f"Bearer {token}"}


def read_requests(urls: dict[str, str], complaint_ids: Sequence[str], provider: str) -> dict[str, Send]:
    """The three timed reads against one set of services (`urls`: service name -> base URL)."""
    settings = Settings()
    caseworker = _headers(settings, provider, OrganisationKind.PROVIDER, Role.CASEWORKER)
    lead = _headers(settings, provider, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD)
    mi = _headers(settings, "dwp-mi", OrganisationKind.DWP_MI, Role.MI_ANALYST)
    today = business_date(datetime.now(UTC))
    figure = {"from": (today - timedelta(days=28)).isoformat(), "to": today.isoformat(), "group_by": "provider"}
    return {
        "complaint_read": lambda c, i: c.get(
            f"{urls['intake']}/complaints/{complaint_ids[i % len(complaint_ids)]}", headers=caseworker
        ),
        "worklist": lambda c, i: c.get(f"{urls['escalation']}/worklist", headers=lead),
        "mi_figure": lambda c, i: c.get(f"{urls['reporting']}/figures/complaints-received", headers=mi, params=figure),
    }


async def _time_one(client: httpx.AsyncClient, send: Send, i: int) -> tuple[float, int]:
    """One request, timed from this process: (milliseconds, status)."""
    started = time.perf_counter()
    response = await send(client, i)
    return (time.perf_counter() - started) * 1000, response.status_code


def round_order(labels: Sequence[str], turn: int) -> list[str]:
    """Sides in the order of one turn: reversed every other turn, so neither always goes first."""
    return list(labels) if turn % 2 == 0 else list(reversed(labels))


async def _time_round(
    client: httpx.AsyncClient, sends: dict[str, Send], first: int, repeats: int, round_no: int
) -> dict[str, tuple[list[float], set[int]]]:
    """`repeats` requests of one read per side, alternating sides request by request; side -> (ms, statuses).

    Request by request, a burst of noise (another process, a checkpoint) lands on both sides alike.
    """
    timed: dict[str, tuple[list[float], set[int]]] = {label: ([], set()) for label in sends}
    for i in range(first, first + repeats):
        for label in round_order(list(sends), round_no + i):
            ms, status = await _time_one(client, sends[label], i)
            timed[label][0].append(ms)
            timed[label][1].add(status)
    return timed


async def interleaved_reads(
    requests: dict[str, dict[str, Send]], events: dict[str, int], repeats: int, rounds: int = READ_ROUNDS
) -> dict[str, Reads]:
    """Time every read on every side (label -> its requests) in `rounds` rounds, the sides interleaved.

    Measuring the sides minutes apart let noise (autovacuum, the page cache, other processes) land
    on one side only; interleaved, both see the same machine.
    """
    reads = {label: Reads(events[label]) for label in requests}
    async with httpx.AsyncClient(timeout=60) as client:
        for sends in requests.values():
            for send in sends.values():
                for i in range(WARM_UP_REQUESTS):
                    await send(client, i)
        for round_no in range(rounds):
            for name in READS:
                sends = {label: requests[label][name] for label in requests}
                timed = await _time_round(client, sends, round_no * repeats, repeats, round_no)
                for label, (lats, statuses) in timed.items():
                    reads[label].add_round(name, lats, statuses)
    for side in reads.values():
        for lats in side.latencies.values():
            lats.sort()
    return reads


# --------------------------------------------------------------------------------------------
# The phase


@dataclass
class ScaleResults:
    small: Reads | None = None
    large: Reads | None = None
    read_rounds: int = 0
    read_repeats: int = 0
    rebuild_events: int = 0
    rebuild_seconds: float = 0.0
    rebuild_by_projection: dict[str, float] = field(default_factory=dict)
    """Read model -> seconds of the rebuild that included it (one pass rebuilds them all together)."""
    generate_per_s: float = 0.0
    rss_mb: dict[str, float] = field(default_factory=dict)
    settle_s: dict[str, float] = field(default_factory=dict)
    missing_from_rebuild_tool: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)


@dataclass
class Side:
    """One database of the comparison (`small` or `large`) and the services that will run on it."""

    label: str
    url: str
    events: int = 0


def present_journeys_per_week(
    templates: Sequence[Template], organisations: Sequence[Organisation], today: date, start: date, wanted: int
) -> int:
    """Journeys a week that make `wanted` events in the present, counted on a dry run (later steps are cut)."""
    trial = 50
    made = sum(
        1 for _ in Generator(templates, organisations, today, seed=7).rows(start, PRESENT_WEEKS + 1, trial, 10**9)
    )
    return max(1, round(wanted * trial / max(1, made)))


async def database_settle(dsn: str, idle_share: float = 0.05, timeout_s: float = 120.0) -> float:
    """Vacuum and analyse as autovacuum would after a bulk load, then wait until the server is idle.

    Timed reads on a server still busy (autovacuum after a COPY, checkpoints) would measure that.
    """
    started = time.monotonic()
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()
    server = ServerCpu(dsn)
    last = await server.read()
    while time.monotonic() - started < timeout_s:
        await asyncio.sleep(1.0)
        now = await server.read()
        if now - last < idle_share:
            break
        last = now
    return time.monotonic() - started


async def _count_events(conn: Any) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM events"))


async def _caught_up(dsn: str, names: Sequence[str], timeout_s: float = CATCH_UP_TIMEOUT_S) -> None:
    """Wait until every named subscription's checkpoint is at the head of the log."""
    conn = await asyncpg.connect(dsn)
    try:
        head = await conn.fetchrow("SELECT tx_id, position FROM events ORDER BY tx_id DESC, position DESC LIMIT 1")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            rows = await conn.fetch(
                "SELECT name, tx_id, position FROM subscription_checkpoints WHERE name = ANY($1::text[])", list(names)
            )
            behind = [r["name"] for r in rows if (r["tx_id"], r["position"]) < (head["tx_id"], head["position"])]
            if len(rows) == len(names) and not behind:
                return
            await asyncio.sleep(0.25)
    finally:
        await conn.close()
    raise RuntimeError(f"subscriptions not caught up after {timeout_s:.0f} s: {names}")


def distinct_ports(count: int) -> list[int]:
    """`count` free ports, none twice: both sides' services run at once, and two probes may hand out one port."""
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


READ_MODELS = sorted({p.name for spec in (INTAKE, ESCALATION, REPORTING) for p in spec.projections})
"""The read models of the services the bench runs (what they must have caught up on before any read)."""


@contextlib.asynccontextmanager
async def started_services(sides: Sequence[Side], log_dir: Path) -> AsyncIterator[dict[str, list[ServiceProcess]]]:
    """The services on every side at once (ports of their own), ready and caught up; yields side -> processes.

    Logs go to `log_dir/<side>/`, so the two sides' logs stay apart.
    """
    ports = iter(distinct_ports(len(sides) * len(SERVICES)))
    fleets: dict[str, list[ServiceProcess]] = {}
    for side in sides:
        (log_dir / side.label).mkdir(parents=True, exist_ok=True)
        fleets[side.label] = [
            ServiceProcess(name, module, side.url, log_dir / side.label, env=dict(SERVICE_ENV), port=next(ports))
            for name, module in SERVICES
        ]
    everyone = [service for fleet in fleets.values() for service in fleet]
    try:
        for service in everyone:
            service.start()
        await asyncio.gather(*(s.wait_ready("/readyz", timeout_s=180) for s in everyone))
        await asyncio.gather(*(_caught_up(to_plain_url(side.url), READ_MODELS) for side in sides))
        yield fleets
    finally:
        for service in everyone:
            service.stop()


@contextlib.asynccontextmanager
async def running_services(
    sides: Sequence[Side], log_dir: Path, results: ScaleResults
) -> AsyncIterator[dict[str, dict[str, str]]]:
    """The services on every side, settled; yields side -> service name -> base URL. RSS is taken at the end.

    Every side is settled the same way before anything is timed: each process quiet, then each
    database vacuumed and analysed and the server idle.
    """
    async with started_services(sides, log_dir) as fleets:
        for label, fleet in fleets.items():
            for service in fleet:
                results.settle_s[f"{label}_{service.name}"] = await service.settle()
        for side in sides:
            results.settle_s[f"{side.label}_database"] = await database_settle(to_plain_url(side.url))
        yield {label: {s.name: s.base_url for s in fleet} for label, fleet in fleets.items()}
        for label, fleet in fleets.items():
            for service in fleet:
                results.rss_mb[f"{label}_{service.name}"] = service.rss_mb()


async def prime_subscribers(url: str, log_dir: Path) -> None:
    """Run the services once on the present, as in service, until every subscriber is at the head; stop them.

    A subscriber without a checkpoint starts at position zero. Primed, every one (webhook delivery,
    process managers) has a checkpoint that `fast_forward_subscribers` can move past the history,
    so none spends the timed reads walking a history that was copied in all at once.
    """
    async with started_services([Side("prime", url)], log_dir):
        dsn = to_plain_url(url)
        conn = await asyncpg.connect(dsn)
        try:
            names = [r["name"] for r in await conn.fetch("SELECT name FROM subscription_checkpoints")]
        finally:
            await conn.close()
        await _caught_up(dsn, names)


async def copy_database(server_url: str, source_url: str, prefix: str, attempts: int = 10) -> str:
    """A new database holding a copy of `source_url`'s (CREATE DATABASE ... TEMPLATE); returns its URL.

    The template must have no one connected. An autovacuum worker busy after the bulk load may be:
    PostgreSQL tells it to stop but gives up after about five seconds, hence the retries.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    source = make_url(source_url).database
    conn = await asyncpg.connect(to_plain_url(server_url))
    try:
        for attempt in range(1, attempts + 1):
            try:
                await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
                break
            except asyncpg.ObjectInUseError:
                if attempt == attempts:
                    raise
                await asyncio.sleep(1.0)
    finally:
        await conn.close()
    return with_database(server_url, name)


async def seed_small(
    url: str, generator: Generator, organisations: Sequence[Organisation], wanted_events: int, today: date
) -> tuple[int, list[str], int, float]:
    """The directory and the present on the empty database of `url`.

    Returns the events in the log, up to 100 complaints of the first provider (those the complaint
    read asks for), the events generated and the seconds spent generating them.
    """
    await upgrade_async(url)
    pool = await create_pool(url, max_size=4)
    try:
        await seed_directory(PostgresEventStore(pool, notify=False), organisations)
    finally:
        await pool.close()
    conn = await asyncpg.connect(to_plain_url(url))
    try:
        await copy_subject_keys(conn, generator.templates)
        present_from = today - timedelta(weeks=PRESENT_WEEKS)
        have = await _count_events(conn)
        wanted = max(0, wanted_events - have)
        per_week = present_journeys_per_week(generator.templates, organisations, today, present_from, wanted)
        started = time.perf_counter()
        await copy_rows(conn, generator.rows(present_from, PRESENT_WEEKS + 1, per_week, wanted))
        generating = time.perf_counter() - started
        small = await _count_events(conn)
        sample = await conn.fetch(
            """SELECT data->>'complaint_id' AS id FROM events
               WHERE event_type = 'complaint.registered' AND data->>'provider_organisation_id' = $1
               ORDER BY position LIMIT 100""",
            organisations[0].provider,
        )
    finally:
        await conn.close()
    complaint_ids = [r["id"] for r in sample]
    if not complaint_ids:
        raise RuntimeError("no complaint of the first bench provider in the present: raise --small-events")
    return small, complaint_ids, small - have, generating


async def grow_history(
    url: str, generator: Generator, small: int, wanted_events: int, today: date
) -> tuple[int, float]:
    """The history (journeys from `HISTORY_FROM` up to the present) on top of the present; (events now, seconds)."""
    conn = await asyncpg.connect(to_plain_url(url))
    try:
        present_from = today - timedelta(weeks=PRESENT_WEEKS)
        weeks = max(1, (present_from - HISTORY_FROM).days // 7)
        per_week = weekly_journeys(wanted_events - small, weeks, generator.mean_events())
        started = time.perf_counter()
        await copy_rows(conn, generator.rows(HISTORY_FROM, weeks, per_week, max(0, wanted_events - small)))
        generating = time.perf_counter() - started
        large = await _count_events(conn)
        await conn.execute("ANALYZE events")  # a long-lived log has statistics; a fresh COPY not yet
    finally:
        await conn.close()
    return large, generating


async def build_templates_once(server_url: str, admin_db: str, emit: Emit) -> list[Template]:
    """Real journeys driven once through the APIs on a database of their own, then dropped."""
    template_url = await create_scratch_database(server_url, "bench_tpl")
    try:
        await upgrade_async(template_url)
        started = time.perf_counter()
        templates = await build_templates(template_url, tempfile.mkdtemp(prefix="bench-blobs-"))
        emit("scale_templates_seconds", time.perf_counter() - started)
    finally:
        await drop_database(template_url, via_database=admin_db)
    return templates


async def scale_phase(
    server_url: str, admin_db: str, args: argparse.Namespace, emit: Emit, log_dir: Path
) -> ScaleResults:
    results = ScaleResults(read_rounds=READ_ROUNDS, read_repeats=args.read_repeats)
    results.missing_from_rebuild_tool = sorted({p.name for p in all_projections()} - set(REBUILD_TOOL_PROJECTIONS))
    templates = await build_templates_once(server_url, admin_db, emit)
    small = Side("small", await create_scratch_database(server_url, "bench_scale"))
    large: Side | None = None
    try:
        organisations = bench_providers(args.providers)
        today = business_date(datetime.now(UTC))
        generator = Generator(templates, organisations, today)
        small.events, complaint_ids, generated, generating = await seed_small(
            small.url, generator, organisations, args.small_events, today
        )
        emit("scale_small_events", small.events)
        await prime_subscribers(small.url, log_dir)
        # Copied before the history goes in, so both logs share the present and only the large one grows.
        large = Side("large", await copy_database(server_url, small.url, "bench_scale_large"))
        large.events, seconds = await grow_history(large.url, generator, small.events, args.events, today)
        results.sizes = {"small": small.events, "large": large.events}
        emit("scale_large_events", large.events)
        emit("scale_generate_events_per_s", (generated + large.events - small.events) / (generating + seconds))

        await rebuild_all(large.url, results, emit)
        # The small side's read models come from the same pass (untimed), so only the history differs.
        await rebuild_read_models(small.url)
        emit("scale_other_subscriptions_fast_forwarded", await fast_forward_subscribers(to_plain_url(large.url)))
        await fast_forward_subscribers(to_plain_url(small.url))
        async with running_services((small, large), log_dir, results) as urls:
            provider = organisations[0].provider
            requests = {side.label: read_requests(urls[side.label], complaint_ids, provider) for side in (small, large)}
            reads = await interleaved_reads(requests, {s.label: s.events for s in (small, large)}, args.read_repeats)
        results.small, results.large = reads["small"], reads["large"]
    finally:
        await drop_or_keep([side.url for side in (small, large) if side is not None], admin_db, args, emit)
    return results


async def drop_or_keep(urls: Sequence[str], admin_db: str, args: argparse.Namespace, emit: Emit) -> None:
    if args.keep_scale_db:
        emit("scale_database_kept", ",".join(str(make_url(url).database) for url in urls))
        return
    for url in urls:
        await drop_database(url, via_database=admin_db)


async def rebuild_read_models(url: str) -> None:
    """Rebuild every read model from position zero as `rebuild_all` does, untimed."""
    pool = await create_pool(url, max_size=4)
    try:
        await rebuild_projections(pool, PostgresEventStore(pool, notify=False), all_projections())
    finally:
        await pool.close()


async def fast_forward_subscribers(dsn: str) -> int:
    """Move the checkpoints of subscribers that are not read models (webhooks, process managers) to the head.

    In service they would have kept up as the history was written; left behind, they would spend the
    timed reads catching up on a history that was copied in all at once.
    """
    names = [p.name for p in all_projections()]
    conn = await asyncpg.connect(dsn)
    try:
        status = await conn.execute(
            """UPDATE subscription_checkpoints c SET tx_id = h.tx_id, position = h.position, updated_at = now()
               FROM (SELECT tx_id, position FROM events ORDER BY tx_id DESC, position DESC LIMIT 1) h
               WHERE c.name <> ALL($1::text[])""",
            names,
        )
    finally:
        await conn.close()
    return int(status.split()[-1])


async def rebuild_all(url: str, results: ScaleResults, emit: Emit) -> None:
    """Rebuild every read model from position zero in one pass over the log (as `tools.rebuild` does).

    Beside the rate, the CPU per event of this process (reading, decoding, applying) and of the database
    server, which tell a client-bound rebuild from a server-bound one.
    """
    pool = await create_pool(url, max_size=4)
    server = ServerCpu(to_plain_url(url))
    try:
        store = PostgresEventStore(pool, notify=False)
        async with pool.acquire() as conn:
            results.rebuild_events = int(await conn.fetchval("SELECT count(*) FROM events"))
        events = max(1, results.rebuild_events)
        projections = all_projections()
        started, client, served = time.perf_counter(), time.process_time(), await server.read()
        async with server.sampling():
            await rebuild_projections(pool, store, projections)
        results.rebuild_seconds = time.perf_counter() - started
        results.rebuild_by_projection = {p.name: results.rebuild_seconds for p in projections}
        emit("rebuild_client_cpu_us_per_event", (time.process_time() - client) * 1e6 / events)
        server_us = (await server.read() - served) * 1e6 / events
        emit("rebuild_server_cpu_us_per_event", server_us if server.local else float("nan"))
    finally:
        await pool.close()


def growth_by_round(small: Reads, large: Reads, name: str) -> str:
    """Lowest-highest growth of one read round by round: how far noise moves it between rounds."""
    ratios = [lg / sm for sm, lg in zip(small.round_medians[name], large.round_medians[name], strict=True)]
    return f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else "nan"


def report_scale(results: ScaleResults, emit: Emit) -> list[str]:
    missed: list[str] = []
    rate = results.rebuild_events / results.rebuild_seconds if results.rebuild_seconds else 0.0
    emit("rebuild_events", results.rebuild_events)
    emit("rebuild_read_models", len(results.rebuild_by_projection))
    emit("rebuild_seconds", results.rebuild_seconds)
    emit("rebuild_events_per_s", rate)
    if results.missing_from_rebuild_tool:
        emit("rebuild_tool_misses", ",".join(results.missing_from_rebuild_tool))
    if rate < TARGET_REBUILD_PER_S:
        missed.append(f"rebuild_events_per_s {rate:.0f} < {TARGET_REBUILD_PER_S:.0f}")
    growth: dict[str, float] = {}
    if results.small is not None and results.large is not None:
        for name in results.small.latencies:
            small, large = results.small.latencies[name], results.large.latencies.get(name, [])
            emit(f"{name}_ms_at_{results.small.events}", results.small.median(name))
            emit(f"{name}_ms_at_{results.large.events}", results.large.median(name))
            emit(f"{name}_p95_ms_at_{results.small.events}", percentile(small, 95))
            emit(f"{name}_p95_ms_at_{results.large.events}", percentile(large, 95))
            growth[name] = results.large.median(name) / results.small.median(name)
            emit(f"{name}_growth", round(growth[name], 2))
            statuses = results.small.statuses[name] | results.large.statuses.get(name, set())
            if statuses != {200}:
                missed.append(f"{name} answered {sorted(statuses)}")
            emit(f"{name}_growth_by_round", growth_by_round(results.small, results.large, name))
        emit(
            "scale_reads",
            f"interleaved small/large request by request, {results.read_rounds} rounds of {results.read_repeats} requests per read and side",
        )
        worst = max(growth.values()) if growth else float("nan")
        emit("scale_growth_max", round(worst, 2))
        if not worst <= TARGET_SCALE_GROWTH:
            missed.append(f"scale_growth_max {worst:.2f} > {TARGET_SCALE_GROWTH}")
    for name, value in results.settle_s.items():
        emit(f"{name}_settle_s", value)
    for name, value in results.rss_mb.items():
        emit(f"{name}_rss_mb", value)
    return missed
