"""Routing endpoints (R3): redirection to the Jobcentre (000 14.04, 14.09, 14.20) and referral to the provider
(000 14.06-14.08): success, bad input (422 naming the field), wrong role (403), another organisation (404),
stale `If-Match` (412), an idempotent retry (R63), for each endpoint; and what each side sees and may do afterwards.
The rules themselves are tested on the decider (tests/unit/complaints/test_routing.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from tests.api.conftest import TokenFactory
from tests.api.helpers import (
    Directory,
    Provider,
    assert_problem,
    error_fields,
    eventually,
    list_all,
    register_ok,
)
from tests.api.test_intake_work import history_types, post, post_ok, today

REDIRECTED = "complaint.redirected.v1"
REFERRED = "complaint.referred_to_provider.v1"


@dataclass(frozen=True)
class Sides:
    provider: Provider
    jobcentre_id: str
    jobcentre: dict[str, str]
    """A caseworker of the Jobcentre."""
    other_jobcentre: dict[str, str]
    mi_analyst: dict[str, str]
    stranger: dict[str, str]
    """A caseworker of another provider."""

    async def complaint(self, client: httpx.AsyncClient, by: dict[str, str] | None = None, **overrides: Any) -> str:
        created = await register_ok(client, by or self.provider.caseworker, self.provider.body(**overrides))
        complaint_id: str = created["complaint_id"]
        return complaint_id


@pytest.fixture
async def sides(provider: Provider, directory: Directory, auth: TokenFactory) -> Sides:
    jobcentre_id = await directory.organisation(OrganisationKind.JOBCENTRE)
    other_jobcentre = await directory.organisation(OrganisationKind.JOBCENTRE)
    other_provider, _ = await directory.provider_with_contract()
    return Sides(
        provider=provider,
        jobcentre_id=jobcentre_id,
        jobcentre=auth(jobcentre_id, OrganisationKind.JOBCENTRE, Role.CASEWORKER),
        other_jobcentre=auth(other_jobcentre, OrganisationKind.JOBCENTRE, Role.CASEWORKER),
        mi_analyst=auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.MI_ANALYST),
        stranger=auth(other_provider, OrganisationKind.PROVIDER, Role.CASEWORKER),
    )


def redirection(sides: Sides, clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reason": "programme_policy",
        "to_organisation_id": sides.jobcentre_id,
        "redirected_on": today(clock),
    }
    body.update(overrides)
    return body


def discussion(clock: FixedClock) -> dict[str, Any]:
    return {"held_on": today(clock), "held_with": "complainant", "summary": "Talked it through."}


# Redirection (000 14.04, 14.09, 14.20)


async def test_a_redirected_complaint_is_owned_by_the_jobcentre_and_seen_by_both(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client)
    worker = sides.provider.caseworker
    assert (await client.get(f"/complaints/{complaint_id}", headers=sides.jobcentre)).status_code == 404

    redirected = await post_ok(client, worker, complaint_id, "redirection", redirection(sides, clock))
    expected = [
        {
            "kind": "redirection",
            "reason": "programme_policy",
            "from_organisation_id": sides.provider.organisation_id,
            "to_organisation_id": sides.jobcentre_id,
            "routed_on": today(clock),
        }
    ]
    assert redirected["routing"] == expected
    assert redirected["owner_organisation_id"] == sides.jobcentre_id

    # Visible to both sides, with the routing history (an event, never a deletion).
    for side in (worker, sides.jobcentre):
        seen = await client.get(f"/complaints/{complaint_id}", headers=side)
        assert seen.status_code == 200, seen.text
        assert seen.json()["routing"] == expected
        assert REDIRECTED in await history_types(client, side, complaint_id)
    assert (await client.get(f"/complaints/{complaint_id}", headers=sides.other_jobcentre)).status_code == 404

    # The Jobcentre's list shows it once the projection caught up.
    await eventually(
        lambda: list_all(client, sides.jobcentre),
        lambda items: any(i["complaint_id"] == complaint_id for i in items),
        what="the redirected complaint in the Jobcentre's list",
    )

    # The provider's work on it is refused; the Jobcentre works it.
    refused = await post(client, worker, complaint_id, "discussions", discussion(clock))
    problem = assert_problem(refused, 409, "rule-violation")
    assert problem["requirement"] == "R3"
    assert "14.09" in problem["guidance"]
    acknowledged = await post(
        client, worker, complaint_id, "acknowledgement", {"acknowledged_on": today(clock), "method": "letter"}
    )
    assert assert_problem(acknowledged, 409)["requirement"] == "R3"
    worked = await post_ok(client, sides.jobcentre, complaint_id, "discussions", discussion(clock))
    assert [d["summary"] for d in worked["discussions"]] == ["Talked it through."]


async def test_a_mixed_complaint_is_redirected(client: httpx.AsyncClient, sides: Sides, clock: FixedClock) -> None:
    complaint_id = await sides.complaint(client, about="mixed")
    body = redirection(sides, clock, reason="mixed_complaint")
    redirected = await post_ok(client, sides.provider.caseworker, complaint_id, "redirection", body)
    assert [r["reason"] for r in redirected["routing"]] == ["mixed_complaint"]


async def test_a_mixed_complaint_redirection_needs_a_mixed_complaint(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client)
    body = redirection(sides, clock, reason="mixed_complaint")
    response = await post(client, sides.provider.caseworker, complaint_id, "redirection", body)
    assert error_fields(assert_problem(response, 422)) == {"reason": "R3"}


@pytest.mark.parametrize("field", ["to_organisation_id", "reason", "redirected_on"])
async def test_bad_redirection_input_names_the_field(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock, field: str
) -> None:
    complaint_id = await sides.complaint(client)
    bad = {
        "to_organisation_id": sides.provider.organisation_id,  # a provider, not a Jobcentre
        "reason": "because",
        "redirected_on": "2026-11-19",  # before the date received
    }[field]
    response = await post(
        client, sides.provider.caseworker, complaint_id, "redirection", redirection(sides, clock, **{field: bad})
    )
    problem = assert_problem(response, 422)
    assert field in error_fields(problem)


async def test_a_redirected_complaint_is_not_redirected_again(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client)
    await post_ok(client, sides.provider.caseworker, complaint_id, "redirection", redirection(sides, clock))
    again = await post(client, sides.provider.caseworker, complaint_id, "redirection", redirection(sides, clock))
    assert assert_problem(again, 409, "rule-violation")["requirement"] == "R3"


async def test_a_withdrawn_complaint_is_not_redirected(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client)
    withdrawal = {"withdrawn_on": today(clock), "reason": "Sorted."}
    await post_ok(client, sides.provider.caseworker, complaint_id, "withdrawal", withdrawal)
    response = await post(client, sides.provider.caseworker, complaint_id, "redirection", redirection(sides, clock))
    assert_problem(response, 409, "rule-violation")


async def test_redirection_needs_a_working_role_of_a_provider(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client)
    body = redirection(sides, clock)
    assert_problem(await post(client, sides.mi_analyst, complaint_id, "redirection", body), 403)
    logged = await sides.complaint(client, by=sides.jobcentre)
    assert_problem(await post(client, sides.jobcentre, logged, "redirection", body), 403)


async def test_another_organisations_complaint_is_not_found(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client)
    response = await post(client, sides.stranger, complaint_id, "redirection", redirection(sides, clock))
    assert assert_problem(response, 404)["requirement"] == "R61"
    response = await post(client, sides.stranger, complaint_id, "referral-to-provider", {"referred_on": today(clock)})
    assert_problem(response, 404)


async def test_a_stale_if_match_is_412(client: httpx.AsyncClient, sides: Sides, clock: FixedClock) -> None:
    complaint_id = await sides.complaint(client)
    worker = sides.provider.caseworker
    await post_ok(client, worker, complaint_id, "discussions", discussion(clock))
    response = await post(client, worker, complaint_id, "redirection", redirection(sides, clock), if_match='"1"')
    assert assert_problem(response, 412, "precondition-failed")["requirement"] == "R63"
    assert REDIRECTED not in await history_types(client, worker, complaint_id)


async def test_a_retry_with_the_same_key_replays(client: httpx.AsyncClient, sides: Sides, clock: FixedClock) -> None:
    complaint_id = await sides.complaint(client)
    worker = sides.provider.caseworker
    key = str(uuid.uuid4())
    first = await post(client, worker, complaint_id, "redirection", redirection(sides, clock), key=key)
    again = await post(client, worker, complaint_id, "redirection", redirection(sides, clock), key=key)
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert (again.json(), again.headers["etag"]) == (first.json(), first.headers["etag"])
    assert (await history_types(client, worker, complaint_id)).count(REDIRECTED) == 1


# Referral to the provider (000 14.06-14.08)


async def test_a_referred_complaint_is_handled_by_the_provider_as_if_raised_directly(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client, by=sides.jobcentre)
    referred = await post_ok(
        client, sides.jobcentre, complaint_id, "referral-to-provider", {"referred_on": today(clock)}
    )
    assert referred["routing"] == [
        {
            "kind": "referral_to_provider",
            "reason": None,
            "from_organisation_id": sides.jobcentre_id,
            "to_organisation_id": sides.provider.organisation_id,
            "routed_on": today(clock),
        }
    ]
    worker = sides.provider.caseworker
    assert REFERRED in await history_types(client, worker, complaint_id)
    # A full provider action: a resolution plan, then the stage 1 response.
    planned = await post_ok(
        client,
        worker,
        complaint_id,
        "resolution-actions",
        {"actions": [{"description": "Rebook", "due_on": "2026-12-04", "owner": "leeds-team"}]},
    )
    assert [a["action_id"] for a in planned["resolution_plan"]] == ["A1"]
    answered = await post_ok(
        client,
        worker,
        complaint_id,
        "responses",
        {
            "stage": 1,
            "final": False,
            "issued_on": today(clock),
            "text": "Dear Sam, we have looked into your complaint.",
            "findings": [{"element_id": "E1", "desired_outcome_achievable": True}],
        },
    )
    assert [r["stage"] for r in answered["responses"]] == [1]
    # Still visible to the Jobcentre that logged it.
    assert (await client.get(f"/complaints/{complaint_id}", headers=sides.jobcentre)).status_code == 200


async def test_only_the_jobcentre_that_logged_it_refers_it(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client, by=sides.jobcentre)
    body = {"referred_on": today(clock)}
    problem = assert_problem(
        await post(client, sides.provider.caseworker, complaint_id, "referral-to-provider", body), 403
    )
    assert problem["requirement"] == "R3"
    own = await sides.complaint(client)
    assert_problem(await post(client, sides.provider.caseworker, own, "referral-to-provider", body), 403)


async def test_only_a_complaint_about_the_provider_is_referred(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client, by=sides.jobcentre, about="mixed")
    response = await post(client, sides.jobcentre, complaint_id, "referral-to-provider", {"referred_on": today(clock)})
    assert assert_problem(response, 409, "rule-violation")["requirement"] == "R3"


async def test_bad_referral_input_names_the_field(client: httpx.AsyncClient, sides: Sides, clock: FixedClock) -> None:
    complaint_id = await sides.complaint(client, by=sides.jobcentre)
    response = await post(client, sides.jobcentre, complaint_id, "referral-to-provider", {"referred_on": "2026-11-19"})
    assert error_fields(assert_problem(response, 422)) == {"referred_on": "R3"}


async def test_the_receiving_jobcentre_sees_the_deadlines_and_owns_them(
    client: httpx.AsyncClient, escalation: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client)
    url = f"/complaints/{complaint_id}/deadlines"
    assert (await escalation.get(url, headers=sides.jobcentre)).status_code == 404
    await post_ok(client, sides.provider.caseworker, complaint_id, "redirection", redirection(sides, clock))
    seen = await escalation.get(url, headers=sides.jobcentre)
    assert seen.status_code == 200, seen.text
    assert seen.json()["owner"] == "jobcentre"
    assert (await escalation.get(url, headers=sides.provider.caseworker)).status_code == 200
    assert (await escalation.get(url, headers=sides.other_jobcentre)).status_code == 404


async def test_referral_needs_a_working_role(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock, auth: TokenFactory
) -> None:
    complaint_id = await sides.complaint(client, by=sides.jobcentre)
    analyst = auth(sides.jobcentre_id, OrganisationKind.JOBCENTRE, Role.MI_ANALYST)
    response = await post(client, analyst, complaint_id, "referral-to-provider", {"referred_on": today(clock)})
    problem = assert_problem(response, 403, "forbidden")
    assert problem["requirement"] == "R61"
    assert problem["required_roles"]
    assert REFERRED not in await history_types(client, sides.jobcentre, complaint_id)


async def test_a_referral_with_a_stale_if_match_is_412(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client, by=sides.jobcentre)
    await post_ok(client, sides.jobcentre, complaint_id, "discussions", discussion(clock))
    response = await post(
        client, sides.jobcentre, complaint_id, "referral-to-provider", {"referred_on": today(clock)}, if_match='"1"'
    )
    problem = assert_problem(response, 412, "precondition-failed")
    assert (problem["requirement"], problem["current_version"]) == ("R63", 2)
    assert REFERRED not in await history_types(client, sides.jobcentre, complaint_id)


async def test_a_referral_retried_with_the_same_key_replays(
    client: httpx.AsyncClient, sides: Sides, clock: FixedClock
) -> None:
    complaint_id = await sides.complaint(client, by=sides.jobcentre)
    key = str(uuid.uuid4())
    body = {"referred_on": today(clock)}
    first = await post(client, sides.jobcentre, complaint_id, "referral-to-provider", body, key=key)
    again = await post(client, sides.jobcentre, complaint_id, "referral-to-provider", body, key=key)
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert (again.json(), again.headers["etag"]) == (first.json(), first.headers["etag"])
    assert (await history_types(client, sides.jobcentre, complaint_id)).count(REFERRED) == 1
