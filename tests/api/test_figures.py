"""Reporting: complaints received, grouped, as JSON and CSV, scoped by organisation (R50, R51).

Expected figures are counted by hand from the complaints each test registers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.reporting.main import create_app as create_reporting
from services.reporting.settings import ReportingSettings
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from tests.api.conftest import TokenFactory
from tests.api.helpers import Provider, assert_problem, eventually, register

TOO_LONG, WRONG, RESPECT = "d_you_take_too_long", "e_youve_got_it_wrong", "a_staff_dont_treat_me_with_respect"


@pytest.fixture(scope="module")
async def reporting(database_url: str, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
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
        yield c


def element(category: str) -> dict[str, str]:
    return {"category": category, "summary": "what happened"}


async def _register_set(client: httpx.AsyncClient, provider: Provider) -> None:
    for received_on, channel, categories in (
        ("2026-09-10", "phone", [TOO_LONG]),
        ("2026-09-20", "letter", [TOO_LONG, WRONG]),
        ("2026-10-05", "phone", [RESPECT]),
    ):
        body = provider.body(received_on=received_on, channel=channel, elements=[element(c) for c in categories])
        assert (await register(client, provider.caseworker, body)).status_code == 201


async def test_complaints_received_by_month_and_category(
    client: httpx.AsyncClient, reporting: httpx.AsyncClient, provider: Provider, auth: TokenFactory
) -> None:
    await _register_set(client, provider)
    mi = auth("dwp-mi", OrganisationKind.DWP_MI, Role.MI_ANALYST)
    params: dict[str, Any] = {"from": "2026-09-01", "to": "2026-10-31", "group_by": ["provider"], "period": "month"}

    async def mine() -> list[dict[str, Any]]:
        body = (await reporting.get("/figures/complaints-received", params=params, headers=mi)).json()
        return [r for r in body["rows"] if r["provider"] == provider.organisation_id]

    rows = await eventually(mine, lambda r: sum(x["complaints"] for x in r) == 3, what="three complaints")
    assert rows == [
        {"provider": provider.organisation_id, "month": "2026-09", "complaints": 2, "withdrawn": 0},
        {"provider": provider.organisation_id, "month": "2026-10", "complaints": 1, "withdrawn": 0},
    ]

    by_category = await reporting.get(
        "/figures/complaints-received",
        params={"from": "2026-09-01", "to": "2026-10-31", "group_by": ["provider", "category"]},
        headers=provider.caseworker,
    )
    body = by_category.json()
    assert body["columns"] == ["provider", "category", "complaints", "withdrawn"]
    assert body["last_event_at"] is not None
    assert [(r["category"], r["complaints"]) for r in body["rows"]] == [(RESPECT, 1), (TOO_LONG, 2), (WRONG, 1)]

    september_by_channel = await reporting.get(
        "/figures/complaints-received",
        params={"from": "2026-09-01", "to": "2026-09-30", "group_by": ["channel"]},
        headers=provider.caseworker,
    )
    assert [(r["channel"], r["complaints"]) for r in september_by_channel.json()["rows"]] == [
        ("letter", 1),
        ("phone", 1),
    ]


async def test_csv_parses_back_with_a_header_row(
    client: httpx.AsyncClient, reporting: httpx.AsyncClient, provider: Provider
) -> None:
    await _register_set(client, provider)
    params = {"from": "2026-09-01", "to": "2026-10-31", "group_by": ["programme", "nation"], "period": "quarter"}

    async def as_csv() -> list[dict[str, str]]:
        response = await reporting.get(
            "/figures/complaints-received", params=params, headers={**provider.caseworker, "Accept": "text/csv"}
        )
        assert response.headers["content-type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(response.text)))

    rows = await eventually(as_csv, lambda r: sum(int(x["complaints"]) for x in r) == 3, what="three in the CSV")
    assert rows == [
        {"programme": "ipes", "nation": "england", "quarter": "2026-Q3", "complaints": "2", "withdrawn": "0"},
        {"programme": "ipes", "nation": "england", "quarter": "2026-Q4", "complaints": "1", "withdrawn": "0"},
    ]


async def test_a_provider_sees_only_its_own_figures_and_bad_input_is_a_problem(
    client: httpx.AsyncClient, reporting: httpx.AsyncClient, provider: Provider, auth: TokenFactory
) -> None:
    await _register_set(client, provider)
    other = auth("some-other-provider", OrganisationKind.PROVIDER, Role.CASEWORKER)
    body = (
        await reporting.get(
            "/figures/complaints-received",
            params={"from": "2026-09-01", "to": "2026-10-31", "group_by": ["provider"]},
            headers=other,
        )
    ).json()
    assert provider.organisation_id not in {r["provider"] for r in body["rows"]}
    bad = await reporting.get(
        "/figures/complaints-received", params={"from": "2026-10-31", "to": "2026-09-01"}, headers=other
    )
    assert_problem(bad, 422, "validation")
    unknown = await reporting.get(
        "/figures/complaints-received",
        params={"from": "2026-09-01", "to": "2026-10-31", "group_by": "colour"},
        headers=other,
    )
    assert "query.group_by.0" in [e["field"] for e in assert_problem(unknown, 422, "validation")["errors"]]


async def test_responses_within_timescale_outcomes_withdrawals_and_dissatisfactions(
    client: httpx.AsyncClient, reporting: httpx.AsyncClient, provider: Provider, auth: TokenFactory
) -> None:
    """Counted by hand: received Mon 26 Oct; stage 1 due 15 working days on (Mon 16 Nov)."""
    from tests.api.test_intake_dissatisfactions import body as dissatisfaction_body
    from tests.api.test_intake_work import post_ok

    def person(name: str) -> dict[str, str]:
        return auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, subject=name)

    def answer(issued_on: str) -> dict[str, Any]:
        return {
            "stage": 1,
            "final": False,
            "issued_on": issued_on,
            "reviewer_user_id": "bob",
            "text": "We looked into it.",
            "findings": [{"element_id": "E1", "desired_outcome_achievable": True}],
        }

    on_time = (await register(client, provider.caseworker, provider.body(received_on="2026-10-26"))).json()
    late = (await register(client, provider.caseworker, provider.body(received_on="2026-10-26"))).json()
    withdrawn = (await register(client, provider.caseworker, provider.body(received_on="2026-10-26"))).json()
    await post_ok(client, person("ann"), on_time["complaint_id"], "responses", answer("2026-11-16"))
    await post_ok(client, person("ann"), late["complaint_id"], "responses", answer("2026-11-17"))
    await post_ok(
        client,
        provider.caseworker,
        on_time["complaint_id"],
        "outcomes",
        {"element_id": "E1", "outcomes": ["apology", "financial_redress"], "financial_redress_pence": 5000},
    )
    await post_ok(
        client,
        provider.caseworker,
        withdrawn["complaint_id"],
        "withdrawal",
        {"withdrawn_on": "2026-10-30", "reason": "Sorted out."},
    )
    for _ in range(2):
        response = await client.post(
            "/dissatisfactions",
            json=dissatisfaction_body(provider, raised_on="2026-11-10", resolved_on="2026-11-10"),
            headers=provider.caseworker,
        )
        assert response.status_code == 201, response.text
    window = {"from": "2026-10-01", "to": "2026-11-30", "group_by": ["provider"]}

    async def figure(name: str, **params: Any) -> list[dict[str, Any]]:
        response = await reporting.get(f"/figures/{name}", params={**window, **params}, headers=provider.caseworker)
        assert response.status_code == 200, response.text
        return list(response.json()["rows"])

    responses = await eventually(
        lambda: figure("responses", by_stage="true"), lambda r: bool(r) and r[0]["responses"] == 2, what="responses"
    )
    assert responses == [
        {"provider": provider.organisation_id, "stage": 1, "responses": 2, "within_timescale": 1, "final_responses": 0}
    ]
    outcomes = await eventually(lambda: figure("outcomes"), lambda r: len(r) == 2, what="outcomes")
    assert [(r["outcome"], r["elements"], r["redress_pence"]) for r in outcomes] == [
        ("apology", 1, 0),
        ("financial_redress", 1, 5000),
    ]
    received = await eventually(
        lambda: figure("complaints-received"), lambda r: r[0]["withdrawn"] == 1, what="withdrawn"
    )
    assert (received[0]["complaints"], received[0]["withdrawn"]) == (3, 1)
    # Both dissatisfactions, once the projection has applied the second (waiting for any row raced it).
    both = [{"provider": provider.organisation_id, "dissatisfactions": 2}]
    assert await eventually(lambda: figure("dissatisfactions"), lambda r: r == both, what="dissatisfactions") == both
    by_kind = await reporting.get(
        "/figures/dissatisfactions", params={**window, "group_by": ["complainant_kind"]}, headers=provider.caseworker
    )
    assert "query.group_by" in [e["field"] for e in assert_problem(by_kind, 422, "validation")["errors"]]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/figures/complaints-received", {"from": "0", "to": "2026-10-31"}, "query.from"),
        ("/figures/complaints-received", {"from": "2026-09-01", "to": "2026-10-31T00:00:00"}, "query.to"),
        ("/figures/open-caseload", {"as_of": "1700000000"}, "query.as_of"),
    ],
)
async def test_a_date_in_the_query_is_yyyy_mm_dd_not_a_unix_time_or_a_datetime(
    reporting: httpx.AsyncClient, auth: TokenFactory, path: str, params: dict[str, str], field: str
) -> None:
    mi = auth("dwp-mi", OrganisationKind.DWP_MI, Role.MI_ANALYST)
    problem = assert_problem(await reporting.get(path, params=params, headers=mi), 422, "validation")
    assert field in [e["field"] for e in problem["errors"]], problem
