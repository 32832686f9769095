"""The ombudsman after ICE (R38; 000 14.38; 001 ch.5; 004 Part B 11): referral by the ombudsman's office via the
route the nation has, acceptance before ICE concluded (flagged), the report with recommendations including additional
redress, which the provider pays (target: the recommendation's id) and completes."""

from __future__ import annotations

import httpx
import pytest

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from tests.api.conftest import TokenFactory
from tests.api.helpers import Provider, assert_problem, error_fields, register_ok
from tests.api.ice import steps
from tests.api.ice.conftest import Referred
from tests.api.ice.helpers import Case, IceOffice, received_long_ago, today
from tests.api.ice.steps import send, world_of


@pytest.mark.parametrize(
    ("nation", "wrong", "right"),
    [
        ("northern_ireland", "phso_via_mp", "ni_ombudsman_via_mla"),
        ("england", "ni_ombudsman_via_mla", "phso_via_mp"),
        ("scotland", "ni_ombudsman_via_mla", "phso_via_mp"),
    ],
)
async def test_the_route_must_match_the_nation(
    nation: str,
    wrong: str,
    right: str,
    provider: Provider,
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    clock: FixedClock,
) -> None:
    created = await register_ok(
        client, provider.caseworker, provider.body(received_on=received_long_ago(clock), nation=nation)
    )
    on = today(clock).isoformat()
    referral = await send(
        ice, "/ice-cases", office.examiner, {"complaint_id": created["complaint_id"], "referred_on": on}
    )
    assert referral.status_code == 201, referral.text
    path = f"/ice-cases/{created['complaint_id']}/phso-referral"

    refused = await send(ice, path, office.phso, {"route": wrong, "referred_on": on})
    problem = assert_problem(refused, 422, "validation")
    assert error_fields(problem) == {"route": "R38"}
    assert problem["requirement"] == "R38"
    assert_problem(await ice.get(f"/ice-cases/{created['complaint_id']}", headers=office.phso), 404, "not-found")

    accepted = await send(ice, path, office.phso, {"route": right, "referred_on": on, "member_name": "A. Member"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["phso"]["referral"]["route"] == right
    assert accepted.json()["phso"]["referral"]["member_name"] == "A. Member"


async def test_the_ombudsman_accepts_before_ice_concluded_reports_and_the_provider_pays_and_completes(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.resolution(w)
    await w.case.post("/phso-referral", office.phso, steps.phso_referral_body(w))
    # Nothing to report on before it is accepted.
    early = await send(ice, w.path + "/phso-report", office.phso, steps.phso_report_body(w))
    assert assert_problem(early, 409)["requirement"] == "R38"
    accepted = await w.case.post("/phso-acceptance", office.phso, {"accepted_on": w.on})
    assert accepted["status"] == "resolution", "ICE has not concluded"
    assert accepted["phso"]["accepted"] == {"accepted_on": w.on, "ice_exhausted": False}

    reported = await w.case.post("/phso-report", office.phso, steps.phso_report_body(w))
    assert reported["phso"]["report"]["upheld"] is True
    assert [r["recommendation_id"] for r in reported["phso"]["report"]["recommendations"]] == ["phso-1", "phso-2"]
    assert reported["phso"]["report"]["recommendations"][0]["text"] == "Pay a further £150."
    (owed,) = reported["payments"]
    assert owed == {
        "target": "phso-1",
        "owed_pence": 15_000,
        "paid_pence": 0,
        "outstanding_pence": 15_000,
        "due_on": None,
        "paid_in_full_on": None,
        "status": "outstanding",
    }

    # Only redress is payable: the recommendation without any is not a payment target.
    nothing = {"payment_id": "pay-2", "target": "phso-2", "amount_pence": 100, "paid_on": w.on}
    problem = assert_problem(await send(ice, w.path + "/payments", w.lead, nothing), 422, "validation")
    assert error_fields(problem) == {"target": "R36"}
    await w.case.post(
        "/payments", w.lead, {"payment_id": "pay-1a", "target": "phso-1", "amount_pence": 5_000, "paid_on": w.on}
    )
    paid = await w.case.post(
        "/payments", w.lead, {"payment_id": "pay-1b", "target": "phso-1", "amount_pence": 10_000, "paid_on": w.on}
    )
    assert [(p["target"], p["status"], p["paid_in_full_on"]) for p in paid["payments"]] == [("phso-1", "paid", w.on)]

    # Each recommendation tracked to completion by the provider, once.
    await w.case.post("/phso-recommendations/phso-1/completion", w.lead, {"completed_on": w.on})
    done = await w.case.post("/phso-recommendations/phso-2/completion", w.lead, {"completed_on": w.on})
    assert sorted(r["recommendation_id"] for r in done["phso"]["completed"]) == ["phso-1", "phso-2"]
    again = await send(ice, w.path + "/phso-recommendations/phso-1/completion", w.lead, {"completed_on": w.on})
    assert assert_problem(again, 409)["requirement"] == "R38"
    unknown = await send(ice, w.path + "/phso-recommendations/phso-9/completion", w.lead, {"completed_on": w.on})
    assert assert_problem(unknown, 409)["requirement"] == "R38"


async def test_acceptance_after_the_final_report_shows_ice_exhausted(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.phso_accepted(w)
    case = await w.case.get(office.phso)
    assert case["phso"]["accepted"]["ice_exhausted"] is True
    # A second referral of the same case is a conflict; a second acceptance a rule violation.
    twice = await send(ice, w.path + "/phso-referral", office.phso, steps.phso_referral_body(w))
    assert assert_problem(twice, 409, "conflict")["requirement"] == "R38"
    accepted_again = await send(ice, w.path + "/phso-acceptance", office.phso, {"accepted_on": w.on})
    assert assert_problem(accepted_again, 409)["requirement"] == "R38"


async def test_ombudsman_recommendation_ids_must_not_clash_with_redress(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.phso_accepted(w)
    body = {
        "issued_on": w.on,
        "upheld": True,
        "recommendations": [{"recommendation_id": "cp1", "text": "Pay more.", "additional_redress_pence": 100}],
    }
    problem = assert_problem(await send(ice, w.path + "/phso-report", office.phso, body), 422, "validation")
    assert error_fields(problem) == {"recommendations": "R38"}


async def test_only_the_ombudsmans_office_records_its_steps(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    for caller in (office.examiner, w.lead, auth("phso", OrganisationKind.PHSO, Role.MI_ANALYST)):
        refused = await send(ice, w.path + "/phso-referral", caller, steps.phso_referral_body(w))
        assert assert_problem(refused, 403, "forbidden")["requirement"] == "R38"
    assert (await w.case.get())["phso"] is None


async def test_the_case_object_carries_the_ombudsman_for_the_provider(
    referred: Referred, auth: TokenFactory, office: IceOffice
) -> None:
    w = world_of(referred, auth, office)
    await steps.phso_reported(w)
    case = await Case(w.case.ice, office, w.lead, w.case.case_id, w.on).get(w.lead)
    assert set(case["phso"]) == {"referral", "accepted", "report"}
    assert {p["target"] for p in case["payments"]} == {"cp1", "fee", "phso-1"}
