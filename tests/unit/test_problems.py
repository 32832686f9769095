"""Errors a client can cause through timing, not content, are problems to retry, never a 500."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from shared.http.problems import PROBLEM_JSON, install_problem_handlers


@pytest.mark.parametrize("error", [asyncpg.DeadlockDetectedError, asyncpg.SerializationError])
async def test_a_transaction_lost_to_a_concurrent_one_is_a_409_to_retry(error: type[Exception]) -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    async def things() -> None:
        raise error("deadlock detected")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/things")
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["requirement"] == "R63"
    assert "retry" in problem["detail"]
