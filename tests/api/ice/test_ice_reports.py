"""After the final report (R35, R36, R39, R62): no appeal exists, for anyone who can see the case; systemic
recommendations tracked per provider until actioned; the contribution to costs assessed exactly once, and not due
for a small or old contract or when nothing is upheld; free text sealed in the log but shown to those allowed."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.ice_gateway.process import FeeProcessManager
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from shared.db import raw_connection
from shared.http.platform import Platform
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, assert_problem, error_fields, eventually, register_ok
from tests.api.ice import steps
from tests.api.ice.conftest import Referred
from tests.api.ice.helpers import Case, IceOffice, contract_valued, draft_body, received_long_ago, today
from tests.api.ice.steps import Headers, World, send, version_of, world_of

FEE_ASSESSED = "ice.contribution_to_costs_assessed"


async def _refer(
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    provider: Provider,
    auth: TokenFactory,
    clock: FixedClock,
    logged_by: Headers | None = None,
    **overrides: Any,
) -> Referred:
    """A complaint of `provider` (logged by `logged_by`, by default its caseworker) referred to ICE today."""
    body = provider.body(received_on=received_long_ago(clock), **overrides)
    created = await register_ok(client, logged_by or provider.caseworker, body)
    on = today(clock).isoformat()
    response = await send(
        ice, "/ice-cases", office.examiner, {"complaint_id": created["complaint_id"], "referred_on": on}
    )
    assert response.status_code == 201, response.text
    lead = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD)
    case = Case(ice, office, lead, created["complaint_id"], on)
    return Referred(case, provider, lead, [e["element_id"] for e in created["elements"]])


# No appeal (R35; 000 14.38)


async def test_an_appeal_is_refused_with_409_citing_000_14_38_for_everyone_who_sees_the_case(
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    provider: Provider,
    directory: Directory,
    auth: TokenFactory,
    clock: FixedClock,
) -> None:
    jobcentre_id = await directory.organisation(OrganisationKind.JOBCENTRE)
    jobcentre = auth(jobcentre_id, OrganisationKind.JOBCENTRE, Role.CASEWORKER)
    prime = await directory.organisation(OrganisationKind.PROVIDER)
    await directory.link(prime, provider.organisation_id)
    referred = await _refer(client, ice, office, provider, auth, clock, logged_by=jobcentre)
    w = world_of(referred, auth, office)
    await steps.phso_referred(w)
    version = await version_of(w)

    everyone = {
        "complaints lead": w.lead,
        "caseworker": w.caseworker,
        "senior manager": auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.SENIOR_MANAGER),
        "prime": auth(prime, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD),
        "examiner": office.examiner,
        "adjudication manager": office.adjudication_manager,
        "head of office": office.head_of_office,
        "ombudsman": office.phso,
        "jobcentre that logged it": jobcentre,
        "dwp admin": w.admin,
    }
    for who, headers in everyone.items():
        assert (await ice.get(w.path, headers=headers)).status_code == 200, who
        for body in (None, {"grounds": "We disagree with the findings."}):
            problem = assert_problem(await send(ice, w.path + "/appeals", headers, body), 409, "rule-violation")
            assert problem["requirement"] == "R35", who
            assert problem["guidance"] == "000 14.38", who
            assert "no right of appeal" in problem["detail"], who
    # Out of scope looks like absent, as everywhere (R61).
    assert_problem(await send(ice, w.path + "/appeals", w.other, None), 404, "not-found")
    assert_problem(await send(ice, f"/ice-cases/{uuid.uuid4()}/appeals", office.examiner, None), 404, "not-found")
    assert await version_of(w) == version, "an appeal records nothing"
    assert (await w.case.get())["no_appeal"].endswith("(000 14.38).")


async def test_there_is_no_appeal_at_any_stage(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    for step in (steps.nothing, steps.accepted):
        await step(w)
        problem = assert_problem(await send(ice, w.path + "/appeals", w.lead, {}), 409, "rule-violation")
        assert (problem["requirement"], problem["guidance"]) == ("R35", "000 14.38")


# Systemic recommendations (R39; 000 14.27, 14.37)


async def test_a_systemic_recommendation_is_tracked_per_provider_until_actioned(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.reported(w)

    async def listed(headers: Headers, **params: Any) -> list[dict[str, Any]]:
        response = await ice.get(
            "/recommendations", headers=headers, params={"provider_organisation_id": w.provider_id, **params}
        )
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        return rows

    async def open_systemic() -> list[dict[str, Any]]:
        return await listed(w.lead)

    rows = await eventually(open_systemic, lambda r: len(r) == 1, what="the systemic recommendation listed")
    assert rows == [
        {
            "case_id": w.case.case_id,
            "recommendation_id": "r2",
            "provider_organisation_id": w.provider_id,
            "kind": "systemic",
            "report_date": w.on,
            "actioned_on": None,
        }
    ]
    assert [r["recommendation_id"] for r in await listed(w.lead, kind="case_specific")] == ["r1"]
    assert [r["recommendation_id"] for r in await listed(office.examiner)] == ["r2"]
    assert await listed(w.other) == [], "another provider does not see them (R61)"

    await w.case.post("/recommendations/r2/actioned", w.lead, {"actioned_on": w.on})
    await eventually(open_systemic, lambda r: r == [], what="the actioned recommendation gone from the open list")
    closed = await listed(w.lead, open="false")
    assert [(r["recommendation_id"], r["actioned_on"]) for r in closed] == [("r2", w.on)]
    # Actioned once: a second time is refused (R39), and an unknown recommendation too.
    again = await send(ice, w.path + "/recommendations/r2/actioned", w.lead, {"actioned_on": w.on})
    assert assert_problem(again, 409)["requirement"] == "R39"
    unknown = await send(ice, w.path + "/recommendations/r9/actioned", w.lead, {"actioned_on": w.on})
    assert assert_problem(unknown, 409)["requirement"] == "R39"


# The contribution to costs (R36)


async def _stream(platform: Platform, case_id: str) -> list[Any]:
    return list(await platform.store.read_stream("ice-" + case_id))


async def test_the_fee_process_manager_assesses_the_fee_exactly_once(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice_platform: Platform
) -> None:
    w = world_of(referred, auth, office)
    await steps.reported(w)
    case = await w.case.get()
    fee = case["contribution_to_costs"]
    assert (fee["due"], fee["amount_pence"], fee["report_id"]) == (True, 500_000, "fr1")
    assert "at or above £50,000" in fee["reason"]
    assert fee["schedule_version"] == "2011-04-01"
    recorded = await _stream(ice_platform, w.case.case_id)
    assert [r.type for r in recorded].count(FEE_ASSESSED) == 1
    (report,) = [r for r in recorded if r.type == "ice.final_report_issued"]

    # The report event seen again (a redelivered batch, a second instance): nothing more is appended.
    manager = FeeProcessManager(ice_platform)
    await manager.assess(report)
    await manager.handle(None, [report, report])
    after = await _stream(ice_platform, w.case.case_id)
    assert [r.type for r in after].count(FEE_ASSESSED) == 1
    assert len(after) == len(recorded)
    assert (await w.case.get())["contribution_to_costs"] == fee


@pytest.mark.parametrize(
    ("value_pence", "let_on", "due"),
    [
        (4_999_999, "2024-04-01", False),
        (5_000_000, "2011-04-01", True),
        (5_000_000, "2011-03-31", False),
    ],
    ids=["49999.99-pounds", "50000-pounds-let-1-april-2011", "let-31-march-2011"],
)
async def test_the_fee_follows_the_contract_value_and_let_date(
    value_pence: int,
    let_on: str,
    due: bool,
    provider: Provider,
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    admin: dict[str, str],
    auth: TokenFactory,
    clock: FixedClock,
    ice_platform: Platform,
) -> None:
    contract_id = await contract_valued(client, admin, provider.organisation_id, value_pence, let_on)
    referred = await _refer(client, ice, office, provider, auth, clock, contract_id=contract_id)
    w = world_of(referred, auth, office)
    case = await w.case.get()
    assert case["referral"]["contract"] == {
        "contract_id": contract_id,
        "value_pence": value_pence,
        "let_or_renewed_on": let_on,
    }
    await steps.reported(w)
    case = await w.case.get()
    fee = case["contribution_to_costs"]
    assert fee["due"] is due
    assert fee["amount_pence"] == (500_000 if due else 0)
    assert fee["rule_version"].startswith("fee-rule@v1")
    assert ("fee" in {p["target"] for p in case["payments"]}) is due
    if not due:
        assert contract_id in fee["reason"]
        assert fee["due_on"] is None
        body = {"payment_id": "pay-fee", "target": "fee", "amount_pence": 500_000, "paid_on": w.on}
        problem = assert_problem(await send(ice, w.path + "/payments", w.lead, body), 422, "validation")
        assert error_fields(problem) == {"target": "R36"}
    assert [r.type for r in await _stream(ice_platform, w.case.case_id)].count(FEE_ASSESSED) == 1


async def test_no_fee_when_nothing_is_upheld_and_a_fee_when_partly_upheld(
    referred: Referred,
    provider: Provider,
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    auth: TokenFactory,
    clock: FixedClock,
) -> None:
    w = world_of(referred, auth, office)
    await steps.commented(w)
    await w.case.post("/final-report", office.examiner, steps.final_report_body(w, "not_upheld", redress=[]))
    await steps.fee_assessed(w)
    case = await w.case.get()
    assert case["final_report"]["outcome"] == "not_upheld"
    assert case["closure"]["fault_found"] is False
    assert case["contribution_to_costs"]["due"] is False
    assert "not upheld" in case["contribution_to_costs"]["reason"]
    assert case["payments"] == []

    # Two elements, one upheld: partly upheld, which counts as upheld for the fee (R35, R36).
    elements = [
        {"category": "d_you_take_too_long", "summary": "Cancelled three times.", "desired_outcome": "An apology."},
        {"category": "a_staff_dont_treat_me_with_respect", "summary": "The adviser was rude.", "desired_outcome": "x"},
    ]
    two = world_of(await _refer(client, ice, office, provider, auth, clock, elements=elements), auth, office)
    assert len(two.element_ids) == 2
    await steps.commented(two)
    findings = [
        {"element_id": two.element_ids[0], "finding": "upheld"},
        {"element_id": two.element_ids[1], "finding": "not_upheld"},
    ]
    await two.case.post("/final-report", office.examiner, steps.final_report_body(two, findings=findings))
    await steps.fee_assessed(two)
    case = await two.case.get()
    assert case["final_report"]["outcome"] == "partly_upheld"
    assert case["contribution_to_costs"]["due"] is True


async def test_dwp_contract_management_records_the_fee_it_recovered(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient
) -> None:
    w = world_of(referred, auth, office)
    await steps.reported(w)
    contract_manager = auth("dwp", OrganisationKind.DWP_BUSINESS, Role.CONTRACT_MANAGER)
    body = {"payment_id": "pay-fee", "target": "fee", "amount_pence": 500_000, "paid_on": w.on}
    paid = await send(ice, w.path + "/payments", contract_manager, body)
    assert paid.status_code == 200, paid.text


# Personal data (R62)


async def test_free_text_is_sealed_in_the_log_and_revealed_to_those_allowed(
    referred: Referred, auth: TokenFactory, office: IceOffice, ice: httpx.AsyncClient, ice_platform: Platform
) -> None:
    w = world_of(referred, auth, office)
    tag = uuid.uuid4().hex
    passage = f"Mr Example told the adviser about his diagnosis ({tag}-passage)."
    detail = f"Mr Example's letter of 4 March says otherwise ({tag}-detail)."
    justification = f"Mr Example was in hospital ({tag}-justification)."
    await w.case.post("/acceptance", office.examiner, {"accepted_on": w.on, "justification": justification})
    for stage in ("/requests", "/requests/gw/confirmation", "/gateway-pass", "/next-stage", "/next-stage"):
        await _step(w, stage)
    draft = draft_body(
        "d1",
        w.on,
        w.element_ids,
        passages=[{"passage_id": "p1", "text": passage}],
        findings=[{"element_id": e, "finding": "upheld", "passage_ids": ["p1"]} for e in w.element_ids],
    )
    await w.case.post("/draft-reports", office.examiner, draft)
    challenge = steps.challenge_body(
        w, grounds=[{"ground": "misinterpretation_of_case_events", "passage_id": "p1", "detail": detail}]
    )
    await w.case.post("/challenges", w.lead, challenge)

    async with raw_connection(ice_platform.pool) as conn:
        rows = await conn.fetch("SELECT data::text AS data FROM events WHERE stream_id = $1", "ice-" + w.case.case_id)
        stored = await conn.fetch(
            "SELECT key FROM idempotency_keys WHERE position($1::bytea in body) > 0", tag.encode()
        )
    log = "\n".join(r["data"] for r in rows)
    assert len(rows) >= 8
    assert tag not in log, "free text is never in the log in plain text"
    assert log.count('"$personal"') >= 3
    assert stored == [], "nor in stored responses"

    for allowed in (w.lead, office.examiner, office.adjudication_manager):
        case = await w.case.get(allowed)
        assert case["accepted"]["justification"] == justification
        assert case["drafts"][0]["passages"] == [{"passage_id": "p1", "text": passage}]
        assert case["challenges"][0]["grounds"][0]["detail"] == detail
    assert_problem(await ice.get(w.path, headers=w.other), 404, "not-found")


async def _step(w: World, suffix: str) -> None:
    """The gateway and the first two stages, without free text."""
    bodies: dict[str, tuple[Headers, dict[str, Any]]] = {
        "/requests": (
            w.office.examiner,
            {"request_id": "gw", "kind": "confirmation", "made_on": w.on, "steps": ["Final response"]},
        ),
        "/requests/gw/confirmation": (w.lead, {"confirmed_on": w.on}),
        "/gateway-pass": (w.office.examiner, {"passed_on": w.on}),
        "/next-stage": (w.office.examiner, {"moved_on": w.on}),
    }
    headers, body = bodies[suffix]
    await w.case.post(suffix, headers, body)
