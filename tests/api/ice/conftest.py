"""The ICE gateway's app over ASGI, on the session's database, with its own blob directory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.ice_gateway.main import create_app as create_ice
from services.ice_gateway.settings import IceGatewaySettings
from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from shared.http.platform import Platform
from tests.api.conftest import TokenFactory
from tests.api.helpers import Provider, register_ok
from tests.api.ice.helpers import Case, IceOffice, post_ok, today

EVIDENCE_LIMIT = 16 * 1024 * 1024
"""The upload limit these tests run with: the streamed upload test sends more than the memory it may use."""


@pytest.fixture(scope="session")
def blob_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("blobs")


@pytest.fixture(scope="session")
async def ice_app(database_url: str, clock: FixedClock, blob_root: Path) -> AsyncIterator[FastAPI]:
    settings = IceGatewaySettings(
        DATABASE_URL=database_url,
        APP_ENV="test",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        SUBSCRIPTION_POLL_SECONDS=0.2,
        SUBSCRIPTION_LEADER_RETRY_SECONDS=0.2,
        BLOB_STORE_PATH=str(blob_root),
        EVIDENCE_MAX_BYTES=EVIDENCE_LIMIT,
        # The tests run the retention pass themselves, on the day they choose.
        EVIDENCE_RETENTION_SWEEP_SECONDS=3600,
    )
    app = create_ice(settings, clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
def ice_platform(ice_app: FastAPI) -> Platform:
    platform: Platform = ice_app.state.platform
    return platform


@pytest.fixture(scope="session")
async def ice(ice_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=ice_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ice.test") as c:
        yield c


@pytest.fixture(scope="session")
def office(auth: TokenFactory) -> IceOffice:
    return IceOffice(
        examiner=auth("ice", OrganisationKind.ICE, Role.CASE_EXAMINER),
        adjudication_manager=auth("ice", OrganisationKind.ICE, Role.ADJUDICATION_MANAGER),
        head_of_office=auth("ice", OrganisationKind.ICE, Role.HEAD_OF_OFFICE),
        phso=auth("phso", OrganisationKind.PHSO, Role.PHSO_CASEWORKER),
    )


@dataclass(frozen=True)
class Referred:
    case: Case
    provider: Provider
    lead: dict[str, str]
    element_ids: list[str]


Refer = Callable[..., Awaitable[Referred]]


@pytest.fixture
def refer(
    client: httpx.AsyncClient,
    ice: httpx.AsyncClient,
    office: IceOffice,
    provider: Provider,
    auth: TokenFactory,
    clock: FixedClock,
) -> Refer:
    """`await refer(days_ago=0)`: a fresh provider's complaint, received ten weeks before the referral with no final
    response, referred to ICE `days_ago` days before today; the case's dates (`case.on`) are the referral's."""

    async def make(days_ago: int = 0) -> Referred:
        on = today(clock) - timedelta(days=days_ago)
        received_on = (on - timedelta(days=70)).isoformat()
        created = await register_ok(client, provider.caseworker, provider.body(received_on=received_on))
        body = {"complaint_id": created["complaint_id"], "referred_on": on.isoformat()}
        await post_ok(ice, "/ice-cases", office.examiner, body)
        lead = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.COMPLAINTS_LEAD)
        case = Case(ice, office, lead, created["complaint_id"], on.isoformat())
        return Referred(case, provider, lead, [e["element_id"] for e in created["elements"]])

    return make


@pytest.fixture
async def referred(refer: Refer) -> Referred:
    """A fresh provider's complaint, received ten weeks ago with no final response, referred to ICE today."""
    return await refer()
