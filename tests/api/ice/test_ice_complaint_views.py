"""An ICE case as the complaint's other views show it: the escalation deadlines (R21, R31, R40) and who may read
the complaint itself (R61)."""

from __future__ import annotations

import httpx

from shared.auth import OrganisationKind, Role
from tests.api.conftest import TokenFactory
from tests.api.helpers import assert_problem, register_ok
from tests.api.ice.conftest import Referred
from tests.api.ice.helpers import IceOffice


async def test_the_deadlines_view_shows_ice_as_owner_and_its_deadlines_on_both_sides(
    referred: Referred, escalation: httpx.AsyncClient
) -> None:
    case = referred.case
    await case.post("/acceptance", case.office.examiner, {"accepted_on": case.on})
    await case.post(
        "/requests",
        case.office.examiner,
        {"request_id": "gw", "kind": "confirmation", "made_on": case.on, "steps": ["Final response"]},
    )
    view = await escalation.get(f"/complaints/{case.case_id}/deadlines", headers=referred.lead)
    assert view.status_code == 200, view.text
    body = view.json()
    assert body["owner"] == "ice"
    by_kind = {d["kind"]: d for d in body["deadlines"]}
    request = by_kind["ice_request"]
    assert (request["owner"], request["reference"], request["requirement"]) == ("provider", "gw", "R31")
    assert request["status"] in ("on_time", "due_soon")
    assert by_kind["ice_standard_resolve"]["owner"] == "ice"
    assert by_kind["ice_standard_resolve"]["requirement"] == "R40"

    await case.post("/requests/gw/confirmation", referred.lead, {"confirmed_on": case.on})
    confirmed = (await escalation.get(f"/complaints/{case.case_id}/deadlines", headers=referred.lead)).json()
    answered = next(d for d in confirmed["deadlines"] if d["kind"] == "ice_request")
    assert (answered["status"], answered["met_on"]) == ("met", case.on)


async def test_ice_reads_a_referred_complaint_and_the_ombudsman_one_referred_to_it(
    referred: Referred, client: httpx.AsyncClient, office: IceOffice, auth: TokenFactory
) -> None:
    case = referred.case
    other = await register_ok(client, referred.provider.caseworker, referred.provider.body())
    assert (await client.get(f"/complaints/{case.case_id}", headers=office.examiner)).status_code == 200
    assert_problem(await client.get(f"/complaints/{other['complaint_id']}", headers=office.examiner), 404)
    assert_problem(await client.get(f"/complaints/{case.case_id}", headers=office.phso), 404)

    await case.post("/phso-referral", office.phso, {"route": "phso_via_mp", "referred_on": case.on})
    assert (await client.get(f"/complaints/{case.case_id}", headers=office.phso)).status_code == 200
    # The examiners read; they do not work the provider's complaint.
    jobcentre = auth("jobcentre-elsewhere", OrganisationKind.JOBCENTRE, Role.CASEWORKER)
    assert_problem(await client.get(f"/complaints/{case.case_id}", headers=jobcentre), 404)
