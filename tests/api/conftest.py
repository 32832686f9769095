"""API tests: the real app over httpx's ASGI transport, against a real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from services.intake.main import create_app as create_intake
from services.intake.settings import IntakeSettings
from shared.auth import OrganisationKind, Role, mint_token
from shared.clock import FixedClock
from shared.settings import Settings
from tests.api.helpers import Directory, Provider

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(scope="session")
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def settings(database_url: str) -> IntakeSettings:
    return IntakeSettings(
        DATABASE_URL=database_url,
        APP_ENV="test",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        MAX_BODY_BYTES=64 * 1024,
        # The webhook tests run their own delivery workers on their own clock.
        WEBHOOK_WORKERS=0,
        SUBSCRIPTION_POLL_SECONDS=0.2,
        SUBSCRIPTION_LEADER_RETRY_SECONDS=0.2,
    )


@pytest.fixture(scope="session")
async def intake_app(settings: IntakeSettings, clock: FixedClock):
    app = create_intake(settings, clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def client(intake_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=intake_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as c:
        yield c


TokenFactory = Callable[..., dict[str, str]]


@pytest.fixture(scope="session")
def auth(settings: Settings) -> TokenFactory:
    """`auth(org, kind, *roles)` -> Authorization header for a principal."""

    def make(organisation_id: str, kind: OrganisationKind, *roles: Role, subject: str | None = None) -> dict[str, str]:
        token = mint_token(
            settings,
            subject=subject or f"user-{uuid.uuid4().hex[:8]}",
            organisation_id=organisation_id,
            organisation_kind=kind,
            roles=roles,
        )
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture(scope="session")
def admin(auth: TokenFactory) -> dict[str, str]:
    return auth("dwp", OrganisationKind.DWP_BUSINESS, Role.DWP_ADMIN)


@pytest.fixture(scope="session")
def directory(client: httpx.AsyncClient, admin: dict[str, str]) -> Directory:
    """Directory set-up through the admin API (tests/api/helpers.py)."""
    return Directory(client, admin)


@pytest.fixture
async def provider(directory: Directory, auth: TokenFactory) -> Provider:
    """A fresh provider (unique id) with an IPES contract, and a caseworker token of it."""
    organisation_id, contract_id = await directory.provider_with_contract()
    return Provider(organisation_id, contract_id, auth(organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER))


@pytest.fixture(scope="session")
async def escalation_app(database_url: str, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The escalation service's app, running, on the same database."""
    from services.escalation.main import create_app as create_escalation
    from services.escalation.settings import EscalationSettings

    settings = EscalationSettings(DATABASE_URL=database_url, APP_ENV="test", LOG_JSON=False, LOG_LEVEL="WARNING")
    app = create_escalation(settings, clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def escalation(escalation_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The escalation service over ASGI."""
    transport = httpx.ASGITransport(app=escalation_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://escalation.test") as c:
        yield c
