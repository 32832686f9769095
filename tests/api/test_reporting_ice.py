"""Reporting: ICE and PHSO figures and the annual summary, from crafted ICE events appended straight to the log
(R50, R51). Expected figures are counted by hand from `ice_journeys` (tests/unit/reporting/journeys.py):

    prime: a  referred 04-10 (eligible), accepted 04-12, gateway passed 04-20, resolved 05-05
           b  referred 04-15 (flagged), accepted 04-16, returned 04-20 and 04-28, passed 05-06, settled 06-10
           c  referred 05-02, accepted 05-03, passed 05-10, final report 06-15 partly upheld (redress 10,000 + 2,500),
              closed 06-15, fee 150,000 assessed 06-16; paid: fee 100,000 on 07-01, r1 10,000 on 07-02;
              PHSO referred 07-10, accepted 07-20 (ICE exhausted), upheld 08-15 (pr1 5,000, pr2 0), pr1 paid 08-30
           d  referred 05-20, declined 05-22
    sub:   e  referred 06-01, accepted 06-02, passed 06-03, PHSO referred 06-05 and accepted 06-06 before ICE was
              exhausted, final report 06-30 not upheld, no fee, closed 06-30, PHSO not upheld 09-01
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
from shared.http.platform import Platform
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, assert_problem
from tests.unit.reporting.journeys import IceWorld, append_all, caught_up, ice_journeys

WINDOW = {"from": "2026-04-01", "to": "2026-09-30"}
ZERO_CASES = dict.fromkeys(
    (
        "referrals",
        "referrals_eligible",
        "referrals_flagged",
        "accepted",
        "declined",
        "gateway_returns",
        "gateway_passed",
        "closed_at_resolution",
        "closed_at_settlement",
        "closed_by_final_report",
        "closed_withdrawn",
        "final_reports",
        "upheld",
        "partly_upheld",
        "not_upheld",
    ),
    0,
)


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
) -> IceWorld:
    """A prime and its sub-contractor in the directory (for scoping), and their ICE journeys in the log."""
    directory = Directory(client, admin)
    prime = await directory.organisation(OrganisationKind.PROVIDER)
    sub = await directory.organisation(OrganisationKind.PROVIDER)
    await directory.link(prime, sub)
    w = IceWorld(prime=prime, sub=sub)
    platform = reporting[1]
    await caught_up(platform.pool, await append_all(platform.store, ice_journeys(w)))
    return w


def mine(body: dict[str, Any], w: IceWorld) -> list[dict[str, Any]]:
    return [r for r in body["rows"] if r["provider"] in (w.prime, w.sub)]


async def get(reporting: tuple[httpx.AsyncClient, Platform], path: str, headers: dict[str, str], **params: Any) -> Any:
    response = await reporting[0].get(f"/figures/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def mi(auth: TokenFactory) -> dict[str, str]:
    return auth("dwp-mi", OrganisationKind.DWP_MI, Role.MI_ANALYST)


async def test_ice_cases_per_provider_and_by_month(
    reporting: tuple[httpx.AsyncClient, Platform], world: IceWorld, mi: dict[str, str]
) -> None:
    body = await get(reporting, "ice-cases", mi, **WINDOW, group_by=["provider"])
    assert body["dated_by"].startswith("the date of each fact")
    assert (body["date_from"], body["date_to"], body["last_event_at"] is not None) == ("2026-04-01", "2026-09-30", True)
    assert isinstance(body["events_behind"], int)
    assert sorted(mine(body, world), key=lambda r: r["provider"] != world.prime) == [
        {
            "provider": world.prime,
            **ZERO_CASES,
            "referrals": 4,
            "referrals_eligible": 3,
            "referrals_flagged": 1,
            "accepted": 3,
            "declined": 1,
            "gateway_returns": 2,
            "gateway_passed": 3,
            "closed_at_resolution": 1,
            "closed_at_settlement": 1,
            "closed_by_final_report": 1,
            "final_reports": 1,
            "upheld": 1,
            "partly_upheld": 1,
            "upheld_rate": 1.0,
        },
        {
            "provider": world.sub,
            **ZERO_CASES,
            "referrals": 1,
            "referrals_eligible": 1,
            "accepted": 1,
            "gateway_passed": 1,
            "closed_by_final_report": 1,
            "final_reports": 1,
            "not_upheld": 1,
            "upheld_rate": 0.0,
        },
    ]
    by_month = await get(reporting, "ice-cases", mi, **WINDOW, group_by=["provider"], period="month")
    prime = [r for r in by_month["rows"] if r["provider"] == world.prime]
    assert prime == [
        {
            "provider": world.prime,
            "month": "2026-04",
            **ZERO_CASES,
            "referrals": 2,
            "referrals_eligible": 1,
            "referrals_flagged": 1,
            "accepted": 2,
            "gateway_returns": 2,
            "gateway_passed": 1,
            "upheld_rate": None,
        },
        {
            "provider": world.prime,
            "month": "2026-05",
            **ZERO_CASES,
            "referrals": 2,
            "referrals_eligible": 2,
            "accepted": 1,
            "declined": 1,
            "gateway_passed": 2,
            "closed_at_resolution": 1,
            "upheld_rate": None,
        },
        {
            "provider": world.prime,
            "month": "2026-06",
            **ZERO_CASES,
            "closed_at_settlement": 1,
            "closed_by_final_report": 1,
            "final_reports": 1,
            "upheld": 1,
            "partly_upheld": 1,
            "upheld_rate": 1.0,
        },
    ]


async def test_a_referral_without_a_contract_takes_the_complaints(
    reporting: tuple[httpx.AsyncClient, Platform], world: IceWorld, mi: dict[str, str]
) -> None:
    body = await get(reporting, "ice-cases", mi, **WINDOW, group_by=["contract", "provider"])
    assert {(r["contract"], r["provider"], r["referrals"]) for r in mine(body, world)} == {
        (world.contract_a, world.prime, 1),
        ("ctr-ice", world.prime, 3),
        ("ctr-ice", world.sub, 1),
    }
    refused = await reporting[0].get("/figures/ice-cases", params={**WINDOW, "group_by": ["category"]}, headers=mi)
    assert "query.group_by" in [e["field"] for e in assert_problem(refused, 422, "validation")["errors"]]


async def test_fees_and_redress_raised_recovered_and_outstanding(
    reporting: tuple[httpx.AsyncClient, Platform], world: IceWorld, mi: dict[str, str]
) -> None:
    whole = await get(reporting, "ice-fees-and-redress", mi, **WINDOW, group_by=["provider"])
    # The sub-contractor's only case had no fee due and no redress: no row.
    assert mine(whole, world) == [
        {
            "provider": world.prime,
            "fees_raised": 1,
            "fees_raised_pence": 150_000,
            "fees_recovered_pence": 100_000,
            "fees_outstanding_pence": 50_000,
            "redress_owed_pence": 12_500,
            "redress_paid_pence": 10_000,
            "redress_outstanding_pence": 2_500,
            "phso_redress_owed_pence": 5_000,
            "phso_redress_paid_pence": 5_000,
            "phso_redress_outstanding_pence": 0,
        }
    ]
    # June alone: raised then, paid (in July) outside it; outstanding is what is still unpaid of June's.
    prime_june = await get(
        reporting, "ice-fees-and-redress", mi, **{"from": "2026-06-01", "to": "2026-06-30", "group_by": ["provider"]}
    )
    assert mine(prime_june, world) == [
        {
            "provider": world.prime,
            "fees_raised": 1,
            "fees_raised_pence": 150_000,
            "fees_recovered_pence": 0,
            "fees_outstanding_pence": 50_000,
            "redress_owed_pence": 12_500,
            "redress_paid_pence": 0,
            "redress_outstanding_pence": 2_500,
            "phso_redress_owed_pence": 0,
            "phso_redress_paid_pence": 0,
            "phso_redress_outstanding_pence": 0,
        }
    ]


async def test_phso_referrals_and_outcomes(
    reporting: tuple[httpx.AsyncClient, Platform], world: IceWorld, mi: dict[str, str]
) -> None:
    body = await get(reporting, "phso", mi, **WINDOW, group_by=["provider"])
    assert sorted(mine(body, world), key=lambda r: r["provider"] != world.prime) == [
        {
            "provider": world.prime,
            "phso_referrals": 1,
            "phso_accepted": 1,
            "accepted_before_ice_exhausted": 0,
            "phso_reports": 1,
            "phso_upheld": 1,
            "phso_not_upheld": 0,
            "phso_upheld_rate": 1.0,
        },
        {
            "provider": world.sub,
            "phso_referrals": 1,
            "phso_accepted": 1,
            "accepted_before_ice_exhausted": 1,
            "phso_reports": 1,
            "phso_upheld": 0,
            "phso_not_upheld": 1,
            "phso_upheld_rate": 0.0,
        },
    ]


ANNUAL_PRIME = {
    "complaints_received": "4",
    "resolved": "1",
    "settled": "1",
    "investigated": "1",
    "upheld": "1",
    "partly_upheld": "1",
    "not_upheld": "0",
    "upheld_rate": "1.0",
    "fees_raised_pence": "150000",
    "fees_recovered_pence": "100000",
    "fees_outstanding_pence": "50000",
    "redress_owed_pence": "12500",
    "redress_paid_pence": "10000",
}
ANNUAL_SUB = {
    "complaints_received": "1",
    "resolved": "0",
    "settled": "0",
    "investigated": "1",
    "upheld": "0",
    "partly_upheld": "0",
    "not_upheld": "1",
    "upheld_rate": "0.0",
    "fees_raised_pence": "0",
    "fees_recovered_pence": "0",
    "fees_outstanding_pence": "0",
    "redress_owed_pence": "0",
    "redress_paid_pence": "0",
}


async def test_the_annual_summary_as_csv_parses_back(
    reporting: tuple[httpx.AsyncClient, Platform], world: IceWorld, mi: dict[str, str]
) -> None:
    response = await reporting[0].get(
        "/figures/ice-annual-summary", params={"year": 2026}, headers={**mi, "Accept": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.text))
    assert reader.fieldnames == ["provider", *ANNUAL_PRIME]
    rows = {r["provider"]: r for r in reader if r["provider"] in (world.prime, world.sub)}
    assert rows == {
        world.prime: {"provider": world.prime, **ANNUAL_PRIME},
        world.sub: {"provider": world.sub, **ANNUAL_SUB},
    }

    as_json = await get(reporting, "ice-annual-summary", mi, year=2026)
    assert (as_json["date_from"], as_json["date_to"], as_json["group_by"]) == ("2026-04-01", "2027-03-31", ["provider"])
    calendar = await get(reporting, "ice-annual-summary", mi, year=2026, basis="calendar", format="json")
    assert calendar["date_from"] == "2026-01-01"
    assert {r["provider"]: r["complaints_received"] for r in mine(calendar, world)} == {world.prime: 4, world.sub: 1}
    earlier = await get(reporting, "ice-annual-summary", mi, year=2025)
    assert mine(earlier, world) == []


async def test_ice_cases_by_quarter_as_csv(
    reporting: tuple[httpx.AsyncClient, Platform], world: IceWorld, mi: dict[str, str]
) -> None:
    response = await reporting[0].get(
        "/figures/ice-cases",
        params={**WINDOW, "group_by": ["provider"], "period": "quarter", "format": "csv"},
        headers=mi,
    )
    rows = [r for r in csv.DictReader(io.StringIO(response.text)) if r["provider"] == world.prime]
    # Q2 (April-June) holds everything of the ICE stages; upheld_rate is empty where no report was issued.
    assert [(r["quarter"], r["referrals"], r["closed_at_resolution"], r["upheld_rate"]) for r in rows] == [
        ("2026-Q2", "4", "1", "1.0")
    ]


async def test_who_sees_which_providers_ice_figures(
    reporting: tuple[httpx.AsyncClient, Platform], world: IceWorld, auth: TokenFactory
) -> None:
    def providers_seen(body: dict[str, Any]) -> set[str]:
        return {r["provider"] for r in mine(body, world)}

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
    for figure in ("ice-cases", "phso", "ice-fees-and-redress", "ice-annual-summary"):
        params: dict[str, Any] = (
            {"year": 2026} if figure == "ice-annual-summary" else {**WINDOW, "group_by": ["provider"]}
        )
        for who, headers in seen_by.items():
            body = await get(reporting, figure, headers, **params)
            want = expected[who] - ({world.sub} if figure == "ice-fees-and-redress" else set())
            assert providers_seen(body) == want, (figure, who)
