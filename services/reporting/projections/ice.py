"""ICE and PHSO facts for reporting (R50, R51), applied by the `reporting.facts` projection.

`ice_cases` holds each referred case's dimensions as the referral had them (provider, who logged the
complaint, contract, programme, nation); `ice_facts` one dated row per thing that happened to it
(services/reporting/domain/ice_facts.py). Rows are only inserted, keyed so a re-application is a no-op;
what is still owed is worked out at query time from what was paid against it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from services.reporting.domain.ice_facts import (
    CLOSED_BY_CLOSURE,
    FEE_TARGET,
    REPORT_BY_OUTCOME,
    IceFact,
)
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Tables


@dataclass(frozen=True)
class FactRow:
    case_id: str
    fact: IceFact
    on_date: str
    """ISO date, as the event has it."""
    item: str = ""
    amount_pence: int = 0
    target: str | None = None

    def as_args(self) -> tuple[Any, ...]:
        return (self.case_id, self.fact.value, self.item, self.on_date, self.amount_pence, self.target)


def ice_statements(t: Tables) -> list[str]:
    f_index = t["ice_facts"].split(".")[-1]
    return [
        f"""CREATE TABLE {t["ice_cases"]} (
            case_id text PRIMARY KEY,
            provider_organisation_id text NOT NULL,
            logged_by_organisation_id text NOT NULL,
            contract_id text,
            programme text NOT NULL,
            nation text NOT NULL,
            referred_on date NOT NULL)""",
        f"""CREATE TABLE {t["ice_facts"]} (
            case_id text NOT NULL,
            fact text NOT NULL,
            item text NOT NULL,
            on_date date NOT NULL,
            amount_pence bigint NOT NULL,
            target text,
            PRIMARY KEY (case_id, fact, item))""",
        f"CREATE INDEX {f_index}_on_date ON {t['ice_facts']} (on_date)",
        f"""CREATE TABLE {t["escalations"]} (
            complaint_id text NOT NULL,
            from_stage integer NOT NULL,
            to_stage integer NOT NULL,
            escalated_on date NOT NULL,
            PRIMARY KEY (complaint_id, from_stage))""",
    ]


def _referral(e: RecordedEvent) -> list[FactRow]:
    eligible = bool(e.data["eligibility"]["eligible"])
    fact = IceFact.REFERRAL_ELIGIBLE if eligible else IceFact.REFERRAL_FLAGGED
    return [FactRow(e.data["case_id"], fact, e.data["referred_on"])]


def _on(fact: IceFact, date_field: str) -> Callable[[RecordedEvent], list[FactRow]]:
    return lambda e: [FactRow(e.data["case_id"], fact, e.data[date_field])]


def _returned(e: RecordedEvent) -> list[FactRow]:
    # One row per return: the stream version tells two returns of one case apart.
    return [FactRow(e.data["case_id"], IceFact.RETURNED_TO_PROVIDER, e.data["returned_on"], item=str(e.version))]


def _closed(e: RecordedEvent) -> list[FactRow]:
    return [FactRow(e.data["case_id"], CLOSED_BY_CLOSURE[e.data["closure"]], e.data["closed_on"])]


def _final_report(e: RecordedEvent) -> list[FactRow]:
    d = e.data
    report = FactRow(d["case_id"], REPORT_BY_OUTCOME[d["outcome"]], d["report_date"], item=d["report_id"])
    redress = [
        FactRow(
            d["case_id"], IceFact.REDRESS_OWED, d["report_date"], r["redress_id"], r["amount_pence"], r["redress_id"]
        )
        for r in d["redress"]
    ]
    return [report, *redress]


def _fee(e: RecordedEvent) -> list[FactRow]:
    d = e.data
    if not d["due"]:
        return []
    return [FactRow(d["case_id"], IceFact.FEE_RAISED, d["assessed_on"], d["report_id"], d["amount_pence"], FEE_TARGET)]


def _phso_accepted(e: RecordedEvent) -> list[FactRow]:
    d = e.data
    rows = [FactRow(d["case_id"], IceFact.PHSO_ACCEPTED, d["accepted_on"])]
    if not d["ice_exhausted"]:
        rows.append(FactRow(d["case_id"], IceFact.PHSO_ACCEPTED_BEFORE_ICE_EXHAUSTED, d["accepted_on"]))
    return rows


def _phso_report(e: RecordedEvent) -> list[FactRow]:
    d = e.data
    outcome = IceFact.PHSO_UPHELD if d["upheld"] else IceFact.PHSO_NOT_UPHELD
    owed = [
        FactRow(
            d["case_id"],
            IceFact.PHSO_REDRESS_OWED,
            d["issued_on"],
            r["recommendation_id"],
            r["additional_redress_pence"],
            r["recommendation_id"],
        )
        for r in d["recommendations"]
        if r.get("additional_redress_pence", 0) > 0
    ]
    return [FactRow(d["case_id"], outcome, d["issued_on"]), *owed]


FACTS_OF: dict[str, Callable[[RecordedEvent], list[FactRow]]] = {
    "ice.referral_received": _referral,
    "ice.referral_accepted": _on(IceFact.ACCEPTED, "accepted_on"),
    "ice.referral_declined": _on(IceFact.DECLINED, "declined_on"),
    "ice.returned_to_provider": _returned,
    "ice.gateway_passed": _on(IceFact.GATEWAY_PASSED, "passed_on"),
    "ice.case_closed": _closed,
    "ice.final_report_issued": _final_report,
    "ice.contribution_to_costs_assessed": _fee,
    "ice.phso_referral_received": _on(IceFact.PHSO_REFERRAL, "referred_on"),
    "ice.phso_accepted": _phso_accepted,
    "ice.phso_report_issued": _phso_report,
}
"""Event type -> its facts; `ice.payment_recorded` needs the read model to know what it pays (below)."""

ICE_EVENT_TYPES = frozenset({*FACTS_OF, "ice.payment_recorded"})


async def apply_ice(conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
    """A batch's ICE events (those of `ICE_EVENT_TYPES`), in log order, each table written once where possible."""
    referrals = [e.data for e in events if e.type == "ice.referral_received"]
    if referrals:
        await _insert_cases(conn, referrals, t)
    rows: list[FactRow] = []
    for event in events:
        if event.type == "ice.payment_recorded":
            # What a payment pays is read from the facts: those of this batch before it must be stored first.
            await _insert_facts(conn, rows, t)
            rows = await _payment(conn, event, t)
        else:
            rows += FACTS_OF[event.type](event)
    await _insert_facts(conn, rows, t)


async def _insert_facts(conn: Any, rows: Sequence[FactRow], t: Tables) -> None:
    if rows:
        await conn.executemany(
            f"""INSERT INTO {t["ice_facts"]} (case_id, fact, item, on_date, amount_pence, target)
                VALUES ($1, $2, $3, $4::text::date, $5, $6) ON CONFLICT DO NOTHING""",
            [row.as_args() for row in rows],
        )


async def _insert_cases(conn: Any, referrals: Sequence[dict[str, Any]], t: Tables) -> None:
    # The referral names the contract; if it did not, the complaint's own contract, if reporting has it.
    await conn.executemany(
        f"""INSERT INTO {t["ice_cases"]} (case_id, provider_organisation_id, logged_by_organisation_id, contract_id,
                programme, nation, referred_on)
            VALUES ($1, $2, $3,
                    coalesce($4, (SELECT contract_id FROM {t["complaints"]} WHERE complaint_id = $1)),
                    $5, $6, $7::text::date)
            ON CONFLICT (case_id) DO NOTHING""",
        [
            (
                d["case_id"],
                d["provider_organisation_id"],
                d["logged_by_organisation_id"],
                (d.get("contract") or {}).get("contract_id"),
                d["programme"],
                d["nation"],
                d["referred_on"],
            )
            for d in referrals
        ],
    )


async def _payment(conn: Any, e: RecordedEvent, t: Tables) -> list[FactRow]:
    """A payment of the fee, of a final report's redress item, or of a PHSO recommendation's redress."""
    d = e.data
    if d["target"] == FEE_TARGET:
        paid = IceFact.FEE_PAID
    else:
        owed = await conn.fetchval(
            f"""SELECT fact FROM {t["ice_facts"]} WHERE case_id = $1 AND target = $2 AND fact = ANY($3::text[])
                ORDER BY fact = $4 DESC LIMIT 1""",
            d["case_id"],
            d["target"],
            [IceFact.REDRESS_OWED.value, IceFact.PHSO_REDRESS_OWED.value],
            IceFact.REDRESS_OWED.value,
        )
        if owed is None:
            return []  # nothing owed by that name: the decider refuses such a payment
        paid = IceFact.REDRESS_PAID if owed == IceFact.REDRESS_OWED else IceFact.PHSO_REDRESS_PAID
    return [FactRow(d["case_id"], paid, d["paid_on"], d["payment_id"], d["amount_pence"], d["target"])]
