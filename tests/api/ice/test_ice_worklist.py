"""An ICE case's deadlines on the worklists and before the deadline watcher (R21, R26, R31): what ICE asks of a
provider is that provider's work until answered, and missing it is recorded once."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from services.escalation.watcher import deadlines_stream, sweep
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from shared.db import raw_connection
from shared.http.platform import Platform
from tests.api.conftest import TokenFactory
from tests.api.helpers import eventually, unique
from tests.api.ice.conftest import Refer, Referred
from tests.api.ice.helpers import today


async def _request_made_ten_days_ago(refer: Refer) -> Referred:
    """A case accepted ten days ago with ICE's requests `gw` (confirmation) and `info-1` (information) made then:
    five working days have passed."""
    referred = await refer(days_ago=10)
    case = referred.case
    await case.post("/acceptance", case.office.examiner, {"accepted_on": case.on})
    await case.post(
        "/requests",
        case.office.examiner,
        {"request_id": "gw", "kind": "confirmation", "made_on": case.on, "steps": ["Final response"]},
    )
    await case.post(
        "/requests", case.office.examiner, {"request_id": "info-1", "kind": "information", "made_on": case.on}
    )
    return referred


async def _ice_items(escalation: httpx.AsyncClient, headers: dict[str, str], case_id: str) -> list[dict[str, Any]]:
    response = await escalation.get("/worklist", headers=headers, params={"status": ["overdue", "due_soon"]})
    assert response.status_code == 200, response.text
    return [i for i in response.json()["items"] if i["complaint_id"] == case_id and i["requirement"] != "R21"]


async def test_an_ice_request_is_on_the_providers_worklist_until_answered(
    refer: Refer, escalation: httpx.AsyncClient, auth: TokenFactory, clock: FixedClock
) -> None:
    referred = await _request_made_ten_days_ago(refer)
    case = referred.case

    async def items() -> list[dict[str, Any]]:
        return [i for i in await _ice_items(escalation, referred.lead, case.case_id) if i["kind"] == "ice_request"]

    found = await eventually(items, lambda found: len(found) == 2, what="ICE's requests on the provider's worklist")
    assert {(i["owner"], i["status"], i["reference"], i["requirement"]) for i in found} == {
        ("provider", "overdue", "gw", "R31"),
        ("provider", "overdue", "info-1", "R31"),
    }
    # Another provider's worklist never shows it (R61).
    stranger = auth(unique("provider"), OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD)
    assert await _ice_items(escalation, stranger, case.case_id) == []

    await case.post("/requests/gw/confirmation", referred.lead, {"confirmed_on": today(clock).isoformat()})
    found = await eventually(items, lambda found: len(found) == 1, what="the answered request off the worklist")
    assert found[0]["reference"] == "info-1"


async def _case_open(platform: Platform, case_id: str) -> bool:
    async with raw_connection(platform.pool) as conn:
        return bool(await conn.fetchval("SELECT open FROM escalation.ice_cases WHERE complaint_id = $1", case_id))


async def test_the_watcher_records_a_missed_ice_request_once(
    refer: Refer, escalation_app: FastAPI, clock: FixedClock
) -> None:
    platform: Platform = escalation_app.state.platform
    referred = await _request_made_ten_days_ago(refer)
    case_id = referred.case.case_id

    async def missed() -> list[dict[str, Any]]:
        events = await platform.store.read_stream(deadlines_stream(case_id))
        return [e.data for e in events if e.type == "deadline.missed" and e.data["kind"] == "ice_request"]

    # The request is in the read model once its case is: the watcher sweeps what the read model holds.
    async def swept() -> list[dict[str, Any]]:
        await sweep(platform, today(clock))
        return await missed()

    found = await eventually(swept, lambda found: len(found) == 2, what="both missed ICE requests recorded")
    assert {(d["reference"], d["owner"], d["requirement"]) for d in found} == {
        ("gw", "provider", "R31"),
        ("info-1", "provider", "R31"),
    }
    assert await _case_open(platform, case_id)
    await sweep(platform, today(clock))
    assert len(await missed()) == 2  # a second sweep (or instance) records nothing new
