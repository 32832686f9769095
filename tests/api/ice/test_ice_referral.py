"""Referral to ICE through HTTP (R30, R23, R24, R61, R63, R64): 201 with its Location, eligibility shown and
recorded, a referral outside the time limits flagged and accepted only with a justification, one case per
complaint, who may record it, and bad input naming the field."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import OrganisationKind, Role
from shared.calendar import add_months, add_weeks
from shared.clock import FixedClock
from tests.api.conftest import TokenFactory
from tests.api.helpers import Provider, assert_problem, error_fields, register_ok
from tests.api.ice.helpers import IceOffice, received_long_ago, today
from tests.api.ice.steps import send


async def _complaint(client: httpx.AsyncClient, provider: Provider, received_on: date) -> dict[str, Any]:
    return await register_ok(client, provider.caseworker, provider.body(received_on=received_on.isoformat()))


async def _refer(
    ice: httpx.AsyncClient, office: IceOffice, complaint_id: str, on: date, key: str | None = None
) -> httpx.Response:
    body = {"complaint_id": complaint_id, "referred_on": on.isoformat()}
    return await send(ice, "/ice-cases", office.examiner, body, key=key)


async def _final_response(
    client: httpx.AsyncClient, auth: TokenFactory, provider: Provider, created: dict[str, Any], issued_on: date
) -> None:
    """A stage 1 response by ann (reviewed by bob), then the final response by cat, reviewed by dan (R7)."""
    org = provider.organisation_id

    def worker(name: str) -> dict[str, str]:
        return auth(org, OrganisationKind.PROVIDER, Role.CASEWORKER, subject=name)

    findings = [{"element_id": e["element_id"], "desired_outcome_achievable": True} for e in created["elements"]]
    path = f"/complaints/{created['complaint_id']}/responses"
    for who, body in (
        ("ann", {"stage": 1, "final": False, "reviewer_user_id": "bob"}),
        ("cat", {"stage": 2, "final": True, "reviewer_user_id": "dan"}),
    ):
        full = {**body, "issued_on": issued_on.isoformat(), "text": "Dear Sam, our response.", "findings": findings}
        response = await send(client, path, worker(who), full)
        assert response.status_code == 200, response.text
    assert response.json()["responses"][-1]["final"] is True


async def test_a_referral_eight_weeks_after_receipt_with_no_final_response_is_eligible(
    client: httpx.AsyncClient, ice: httpx.AsyncClient, office: IceOffice, provider: Provider, clock: FixedClock
) -> None:
    on = today(clock)
    received = on - timedelta(weeks=8, days=1)
    created = await _complaint(client, provider, received)
    complaint_id = created["complaint_id"]
    key = str(uuid.uuid4())
    response = await _refer(ice, office, complaint_id, on, key)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/ice-cases/{complaint_id}"
    assert response.headers["etag"] == '"1"'
    case = response.json()
    assert (case["case_id"], case["complaint_id"], case["status"], case["stage"], case["version"]) == (
        complaint_id,
        complaint_id,
        "referred",
        None,
        1,
    )
    assert case["provider_organisation_id"] == provider.organisation_id
    referral = case["referral"]
    assert referral["eligibility"] == {"eligible": True, "basis": "eight_weeks_without_final_response", "flags": []}
    assert referral["referred_on"] == on.isoformat()
    assert referral["complaint_received_on"] == received.isoformat()
    assert referral["final_response_on"] is None
    assert referral["contract"]["contract_id"] == provider.contract_id
    assert [e["element_id"] for e in created["elements"]] == referral["element_ids"]

    # The same request again: the first answer, replayed, and still one event.
    again = await _refer(ice, office, complaint_id, on, key)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == f"/ice-cases/{complaint_id}"
    assert again.json() == case
    # A second referral of the complaint: one case per complaint.
    problem = assert_problem(await _refer(ice, office, complaint_id, on), 409, "conflict")
    assert problem["requirement"] == "R30"
    fetched = await ice.get(f"/ice-cases/{complaint_id}", headers=office.examiner)
    assert fetched.json()["version"] == 1


async def test_a_referral_on_the_last_day_of_the_eight_weeks_is_flagged(
    client: httpx.AsyncClient, ice: httpx.AsyncClient, office: IceOffice, provider: Provider, clock: FixedClock
) -> None:
    """Eight weeks from receipt is the first day the complainant may go to ICE without a final response (R23)."""
    on = today(clock)
    created = await _complaint(client, provider, on - timedelta(weeks=8))
    response = await _refer(ice, office, created["complaint_id"], on)
    assert response.status_code == 201, response.text
    assert add_weeks(on - timedelta(weeks=8), 8) == on
    assert response.json()["referral"]["eligibility"]["eligible"] is False


async def test_a_referral_before_eight_weeks_is_flagged_and_accepted_only_with_a_justification(
    client: httpx.AsyncClient, ice: httpx.AsyncClient, office: IceOffice, provider: Provider, clock: FixedClock
) -> None:
    on = today(clock)
    received = on - timedelta(days=10)
    created = await _complaint(client, provider, received)
    complaint_id = created["complaint_id"]
    response = await _refer(ice, office, complaint_id, on)
    assert response.status_code == 201, response.text
    eligibility = response.json()["referral"]["eligibility"]
    assert eligibility["eligible"] is False
    assert eligibility["basis"] is None
    (flag,) = eligibility["flags"]
    assert "R23" in flag
    assert received.isoformat() in flag

    path = f"/ice-cases/{complaint_id}/acceptance"
    problem = assert_problem(await send(ice, path, office.examiner, {"accepted_on": on.isoformat()}), 422)
    assert error_fields(problem) == {"justification": "R30"}
    assert problem["requirement"] == "R30"
    justification = f"The complainant was told by the provider to go to ICE ({uuid.uuid4().hex[:6]})."
    accepted = await send(ice, path, office.examiner, {"accepted_on": on.isoformat(), "justification": justification})
    assert accepted.status_code == 200, accepted.text
    case = accepted.json()
    assert case["status"] == "gateway"
    assert case["accepted"] == {"accepted_on": on.isoformat(), "justification": justification}
    assert case["referral"]["eligibility"]["eligible"] is False, "the flag stays on the record"


async def test_a_referral_within_six_months_of_the_final_response_is_eligible(
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    provider: Provider,
    clock: FixedClock,
    auth: TokenFactory,
) -> None:
    on = today(clock)
    created = await _complaint(client, provider, on - timedelta(days=20))
    await _final_response(client, auth, provider, created, on - timedelta(days=5))
    response = await _refer(ice, office, created["complaint_id"], on)
    assert response.status_code == 201, response.text
    referral = response.json()["referral"]
    assert referral["eligibility"] == {"eligible": True, "basis": "final_response_within_six_months", "flags": []}
    assert referral["final_response_on"] == (on - timedelta(days=5)).isoformat()
    # The same complaint, referred without a justification, is accepted at once.
    accepted = await send(
        ice, f"/ice-cases/{created['complaint_id']}/acceptance", office.examiner, {"accepted_on": on.isoformat()}
    )
    assert accepted.status_code == 200, accepted.text


async def test_a_referral_more_than_six_months_after_the_final_response_is_flagged(
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    provider: Provider,
    clock: FixedClock,
    auth: TokenFactory,
) -> None:
    on = today(clock)
    final_on = on - timedelta(days=200)
    created = await _complaint(client, provider, final_on - timedelta(days=30))
    await _final_response(client, auth, provider, created, final_on)
    response = await _refer(ice, office, created["complaint_id"], on)
    assert response.status_code == 201, response.text
    eligibility = response.json()["referral"]["eligibility"]
    assert eligibility["eligible"] is False
    (flag,) = eligibility["flags"]
    assert "R24" in flag
    assert add_months(final_on, 6).isoformat() in flag


async def test_an_unknown_complaint_is_refused_naming_complaint_id(
    ice: httpx.AsyncClient, office: IceOffice, clock: FixedClock
) -> None:
    response = await _refer(ice, office, str(uuid.uuid4()), today(clock))
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {"complaint_id": "R30"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"complaint_id": "not-a-uuid", "referred_on": "2026-11-23"}, "complaint_id"),
        ({"referred_on": "2026-11-23"}, "complaint_id"),
        ({"complaint_id": str(uuid.uuid4())}, "referred_on"),
    ],
    ids=["not-a-uuid", "no-complaint", "no-date"],
)
async def test_a_malformed_referral_names_the_field(
    body: dict[str, Any], field: str, ice: httpx.AsyncClient, office: IceOffice
) -> None:
    problem = assert_problem(await send(ice, "/ice-cases", office.examiner, body), 422, "validation")
    assert set(error_fields(problem)) == {field}


async def test_a_referral_dated_after_today_or_before_receipt_is_refused(
    client: httpx.AsyncClient, ice: httpx.AsyncClient, office: IceOffice, provider: Provider, clock: FixedClock
) -> None:
    on = today(clock)
    created = await register_ok(client, provider.caseworker, provider.body(received_on=received_long_ago(clock)))
    complaint_id = created["complaint_id"]
    for day in (on + timedelta(days=1), date.fromisoformat(received_long_ago(clock)) - timedelta(days=1)):
        problem = assert_problem(await _refer(ice, office, complaint_id, day), 422, "validation")
        assert error_fields(problem) == {"referred_on": "R30"}
    assert (await _refer(ice, office, complaint_id, on)).status_code == 201


async def test_only_the_ice_office_records_a_referral(
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    provider: Provider,
    clock: FixedClock,
    auth: TokenFactory,
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body(received_on=received_long_ago(clock)))
    body = {"complaint_id": created["complaint_id"], "referred_on": today(clock).isoformat()}
    for caller in (
        auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD),
        auth("ice", OrganisationKind.ICE, Role.MI_ANALYST),
        office.phso,
        auth("dwp", OrganisationKind.DWP_BUSINESS, Role.DWP_ADMIN),
    ):
        problem = assert_problem(await send(ice, "/ice-cases", caller, body), 403, "forbidden")
        assert problem["requirement"] == "R30"
    missing = await ice.get(f"/ice-cases/{created['complaint_id']}", headers=office.examiner)
    assert_problem(missing, 404, "not-found")
    for role in (Role.ADJUDICATION_MANAGER, Role.HEAD_OF_OFFICE):
        other = await register_ok(client, provider.caseworker, provider.body(received_on=received_long_ago(clock)))
        made = await send(ice, "/ice-cases", auth("ice", OrganisationKind.ICE, role), {**body, **_id(other)})
        assert made.status_code == 201, made.text


def _id(created: dict[str, Any]) -> dict[str, str]:
    return {"complaint_id": created["complaint_id"]}


async def test_a_complaint_withdrawn_before_referral_is_refused(
    client: httpx.AsyncClient, ice: httpx.AsyncClient, office: IceOffice, provider: Provider, clock: FixedClock
) -> None:
    created = await register_ok(client, provider.caseworker, provider.body(received_on=received_long_ago(clock)))
    withdrawn = await send(
        client,
        f"/complaints/{created['complaint_id']}/withdrawal",
        provider.caseworker,
        {"withdrawn_on": today(clock).isoformat(), "reason": "Resolved elsewhere."},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    problem = assert_problem(await _refer(ice, office, created["complaint_id"], today(clock)), 409)
    assert problem["requirement"] == "R30"
