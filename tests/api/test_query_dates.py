"""A date in a query or a body is exactly YYYY-MM-DD, as the documents say: pydantic alone would read "0" as 1970-01-01
(a Unix time) and take a datetime at midnight as a date, answering a question the caller did not ask."""

from __future__ import annotations

import httpx
import pytest

from tests.api.helpers import Provider, assert_problem


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"received_to": "0"}, "query.received_to"),
        ({"received_from": "1700000000"}, "query.received_from"),
        ({"received_from": "2026-11-01T00:00:00"}, "query.received_from"),
        ({"received_to": "2026-1-5"}, "query.received_to"),
    ],
)
async def test_the_complaint_list_refuses_a_date_that_is_not_yyyy_mm_dd(
    client: httpx.AsyncClient, provider: Provider, params: dict[str, str], field: str
) -> None:
    problem = assert_problem(await client.get("/complaints", params=params, headers=provider.caseworker), 422)
    assert field in [e["field"] for e in problem["errors"]], problem


async def test_the_complaint_list_takes_a_yyyy_mm_dd_date(client: httpx.AsyncClient, provider: Provider) -> None:
    response = await client.get(
        "/complaints", params={"received_from": "2026-01-01", "received_to": "2026-12-31"}, headers=provider.caseworker
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/working-days/add", {"nation": "england", "from": "0", "days": "5"}, "query.from"),
        ("/working-days/between", {"nation": "scotland", "from": "2026-11-02", "to": "20261130"}, "query.to"),
    ],
)
async def test_working_days_refuse_a_date_that_is_not_yyyy_mm_dd(
    escalation: httpx.AsyncClient, admin: dict[str, str], path: str, params: dict[str, str], field: str
) -> None:
    problem = assert_problem(await escalation.get(path, params=params, headers=admin), 422, "validation")
    assert field in [e["field"] for e in problem["errors"]], problem


@pytest.mark.parametrize("received_on", [0, "0", "2026-11-02T00:00:00", "2026-11-2", 1700000000])
async def test_a_date_in_a_body_is_yyyy_mm_dd_too(
    client: httpx.AsyncClient, provider: Provider, received_on: object
) -> None:
    response = await client.post(
        "/complaints", json=provider.body(received_on=received_on), headers=provider.caseworker
    )
    problem = assert_problem(response, 422, "validation")
    assert any(e["field"].endswith("received_on") for e in problem["errors"]), problem
