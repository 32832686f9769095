"""Journey templates for `make bench`: real events, made by the real services, to copy a million times.

Each template is one complaint's (or dissatisfaction's) journey, driven through the intake, escalation
and ICE gateway APIs in this process (httpx over ASGI, on a scratch database, with a clock set to each
step's day), so every event is exactly what the services write: the deciders' events, personal values
sealed under the complainant's own data subject, the ICE fee the process manager assesses. The events
are then read back from the log and kept as text; `tools.bench_generate` copies them with new ids,
organisations and dates.

Journeys (day 0 is the day the complaint is received):

- `answered`: acknowledged, answered at stage 1, escalated, final response at stage 2, outcome recorded;
- `redress`: the same with financial redress;
- `withdrawn`: acknowledged, then withdrawn;
- `ice_resolved`: `answered`, then referred to ICE, accepted, through the gateway, resolved at stage 1;
- `ice_upheld`: `answered`, then ICE to investigation, a draft report, comments, an upheld final report
  and the fee the process manager assesses;
- `dissatisfaction`: a dissatisfaction resolved as normal business (no complaint).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI

from shared.auth import OrganisationKind, Role, mint_token
from shared.clock import FixedClock
from shared.db import to_plain_url
from shared.settings import Settings

TEMPLATE_PROVIDER = "bench-tpl-prime"
TEMPLATE_CONTRACT = "bench-tpl-contract"
CONTRACT_VALUE_PENCE = 1_250_000_000
CONTRACT_LET_ON = "2023-04-01"
DAY_ZERO = (date(2026, 1, 5), date(2026, 1, 8))
"""Day 0 of the templates: a Monday and a Thursday, so receipts fall on both kinds of day once copied by weeks."""
WAIT_S = 30.0


@dataclass(frozen=True)
class TemplateEvent:
    stream_id: str
    stream_type: str
    version: int
    event_type: str
    schema_version: int
    data: str
    metadata: str
    recorded_at: datetime
    day: int
    """The event's business day, counted from the journey's day 0."""


@dataclass(frozen=True)
class Template:
    name: str
    entity_id: str
    """The complaint's (or dissatisfaction's) id, which every stream id of the journey contains."""
    day_zero: date
    events: tuple[TemplateEvent, ...]
    subject_keys: tuple[tuple[uuid.UUID, bytes, datetime], ...]
    """The data subjects the journey created (id, wrapped key, created at): copied keys open copied values."""


Headers = dict[str, str]
Body = dict[str, Any]


@dataclass
class People:
    caseworker: Headers
    lead: Headers
    ann: Headers
    cat: Headers
    examiner: Headers


@dataclass
class Apps:
    intake: httpx.AsyncClient
    escalation: httpx.AsyncClient
    ice: httpx.AsyncClient
    admin: Headers
    people: People
    clock: FixedClock


def _token(settings: Settings, org: str, kind: OrganisationKind, *roles: Role, subject: str) -> Headers:
    token = mint_token(settings, subject=subject, organisation_id=org, organisation_kind=kind, roles=roles)
    return {"Authorization": f"Bearer {token}"}


def people(settings: Settings) -> People:
    provider = OrganisationKind.PROVIDER
    return People(
        caseworker=_token(settings, TEMPLATE_PROVIDER, provider, Role.CASEWORKER, subject=f"{TEMPLATE_PROVIDER}-cw"),
        lead=_token(settings, TEMPLATE_PROVIDER, provider, Role.COMPLAINTS_LEAD, subject=f"{TEMPLATE_PROVIDER}-lead"),
        ann=_token(settings, TEMPLATE_PROVIDER, provider, Role.CASEWORKER, subject=f"{TEMPLATE_PROVIDER}-ann"),
        cat=_token(settings, TEMPLATE_PROVIDER, provider, Role.CASEWORKER, subject=f"{TEMPLATE_PROVIDER}-cat"),
        examiner=_token(settings, "ice", OrganisationKind.ICE, Role.CASE_EXAMINER, subject="ice-examiner-1"),
    )


async def _post(client: httpx.AsyncClient, path: str, headers: Headers, body: Body | None) -> Body:
    sent = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    response = await client.post(path, headers=sent, json=body)
    if response.status_code not in (200, 201):
        raise RuntimeError(f"template step POST {path}: {response.status_code} {response.text[:600]}")
    found: Body = response.json()
    return found


class Journey:
    """Steps of one journey, each on its day (the shared clock is set to that day, 10:00 UTC)."""

    def __init__(self, apps: Apps, day_zero: date) -> None:
        self.apps = apps
        self.day_zero = day_zero

    def on(self, day: int) -> str:
        when = self.day_zero + timedelta(days=day)
        self.apps.clock.set(datetime(when.year, when.month, when.day, 10, 0, tzinfo=UTC))
        return when.isoformat()

    async def register(self, day: int = 0, **overrides: Any) -> str:
        received = self.on(day)
        body = {
            "complainant": {
                "kind": "participant",
                "name": "Sam Example",
                "address": "1 Example Street, Leeds LS1 1AA",
                "email": "sam@example.org",
                "phone": "0113 496 0000",
                "national_insurance_number": "AB123456C",
            },
            "about": "provider",
            "programme": "ipes",
            "provider_organisation_id": TEMPLATE_PROVIDER,
            "contract_id": TEMPLATE_CONTRACT,
            "channel": "phone",
            "received_on": received,
            "nation": "england",
            "elements": [
                {
                    "category": "d_you_take_too_long",
                    "summary": "My appointment was cancelled three times.",
                    "desired_outcome": "A fixed appointment and an apology.",
                }
            ],
            **overrides,
        }
        created = await _post(self.apps.intake, "/complaints", self.apps.people.caseworker, body)
        complaint_id: str = created["complaint_id"]
        return complaint_id

    async def intake(self, day: int, complaint_id: str, path: str, who: Headers, body: Body | None) -> None:
        self.on(day)
        await _post(self.apps.intake, f"/complaints/{complaint_id}/{path}", who, body)

    async def ice(self, day: int, complaint_id: str, path: str, who: Headers, body: Body) -> None:
        self.on(day)
        await _post(self.apps.ice, f"/ice-cases/{complaint_id}{path}", who, body)

    async def answered(self, redress: bool = False) -> str:
        p = self.apps.people
        cid = await self.register(0)
        await self.intake(1, cid, "acknowledgement", p.caseworker, {"acknowledged_on": self.on(1), "method": "letter"})
        findings = [{"element_id": "E1", "desired_outcome_achievable": True}]
        stage_1 = {
            "stage": 1,
            "final": False,
            "issued_on": self.on(10),
            "text": "We looked into it.",
            "findings": findings,
        }
        await self.intake(10, cid, "responses", p.ann, stage_1)
        self.on(14)
        await _post(self.apps.escalation, f"/complaints/{cid}/escalations", p.caseworker, {"escalated_on": self.on(14)})
        final = {
            "stage": 2,
            "final": True,
            "issued_on": self.on(30),
            "text": "Our final response.",
            "reviewer_user_id": f"{TEMPLATE_PROVIDER}-dan",
            "findings": findings,
        }
        await self.intake(30, cid, "responses", p.cat, final)
        outcome: Body = {"element_id": "E1", "outcomes": ["apology"]}
        if redress:
            outcome = {
                "element_id": "E1",
                "outcomes": ["apology", "financial_redress"],
                "financial_redress_pence": 5000,
            }
        await self.intake(30, cid, "outcomes", p.cat, outcome)
        return cid

    async def withdrawn(self) -> str:
        p = self.apps.people
        cid = await self.register(0)
        await self.intake(1, cid, "acknowledgement", p.caseworker, {"acknowledged_on": self.on(1), "method": "email"})
        await self.intake(5, cid, "withdrawal", p.caseworker, {"withdrawn_on": self.on(5), "reason": "Sorted out."})
        return cid

    async def referred(self) -> str:
        p = self.apps.people
        cid = await self.answered()
        self.on(60)
        await _post(self.apps.ice, "/ice-cases", p.examiner, {"complaint_id": cid, "referred_on": self.on(60)})
        await self.ice(62, cid, "/acceptance", p.examiner, {"accepted_on": self.on(62)})
        steps = ["Stage 1", "Final response"]
        request = {"request_id": "gw", "kind": "confirmation", "made_on": self.on(63), "steps": steps}
        await self.ice(63, cid, "/requests", p.examiner, request)
        await self.ice(65, cid, "/requests/gw/confirmation", p.lead, {"confirmed_on": self.on(65)})
        await self.ice(66, cid, "/gateway-pass", p.examiner, {"passed_on": self.on(66)})
        return cid

    async def ice_resolved(self) -> str:
        p = self.apps.people
        cid = await self.referred()
        actions = [{"action_id": "a1", "description": "Rebook the appointment", "due_on": self.on(90)}]
        await self.ice(80, cid, "/resolution", p.examiner, {"agreed_on": self.on(80), "actions": actions})
        await self.ice(90, cid, "/actions/a1/completion", p.lead, {"completed_on": self.on(90)})
        return cid

    async def ice_upheld(self) -> str:
        p = self.apps.people
        cid = await self.referred()
        await self.ice(80, cid, "/next-stage", p.examiner, {"moved_on": self.on(80)})
        await self.ice(100, cid, "/next-stage", p.examiner, {"moved_on": self.on(100)})
        await self.ice(130, cid, "/draft-reports", p.examiner, _draft(self.on(130)))
        comments = {"comments": "We accept it.", "submitted_on": self.on(140)}
        await self.ice(140, cid, "/draft-reports/d1/comments", p.lead, comments)
        await self.ice(150, cid, "/final-report", p.examiner, _final_report(self.on(150)))
        case = await self._fee_assessed(cid)
        # The provider pays what the report and the fee rule say, within the four weeks (001 Annex 1 2.11.3): a
        # history of upheld cases never paid would leave every one of them on the provider's worklist for good.
        for n, payment in enumerate(case["payments"], start=1):
            body = {"payment_id": f"pay-{n}", "target": payment["target"], "amount_pence": payment["owed_pence"]}
            await self.ice(160, cid, "/payments", p.lead, {**body, "paid_on": self.on(160)})
        return cid

    async def _fee_assessed(self, cid: str) -> Body:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            response = await self.apps.ice.get(f"/ice-cases/{cid}", headers=self.apps.people.examiner)
            if response.status_code == 200 and response.json().get("contribution_to_costs") is not None:
                case: Body = response.json()
                return case
            await asyncio.sleep(0.1)
        raise RuntimeError("the ICE fee was never assessed for a template journey")

    async def dissatisfaction(self) -> str:
        body = {
            "complainant_kind": "participant",
            "name": "Sam Example",
            "about": "provider",
            "programme": "ipes",
            "provider_organisation_id": TEMPLATE_PROVIDER,
            "contract_id": TEMPLATE_CONTRACT,
            "channel": "phone",
            "nation": "england",
            "category": "d_you_take_too_long",
            "raised_on": self.on(0),
            "resolved_on": self.on(0),
            "summary": "The adviser was late.",
            "resolution": "Apologised and rebooked.",
        }
        created = await _post(self.apps.intake, "/dissatisfactions", self.apps.people.caseworker, body)
        dissatisfaction_id: str = created["dissatisfaction_id"]
        return dissatisfaction_id


def _draft(on: str) -> Body:
    return {
        "draft_id": "d1",
        "issued_on": on,
        "passages": [
            {"passage_id": "p1", "text": "The adviser cancelled the appointment three times."},
            {"passage_id": "p2", "text": "No letter was sent explaining why."},
        ],
        "findings": [{"element_id": "E1", "finding": "upheld", "maladministration": True, "passage_ids": ["p1", "p2"]}],
        "recommendations": [
            {"recommendation_id": "r1", "kind": "case_specific", "text": "Apologise in writing."},
            {"recommendation_id": "r2", "kind": "systemic", "text": "Reword the cancellation letter."},
        ],
        "proposed_redress": [{"redress_id": "cp1", "kind": "consolatory_payment", "amount_pence": 10_000}],
    }


def _final_report(on: str) -> Body:
    return {
        "report_id": "fr1",
        "report_date": on,
        "findings": [{"element_id": "E1", "finding": "upheld", "maladministration": True}],
        "recommendations": [
            {"recommendation_id": "r1", "kind": "case_specific", "text": "Apologise in writing."},
            {"recommendation_id": "r2", "kind": "systemic", "text": "Reword the cancellation letter."},
        ],
        "redress": [{"redress_id": "cp1", "kind": "consolatory_payment", "amount_pence": 10_000}],
    }


JOURNEYS: dict[str, Callable[[Journey], Any]] = {
    "answered": lambda j: j.answered(),
    "redress": lambda j: j.answered(redress=True),
    "withdrawn": lambda j: j.withdrawn(),
    "ice_resolved": lambda j: j.ice_resolved(),
    "ice_upheld": lambda j: j.ice_upheld(),
    "dissatisfaction": lambda j: j.dissatisfaction(),
}


# --------------------------------------------------------------------------------------------
# Running the services in this process


@contextlib.asynccontextmanager
async def _client(app: FastAPI, name: str) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}.bench", timeout=30) as client:
            yield client


def _settings(url: str) -> dict[str, Any]:
    return {
        "DATABASE_URL": url,
        "APP_ENV": "test",
        "LOG_JSON": False,
        "LOG_LEVEL": "WARNING",
        "SUBSCRIPTION_POLL_SECONDS": 0.1,
        "SUBSCRIPTION_LEADER_RETRY_SECONDS": 0.2,
    }


@contextlib.asynccontextmanager
async def services(url: str, clock: FixedClock, blob_dir: str) -> AsyncIterator[Apps]:
    from services.escalation.main import create_app as create_escalation
    from services.escalation.settings import EscalationSettings
    from services.ice_gateway.main import create_app as create_ice
    from services.ice_gateway.settings import IceGatewaySettings
    from services.intake.main import create_app as create_intake
    from services.intake.settings import IntakeSettings

    common = _settings(url)
    intake_app = create_intake(IntakeSettings(**common), clock)
    # The watcher sweeps once at start-up (an empty log) and then not again while templates are made.
    escalation_app = create_escalation(EscalationSettings(**common, DEADLINE_WATCH_SECONDS=86_400), clock)
    ice_app = create_ice(IceGatewaySettings(**common, BLOB_STORE_PATH=blob_dir), clock)
    settings = Settings(**common)
    admin = _token(settings, "dwp", OrganisationKind.DWP_BUSINESS, Role.DWP_ADMIN, subject="bench-admin")
    async with (
        _client(intake_app, "intake") as intake,
        _client(escalation_app, "escalation") as escalation,
        _client(ice_app, "ice") as ice,
    ):
        yield Apps(intake, escalation, ice, admin, people(settings), clock)


async def _directory(apps: Apps) -> None:
    """ICE, the template provider and its contract, through the admin API; then wait for the read model."""
    for org, kind in (("ice", "ice"), (TEMPLATE_PROVIDER, "provider")):
        body = {"organisation_id": org, "name": f"Bench {org}", "kind": kind}
        response = await apps.intake.post("/directory/organisations", headers=apps.admin, json=body)
        if response.status_code not in (201, 409):
            raise RuntimeError(f"directory: {response.status_code} {response.text[:300]}")
    contract = {
        "contract_id": TEMPLATE_CONTRACT,
        "provider_organisation_id": TEMPLATE_PROVIDER,
        "programme": "ipes",
        "value_pence": CONTRACT_VALUE_PENCE,
        "let_or_renewed_on": CONTRACT_LET_ON,
        "nation": "england",
        "title": "Bench template contract",
    }
    response = await apps.intake.post("/directory/contracts", headers=apps.admin, json=contract)
    if response.status_code not in (201, 409):
        raise RuntimeError(f"directory: {response.status_code} {response.text[:300]}")
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        listed = await apps.intake.get("/directory/contracts", headers=apps.admin)
        if listed.status_code == 200 and any(c["contract_id"] == TEMPLATE_CONTRACT for c in listed.json()):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the template contract never reached the directory read model")


_JOURNEY_EVENTS = """
SELECT stream_id, stream_type, version, event_type, schema_version, data::text AS data, metadata::text AS metadata,
       recorded_at, (metadata->>'business_date') AS business_date
FROM events WHERE strpos(stream_id, $1) > 0 ORDER BY tx_id, position
"""


async def read_template(conn: Any, name: str, entity_id: str, day_zero: date) -> Template:
    rows = await conn.fetch(_JOURNEY_EVENTS, entity_id)
    events = []
    for r in rows:
        business = date.fromisoformat(r["business_date"]) if r["business_date"] else r["recorded_at"].date()
        events.append(
            TemplateEvent(
                stream_id=r["stream_id"],
                stream_type=r["stream_type"],
                version=r["version"],
                event_type=r["event_type"],
                schema_version=r["schema_version"],
                data=r["data"],
                metadata=r["metadata"],
                recorded_at=r["recorded_at"],
                day=(business - day_zero).days,
            )
        )
    subjects = await conn.fetch(
        """SELECT subject_id, wrapped_key, created_at FROM data_subject_keys
           WHERE strpos($1, subject_id::text) > 0""",
        "".join(e.data for e in events),
    )
    keys = tuple((s["subject_id"], bytes(s["wrapped_key"]), s["created_at"]) for s in subjects)
    return Template(name, entity_id, day_zero, tuple(events), keys)


async def build_templates(url: str, blob_dir: str) -> list[Template]:
    """Every journey once per day zero, through the services, read back from the log."""
    clock = FixedClock(datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    made: list[tuple[str, str, date]] = []
    async with services(url, clock, blob_dir) as apps:
        await _directory(apps)
        for day_zero in DAY_ZERO:
            for name, run in JOURNEYS.items():
                entity_id = await run(Journey(apps, day_zero))
                made.append((name, entity_id, day_zero))
    conn = await asyncpg.connect(to_plain_url(url))
    try:
        return [await read_template(conn, name, entity_id, day_zero) for name, entity_id, day_zero in made]
    finally:
        await conn.close()
