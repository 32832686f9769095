"""A transaction held open by another client while complaints are registered.

The held transaction appends an event of its own and commits last. The global-log reader must not
skip it nor anything after it: it waits behind the open transaction, then applies everything. The
lag this causes should be visible in /metrics while it lasts.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg
import pytest

from tests.chaos.conftest import Launch, Report
from tests.chaos.harness import (
    INTAKE,
    REGISTERED,
    Load,
    audit,
    connect,
    list_and_log_counts,
    list_matches_replay,
    make_commands,
    wait_directory,
    wait_until,
)

pytestmark = pytest.mark.chaos

BEFORE = 20
DURING = 60
HELD_AT_LEAST_SECONDS = 2.0
SUBSCRIPTION = "intake.complaints"


async def append_in(conn: Any, template: asyncpg.Record) -> str:
    """Append a complaint registration on `conn` (inside its open transaction), as a slow writer would."""
    complaint_id = str(uuid.uuid4())
    data = json.loads(template["data"])
    data["complaint_id"] = complaint_id
    metadata = json.loads(template["metadata"])
    metadata["idempotency_key"] = f"chaos-held-{complaint_id}"
    await conn.execute(
        """INSERT INTO events (event_id, stream_id, stream_type, version, event_type, schema_version,
                               data, metadata, recorded_at)
           VALUES ($1, $2, 'complaint', 1, $3, $4, $5::jsonb, $6::jsonb, now())""",
        uuid.uuid4(),
        f"complaint-{complaint_id}",
        REGISTERED,
        template["schema_version"],
        json.dumps(data),
        json.dumps(metadata),
    )
    return complaint_id


async def reader_state(pool: asyncpg.Pool) -> dict[str, Any]:
    """The checkpoint, the list and the log, and the age of the oldest committed event not yet applied."""
    async with pool.acquire() as conn:
        checkpoint = await conn.fetchrow(
            "SELECT tx_id, position FROM subscription_checkpoints WHERE name = $1", SUBSCRIPTION
        )
        listed, logged = await list_and_log_counts(conn)
        pending = await conn.fetchrow(
            """SELECT count(*) AS events, extract(epoch FROM clock_timestamp() - min(recorded_at))::float8 AS age
               FROM events WHERE (tx_id, position) > ($1::bigint, $2::bigint)""",
            checkpoint["tx_id"],
            checkpoint["position"],
        )
        head = await conn.fetchrow("SELECT tx_id, position FROM events ORDER BY tx_id DESC, position DESC LIMIT 1")
    return {
        "checkpoint": (checkpoint["tx_id"], checkpoint["position"]),
        "head": (head["tx_id"], head["position"]),
        "listed": listed,
        "logged": logged,
        "pending": pending["events"],
        "age": pending["age"] or 0.0,
    }


async def test_a_held_transaction_delays_the_reader_but_it_skips_nothing(
    launch: Launch, pool: asyncpg.Pool, chaos_db: str, report: Report
) -> None:
    async with asyncio.timeout(120):
        intake = await launch("intake", INTAKE)
        await wait_directory(pool)
        before = make_commands(BEFORE, elected_member_every=0)
        await Load([intake.base_url], before).run()
        assert all(c.acknowledged for c in before)
        await wait_until(
            lambda: reader_state(pool), lambda s: s["checkpoint"] == s["head"], seconds=30, what="caught up"
        )
        async with pool.acquire() as conn:
            template = await conn.fetchrow(
                "SELECT data::text AS data, metadata::text AS metadata, schema_version FROM events "
                "WHERE event_type = $1 LIMIT 1",
                REGISTERED,
            )

        holder = await connect(chaos_db)
        held = holder.transaction()
        await held.start()
        try:
            xid = int(await holder.fetchval("SELECT pg_current_xact_id()::text"))
            held_complaint = await append_in(holder, template)

            during = make_commands(DURING)
            await Load([intake.base_url], during).run()
            assert all(c.acknowledged for c in during), "writers are not blocked by the open transaction"

            # Everything the others wrote is committed; the reader stays behind the open transaction.
            state = await wait_until(
                lambda: reader_state(pool),
                lambda s: s["pending"] >= DURING and s["age"] >= HELD_AT_LEAST_SECONDS,
                seconds=30,
                what="the others' events committed and waiting",
            )
            assert state["checkpoint"][0] < xid, "the reader went past a transaction still open"
            assert state["listed"] == BEFORE
            pending_held, age_held = state["pending"], state["age"]
            lag_metric_held = await intake.metric("subscription_lag_seconds", {"subscription": SUBSCRIPTION})
            await held.commit()
        finally:
            if holder.is_in_transaction():
                await held.rollback()
            await holder.close()

        total = BEFORE + DURING + 1
        state = await wait_until(
            lambda: reader_state(pool),
            lambda s: s["checkpoint"] == s["head"] and s["listed"] == total,
            seconds=30,
            what="the reader past the held transaction",
        )
        async with pool.acquire() as conn:
            checked = await audit(conn, during)
            held_listed = await conn.fetchval(
                "SELECT count(*) FROM intake.complaints WHERE complaint_id = $1", held_complaint
            )
            acknowledged_listed = await conn.fetchval(
                "SELECT count(*) FROM intake.complaints WHERE complaint_id = ANY($1::text[])",
                [c.complaint_id for c in before + during],
            )
        assert checked.problems == [], checked.problems
        assert (checked.in_log, checked.lost, checked.duplicates, checked.half_applied) == (DURING, 0, 0, 0)
        assert held_listed == 1, "the event of the transaction that committed last was skipped"
        assert acknowledged_listed == BEFORE + DURING
        lag_metric_after = await intake.metric("subscription_lag_seconds", {"subscription": SUBSCRIPTION})
        replayed = await list_matches_replay(pool)
        assert replayed == total

    report(
        checked.line(
            "held_transaction",
            held_event_listed=held_listed,
            list=state["listed"],
            replay=replayed,
            skipped=total - replayed,
            pending_while_held=pending_held,
            true_lag_while_held_s=f"{age_held:.1f}",
            lag_metric_while_held_s=lag_metric_held if lag_metric_held is None else f"{lag_metric_held:.2f}",
            lag_metric_after_s=lag_metric_after if lag_metric_after is None else f"{lag_metric_after:.2f}",
        )
    )
    # While the transaction holds the reader back, the lag and the pending count show it (R21's lag, issue 8).
    assert lag_metric_held is not None
    # The gauge is read at the reader's last poll, up to one poll interval behind the true age.
    assert lag_metric_held >= HELD_AT_LEAST_SECONDS / 2, f"reader lag while held read {lag_metric_held}"
