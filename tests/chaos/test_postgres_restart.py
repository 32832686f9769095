"""Stop PostgreSQL (an immediate shutdown: sessions cut as in a crash) while commands run, then start it again.

While it is down the services answer 503 problem+json with Retry-After and /readyz says 503; once it is
back they recover without being restarted (requests, subscriptions); no acknowledged write is lost.
"""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from tests.chaos.conftest import Launch, Report
from tests.chaos.harness import (
    ESCALATION,
    INTAKE,
    PROBLEM_JSON,
    Answer,
    EmbeddedPostgres,
    Load,
    ServiceProcess,
    audit,
    caseworker_token,
    list_matches_replay,
    make_commands,
    retry_until_acknowledged,
    send,
    wait_directory,
    wait_until,
)

pytestmark = pytest.mark.chaos

COMMANDS = 240
STOP_AFTER = 60
PROBES_WHILE_DOWN = 10


def is_unavailable_problem(answer: Answer) -> bool:
    return (
        answer.status == 503
        and answer.content_type.startswith(PROBLEM_JSON)
        and answer.retry_after is not None
        and answer.body is not None
        and answer.body.get("status") == 503
    )


async def readiness(http: httpx.AsyncClient, service: ServiceProcess) -> tuple[int, str | None, str]:
    response = await http.get(f"{service.base_url}/readyz")
    return response.status_code, response.headers.get("retry-after"), response.json()["status"]


async def test_postgres_stopped_and_started_under_load(
    launch: Launch, pool: asyncpg.Pool, chaos_postgres: EmbeddedPostgres, report: Report
) -> None:
    async with asyncio.timeout(150):
        intake = await launch("intake", INTAKE)
        escalation = await launch("escalation", ESCALATION)
        await wait_directory(pool)
        pids = (intake.pid, escalation.pid)
        commands = make_commands(COMMANDS)
        load = Load([intake.base_url], commands, concurrency=4)
        running = asyncio.create_task(load.run())
        await load.wait_acknowledged(STOP_AFTER)

        await asyncio.to_thread(chaos_postgres.stop, "immediate")
        down: list[Answer] = []
        async with httpx.AsyncClient(timeout=10) as http:
            for service in (intake, escalation):
                status, retry_after, said = await wait_until(
                    lambda s=service: readiness(http, s),  # type: ignore[misc]
                    lambda r: r[0] != 200,
                    seconds=10,
                    what=f"{service.name} /readyz not ready",
                )
                assert (status, said) == (503, "not ready")
                assert retry_after is not None
            # While it is down, every command is refused the same way (the load goes on meanwhile).
            probes = make_commands(PROBES_WHILE_DOWN)
            token = caseworker_token()
            for probe in probes:
                down.append(await send(http, intake.base_url, token, probe))

        await asyncio.to_thread(chaos_postgres.start)
        async with httpx.AsyncClient(timeout=10) as http:
            for service in (intake, escalation):
                await wait_until(
                    lambda s=service: readiness(http, s),  # type: ignore[misc]
                    lambda r: r[0] == 200,
                    seconds=30,
                    what=f"{service.name} ready again",
                )
        await running
        assert (intake.pid, escalation.pid) == pids
        assert intake.running
        assert escalation.running

        async with pool.acquire() as conn:
            first = await audit(conn, commands + probes)
        assert first.problems == [], first.problems
        assert (first.lost, first.duplicates, first.half_applied) == (0, 0, 0)
        assert first.in_log == first.acknowledged
        # Refused while it was down: 503 problem+json with Retry-After, never a 500 or another error.
        refusals = [a for a in [*load.failures, *down] if a.status is not None]
        dropped = [a for a in [*load.failures, *down] if a.status is None]
        assert refusals, "the outage refused nothing: nothing was tested"
        assert all(is_unavailable_problem(a) for a in refusals), [a for a in refusals if not is_unavailable_problem(a)]

        refused = [c for c in commands + probes if not c.acknowledged]
        await retry_until_acknowledged([intake.base_url], refused)
        async with pool.acquire() as conn:
            final = await audit(conn, commands + probes)
            timelines = await conn.fetchval("SELECT count(*) FROM escalation.timelines")
        total = COMMANDS + PROBES_WHILE_DOWN
        assert final.problems == [], final.problems
        assert (final.acknowledged, final.in_log, final.lost, final.duplicates) == (total, total, 0, 0)

        # The subscriptions came back on their own: both read models reach the whole log.
        replayed = await list_matches_replay(pool)
        assert replayed == total

        async def timelines_count() -> int:
            async with pool.acquire() as conn:
                return int(await conn.fetchval("SELECT count(*) FROM escalation.timelines"))

        timelines = await wait_until(timelines_count, lambda n: n == total, seconds=30, what="escalation timelines")

    report(
        first.line(
            "postgres_restart",
            refused_503=len(refusals),
            dropped_connections=len(dropped),
            readyz_503="yes",
            retried=len(refused),
            in_log_after_retry=final.in_log,
            list=replayed,
            replay=replayed,
            escalation_timelines=timelines,
            services_restarted=0,
        )
    )
    # A database outage inside a middleware is a 503, never a dropped connection (DatabaseDownMiddleware).
    assert not dropped, f"{len(dropped)} request(s) got no answer while PostgreSQL was down"
