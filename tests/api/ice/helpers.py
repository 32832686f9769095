"""Driving an ICE case through the API in tests: referral to each stage, with the session clock's dates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from shared.clock import FixedClock, business_date
from tests.api.helpers import Directory, contract_body, unique


@dataclass(frozen=True)
class IceOffice:
    examiner: dict[str, str]
    adjudication_manager: dict[str, str]
    head_of_office: dict[str, str]
    phso: dict[str, str]


def today(clock: FixedClock) -> date:
    return business_date(clock.now())


def received_long_ago(clock: FixedClock) -> str:
    """A receipt date more than eight weeks ago: with no final response, ICE may take it (R23)."""
    return (today(clock) - timedelta(days=70)).isoformat()


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key or str(uuid.uuid4())}


async def post_ok(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(path, headers=keyed(headers), json=body)
    assert response.status_code in (200, 201), response.text
    found: dict[str, Any] = response.json()
    return found


@dataclass
class Case:
    """One complaint's ICE case, driven step by step (each step asserts success)."""

    ice: httpx.AsyncClient
    office: IceOffice
    provider: dict[str, str]
    case_id: str
    on: str

    @property
    def path(self) -> str:
        return f"/ice-cases/{self.case_id}"

    async def post(self, suffix: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        return await post_ok(self.ice, self.path + suffix, headers, body)

    async def get(self, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.ice.get(self.path, headers=headers or self.office.examiner)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def accept_and_pass_gateway(self) -> dict[str, Any]:
        await self.post("/acceptance", self.office.examiner, {"accepted_on": self.on})
        await self.post(
            "/requests",
            self.office.examiner,
            {"request_id": "gw", "kind": "confirmation", "made_on": self.on, "steps": ["Stage 1", "Final response"]},
        )
        await self.post("/requests/gw/confirmation", self.provider, {"confirmed_on": self.on})
        return await self.post("/gateway-pass", self.office.examiner, {"passed_on": self.on})

    async def to_settlement(self) -> dict[str, Any]:
        await self.accept_and_pass_gateway()
        return await self.post("/next-stage", self.office.examiner, {"moved_on": self.on})

    async def to_investigation(self, element_ids: list[str]) -> dict[str, Any]:
        await self.to_settlement()
        return await self.post("/next-stage", self.office.examiner, {"moved_on": self.on})


def draft_body(draft_id: str, on: str, element_ids: list[str], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "draft_id": draft_id,
        "issued_on": on,
        "passages": [
            {"passage_id": "p1", "text": "The adviser cancelled the appointment three times."},
            {"passage_id": "p2", "text": "No letter was sent explaining why."},
        ],
        "findings": [
            {"element_id": e, "finding": "upheld", "maladministration": True, "passage_ids": ["p1", "p2"]}
            for e in element_ids
        ],
        "recommendations": [
            {"recommendation_id": "r1", "kind": "case_specific", "text": "Apologise in writing."},
            {"recommendation_id": "r2", "kind": "systemic", "text": "Reword the cancellation letter."},
        ],
        "proposed_redress": [{"redress_id": "cp1", "kind": "consolatory_payment", "amount_pence": 10_000}],
    }
    body.update(overrides)
    return body


async def contract_valued(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    provider_id: str,
    value_pence: int,
    let_or_renewed_on: str,
) -> str:
    """Register a contract of the provider with this value and let date (R36) and wait until the directory lists it."""
    contract_id = unique("fee-contract")
    body = {
        **contract_body(provider_id, contract_id),
        "value_pence": value_pence,
        "let_or_renewed_on": let_or_renewed_on,
    }
    response = await client.post("/directory/contracts", headers=admin, json=body)
    assert response.status_code == 201, response.text
    await Directory(client, admin).wait_for_contract(contract_id)
    return contract_id
