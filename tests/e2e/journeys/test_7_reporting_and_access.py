"""Journey 7: the reporting service's figures against what journeys 1-6 did, and access across organisations.

Every journey made its own provider, so the figures for those providers are exact: complaints received, responses
(and final ones, and within the stated timescale), outcomes, and the ICE cases listed per provider. Reporting is
a trailing read model: its figures are polled (bounded) until they include the journeys' events. Then another
provider is refused (404) each journey's complaint, deadlines and ICE case, and its figures show none of theirs.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from complaints_escalation_client.api.deadlines import deadlines_get
from complaints_ice_gateway_client.api.ice import ice_get, ice_list
from complaints_ice_gateway_client.models import IceCasePage
from complaints_intake_client.api.complaints import complaints_get
from complaints_reporting_client.api.reports import reports_complaints_received, reports_outcomes, reports_responses
from complaints_reporting_client.models import Dimension, Figure

from shared.auth import OrganisationKind, Role
from tests.e2e.journeys.harness import START, eventually
from tests.e2e.journeys.sdk import expect, refused
from tests.e2e.journeys.world import Caller, Journeyed, Ledger, System

pytestmark = pytest.mark.e2e_journeys

Rows = dict[tuple[str, ...], dict[str, Any]]
"""(provider, and any other group column such as the outcome) -> the figure's measures for that group."""


async def figure(by: Caller, name: str, date_from: date, date_to: date) -> tuple[Figure, Rows]:
    call = {
        "complaints_received": reports_complaints_received.asyncio_detailed,
        "responses": reports_responses.asyncio_detailed,
        "outcomes": reports_outcomes.asyncio_detailed,
    }[name]
    answer = await call(client=by.reporting, from_=date_from, to=date_to, group_by=[Dimension.PROVIDER])
    found = expect(answer, Figure, what=f"{by.label} reads the {name} figure")
    rows = [row.to_dict() for row in found.rows]
    return found, {
        tuple(str(row[c]) for c in found.group_by): {k: v for k, v in row.items() if k not in found.group_by}
        for row in rows
    }


def of(rows: Rows, providers: set[str]) -> Rows:
    return {group: measures for group, measures in rows.items() if group[0] in providers}


async def caught_up(by: Caller, name: str, rows: Rows, providers: set[str], date_from: date, date_to: date) -> Figure:
    """Poll the figure until its rows for `providers` are exactly `rows`."""

    async def probe() -> tuple[Figure, Rows]:
        return await figure(by, name, date_from, date_to)

    def matches(answer: tuple[Figure, Rows]) -> bool:
        return of(answer[1], providers) == rows

    found, _ = await eventually(probe, matches, what=f"the {name} figure for the journeys' providers to be {rows}")
    return found


def expected_figures(done: list[Journeyed]) -> dict[str, Rows]:
    received: Rows = {}
    responses: Rows = {}
    outcomes: Rows = {}
    for j in done:
        received[(j.provider_id,)] = {"complaints": len(j.complaint_ids), "withdrawn": 0}
        if j.responses:
            responses[(j.provider_id,)] = {
                "responses": j.responses,
                "within_timescale": j.responses - j.late_responses,
                "final_responses": j.final_responses,
            }
        for outcome, elements in j.outcomes.items():
            outcomes[(j.provider_id, outcome)] = {"elements": elements, "redress_pence": j.redress_pence}
    return {"complaints_received": received, "responses": responses, "outcomes": outcomes}


async def test_reporting_figures_match_the_journeys_and_access_is_denied_across_organisations(
    system: System, ledger: Ledger
) -> None:
    done = [ledger.done[k] for k in sorted(ledger.done)]
    if not done:
        pytest.skip("journeys 1-6 recorded nothing to report on: run the whole package (make e2e)")
    mine = {j.provider_id for j in done}
    date_from, date_to = START.date() - timedelta(days=366), system.today() + timedelta(days=1)
    expected = expected_figures(done)

    # Reporting's own read model catches up with the log: poll each figure until the journeys' rows are in.
    for name, rows in expected.items():
        found = await caught_up(system.mi_analyst, name, rows, mine, date_from, date_to)
        assert (found.figure, found.date_from, found.date_to) == (name, date_from, date_to)

    # ICE cases per provider, as the ICE gateway lists them.
    for j in done:
        page = expect(
            await ice_list.asyncio_detailed(client=system.examiner.ice, provider_organisation_id=j.provider_id),
            IceCasePage,
            what=f"ICE lists journey {j.journey}'s cases",
        )
        assert sorted(c.case_id for c in page.items) == sorted(j.ice_case_ids), (j.journey, page.to_dict())

    # A provider sees its own figures only; another provider none of the journeys'.
    first = done[0]
    own = system.staff(first.provider_id, OrganisationKind.PROVIDER, Role.MI_ANALYST, name="own-analyst")
    _, seen = await figure(own, "complaints_received", date_from, date_to)
    assert {group[0] for group in seen} == {first.provider_id}, seen
    stranger_org = await system.organisation("e2e-j7-stranger", OrganisationKind.PROVIDER)
    stranger = system.staff(
        stranger_org, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD, Role.CASEWORKER, Role.MI_ANALYST, name="other"
    )
    _, seen = await figure(stranger, "complaints_received", date_from, date_to)
    assert not of(seen, mine), seen

    # Another provider gets 404 on every journey's complaint, its deadlines and its ICE case.
    for j in done:
        for complaint_id in j.complaint_ids:
            what = f"journey {j.journey}'s complaint {complaint_id} to another provider"
            refused(await complaints_get.asyncio_detailed(UUID(complaint_id), client=stranger.intake), 404, what=what)
            refused(
                await deadlines_get.asyncio_detailed(UUID(complaint_id), client=stranger.escalation), 404, what=what
            )
        for case_id in j.ice_case_ids:
            what = f"journey {j.journey}'s ICE case {case_id} to another provider"
            refused(await ice_get.asyncio_detailed(UUID(case_id), client=stranger.ice), 404, what=what)
    listed = expect(await ice_list.asyncio_detailed(client=stranger.ice), IceCasePage, what="another provider's list")
    assert not {c.provider_organisation_id for c in listed.items} & mine, listed.to_dict()
