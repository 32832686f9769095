"""`GET /working-days/add` and `/working-days/between` on the escalation service (R22)."""

from __future__ import annotations

import httpx
import pytest

from tests.api.helpers import assert_problem


async def test_add_gives_the_nth_working_day_after_from(escalation: httpx.AsyncClient, admin) -> None:
    response = await escalation.get(
        "/working-days/add", params={"nation": "scotland", "from": "2025-12-31", "days": 1}, headers=admin
    )
    assert response.status_code == 200
    assert response.json() == {"nation": "scotland", "from": "2025-12-31", "days": 1, "date": "2026-01-05"}


async def test_between_counts_after_from_up_to_and_including_to(escalation: httpx.AsyncClient, admin) -> None:
    response = await escalation.get(
        "/working-days/between", params={"nation": "england", "from": "2026-12-24", "to": "2027-01-04"}, headers=admin
    )
    assert response.status_code == 200
    assert response.json() == {"nation": "england", "from": "2026-12-24", "to": "2027-01-04", "working_days": 4}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/working-days/add", {"nation": "france", "from": "2026-01-01", "days": 1}, "query.nation"),
        ("/working-days/add", {"nation": "wales", "from": "2026-02-30", "days": 1}, "query.from"),
        ("/working-days/add", {"nation": "wales", "from": "01/02/2026", "days": 1}, "query.from"),
        ("/working-days/add", {"nation": "wales", "from": "2026-01-01", "days": -1}, "query.days"),
        ("/working-days/add", {"nation": "wales", "from": "2026-01-01"}, "query.days"),
        ("/working-days/add", {"nation": "wales", "from": "9999-01-01", "days": 1}, "query.from"),
        ("/working-days/between", {"nation": "wales", "from": "2026-01-02", "to": "2026-01-01"}, "query.to"),
        ("/working-days/between", {"nation": "wales", "from": "2026-01-02", "to": "soon"}, "query.to"),
    ],
)
async def test_bad_input_is_a_422_problem_naming_the_field(
    escalation: httpx.AsyncClient, admin, path: str, params: dict[str, str | int], field: str
) -> None:
    problem = assert_problem(await escalation.get(path, params=params, headers=admin), 422, "validation")
    assert field in [e["field"] for e in problem["errors"]]


async def test_a_token_is_needed(escalation: httpx.AsyncClient) -> None:
    response = await escalation.get("/working-days/add", params={"nation": "wales", "from": "2026-01-01", "days": 1})
    assert_problem(response, 401, "unauthorized")
