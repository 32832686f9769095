"""Who sees an ICE case (R61): a provider its own and its sub-contractors', never another's (GET, list and evidence
download all answer as if absent); ICE and DWP administrators all; the ombudsman only once the case is referred to
it; a Jobcentre the cases it logged. And the list: filters by status and provider, cursor pagination. The list is a
read model, so it is polled; every filter names a fresh provider so other tests' rows never matter."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, assert_problem, error_fields, eventually, register_ok
from tests.api.ice import steps
from tests.api.ice.conftest import Referred
from tests.api.ice.helpers import Case, IceOffice, draft_body, received_long_ago, today
from tests.api.ice.steps import World, send, world_of

Headers = dict[str, str]


async def _page(ice: httpx.AsyncClient, headers: Headers, **params: Any) -> dict[str, Any]:
    response = await ice.get("/ice-cases", headers=headers, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def _listed(ice: httpx.AsyncClient, headers: Headers, **params: Any) -> list[dict[str, Any]]:
    """Every item of the list, following the cursor."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 200, **params}
    for _ in range(100):
        page = await _page(ice, headers, **query)
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        query["cursor"] = page["next_cursor"]
    raise AssertionError("the list never ended")


async def _eventually_listed(
    ice: httpx.AsyncClient,
    headers: Headers,
    until: Callable[[list[str]], bool],
    what: str,
    **params: Any,
) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        return await _listed(ice, headers, **params)

    return await eventually(probe, lambda items: until([i["case_id"] for i in items]), what=what)


async def _sees(ice: httpx.AsyncClient, headers: Headers, case_id: str) -> bool:
    response = await ice.get(f"/ice-cases/{case_id}", headers=headers)
    if response.status_code == 200:
        assert response.json()["case_id"] == case_id
        return True
    problem = assert_problem(response, 404, "not-found")
    assert problem["requirement"] == "R61"
    return False


async def _with_evidence(w: World, ice: httpx.AsyncClient) -> tuple[str, bytes]:
    await w.case.to_settlement()
    await w.case.post(
        "/evidence-requests",
        w.office.examiner,
        {
            "request_id": "ev1",
            "requested_on": w.on,
            "items": [{"item_id": "papers", "kind": "case_papers", "description": "The complaint file"}],
        },
    )
    content = b"%PDF-1.7 the complaint file\n" * 64
    url = f"{w.path}/evidence-requests/ev1/items/papers/content"
    uploaded = await ice.put(url, headers={**w.lead, "Content-Type": "application/pdf"}, content=content)
    assert uploaded.status_code == 200, uploaded.text
    return url, content


async def test_a_provider_never_sees_another_providers_case(
    referred: Referred,
    auth: TokenFactory,
    office: IceOffice,
    ice: httpx.AsyncClient,
    directory: Directory,
) -> None:
    w = world_of(referred, auth, office)
    url, content = await _with_evidence(w, ice)
    other_id = await directory.organisation(OrganisationKind.PROVIDER)
    other = auth(other_id, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD, Role.SENIOR_MANAGER)
    case_id = w.case.case_id

    # The owner and ICE see it, its evidence and its row in the list.
    assert await _sees(ice, w.lead, case_id)
    for allowed in (w.lead, w.caseworker, office.examiner):
        download = await ice.get(url, headers=allowed)
        assert download.status_code == 200, download.text
        assert download.content == content
        assert download.headers["content-type"] == "application/pdf"
    await _eventually_listed(
        ice, w.lead, lambda ids: ids == [case_id], "the case listed", provider_organisation_id=w.provider_id
    )

    # Another provider: exactly as if it did not exist.
    assert not await _sees(ice, other, case_id)
    hidden = assert_problem(await ice.get(url, headers=other), 404, "not-found")
    absent = assert_problem(await ice.get(url.replace(case_id, _unknown()), headers=other), 404, "not-found")
    assert (hidden["title"], hidden["requirement"]) == (absent["title"], absent["requirement"]) == ("Not found", "R61")
    assert await _listed(ice, other, provider_organisation_id=w.provider_id) == []
    assert case_id not in [i["case_id"] for i in await _listed(ice, other)]
    # ... and what it cannot see it cannot change either.
    refused = await send(ice, f"{w.path}/proposals", other, {"proposal_id": "x", "proposed_on": w.on, "proposal": "x"})
    assert_problem(refused, 404, "not-found")


def _unknown() -> str:
    return str(uuid.uuid4())


async def test_a_prime_sees_its_subcontractors_cases_but_not_the_reverse(
    referred: Referred,
    ice: httpx.AsyncClient,
    office: IceOffice,
    client: httpx.AsyncClient,
    directory: Directory,
    auth: TokenFactory,
    clock: FixedClock,
) -> None:
    sub = referred.provider.organisation_id
    prime = await directory.organisation(OrganisationKind.PROVIDER)
    prime_contract = await directory.contract(prime)
    await directory.link(prime, sub)
    prime_lead = auth(prime, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD)
    prime_worker = auth(prime, OrganisationKind.PROVIDER, Role.CASEWORKER)
    prime_case = await _referred_case(client, ice, office, Provider(prime, prime_contract, prime_worker), clock)

    assert await _sees(ice, prime_lead, referred.case.case_id)
    assert await _sees(ice, prime_lead, prime_case)
    assert not await _sees(ice, referred.lead, prime_case)
    await _eventually_listed(
        ice,
        prime_lead,
        lambda ids: ids == [referred.case.case_id],
        "the sub-contractor's case in the prime's list",
        provider_organisation_id=sub,
    )
    assert await _listed(ice, referred.lead, provider_organisation_id=prime) == []
    # The prime's complaints lead acts on its sub-contractor's case like its own (R61).
    w = world_of(referred, auth, office)
    await w.case.accept_and_pass_gateway()
    on = w.on
    await w.case.post("/next-stage", office.examiner, {"moved_on": on})
    await w.case.post("/next-stage", office.examiner, {"moved_on": on})
    await w.case.post("/draft-reports", office.examiner, draft_body("d1", on, w.element_ids))
    commented = await send(
        ice, f"{w.path}/draft-reports/d1/comments", prime_lead, {"comments": "Seen.", "submitted_on": on}
    )
    assert commented.status_code == 200, commented.text


async def _referred_case(
    client: httpx.AsyncClient, ice: httpx.AsyncClient, office: IceOffice, provider: Provider, clock: FixedClock
) -> str:
    created = await register_ok(client, provider.caseworker, provider.body(received_on=received_long_ago(clock)))
    complaint_id: str = created["complaint_id"]
    body = {"complaint_id": complaint_id, "referred_on": today(clock).isoformat()}
    response = await send(ice, "/ice-cases", office.examiner, body)
    assert response.status_code == 201, response.text
    return complaint_id


async def test_ice_and_dwp_administrators_see_every_case(
    referred: Referred, ice: httpx.AsyncClient, office: IceOffice, auth: TokenFactory
) -> None:
    w = world_of(referred, auth, office)
    for caller in (office.examiner, office.adjudication_manager, office.head_of_office, w.ice_analyst, w.admin):
        assert await _sees(ice, caller, w.case.case_id)
        await _eventually_listed(
            ice, caller, lambda ids: ids == [w.case.case_id], "the case listed", provider_organisation_id=w.provider_id
        )
    # A DWP user with no administrator role sees none.
    dwp_analyst = auth("dwp", OrganisationKind.DWP_BUSINESS, Role.MI_ANALYST)
    assert not await _sees(ice, dwp_analyst, w.case.case_id)


async def test_the_ombudsman_sees_a_case_only_once_it_is_referred_to_it(
    referred: Referred, ice: httpx.AsyncClient, office: IceOffice, auth: TokenFactory
) -> None:
    w = world_of(referred, auth, office)
    case_id = w.case.case_id
    assert not await _sees(ice, office.phso, case_id)
    await _eventually_listed(
        ice, office.examiner, lambda ids: ids == [case_id], "the case listed", provider_organisation_id=w.provider_id
    )
    assert await _listed(ice, office.phso, provider_organisation_id=w.provider_id) == []
    acceptance = await send(ice, f"{w.path}/phso-acceptance", office.phso, {"accepted_on": w.on})
    assert_problem(acceptance, 404, "not-found")

    await w.case.post("/phso-referral", office.phso, {"route": "phso_via_mp", "referred_on": w.on})
    assert await _sees(ice, office.phso, case_id)
    listed = await _eventually_listed(
        ice,
        office.phso,
        lambda ids: ids == [case_id],
        "the referred case listed",
        provider_organisation_id=w.provider_id,
    )
    assert listed[0]["phso_referred_on"] == w.on


async def test_a_jobcentre_sees_only_the_cases_it_logged(
    referred: Referred,
    provider: Provider,
    ice: httpx.AsyncClient,
    client: httpx.AsyncClient,
    office: IceOffice,
    directory: Directory,
    auth: TokenFactory,
    clock: FixedClock,
) -> None:
    jobcentre_id = await directory.organisation(OrganisationKind.JOBCENTRE)
    other_id = await directory.organisation(OrganisationKind.JOBCENTRE)
    jobcentre = auth(jobcentre_id, OrganisationKind.JOBCENTRE, Role.CASEWORKER)
    other = auth(other_id, OrganisationKind.JOBCENTRE, Role.CASEWORKER)
    logged = await _referred_case(
        client, ice, office, Provider(provider.organisation_id, provider.contract_id, jobcentre), clock
    )

    assert await _sees(ice, jobcentre, logged)
    assert not await _sees(ice, other, logged)
    assert not await _sees(ice, jobcentre, referred.case.case_id), "logged by the provider, not this Jobcentre"
    assert await _sees(ice, auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER), logged)
    await _eventually_listed(
        ice,
        jobcentre,
        lambda ids: ids == [logged],
        "the logged case listed",
        provider_organisation_id=provider.organisation_id,
    )
    assert await _listed(ice, other, provider_organisation_id=provider.organisation_id) == []
    # Seeing is not acting: ICE's and the provider's steps are not the Jobcentre's.
    refused = await send(ice, f"/ice-cases/{logged}/acceptance", jobcentre, {"accepted_on": today(clock).isoformat()})
    assert_problem(refused, 403, "forbidden")


async def test_the_list_filters_by_status_and_provider_and_pages_with_a_cursor(
    provider: Provider,
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    auth: TokenFactory,
    clock: FixedClock,
) -> None:
    org = provider.organisation_id
    ids = [await _referred_case(client, ice, office, provider, clock) for _ in range(3)]
    on = today(clock).isoformat()
    accepted = Case(ice, office, provider.caseworker, ids[1], on)
    await accepted.post("/acceptance", office.examiner, {"accepted_on": on})

    everything = await _eventually_listed(
        ice, office.examiner, lambda found: sorted(found) == sorted(ids), "three cases", provider_organisation_id=org
    )
    gateway = await _eventually_listed(
        ice,
        office.examiner,
        lambda found: found == [ids[1]],
        "the accepted case at the gateway",
        provider_organisation_id=org,
        status="gateway",
    )
    assert gateway[0] == {
        "case_id": ids[1],
        "provider_organisation_id": org,
        "programme": "ipes",
        "nation": "england",
        "status": "gateway",
        "stage": None,
        "eligible": True,
        "referred_on": on,
        "closed_on": None,
        "closure": None,
        "outcome": None,
        "phso_referred_on": None,
    }
    referred_only = await _listed(ice, office.examiner, provider_organisation_id=org, status="referred")
    assert sorted(i["case_id"] for i in referred_only) == sorted([ids[0], ids[2]])
    assert await _listed(ice, office.examiner, provider_organisation_id=org, status="closed") == []

    # One at a time, following the cursor: the same cases in the same order, none twice.
    paged: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"provider_organisation_id": org, "limit": 1}
        if cursor is not None:
            params["cursor"] = cursor
        page = await _page(ice, office.examiner, **params)
        paged += [i["case_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == [i["case_id"] for i in everything]
    assert len(set(paged)) == 3
    # The provider's own lead sees the same list.
    lead = auth(org, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD)
    assert [i["case_id"] for i in await _listed(ice, lead, provider_organisation_id=org)] == paged


async def test_the_list_refuses_a_bad_cursor_or_limit(ice: httpx.AsyncClient, office: IceOffice) -> None:
    problem = assert_problem(
        await ice.get("/ice-cases", headers=office.examiner, params={"cursor": "bm90LWEtY3Vyc29y"}), 422, "validation"
    )
    assert error_fields(problem) == {"cursor": "format"}
    for params, field in (({"limit": 0}, "query.limit"), ({"status": "lost"}, "query.status")):
        problem = assert_problem(await ice.get("/ice-cases", headers=office.examiner, params=params), 422)
        assert set(error_fields(problem)) == {field}
    unauthenticated = await ice.get("/ice-cases")
    assert_problem(unauthenticated, 401, "unauthorized")


async def test_the_list_row_follows_the_case_to_its_final_report(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.reported(w)
    rows = await _eventually_listed(
        ice,
        w.lead,
        lambda ids: ids == [w.case.case_id],
        "the closed case listed",
        provider_organisation_id=w.provider_id,
        status="closed",
    )
    assert (rows[0]["stage"], rows[0]["closure"], rows[0]["outcome"], rows[0]["closed_on"]) == (
        "investigation",
        "final_report",
        "upheld",
        w.on,
    )


async def test_a_staff_complaint_stays_hidden_from_those_not_cleared_for_it(
    provider: Provider,
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    auth: TokenFactory,
    clock: FixedClock,
) -> None:
    cleared = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, Role.STAFF_COMPLAINTS)
    body = provider.body(
        received_on=received_long_ago(clock), staff_complaint={"responsible_team_leader_user_id": "team-leader-1"}
    )
    created = await register_ok(client, cleared, body)
    complaint_id = created["complaint_id"]
    assert_problem(await client.get(f"/complaints/{complaint_id}", headers=provider.caseworker), 404)
    referral = await send(
        ice, "/ice-cases", office.examiner, {"complaint_id": complaint_id, "referred_on": today(clock).isoformat()}
    )
    assert referral.status_code == 201, referral.text
    assert await _sees(ice, cleared, complaint_id)
    assert not await _sees(ice, provider.caseworker, complaint_id)
