"""Reporting's read model rebuilt beside the live one and swapped in while complaint and ICE events keep arriving:
no figure lost or double-counted (R52; issue 6).

A writer keeps appending whole journeys for one fresh provider, event by event. Each journey, counted by hand:
a complaint received (1), answered at stage 1 and escalated (stage 1: 1 answered, 1 escalated), answered finally
at stage 2 (1 answered, 0 escalated; 1 final response), referred to ICE (1 referral, eligible), accepted, passed
the gateway, final report upheld with 1,000 of redress, closed by it, a fee of 5,000 assessed and paid in full.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest

from services.reporting.main import create_app as create_reporting
from services.reporting.projections.facts import ComplaintFactsProjection
from services.reporting.settings import ReportingSettings
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from shared.db import raw_connection
from shared.decider import DomainEvent
from shared.eventstore.model import LogPosition, RecordedEvent
from shared.eventstore.postgres import PostgresEventStore
from shared.eventstore.projections import Tables, rebuild_projection
from shared.http.platform import Platform
from shared.ice.vocabulary import Closure, IceStage, ReportOutcome
from tests.api.conftest import TokenFactory
from tests.unit.reporting.journeys import (
    accepted,
    append_all,
    caught_up,
    closed,
    escalated,
    fee,
    final_report,
    gateway_passed,
    payment,
    referral,
    registered,
    response,
    unique,
)
from tools.verify_reporting import differences

WAIT_SECONDS = 10.0
WINDOW = {"from": "2026-01-01", "to": "2026-12-31", "group_by": ["provider"]}


def journey(provider: str) -> list[DomainEvent]:
    k = unique("rebuilt")
    return [
        registered(k, provider, "2026-01-12"),
        response(k, 1, "2026-01-30"),
        escalated(k, 1, "2026-02-02"),
        response(k, 2, "2026-02-20", final=True),
        referral(k, provider, "2026-03-02"),
        accepted(k, "2026-03-03"),
        gateway_passed(k, "2026-03-05"),
        final_report(k, provider, "2026-05-11", ReportOutcome.UPHELD, {"r1": 1_000}),
        closed(k, Closure.FINAL_REPORT, "2026-05-11", IceStage.INVESTIGATION),
        fee(k, "2026-05-12", 5_000),
        payment(k, "fee", 5_000, "2026-05-20"),
    ]


class Writer:
    """Appends whole journeys until stopped; `progressed()` waits for one more append."""

    def __init__(self, store: PostgresEventStore, provider: str) -> None:
        self._store, self._provider = store, provider
        self._appended = asyncio.Condition()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.appends = 0
        self.journeys = 0
        self.last = LogPosition(0, 0)

    async def write_journey(self) -> None:
        for event in journey(self._provider):
            self.last = max(self.last, await append_all(self._store, [event]))
            async with self._appended:
                self.appends += 1
                self._appended.notify_all()
        self.journeys += 1

    async def _run(self) -> None:
        while not self._stopping:
            await self.write_journey()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def finish(self) -> None:
        """Stop after the journey under way: every journey counted is whole."""
        self._stopping = True

    async def stop(self) -> None:
        self.finish()
        if self._task is not None:
            await asyncio.wait_for(self._task, WAIT_SECONDS)
            self._task = None

    async def progressed(self) -> None:
        async with self._appended:
            seen = self.appends
            await asyncio.wait_for(self._appended.wait_for(lambda: self.appends > seen), WAIT_SECONDS)


class PacedFacts(ComplaintFactsProjection):
    """The reporting projection as the rebuild runs it, each of its first batches waiting for one more append, so
    the rebuild and the writes truly overlap; then the writer is told to finish, so the swap can catch up with it."""

    def __init__(self, writer: Writer, paced_batches: int) -> None:
        self.writer, self.paced_batches, self.batches = writer, paced_batches, 0

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        if self.batches < self.paced_batches:
            await self.writer.progressed()
        else:
            self.writer.finish()
        self.batches += 1
        await super().apply(conn, events, t)


@pytest.fixture
async def reporting(database_url: str, clock: FixedClock) -> AsyncIterator[tuple[httpx.AsyncClient, Platform]]:
    settings = ReportingSettings(
        DATABASE_URL=database_url,
        APP_ENV="test",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        SUBSCRIPTION_POLL_SECONDS=0.1,
        SUBSCRIPTION_LEADER_RETRY_SECONDS=0.2,
    )
    app = create_reporting(settings, clock)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://r.test") as c:
        yield c, app.state.platform


async def generation(platform: Platform) -> int:
    async with raw_connection(platform.pool) as conn:
        return int(await conn.fetchval("SELECT generation FROM projections WHERE name = 'reporting.facts'"))


async def figure(client: httpx.AsyncClient, path: str, provider: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get(f"/figures/{path}", params=WINDOW, headers=headers)
    assert response.status_code == 200, response.text
    return [
        {k: v for k, v in r.items() if k != "provider"} for r in response.json()["rows"] if r["provider"] == provider
    ]


async def test_a_rebuild_while_writes_continue_loses_and_doubles_nothing(
    reporting: tuple[httpx.AsyncClient, Platform], auth: TokenFactory
) -> None:
    client, platform = reporting
    provider = unique("provider")
    writer = Writer(platform.store, provider)
    for _ in range(5):  # some journeys before the rebuild starts, so it has more than one batch of them
        await writer.write_journey()
    before = await generation(platform)
    rebuilder = PacedFacts(writer, paced_batches=8)
    writer.start()
    try:
        appends_before = writer.appends
        await rebuild_projection(platform.engine, PostgresEventStore(platform.pool, notify=False), rebuilder, 20)
        appends_during = writer.appends - appends_before
        await writer.stop()
        await writer.write_journey()  # and one once the new generation is live
    finally:
        with contextlib.suppress(Exception):  # already stopped, unless the test failed on the way
            await writer.stop()
    await caught_up(platform.pool, writer.last)

    assert await generation(platform) == before + 1
    assert rebuilder.batches > rebuilder.paced_batches  # the pacing ran out before the rebuild did
    assert appends_during >= rebuilder.paced_batches
    assert await differences(platform.pool) == []
    n = writer.journeys
    assert n > 6
    mi = auth("dwp-mi", OrganisationKind.DWP_MI, Role.MI_ANALYST)
    assert await figure(client, "complaints-received", provider, mi) == [{"complaints": n, "withdrawn": 0}]
    assert await figure(client, "stage-escalations", provider, mi) == [
        {"stage": 1, "answered": n, "escalated": n, "escalation_rate": 1.0},
        {"stage": 2, "answered": n, "escalated": 0, "escalation_rate": 0.0},
    ]
    assert await figure(client, "ice-escalations", provider, mi) == [
        {"final_responses": n, "referred_to_ice": n, "referral_rate": 1.0}
    ]
    cases = (await figure(client, "ice-cases", provider, mi))[0]
    assert [cases[k] for k in ("referrals", "accepted", "gateway_passed", "final_reports", "upheld")] == [n] * 5
    assert await figure(client, "ice-fees-and-redress", provider, mi) == [
        {
            "fees_raised": n,
            "fees_raised_pence": 5_000 * n,
            "fees_recovered_pence": 5_000 * n,
            "fees_outstanding_pence": 0,
            "redress_owed_pence": 1_000 * n,
            "redress_paid_pence": 0,
            "redress_outstanding_pence": 1_000 * n,
            "phso_redress_owed_pence": 0,
            "phso_redress_paid_pence": 0,
            "phso_redress_outstanding_pence": 0,
        }
    ]
