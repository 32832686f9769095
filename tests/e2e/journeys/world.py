"""Who calls the running system, and the organisations each journey makes for itself (fresh ids every run).

Everything goes through the generated clients: the directory is set up by a DWP administrator through intake's
directory API, exactly as an onboarding system would. Tokens are minted with the run's own HS256 secret.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import complaints_escalation_client as escalation_sdk
import complaints_ice_gateway_client as ice_sdk
import complaints_intake_client as intake_sdk
import complaints_reporting_client as reporting_sdk
import httpx
from complaints_intake_client.api.directory import (
    directory_get_organisation,
    directory_list_contracts,
    directory_register_contract,
    directory_register_organisation,
)
from complaints_intake_client.models import Contract, ContractIn, Nation, Organisation, OrganisationIn, Programme
from complaints_intake_client.models import OrganisationKind as SdkOrganisationKind

from shared.auth import OrganisationKind, Role, mint_token
from shared.settings import Settings
from tests.e2e.journeys.harness import RunningSystem, TestClock, eventually
from tests.e2e.journeys.sdk import Clients, expect, key

TIMEOUT_SECONDS = 30.0


def unique(prefix: str) -> str:
    """An organisation or contract id of this run alone (ORGANISATION_ID_PATTERN)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Caller:
    """One principal, with a generated client for each service."""

    label: str
    subject: str
    organisation_id: str
    intake: intake_sdk.AuthenticatedClient
    escalation: escalation_sdk.AuthenticatedClient
    ice: ice_sdk.AuthenticatedClient
    reporting: reporting_sdk.AuthenticatedClient


@dataclass(frozen=True)
class ProviderOrg:
    organisation_id: str
    contract_id: str


@dataclass
class Journeyed:
    """What one journey did to its own provider, for the reporting journey to check the figures against."""

    journey: str
    provider_id: str
    complaint_ids: list[str] = field(default_factory=list)
    received_on: list[date] = field(default_factory=list)
    responses: int = 0
    """Responses issued at a stage (each stage once), joint responses included."""
    late_responses: int = 0
    """Of `responses`, issued after the stage's stated timescale (R20)."""
    final_responses: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    """Outcome kind -> elements resolved by it (R8)."""
    redress_pence: int = 0
    ice_case_ids: list[str] = field(default_factory=list)
    logged_by_jobcentre: str | None = None


@dataclass
class Ledger:
    done: dict[str, Journeyed] = field(default_factory=dict)

    def record(self, journeyed: Journeyed) -> None:
        self.done[journeyed.journey] = journeyed


class System:
    """The running services as their users meet them."""

    def __init__(self, running: RunningSystem, clients: Clients) -> None:
        self.running = running
        self.clients = clients
        self._settings = Settings(APP_ENV="test", JWT_HS256_SECRET=running.jwt_secret)
        self.admin = self.caller("DWP administrator", "dwp", OrganisationKind.DWP_BUSINESS, Role.DWP_ADMIN)
        self.dpo = self.caller("DPO", "dwp", OrganisationKind.DWP_BUSINESS, Role.DATA_PROTECTION_OFFICER)
        self.examiner = self.caller("ICE case examiner", "ice", OrganisationKind.ICE, Role.CASE_EXAMINER)
        self.adjudication_manager = self.caller(
            "ICE adjudication manager", "ice", OrganisationKind.ICE, Role.ADJUDICATION_MANAGER
        )
        self.mi_analyst = self.caller("DWP MI analyst", "dwp-mi", OrganisationKind.DWP_MI, Role.MI_ANALYST)

    @property
    def clock(self) -> TestClock:
        return self.running.clock

    def today(self) -> date:
        return self.clock.today()

    def caller(self, label: str, organisation_id: str, kind: OrganisationKind, *roles: Role) -> Caller:
        subject = f"{label.lower().replace(' ', '-')}-{uuid.uuid4().hex[:6]}"
        token = mint_token(
            self._settings, subject=subject, organisation_id=organisation_id, organisation_kind=kind, roles=roles
        )
        track = self.clients.track
        return Caller(
            label=f"{label} of {organisation_id}",
            subject=subject,
            organisation_id=organisation_id,
            intake=track(
                intake_sdk.AuthenticatedClient(
                    base_url=self.running.url("intake"),
                    token=token,
                    timeout=httpx.Timeout(TIMEOUT_SECONDS),
                    raise_on_unexpected_status=True,
                )
            ),
            escalation=track(
                escalation_sdk.AuthenticatedClient(
                    base_url=self.running.url("escalation"),
                    token=token,
                    timeout=httpx.Timeout(TIMEOUT_SECONDS),
                    raise_on_unexpected_status=True,
                )
            ),
            ice=track(
                ice_sdk.AuthenticatedClient(
                    base_url=self.running.url("ice_gateway"),
                    token=token,
                    timeout=httpx.Timeout(TIMEOUT_SECONDS),
                    raise_on_unexpected_status=True,
                )
            ),
            reporting=track(
                reporting_sdk.AuthenticatedClient(
                    base_url=self.running.url("reporting"),
                    token=token,
                    timeout=httpx.Timeout(TIMEOUT_SECONDS),
                    raise_on_unexpected_status=True,
                )
            ),
        )

    def staff(self, organisation_id: str, kind: OrganisationKind, *roles: Role, name: str = "caseworker") -> Caller:
        return self.caller(name, organisation_id, kind, *roles)

    # The directory, through intake's admin API

    async def organisation(self, prefix: str, kind: OrganisationKind) -> str:
        organisation_id = unique(prefix)
        body = OrganisationIn(
            organisation_id=organisation_id, name=f"E2E {organisation_id}", kind=SdkOrganisationKind(kind.value)
        )
        answer = await directory_register_organisation.asyncio_detailed(
            client=self.admin.intake, body=body, idempotency_key=key()
        )
        expect(answer, Organisation, 201, what=f"register organisation {organisation_id}")

        async def probe() -> int:
            found = await directory_get_organisation.asyncio_detailed(organisation_id, client=self.admin.intake)
            return int(found.status_code)

        await eventually(probe, lambda status: status == 200, what=f"organisation {organisation_id} in the directory")
        return organisation_id

    async def provider(self, prefix: str = "e2e-provider", programme: Programme = Programme.IPES) -> ProviderOrg:
        """A fresh provider with one contract, both in the directory read model."""
        organisation_id = await self.organisation(prefix, OrganisationKind.PROVIDER)
        contract_id = unique(f"{programme.value}-contract")
        body = ContractIn(
            contract_id=contract_id,
            provider_organisation_id=organisation_id,
            programme=programme,
            value_pence=1_250_000_000,
            let_or_renewed_on=date(2024, 4, 1),
            nation=Nation.ENGLAND,
            title=f"E2E contract {contract_id}",
        )
        answer = await directory_register_contract.asyncio_detailed(
            client=self.admin.intake, body=body, idempotency_key=key()
        )
        expect(answer, Contract, 201, what=f"register contract {contract_id}")

        async def probe() -> list[str]:
            listed = await directory_list_contracts.asyncio_detailed(client=self.admin.intake)
            contracts = expect(listed, list, what="list contracts")
            return [c.contract_id for c in contracts if isinstance(c, Contract)]

        await eventually(probe, lambda ids: contract_id in ids, what=f"contract {contract_id} listed")
        return ProviderOrg(organisation_id, contract_id)
