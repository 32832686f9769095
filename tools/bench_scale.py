"""`make bench`, at scale: read latencies at a small log and a large one, and rebuilding every read model.

On a database of its own: the directory (ICE, DWP MI, `--providers` providers with a contract each),
then the present (journeys received in the last `PRESENT_WEEKS` weeks, `--small-events` events), then
intake, escalation and reporting start as uvicorn processes and catch up, and three reads are timed
one request at a time from this process: a complaint (`GET /complaints/{id}`, as a caseworker of its
provider), a worklist (`GET /worklist`, as that provider's complaints lead) and an MI figure
(`GET /figures/complaints-received` for the last four weeks by provider, as DWP MI). Then the services
stop, the history goes in (journeys back to `HISTORY_FROM` until the log holds `--events` events),
every read model of the four services is rebuilt from position zero with `rebuild_projections` (the
machinery of `tools.rebuild`, one pass over the log for all of them), timed; the services start again on the rebuilt models and the same
reads are timed again. The present is the same in both measurements; only the history grew. A read's
growth is its median latency on the large log over its median on the small one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
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
from shared.db import create_pool, create_scratch_database, drop_database, to_plain_url
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
from tools.bench_http import ServerCpu, ServiceProcess, percentile
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


@dataclass
class Reads:
    """Latencies (ms) of each timed read at one size of the log."""

    events: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, set[int]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        values = self.latencies.get(name) or []
        return statistics.median(values) if values else float("nan")


def _headers(settings: Settings, org: str, kind: OrganisationKind, role: Role) -> dict[str, str]:
    token = mint_token(
        settings, subject=f"bench-{org}-{role.value}", organisation_id=org, organisation_kind=kind, roles=(role,)
    )
    return {"Authorization": f"Bearer {token}"}


async def timed_reads(
    urls: dict[str, str], complaint_ids: Sequence[str], provider: str, repeats: int, events: int
) -> Reads:
    settings = Settings()
    caseworker = _headers(settings, provider, OrganisationKind.PROVIDER, Role.CASEWORKER)
    lead = _headers(settings, provider, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD)
    mi = _headers(settings, "dwp-mi", OrganisationKind.DWP_MI, Role.MI_ANALYST)
    today = business_date(datetime.now(UTC))
    figure = {"from": (today - timedelta(days=28)).isoformat(), "to": today.isoformat(), "group_by": "provider"}
    reads = Reads(events)
    requests: dict[str, Callable[[httpx.AsyncClient, int], Any]] = {
        "complaint_read": lambda c, i: c.get(
            f"{urls['intake']}/complaints/{complaint_ids[i % len(complaint_ids)]}", headers=caseworker
        ),
        "worklist": lambda c, i: c.get(f"{urls['escalation']}/worklist", headers=lead),
        "mi_figure": lambda c, i: c.get(f"{urls['reporting']}/figures/complaints-received", headers=mi, params=figure),
    }
    async with httpx.AsyncClient(timeout=60) as client:
        for name, send in requests.items():
            count = repeats * (5 if name == "complaint_read" else 1)
            for i in range(10):  # warm the services' pools, statement caches and the database's buffers
                await send(client, i)
            lats: list[float] = []
            statuses: set[int] = set()
            for i in range(count):
                started = time.perf_counter()
                response = await send(client, i)
                lats.append((time.perf_counter() - started) * 1000)
                statuses.add(response.status_code)
            reads.latencies[name] = sorted(lats)
            reads.statuses[name] = statuses
    return reads


# --------------------------------------------------------------------------------------------
# The phase


@dataclass
class ScaleResults:
    small: Reads | None = None
    large: Reads | None = None
    rebuild_events: int = 0
    rebuild_seconds: float = 0.0
    rebuild_by_projection: dict[str, float] = field(default_factory=dict)
    """Read model -> seconds of the rebuild that included it (one pass rebuilds them all together)."""
    generate_per_s: float = 0.0
    rss_mb: dict[str, float] = field(default_factory=dict)
    settle_s: dict[str, float] = field(default_factory=dict)
    missing_from_rebuild_tool: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)


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
    raise RuntimeError(f"read models not caught up after {timeout_s:.0f} s: {names}")


@contextlib.asynccontextmanager
async def running_services(url: str, log_dir: Path, results: ScaleResults, label: str) -> Any:
    services = [ServiceProcess(name, module, url, log_dir, env=dict(SERVICE_ENV)) for name, module in SERVICES]
    try:
        for service in services:
            service.start()
        await asyncio.gather(*(s.wait_ready("/readyz", timeout_s=180) for s in services))
        names = sorted({p.name for spec in (INTAKE, ESCALATION, REPORTING) for p in spec.projections})
        await _caught_up(to_plain_url(url), names)
        for service in services:
            results.settle_s[f"{label}_{service.name}"] = await service.settle()
        results.settle_s[f"{label}_database"] = await database_settle(to_plain_url(url))
        yield {s.name: s.base_url for s in services}
        for service in services:
            results.rss_mb[f"{label}_{service.name}"] = service.rss_mb()
    finally:
        for service in services:
            service.stop()


async def scale_phase(
    server_url: str, admin_db: str, args: argparse.Namespace, emit: Emit, log_dir: Path
) -> ScaleResults:
    results = ScaleResults()
    results.missing_from_rebuild_tool = sorted({p.name for p in all_projections()} - set(REBUILD_TOOL_PROJECTIONS))
    template_url = await create_scratch_database(server_url, "bench_tpl")
    try:
        await upgrade_async(template_url)
        started = time.perf_counter()
        templates = await build_templates(template_url, tempfile.mkdtemp(prefix="bench-blobs-"))
        emit("scale_templates_seconds", time.perf_counter() - started)
    finally:
        await drop_database(template_url, via_database=admin_db)

    url = await create_scratch_database(server_url, "bench_scale")
    dsn = to_plain_url(url)
    try:
        await upgrade_async(url)
        organisations = bench_providers(args.providers)
        pool = await create_pool(url, max_size=4)
        try:
            await seed_directory(PostgresEventStore(pool, notify=False), organisations)
        finally:
            await pool.close()
        today = business_date(datetime.now(UTC))
        generator = Generator(templates, organisations, today)
        mean = generator.mean_events()
        conn = await asyncpg.connect(dsn)
        try:
            await copy_subject_keys(conn, templates)
            present_from = today - timedelta(weeks=PRESENT_WEEKS)
            have = await _count_events(conn)
            wanted = max(0, args.small_events - have)
            per_week = present_journeys_per_week(templates, organisations, today, present_from, wanted)
            started = time.perf_counter()
            await copy_rows(conn, generator.rows(present_from, PRESENT_WEEKS + 1, per_week, wanted))
            generating = time.perf_counter() - started
            small = await _count_events(conn)
            generated = small - have
            emit("scale_small_events", small)
            sample = await conn.fetch(
                """SELECT data->>'complaint_id' AS id FROM events
                   WHERE event_type = 'complaint.registered' AND data->>'provider_organisation_id' = $1
                   ORDER BY position LIMIT 100""",
                organisations[0].provider,
            )
            complaint_ids = [r["id"] for r in sample]
        finally:
            await conn.close()
        if not complaint_ids:
            raise RuntimeError("no complaint of the first bench provider in the present: raise --small-events")

        async with running_services(url, log_dir, results, "small") as urls:
            results.small = await timed_reads(urls, complaint_ids, organisations[0].provider, args.read_repeats, small)

        conn = await asyncpg.connect(dsn)
        try:
            weeks = max(1, (present_from - HISTORY_FROM).days // 7)
            per_week = weekly_journeys(args.events - small, weeks, mean)
            started = time.perf_counter()
            await copy_rows(conn, generator.rows(HISTORY_FROM, weeks, per_week, max(0, args.events - small)))
            generating += time.perf_counter() - started
            large = await _count_events(conn)
            generated += large - small
            await conn.execute("ANALYZE events")  # a long-lived log has statistics; a fresh COPY not yet
            results.sizes = {"small": small, "large": large}
            emit("scale_large_events", large)
            emit("scale_generate_events_per_s", generated / generating)
        finally:
            await conn.close()

        await rebuild_all(url, results, emit)
        emit("scale_other_subscriptions_fast_forwarded", await fast_forward_subscribers(dsn))
        async with running_services(url, log_dir, results, "large") as urls:
            results.large = await timed_reads(urls, complaint_ids, organisations[0].provider, args.read_repeats, large)
    finally:
        if not args.keep_scale_db:
            await drop_database(url, via_database=admin_db)
        else:
            emit("scale_database_kept", make_url(url).database)
    return results


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
        worst = max(growth.values()) if growth else float("nan")
        emit("scale_growth_max", round(worst, 2))
        if not worst <= TARGET_SCALE_GROWTH:
            missed.append(f"scale_growth_max {worst:.2f} > {TARGET_SCALE_GROWTH}")
    for name, value in results.settle_s.items():
        emit(f"{name}_settle_s", value)
    for name, value in results.rss_mb.items():
        emit(f"{name}_rss_mb", value)
    return missed
