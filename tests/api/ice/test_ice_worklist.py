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
from tests.api.helpers import Directory, eventually, unique
from tests.api.ice.conftest import Refer, Referred
from tests.api.ice.helpers import today
from tests.api.test_intake_work import post_ok
from tests.api.test_intake_work import today as work_day


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


async def test_a_complaint_marked_as_about_staff_after_referral_leaves_an_uncleared_worklist(
    refer: Refer, client: httpx.AsyncClient, escalation: httpx.AsyncClient
) -> None:
    """Scoped by the complaint as it stands, not as it was referred (R10)."""
    referred = await _request_made_ten_days_ago(refer)
    case_id = referred.case.case_id

    async def requests() -> list[dict[str, Any]]:
        return [i for i in await _ice_items(escalation, referred.lead, case_id) if i["kind"] == "ice_request"]

    await eventually(requests, lambda found: len(found) == 2, what="ICE's requests on the worklist")
    marker = {"responsible_team_leader_user_id": "tl-9"}
    await post_ok(client, referred.provider.caseworker, case_id, "staff-complaint-marker", marker)
    await eventually(requests, lambda found: found == [], what="the staff complaint off the uncleared worklist")
    assert (await escalation.get(f"/complaints/{case_id}/deadlines", headers=referred.lead)).status_code == 404


async def test_a_complaint_redirected_after_referral_puts_its_ice_requests_on_the_jobcentres_worklist(
    refer: Refer,
    client: httpx.AsyncClient,
    escalation: httpx.AsyncClient,
    auth: TokenFactory,
    directory: Directory,
    clock: FixedClock,
) -> None:
    """The Jobcentre a complaint is redirected to owns it from then on, its ICE case too (R3, R61)."""
    referred = await _request_made_ten_days_ago(refer)
    case_id = referred.case.case_id
    jobcentre = await directory.organisation(OrganisationKind.JOBCENTRE)
    caseworker = auth(jobcentre, OrganisationKind.JOBCENTRE, Role.CASEWORKER)
    redirection = {"reason": "programme_policy", "to_organisation_id": jobcentre, "redirected_on": work_day(clock)}
    await post_ok(client, referred.provider.caseworker, case_id, "redirection", redirection)

    async def theirs() -> list[str | None]:
        return [i["reference"] for i in await _ice_items(escalation, caseworker, case_id) if i["kind"] == "ice_request"]

    found = await eventually(theirs, lambda refs: len(refs) == 2, what="the Jobcentre's worklist")
    assert sorted(r or "" for r in found) == ["gw", "info-1"]
