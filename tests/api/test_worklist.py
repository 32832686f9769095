"""`GET /worklist` on the escalation service: scoped, most urgent first, moving with the clock (R26)."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from services.escalation.api.worklists import open_in_scope
from services.escalation.main import create_app as create_escalation
from services.escalation.projections.timelines import TimelinesProjection
from services.escalation.settings import EscalationSettings
from services.intake.main import create_app as create_intake
from services.intake.settings import IntakeSettings
from shared.auth import OrganisationKind, Role
from shared.calendar import default_working_days
from shared.clock import LONDON, FixedClock, business_date
from shared.complaints.scope import ComplaintScope
from shared.db import raw_connection
from shared.vocabulary import Nation
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, eventually, register, register_ok
from tests.api.test_intake_work import post_ok


@pytest.fixture
def worklist_clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 3, 9, 0, tzinfo=UTC))  # Tuesday


@pytest.fixture
async def escalation_client(database_url: str, worklist_clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    settings = EscalationSettings(
        DATABASE_URL=database_url,
        APP_ENV="test",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        SUBSCRIPTION_POLL_SECONDS=0.1,
        SUBSCRIPTION_LEADER_RETRY_SECONDS=0.2,
    )
    app = create_escalation(settings, worklist_clock)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://w.test") as c:
        yield c


def entries(body: dict[str, Any], complaint_ids: set[str]) -> list[tuple[str, str, str, str]]:
    return [
        (i["complaint_id"], i["kind"], i["due_on"], i["status"])
        for i in body["items"]
        if i["complaint_id"] in complaint_ids
    ]


async def test_the_worklist_moves_as_the_clock_advances_and_is_scoped(
    client: httpx.AsyncClient,
    escalation_client: httpx.AsyncClient,
    worklist_clock: FixedClock,
    provider: Provider,
    directory: Directory,
    auth: TokenFactory,
) -> None:
    early = (await register(client, provider.caseworker, provider.body(received_on="2026-10-30"))).json()
    late = (await register(client, provider.caseworker, provider.body(received_on="2026-11-02"))).json()
    ids = {early["complaint_id"], late["complaint_id"]}

    async def worklist(**params: Any) -> dict[str, Any]:
        response = await escalation_client.get("/worklist", params=params, headers=provider.caseworker)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    body = await eventually(worklist, lambda b: len(entries(b, ids)) == 2, what="both complaints on the worklist")
    # Tuesday 3 Nov: the early one's acknowledgement (due Tue 3 Nov) and the late one's (due Wed 4 Nov) are due soon.
    assert entries(body, ids) == [
        (early["complaint_id"], "acknowledgement", "2026-11-03", "due_soon"),
        (late["complaint_id"], "acknowledgement", "2026-11-04", "due_soon"),
    ]

    worklist_clock.advance(timedelta(days=1))  # Wednesday: the early one is overdue and comes first
    assert entries(await worklist(), ids) == [
        (early["complaint_id"], "acknowledgement", "2026-11-03", "overdue"),
        (late["complaint_id"], "acknowledgement", "2026-11-04", "due_soon"),
    ]

    acknowledged = await client.post(
        f"/complaints/{late['complaint_id']}/acknowledgement",
        json={"acknowledged_on": "2026-11-04", "method": "phone"},
        headers=provider.caseworker,
    )
    assert acknowledged.status_code == 200
    body = await eventually(worklist, lambda b: len(entries(b, ids)) == 1, what="the acknowledged one to leave")
    assert entries(body, ids) == [(early["complaint_id"], "acknowledgement", "2026-11-03", "overdue")]

    on_time = await worklist(status=["on_time"])
    assert {e[1] for e in entries(on_time, ids)} == {"stage_response", "eight_week_final_response"}

    other, _ = await directory.provider_with_contract()
    stranger = auth(other, OrganisationKind.PROVIDER, Role.CASEWORKER)
    response = await escalation_client.get("/worklist", headers=stranger)
    assert entries(response.json(), ids) == []


async def test_staff_complaints_are_on_the_worklist_only_for_those_cleared(
    client: httpx.AsyncClient, escalation_client: httpx.AsyncClient, provider: Provider, auth: TokenFactory
) -> None:
    body = provider.body(received_on="2026-11-02", staff_complaint={"responsible_team_leader_user_id": "tl-9"})
    created = (await register(client, provider.caseworker, body)).json()
    ids = {created["complaint_id"]}
    cleared = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, Role.STAFF_COMPLAINTS)

    async def worklist_of(headers: dict[str, str]) -> dict[str, Any]:
        response = await escalation_client.get("/worklist", headers=headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    await eventually(lambda: worklist_of(cleared), lambda b: len(entries(b, ids)) == 1, what="the cleared see it")
    assert entries(await worklist_of(provider.caseworker), ids) == []


# A two-stage provider journey whose worklist entries move as the clock advances (R20, R21, R26).


@dataclass(frozen=True)
class Journey:
    """Intake and escalation sharing a clock of their own, started at the session clock's instant, so this test can
    move time forward without moving it for anyone else."""

    intake: httpx.AsyncClient
    escalation: httpx.AsyncClient
    clock: FixedClock

    @property
    def today(self) -> date:
        return business_date(self.clock.now())

    def move_to(self, day: date) -> None:
        assert day > self.today, "time only moves forward"
        self.clock.set(datetime.combine(day, time(10, 0), tzinfo=LONDON))


DUE_SOON = 3  # working days: a threshold from settings, not the default 2


@pytest.fixture
async def journey(settings: IntakeSettings, database_url: str, clock: FixedClock) -> AsyncIterator[Journey]:
    own = FixedClock(clock.now())
    intake = create_intake(settings, own)
    escalation = create_escalation(
        EscalationSettings(
            DATABASE_URL=database_url,
            APP_ENV="test",
            LOG_JSON=False,
            LOG_LEVEL="WARNING",
            SUBSCRIPTION_POLL_SECONDS=0.1,
            SUBSCRIPTION_LEADER_RETRY_SECONDS=0.2,
            DUE_SOON_WORKING_DAYS=DUE_SOON,
            DEADLINE_WATCH_SECONDS=3600,  # one sweep at start-up, at the session's time: none in the future
        ),
        own,
    )
    async with (
        intake.router.lifespan_context(intake),
        escalation.router.lifespan_context(escalation),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=intake), base_url="http://i.test") as i,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=escalation), base_url="http://e.test") as e,
    ):
        yield Journey(i, e, own)


async def test_a_two_stage_provider_journey_moves_on_the_worklist_as_the_clock_advances(
    journey: Journey, provider: Provider, auth: TokenFactory
) -> None:
    calendar = default_working_days()
    worker = provider.caseworker
    received = journey.today
    created = await register_ok(journey.intake, worker, provider.body(received_on=received.isoformat()))
    complaint_id = created["complaint_id"]
    await post_ok(
        journey.intake,
        worker,
        complaint_id,
        "acknowledgement",
        {"acknowledged_on": received.isoformat(), "method": "phone"},
    )

    async def stage_entries(**params: Any) -> list[tuple[int, str, str, str, str]]:
        """(stage, stage name, owner, due, status) of this complaint's stage-response entries."""
        query = {"status": ["overdue", "due_soon", "on_time"], **params}
        response = await journey.escalation.get("/worklist", headers=worker, params=query)
        assert response.status_code == 200, response.text
        items = [i for i in response.json()["items"] if i["complaint_id"] == complaint_id]
        dates = [i["due_on"] for i in items]
        assert dates == sorted(dates), "ordered by due date"
        return [
            (i["stage"], i["stage_name"], i["owner"], i["due_on"], i["status"])
            for i in items
            if i["kind"] == "stage_response"
        ]

    async def settled(expected: list[tuple[int, str, str, str, str]], **params: Any) -> None:
        """The projection trails the log: wait for the worklist to show what the events say."""
        await eventually(lambda: stage_entries(**params), lambda found: found == expected, what=f"worklist {expected}")

    stage_1 = calendar.add(Nation.ENGLAND, received, 15)
    await settled([(1, "Provider stage 1", "provider", stage_1.isoformat(), "on_time")], stage=1)
    assert await stage_entries(stage=2) == []

    journey.move_to(calendar.add(Nation.ENGLAND, received, 15 - DUE_SOON - 1))  # four working days to go
    assert await stage_entries() == [(1, "Provider stage 1", "provider", stage_1.isoformat(), "on_time")]
    journey.move_to(calendar.add(Nation.ENGLAND, received, 15 - DUE_SOON))  # three to go: the setting's threshold
    assert await stage_entries() == [(1, "Provider stage 1", "provider", stage_1.isoformat(), "due_soon")]
    journey.move_to(calendar.add(Nation.ENGLAND, stage_1, 1))
    assert await stage_entries(status=["overdue"]) == [
        (1, "Provider stage 1", "provider", stage_1.isoformat(), "overdue")
    ]

    # Answered late, then the complainant is dissatisfied: stage 2 opens with its own deadline.
    late = journey.today.isoformat()
    await post_ok(journey.intake, worker, complaint_id, "responses", response_body_on(late))
    await settled([])
    escalated = await journey.escalation.post(
        f"/complaints/{complaint_id}/escalations",
        headers={**worker, "Idempotency-Key": str(uuid.uuid4())},
        json={"escalated_on": late},
    )
    assert escalated.status_code == 200, escalated.text
    stage_2 = calendar.add(Nation.ENGLAND, journey.today, 20)
    expected_2 = (2, "Provider stage 2 (final)", "provider", stage_2.isoformat())
    await settled([(*expected_2, "on_time")], stage=2)
    assert await stage_entries(stage=1) == []
    assert await stage_entries(stage=2, owner="jobcentre") == []

    journey.move_to(calendar.add(Nation.ENGLAND, journey.today, 20 - DUE_SOON))
    assert await stage_entries() == [(*expected_2, "due_soon")]
    journey.move_to(calendar.add(Nation.ENGLAND, stage_2, 1))
    assert await stage_entries() == [(*expected_2, "overdue")]

    # The final response ends the provider's process: the complaint leaves the worklist altogether.
    reviewer = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, subject="reviewer-9")
    final = {**response_body_on(journey.today.isoformat()), "stage": 2, "final": True, "reviewer_user_id": "dan"}
    await post_ok(journey.intake, reviewer, complaint_id, "responses", final)

    async def anything() -> list[dict[str, Any]]:
        query = {"status": ["overdue", "due_soon", "on_time"]}
        response = await journey.escalation.get("/worklist", headers=worker, params=query)
        return [i for i in response.json()["items"] if i["complaint_id"] == complaint_id]

    await eventually(anything, lambda found: found == [], what="the finally answered complaint off the worklist")


def response_body_on(issued_on: str) -> dict[str, Any]:
    return {
        "stage": 1,
        "final": False,
        "issued_on": issued_on,
        "text": "Dear Sam, we have looked into your complaint.",
        "findings": [{"element_id": "E1", "desired_outcome_achievable": True}],
    }


SCOPES = {
    "dwp admin": ComplaintScope(True, (), None),
    "dwp admin, staff cleared": ComplaintScope(True, (), None, staff_complaints=True),
    "prime with a sub-contractor": ComplaintScope(False, ("p-a", "p-s"), "p-a"),
    "sub-contractor, staff cleared": ComplaintScope(False, ("p-s",), "p-s", staff_complaints=True),
    "jobcentre": ComplaintScope(False, (), "jc-1"),
    "atw service delivery": ComplaintScope(False, (), "dwp", ("atw",)),
    "ice examiner": ComplaintScope(False, (), None, examiner=OrganisationKind.ICE),
    "nobody": ComplaintScope(False, (), None),
}


async def test_the_worklist_query_reads_exactly_the_open_complaints_its_scope_allows(engine: Any) -> None:
    """`open_in_scope` leaves out the arms that cannot match so that each has its index: it must still mean
    `ComplaintScope.allows` (R61, R10, R3), and never return a closed complaint."""
    table = f"worklist_scope_{uuid.uuid4().hex[:8]}"
    rows = [
        (f"c{i}", provider, logged_by, programme, restricted, routed_to, is_open)
        for i, (provider, logged_by, programme, restricted, routed_to, is_open) in enumerate(
            itertools.product(
                ("p-a", "p-s", "p-b", None),
                ("p-a", "p-s", "jc-1", "dwp"),
                ("ipes", "atw"),
                (False, True),
                (None, "jc-1"),
                (True, False),
            )
        )
    ]
    async with raw_connection(engine) as conn:
        try:
            for statement in TimelinesProjection().create_statements({"timelines": table}):
                await conn.execute(statement)
            await conn.executemany(
                f"""INSERT INTO {table} (complaint_id, provider_organisation_id, logged_by_organisation_id, programme,
                        restricted, routed_to_organisation_id, open, timeline)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, jsonb_build_object('complaint_id', $1::text))""",
                rows,
            )
            for name, scope in SCOPES.items():
                expected = {
                    r[0]
                    for r in rows
                    if r[6] and scope.allows(r[1], r[2], programme=r[3], restricted=r[4], routed_to=r[5])
                }
                query = open_in_scope(scope, table)
                found = (
                    set()
                    if query is None
                    else {json.loads(r["timeline"])["complaint_id"] for r in await conn.fetch(query[0], *query[1])}
                )
                assert found == expected, name
        finally:
            await conn.execute(f"DROP TABLE IF EXISTS {table}")


async def test_a_providers_worklist_query_can_read_its_own_open_complaints_by_index(engine: Any) -> None:
    """Whatever the history holds and however many others have open complaints, the provider's own partial
    indexes answer its worklist (issue 8: reads whose cost follows the present, not the history)."""
    table = f"worklist_plan_{uuid.uuid4().hex[:8]}"
    async with raw_connection(engine) as conn:
        try:
            for statement in TimelinesProjection().create_statements({"timelines": table}):
                await conn.execute(statement)
            await conn.execute(
                f"""INSERT INTO {table} (complaint_id, provider_organisation_id, logged_by_organisation_id, programme,
                        restricted, routed_to_organisation_id, open, timeline)
                    SELECT 'c' || i, 'p-' || (i % 47), 'p-' || (i % 47), 'ipes', false, NULL, i % 20 = 0, '{{}}'
                    FROM generate_series(1, 20000) i"""
            )
            await conn.execute(f"ANALYZE {table}")
            query = open_in_scope(ComplaintScope(False, ("p-1",), "p-1"), table)
            assert query is not None
            # A statement the service reuses may get a generic plan, blind to the values: check that one.
            await conn.execute(f"PREPARE worklist_plan AS {query[0]}")
            async with conn.transaction():
                await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                explained = await conn.fetch("EXPLAIN EXECUTE worklist_plan('{p-1}', 'p-1')")
            await conn.execute("DEALLOCATE worklist_plan")
            plan = "\n".join(r[0] for r in explained)
            assert f"{table}_open_provider" in plan, plan
            assert f"{table}_open_logged_by" in plan, plan
        finally:
            await conn.execute(f"DROP TABLE IF EXISTS {table}")
