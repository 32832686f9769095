"""The bare endpoint `make bench` compares the register endpoint with: FastAPI + asyncpg, one INSERT.

    DATABASE_URL=... uvicorn tools.bench_bare:create_app --factory --port 8009

`POST /items` takes any JSON object (the same complaint bodies the register endpoint gets), inserts it
into `bench_bare` in one autocommitted statement on a pooled connection, and answers 201 with the new
id. No authentication, no validation beyond JSON, no middleware: the floor a FastAPI service on this
machine and this database stands on.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from fastapi import FastAPI, Request, status

from shared.db import to_plain_url

TABLE = "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, payload jsonb NOT NULL)"
INSERT = "INSERT INTO bench_bare (payload) VALUES ($1::jsonb) RETURNING id"


def create_app() -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The same pool size the services get by default (DB_POOL_SIZE + DB_MAX_OVERFLOW = 20).
        pool = await asyncpg.create_pool(to_plain_url(os.environ["DATABASE_URL"]), min_size=1, max_size=20)
        assert pool is not None
        async with pool.acquire() as conn:
            await conn.execute(TABLE)
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(title="bench: bare insert", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/items", status_code=status.HTTP_201_CREATED)
    async def insert(body: dict[str, Any], request: Request) -> dict[str, int]:
        async with request.app.state.pool.acquire() as conn:
            new_id = await conn.fetchval(INSERT, json.dumps(body, separators=(",", ":")))
        return {"id": int(new_id)}

    return app
