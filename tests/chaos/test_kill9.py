"""kill -9 the intake process while clients register complaints; restart it.

Every 2xx is in the log exactly once; nothing that got an error or no answer is half-applied, and
retried with its same Idempotency-Key it ends up in the log exactly once; the list read model catches
up to the same rows a replay of the log gives.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.chaos.conftest import Launch, Report
from tests.chaos.harness import (
    INTAKE,
    Load,
    audit,
    list_matches_replay,
    make_commands,
    orphan_subject_keys,
    retry_until_acknowledged,
    wait_directory,
)

pytestmark = pytest.mark.chaos

COMMANDS = 300
KILL_AFTER = 100


async def test_kill9_of_intake_under_load_loses_and_duplicates_nothing(
    launch: Launch, pool: asyncpg.Pool, report: Report
) -> None:
    async with asyncio.timeout(150):
        intake = await launch("intake", INTAKE)
        await wait_directory(pool)
        commands = make_commands(COMMANDS)
        load = Load([intake.base_url], commands, concurrency=6)
        running = asyncio.create_task(load.run())

        await load.wait_acknowledged(KILL_AFTER)
        await intake.kill9()
        acknowledged_at_kill = load.acknowledged
        intake.start()
        await intake.wait_ready()
        await running

        async with pool.acquire() as conn:
            first = await audit(conn, commands)
        assert first.problems == [], first.problems
        assert (first.lost, first.duplicates, first.half_applied) == (0, 0, 0)
        assert first.in_log == first.acknowledged
        assert first.unanswered > 0, "the kill landed on no request: nothing was tested"
        # The service only went away: every failure is a request it never answered, not an error it made.
        assert {a.status for a in load.failures} == {None}, [a for a in load.failures if a.status is not None]

        unanswered = [c for c in commands if not c.acknowledged]
        await retry_until_acknowledged([intake.base_url], unanswered)
        async with pool.acquire() as conn:
            final = await audit(conn, commands)
            orphans = await orphan_subject_keys(conn)
        assert final.problems == [], final.problems
        assert (final.acknowledged, final.in_log, final.lost, final.duplicates, final.half_applied) == (
            COMMANDS,
            COMMANDS,
            0,
            0,
            0,
        )

        replayed = await list_matches_replay(pool)
        assert replayed == COMMANDS

    report(
        first.line(
            "kill9",
            acknowledged_at_kill=acknowledged_at_kill,
            retried=len(unanswered),
            in_log_after_retry=final.in_log,
            list=replayed,
            replay=replayed,
            orphan_subject_keys=orphans,
        )
    )
