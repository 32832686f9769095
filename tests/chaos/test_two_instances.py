"""Two instances each of intake and escalation on different ports, one database, under load.

No projection effect twice (the list equals the log, row for row a replay), no deadline event twice (both
watchers sweep the same complaints, received long ago so their deadlines are already missed), and when
the instance leading a subscription is killed with -9 the other takes the lead and the read model goes on.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime

import asyncpg
import pytest

from services.escalation.settings import EscalationSettings
from services.escalation.watcher import missed_events
from shared.clock import business_date
from shared.complaints.deadlines import policy_for
from shared.complaints.timeline import from_json
from shared.profiles import default_profiles
from tests.chaos.conftest import Launch, Report
from tests.chaos.harness import (
    ESCALATION,
    INTAKE,
    Load,
    ServiceProcess,
    audit,
    leaders,
    list_and_log_counts,
    list_matches_replay,
    make_commands,
    retry_until_acknowledged,
    wait_directory,
    wait_until,
)

pytestmark = pytest.mark.chaos

COMMANDS = 120
KILL_AFTER = 40
TAKEOVER_SECONDS = 15


async def leader_of(pool: asyncpg.Pool, subscription: str, among: list[ServiceProcess]) -> ServiceProcess:
    async def holders() -> list[str]:
        async with pool.acquire() as conn:
            return await leaders(conn, subscription)

    (name,) = await wait_until(holders, lambda h: len(h) == 1, seconds=TAKEOVER_SECONDS, what=f"{subscription} led")
    (leader,) = [s for s in among if s.name == name]
    return leader


async def expected_deadline_events(pool: asyncpg.Pool) -> set[str]:
    """The event ids the watcher owes today, by its own rule, for every complaint the timelines hold."""
    settings = EscalationSettings()
    today = business_date(datetime.now(UTC))
    profiles, policy = default_profiles(), policy_for(settings)
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT timeline::text AS timeline FROM escalation.timelines WHERE open")
    return {
        str(e.event_id)
        for row in rows
        for e in missed_events(from_json(json.loads(row["timeline"])), today, profiles, policy)
    }


async def deadline_events(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return list(
            await conn.fetch(
                """SELECT event_id::text AS event_id, stream_id, event_type, data->>'kind' AS kind,
                          data->>'stage' AS stage
                   FROM events WHERE stream_type = 'complaint_deadlines'"""
            )
        )


async def test_two_instances_of_intake_and_escalation_with_the_leaders_killed(
    launch: Launch, pool: asyncpg.Pool, report: Report
) -> None:
    async with asyncio.timeout(170):
        intakes = list(await asyncio.gather(launch("intake-a", INTAKE), launch("intake-b", INTAKE)))
        escalations = list(await asyncio.gather(launch("escalation-a", ESCALATION), launch("escalation-b", ESCALATION)))
        await wait_directory(pool)
        commands = make_commands(COMMANDS, received_days_ago=150)
        load = Load([s.base_url for s in intakes], commands, concurrency=6)
        running = asyncio.create_task(load.run())
        await load.wait_acknowledged(KILL_AFTER)

        # The leaders hold the subscriptions' advisory locks (pg_locks; application_name is the instance).
        intake_leader = await leader_of(pool, "intake.complaints", intakes)
        escalation_leader = await leader_of(pool, "escalation.timelines", escalations)
        async with pool.acquire() as conn:
            listed_at_kill, _ = await list_and_log_counts(conn)
        await asyncio.gather(intake_leader.kill9(), escalation_leader.kill9())
        (intake_survivor,) = [s for s in intakes if s is not intake_leader]
        (escalation_survivor,) = [s for s in escalations if s is not escalation_leader]
        assert await leader_of(pool, "intake.complaints", intakes) is intake_survivor
        assert await leader_of(pool, "escalation.timelines", escalations) is escalation_survivor
        assert await intake_survivor.metric("subscription_leader", {"subscription": "intake.complaints"}) == 1.0

        await running
        async with pool.acquire() as conn:
            first = await audit(conn, commands)
        assert first.problems == [], first.problems
        assert (first.in_log, first.lost, first.duplicates, first.half_applied) == (first.acknowledged, 0, 0, 0)
        unanswered = [c for c in commands if not c.acknowledged]
        await retry_until_acknowledged([intake_survivor.base_url], unanswered)
        async with pool.acquire() as conn:
            final = await audit(conn, commands)
        assert final.problems == [], final.problems
        assert (final.acknowledged, final.in_log, final.lost, final.duplicates, final.half_applied) == (
            COMMANDS,
            COMMANDS,
            0,
            0,
            0,
        )

        # The new leader went on from the checkpoint: the list reaches the whole log, each row once.
        replayed = await list_matches_replay(pool)
        assert replayed == COMMANDS > listed_at_kill

        async def timelines() -> int:
            async with pool.acquire() as conn:
                return int(await conn.fetchval("SELECT count(*) FROM escalation.timelines"))

        await wait_until(timelines, lambda n: n == COMMANDS, seconds=30, what="every timeline projected")

        # Every deadline the watcher owes is in the log, and none twice, with two watchers sweeping.
        expected = await expected_deadline_events(pool)
        assert expected
        await wait_until(
            lambda: deadline_events(pool),
            lambda rows: expected <= {r["event_id"] for r in rows},
            seconds=40,
            what="every missed deadline recorded",
            every=0.5,
        )
        await asyncio.sleep(3)  # a few more sweeps by the surviving watcher, to give a duplicate its chance
        rows = await deadline_events(pool)
        repeated = {
            k: n
            for k, n in Counter((r["stream_id"], r["event_type"], r["kind"], r["stage"]) for r in rows).items()
            if n > 1
        }
        assert repeated == {}
        assert {r["event_id"] for r in rows} == expected
        streams = {r["stream_id"] for r in rows}
        missed = sum(r["event_type"] == "deadline.missed" for r in rows)

    report(
        first.line(
            "two_instances",
            retried=len(unanswered),
            in_log_after_retry=final.in_log,
            leader_killed=f"{intake_leader.name}+{escalation_leader.name}",
            took_over=f"{intake_survivor.name}+{escalation_survivor.name}",
            listed_at_kill=listed_at_kill,
            list=replayed,
            replay=replayed,
            deadline_streams=len(streams),
            deadline_missed=missed,
            deadline_events=len(rows),
            deadline_duplicates=len(repeated),
        )
    )
