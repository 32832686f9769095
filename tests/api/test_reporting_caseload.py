"""Reporting: the open caseload by stage and deadline status on a given day (R50, R51, R21), from crafted complaint
and ICE events appended straight to the log.

Counted by hand for AS_OF = 2026-06-15 (a Monday), England, the default provider profile (acknowledge within 2
working days, stage 1 within 15, stage 2 within 20), due soon = within 2 working days; bank holidays 2026-05-04
and 2026-05-25. A prime provider and its sub-contractor:

    p1   received 05-01, never acknowledged (due 05-05)                               stage 1, overdue
    p2   received 06-10, acknowledged 06-11; stage 1 due 07-01                         stage 1, on_time
    p3   received 05-26, acknowledged 05-27; stage 1 due 06-16 (1 working day away)    stage 1, due_soon
    p10  received 05-20, acknowledged 05-21; stage 1 due 06-11, answered (final) only 06-20, after AS_OF
                                                                                       stage 1, overdue
    p6   received 04-01, ack 04-02, stage 1 answered 04-20, escalated 04-22; stage 2 due 05-21
                                                                                       stage 2, overdue
    p7   received 01-05, final response 03-02, referred to ICE 06-01, accepted 06-02;
         ICE's resolution standard due 07-28                                           stage ice, on_time
    p4   received 05-01, final response 06-01                                          not open
    p5   received 05-05, withdrawn 06-02                                               not open
    p8   received 01-05, final response 03-02, referred to ICE 05-01, declined 05-05    not open
    p9   received 06-20, after AS_OF                                                   not open
    s1   (the sub-contractor's) received 06-10, acknowledged 06-11                     stage 1, on_time
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock, business_date
from shared.complaints.events import ComplaintAcknowledged, ComplaintWithdrawn
from shared.complaints.vocabulary import AcknowledgementMethod
from shared.decider import DomainEvent
from shared.http.platform import Platform
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, assert_problem
from tests.unit.reporting.journeys import (
    accepted,
    append_all,
    caught_up,
    declined,
    escalated,
    referral,
    registered,
    response,
    unique,
)

AS_OF = "2026-06-15"
ZERO = {"open_complaints": 0, "overdue": 0, "due_soon": 0, "on_time": 0, "none": 0}


@dataclass(frozen=True)
class CaseloadWorld:
    prime: str
    sub: str
    ids: dict[str, str] = field(
        default_factory=lambda: {k: unique(k) for k in ("p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10")}
    )
    s1: str = field(default_factory=lambda: unique("s1"))


def acknowledged(complaint_id: str, on: str) -> ComplaintAcknowledged:
    return ComplaintAcknowledged(
        complaint_id=complaint_id, acknowledged_on=date.fromisoformat(on), method=AcknowledgementMethod.LETTER
    )


def withdrawn(complaint_id: str, on: str) -> ComplaintWithdrawn:
    return ComplaintWithdrawn(complaint_id=complaint_id, withdrawn_on=date.fromisoformat(on), reason=None)


def caseload_journeys(w: CaseloadWorld) -> list[DomainEvent]:
    p, i = w.prime, w.ids
    return [
        registered(i["p1"], p, "2026-05-01"),
        registered(i["p2"], p, "2026-06-10"),
        acknowledged(i["p2"], "2026-06-11"),
        registered(i["p3"], p, "2026-05-26"),
        acknowledged(i["p3"], "2026-05-27"),
        registered(i["p10"], p, "2026-05-20"),
        acknowledged(i["p10"], "2026-05-21"),
        response(i["p10"], 1, "2026-06-20", final=True),
        registered(i["p6"], p, "2026-04-01"),
        acknowledged(i["p6"], "2026-04-02"),
        response(i["p6"], 1, "2026-04-20"),
        escalated(i["p6"], 1, "2026-04-22"),
        registered(i["p7"], p, "2026-01-05"),
        acknowledged(i["p7"], "2026-01-06"),
        response(i["p7"], 1, "2026-03-02", final=True),
        referral(i["p7"], p, "2026-06-01"),
        accepted(i["p7"], "2026-06-02"),
        registered(i["p4"], p, "2026-05-01"),
        response(i["p4"], 1, "2026-06-01", final=True),
        registered(i["p5"], p, "2026-05-05"),
        withdrawn(i["p5"], "2026-06-02"),
        registered(i["p8"], p, "2026-01-05"),
        response(i["p8"], 1, "2026-03-02", final=True),
        referral(i["p8"], p, "2026-05-01"),
        declined(i["p8"], "2026-05-05"),
        registered(i["p9"], p, "2026-06-20"),
        registered(w.s1, w.sub, "2026-06-10"),
        acknowledged(w.s1, "2026-06-11"),
    ]


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
async def world(
    reporting: tuple[httpx.AsyncClient, Platform], client: httpx.AsyncClient, admin: dict[str, str]
) -> CaseloadWorld:
    directory = Directory(client, admin)
    prime = await directory.organisation(OrganisationKind.PROVIDER)
    sub = await directory.organisation(OrganisationKind.PROVIDER)
    await directory.link(prime, sub)
    w = CaseloadWorld(prime=prime, sub=sub)
    platform = reporting[1]
    await caught_up(platform.pool, await append_all(platform.store, caseload_journeys(w)))
    return w


@pytest.fixture(scope="module")
def mi(auth: TokenFactory) -> dict[str, str]:
    return auth("dwp-mi", OrganisationKind.DWP_MI, Role.MI_ANALYST)


def mine(rows: list[dict[str, Any]], w: CaseloadWorld) -> list[dict[str, Any]]:
    return [r for r in rows if r["provider"] in (w.prime, w.sub)]


async def get(reporting: tuple[httpx.AsyncClient, Platform], headers: dict[str, str], **params: Any) -> httpx.Response:
    response = await reporting[0].get("/figures/open-caseload", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response


async def test_open_caseload_by_stage_and_deadline_status(
    reporting: tuple[httpx.AsyncClient, Platform], world: CaseloadWorld, mi: dict[str, str]
) -> None:
    body = (await get(reporting, mi, as_of=AS_OF, group_by=["provider"])).json()
    assert (body["figure"], body["date_from"], body["date_to"]) == ("open_caseload", AS_OF, AS_OF)
    assert body["group_by"] == ["provider", "stage"]
    assert body["columns"] == ["provider", "stage", "open_complaints", "overdue", "due_soon", "on_time", "none"]
    assert body["last_event_at"] is not None
    assert isinstance(body["events_behind"], int)
    prime, sub = world.prime, world.sub
    assert sorted(mine(body["rows"], world), key=lambda r: r["provider"] != prime) == [
        {"provider": prime, "stage": "1", **ZERO, "open_complaints": 4, "overdue": 2, "due_soon": 1, "on_time": 1},
        {"provider": prime, "stage": "2", **ZERO, "open_complaints": 1, "overdue": 1},
        {"provider": prime, "stage": "ice", **ZERO, "open_complaints": 1, "on_time": 1},
        {"provider": sub, "stage": "1", **ZERO, "open_complaints": 1, "on_time": 1},
    ]


async def test_a_day_before_the_complaints_arrived_and_the_default_day(
    reporting: tuple[httpx.AsyncClient, Platform], world: CaseloadWorld, mi: dict[str, str], clock: FixedClock
) -> None:
    early = (await get(reporting, mi, as_of="2026-03-31", group_by=["provider"])).json()
    # On 03-31 only p7 and p8 had been received, and both had their final response (03-02): nothing open.
    assert mine(early["rows"], world) == []
    today = (await get(reporting, mi, group_by=["provider"])).json()
    assert today["date_from"] == business_date(clock.now()).isoformat()


async def test_grouped_by_programme_and_nation_as_csv(
    reporting: tuple[httpx.AsyncClient, Platform], world: CaseloadWorld, mi: dict[str, str]
) -> None:
    response = await get(reporting, mi, as_of=AS_OF, group_by=["provider", "programme", "nation"], format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.text))
    assert reader.fieldnames == [
        "provider",
        "programme",
        "nation",
        "stage",
        "open_complaints",
        "overdue",
        "due_soon",
        "on_time",
        "none",
    ]
    rows = [r for r in reader if r["provider"] == world.prime]
    assert rows == [
        {"provider": world.prime, "programme": "ipes", "nation": "england", "stage": "1", "open_complaints": "4",
         "overdue": "2", "due_soon": "1", "on_time": "1", "none": "0"},
        {"provider": world.prime, "programme": "ipes", "nation": "england", "stage": "2", "open_complaints": "1",
         "overdue": "1", "due_soon": "0", "on_time": "0", "none": "0"},
        {"provider": world.prime, "programme": "ipes", "nation": "england", "stage": "ice", "open_complaints": "1",
         "overdue": "0", "due_soon": "0", "on_time": "1", "none": "0"},
    ]  # fmt: skip
    refused = await reporting[0].get("/figures/open-caseload", params={"group_by": ["category"]}, headers=mi)
    assert "query.group_by" in [e["field"] for e in assert_problem(refused, 422, "validation")["errors"]]


async def test_who_sees_which_providers_caseload(
    reporting: tuple[httpx.AsyncClient, Platform], world: CaseloadWorld, auth: TokenFactory
) -> None:
    seen_by = {
        "prime": auth(world.prime, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD),
        "sub": auth(world.sub, OrganisationKind.PROVIDER, Role.CASEWORKER),
        "ice": auth("ice", OrganisationKind.ICE, Role.CASE_EXAMINER),
        "contract manager": auth("dwp", OrganisationKind.DWP_BUSINESS, Role.CONTRACT_MANAGER),
        "other provider": auth("other-provider-x", OrganisationKind.PROVIDER, Role.MI_ANALYST),
        "jobcentre": auth("jc-leeds", OrganisationKind.JOBCENTRE, Role.CASEWORKER),
    }
    expected = {
        "prime": {world.prime, world.sub},
        "sub": {world.sub},
        "ice": {world.prime, world.sub},
        "contract manager": {world.prime, world.sub},
        "other provider": set(),
        "jobcentre": set(),
    }
    for who, headers in seen_by.items():
        body = (await get(reporting, headers, as_of=AS_OF, group_by=["provider"])).json()
        assert {r["provider"] for r in mine(body["rows"], world)} == expected[who], who
    # A provider sees only its own: the sub-contractor's figure is its one complaint.
    sub = (await get(reporting, seen_by["sub"], as_of=AS_OF)).json()
    assert sub["rows"] == [{"stage": "1", **ZERO, "open_complaints": 1, "on_time": 1}]
