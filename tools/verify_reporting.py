"""Verify reporting's read model against the log (R52): exit 1 on any difference.

    python -m tools.verify_reporting

Replays the event log in memory up to the read model's checkpoint and recomputes, from the raw event
data and independently of the projection's code: every complaint, element, response and escalation
fact, every ICE case and ICE/PHSO fact; then compares them with reporting's tables row by row. It also
recomputes the escalation, ICE, fee and redress, and PHSO figures per provider (all time) in Python and
compares them with what the figures' own queries answer from the read model. Uses DATABASE_URL, or the
embedded PostgreSQL of `make run`.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.reporting.api.escalations import ICE_ESCALATIONS, STAGE_ESCALATIONS
from services.reporting.api.ice import ICE_CASES, ICE_MONEY, PHSO
from services.reporting.api.query import Dimension, FigureParams, FigureSpec, build, figure_rows
from shared.db import create_pool, raw_connection, resolve_database_url
from shared.eventstore.model import START, LogPosition, RecordedEvent
from shared.eventstore.postgres import PostgresEventStore
from shared.eventstore.subscriptions import read_checkpoint
from shared.settings import Settings

FACT_COLUMNS = (
    "provider_organisation_id",
    "contract_id",
    "programme",
    "nation",
    "about",
    "channel",
    "complainant_kind",
    "received_on",
    "logged_by_organisation_id",
    "withdrawn_on",
)
CASE_COLUMNS = (
    "provider_organisation_id",
    "logged_by_organisation_id",
    "contract_id",
    "programme",
    "nation",
    "referred_on",
)
FactKey = tuple[str, str, str]
"""(case, fact, item)"""
FactValue = tuple[str, int, str | None]
"""(date, pence, target)"""
Row = dict[str, Any]


@dataclass
class Replayed:
    complaints: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    elements: set[tuple[str, str, str]] = field(default_factory=set)
    responses: dict[tuple[str, int], tuple[bool, str]] = field(default_factory=dict)
    escalations: dict[tuple[str, int], tuple[int, str]] = field(default_factory=dict)
    ice_cases: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    ice_facts: dict[FactKey, FactValue] = field(default_factory=dict)

    def apply(self, event: RecordedEvent) -> None:
        if event.type.startswith("ice."):
            self._ice(event)
        elif (step := _COMPLAINT_STEPS.get(event.type)) is not None:
            step(self, event.data)

    # Complaints

    def registered(self, d: Row) -> None:
        self.complaints[d["complaint_id"]] = fact_of(d)
        for element in d["elements"]:
            self.elements.add((d["complaint_id"], element["element_id"], element["category"]))

    def withdrawn(self, d: Row) -> None:
        if d["complaint_id"] in self.complaints:
            fact = self.complaints[d["complaint_id"]]
            self.complaints[d["complaint_id"]] = (*fact[:-1], d["withdrawn_on"])

    def responded(self, d: Row) -> None:
        key = (d["complaint_id"], int(d["stage"]))
        if d["complaint_id"] in self.complaints and key not in self.responses:
            self.responses[key] = (bool(d["final"]), d["issued_on"])

    def escalated(self, d: Row) -> None:
        self.escalations.setdefault((d["complaint_id"], int(d["from_stage"])), (int(d["to_stage"]), d["escalated_on"]))

    # ICE

    def _ice(self, event: RecordedEvent) -> None:
        d = event.data
        if event.type == "ice.referral_received" and d["case_id"] not in self.ice_cases:
            self.ice_cases[d["case_id"]] = self._case_of(d)
        for item, fact, on, pence, target in ice_facts_of(event, self._paid_fact(d)):
            self.ice_facts.setdefault((d["case_id"], fact, item), (on, pence, target))

    def _case_of(self, d: Row) -> tuple[Any, ...]:
        contract = d["contract"]["contract_id"] if d.get("contract") else None
        if contract is None and d["case_id"] in self.complaints:
            contract = self.complaints[d["case_id"]][1]
        return (
            d["provider_organisation_id"],
            d["logged_by_organisation_id"],
            contract,
            d["programme"],
            d["nation"],
            d["referred_on"],
        )

    def _paid_fact(self, d: Row) -> str | None:
        """What a payment pays: the fee, a final report's redress item, or a PHSO recommendation's redress."""
        target = d.get("target")
        if target is None:
            return None
        if target == "fee":
            return "fee_paid"
        if (d["case_id"], "redress_owed", target) in self.ice_facts:
            return "redress_paid"
        if (d["case_id"], "phso_redress_owed", target) in self.ice_facts:
            return "phso_redress_paid"
        return None


_COMPLAINT_STEPS: dict[str, Callable[[Replayed, Row], None]] = {
    "complaint.registered": Replayed.registered,
    "complaint.withdrawn": Replayed.withdrawn,
    "complaint.response_issued": Replayed.responded,
    "complaint.escalated": Replayed.escalated,
}

IceFactTuple = tuple[str, str, str, int, str | None]
"""(item, fact, date, pence, target)"""


def ice_facts_of(event: RecordedEvent, paid_fact: str | None) -> list[IceFactTuple]:
    """The facts of one ICE event, read straight from its data."""
    d, kind = event.data, event.type.removeprefix("ice.")
    if kind == "referral_received":
        return [
            ("", "referral_eligible" if d["eligibility"]["eligible"] else "referral_flagged", d["referred_on"], 0, None)
        ]
    if kind in _SIMPLE:
        fact, on = _SIMPLE[kind]
        return [("", fact, d[on], 0, None)]
    if kind == "returned_to_provider":
        return [(str(event.version), "returned_to_provider", d["returned_on"], 0, None)]
    if kind == "case_closed":
        return [("", "closed_" + d["closure"], d["closed_on"], 0, None)]
    if kind == "final_report_issued":
        redress = [
            (r["redress_id"], "redress_owed", d["report_date"], r["amount_pence"], r["redress_id"])
            for r in d["redress"]
        ]
        return [(d["report_id"], "report_" + d["outcome"], d["report_date"], 0, None), *redress]
    if kind == "contribution_to_costs_assessed":
        return [(d["report_id"], "fee_raised", d["assessed_on"], d["amount_pence"], "fee")] if d["due"] else []
    if kind == "payment_recorded":
        return [(d["payment_id"], paid_fact, d["paid_on"], d["amount_pence"], d["target"])] if paid_fact else []
    if kind == "phso_accepted":
        before = (
            [("", "phso_accepted_before_ice_exhausted", d["accepted_on"], 0, None)] if not d["ice_exhausted"] else []
        )
        return [("", "phso_accepted", d["accepted_on"], 0, None), *before]
    if kind == "phso_report_issued":
        owed = [
            (
                r["recommendation_id"],
                "phso_redress_owed",
                d["issued_on"],
                r["additional_redress_pence"],
                r["recommendation_id"],
            )
            for r in d["recommendations"]
            if r.get("additional_redress_pence", 0) > 0
        ]
        return [("", "phso_upheld" if d["upheld"] else "phso_not_upheld", d["issued_on"], 0, None), *owed]
    return []


_SIMPLE = {
    "referral_accepted": ("accepted", "accepted_on"),
    "referral_declined": ("declined", "declined_on"),
    "gateway_passed": ("gateway_passed", "passed_on"),
    "phso_referral_received": ("phso_referral", "referred_on"),
}


def fact_of(data: Row) -> tuple[Any, ...]:
    complainant = data.get("complainant")
    special = data.get("special_customer_record") or {}
    kind = complainant["kind"] if complainant else special.get("complainant_kind", "special_customer_record")
    return (
        data["provider_organisation_id"],
        data["contract_id"],
        data["programme"],
        data["nation"],
        data["about"],
        data["channel"],
        kind,
        data["received_on"],
        data["logged_by_organisation_id"],
        None,
    )


async def replay(store: PostgresEventStore, until: LogPosition) -> Replayed:
    replayed, after = Replayed(), START
    while events := await store.read_all(after, 5000):
        for event in events:
            if event.position > until:
                return replayed
            replayed.apply(event)
        after = events[-1].position
    return replayed


# The figures, recomputed per provider from the replay


def ratio(numerator: int, denominator: int) -> float | None:
    if denominator == 0:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _ice_case_figures(n: Counter[str]) -> Row:
    reports = n["report_upheld"] + n["report_partly_upheld"] + n["report_not_upheld"]
    upheld = n["report_upheld"] + n["report_partly_upheld"]
    return {
        "referrals": n["referral_eligible"] + n["referral_flagged"],
        "referrals_eligible": n["referral_eligible"],
        "referrals_flagged": n["referral_flagged"],
        "accepted": n["accepted"],
        "declined": n["declined"],
        "gateway_returns": n["returned_to_provider"],
        "gateway_passed": n["gateway_passed"],
        "closed_at_resolution": n["closed_resolved"],
        "closed_at_settlement": n["closed_settled"],
        "closed_by_final_report": n["closed_final_report"],
        "closed_withdrawn": n["closed_withdrawn"],
        "final_reports": reports,
        "upheld": upheld,
        "partly_upheld": n["report_partly_upheld"],
        "not_upheld": n["report_not_upheld"],
        "upheld_rate": ratio(upheld, reports),
    }


def _money_figures(pence: Counter[str], outstanding: Counter[str], n: Counter[str]) -> Row:
    return {
        "fees_raised": n["fee_raised"],
        "fees_raised_pence": pence["fee_raised"],
        "fees_recovered_pence": pence["fee_paid"],
        "fees_outstanding_pence": outstanding["fee_raised"],
        "redress_owed_pence": pence["redress_owed"],
        "redress_paid_pence": pence["redress_paid"],
        "redress_outstanding_pence": outstanding["redress_owed"],
        "phso_redress_owed_pence": pence["phso_redress_owed"],
        "phso_redress_paid_pence": pence["phso_redress_paid"],
        "phso_redress_outstanding_pence": outstanding["phso_redress_owed"],
    }


def _phso_figures(n: Counter[str]) -> Row:
    reports = n["phso_upheld"] + n["phso_not_upheld"]
    return {
        "phso_referrals": n["phso_referral"],
        "phso_accepted": n["phso_accepted"],
        "accepted_before_ice_exhausted": n["phso_accepted_before_ice_exhausted"],
        "phso_reports": reports,
        "phso_upheld": n["phso_upheld"],
        "phso_not_upheld": n["phso_not_upheld"],
        "phso_upheld_rate": ratio(n["phso_upheld"], reports),
    }


_SETTLED_BY = {"fee_raised": "fee_paid", "redress_owed": "redress_paid", "phso_redress_owed": "phso_redress_paid"}


def ice_figures(r: Replayed) -> dict[str, dict[tuple[Any, ...], Row]]:
    """figure name -> (provider,) -> its measures, over every ICE fact of a referred case."""
    paid: Counter[tuple[str, str, str | None]] = Counter()
    for (case_id, fact, _item), (_on, amount, target) in r.ice_facts.items():
        paid[(case_id, fact, target)] += amount
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    pence: dict[str, Counter[str]] = defaultdict(Counter)
    outstanding: dict[str, Counter[str]] = defaultdict(Counter)
    for (case_id, fact, _item), (_on, amount, target) in r.ice_facts.items():
        if case_id not in r.ice_cases:
            continue
        provider = r.ice_cases[case_id][0]
        counts[provider][fact] += 1
        pence[provider][fact] += amount
        if fact in _SETTLED_BY:
            outstanding[provider][fact] += amount - paid[(case_id, _SETTLED_BY[fact], target)]
    figures: dict[str, dict[tuple[Any, ...], Row]] = {name: {} for name in _FIGURE_FACTS}
    for provider, n in counts.items():
        measured = {
            "ice_cases": _ice_case_figures(n),
            "ice_fees_and_redress": _money_figures(pence[provider], outstanding[provider], n),
            "phso": _phso_figures(n),
        }
        for name, facts in _FIGURE_FACTS.items():
            if any(n[fact] for fact in facts):  # a provider with none of a figure's facts has no row in it
                figures[name][(provider,)] = measured[name]
    return figures


_FIGURE_FACTS = {
    "ice_cases": (
        "referral_eligible",
        "referral_flagged",
        "accepted",
        "declined",
        "returned_to_provider",
        "gateway_passed",
        "closed_resolved",
        "closed_settled",
        "closed_final_report",
        "closed_withdrawn",
        "report_upheld",
        "report_partly_upheld",
        "report_not_upheld",
    ),
    "ice_fees_and_redress": (
        "fee_raised",
        "fee_paid",
        "redress_owed",
        "redress_paid",
        "phso_redress_owed",
        "phso_redress_paid",
    ),
    "phso": ("phso_referral", "phso_accepted", "phso_accepted_before_ice_exhausted", "phso_upheld", "phso_not_upheld"),
}


def escalation_figures(r: Replayed) -> dict[str, dict[tuple[Any, ...], Row]]:
    answered: Counter[tuple[Any, ...]] = Counter()
    escalated: Counter[tuple[Any, ...]] = Counter()
    finals: Counter[tuple[Any, ...]] = Counter()
    referred: Counter[tuple[Any, ...]] = Counter()
    for (complaint_id, stage), (final, _issued_on) in r.responses.items():
        provider = r.complaints[complaint_id][0]
        answered[(provider, stage)] += 1
        escalated[(provider, stage)] += (complaint_id, stage) in r.escalations
        finals[(provider,)] += final
        referred[(provider,)] += final and complaint_id in r.ice_cases
    return {
        "stage_escalations": {
            k: {"answered": n, "escalated": escalated[k], "escalation_rate": ratio(escalated[k], n)}
            for k, n in answered.items()
        },
        "ice_escalations": {
            k: {"final_responses": n, "referred_to_ice": referred[k], "referral_rate": ratio(referred[k], n)}
            for k, n in finals.items()
            if n
        },
    }


# Reading the read model, in one snapshot with its checkpoint


ALL_TIME = FigureParams(date(1, 1, 1), date(9999, 12, 31), [Dimension.PROVIDER], None, None)
FIGURES: tuple[tuple[FigureSpec, tuple[str, str] | None], ...] = (
    (STAGE_ESCALATIONS, ("stage", "r.stage")),
    (ICE_ESCALATIONS, None),
    (ICE_CASES, None),
    (ICE_MONEY, None),
    (PHSO, None),
)


@dataclass
class ReadModel:
    checkpoint: LogPosition
    tables: dict[str, list[Row]]
    figures: dict[str, dict[tuple[Any, ...], Row]]


_TABLE_SQL = {
    "complaints": "SELECT complaint_id, "
    + ", ".join(f"{c}::text AS {c}" for c in FACT_COLUMNS)
    + " FROM reporting.complaints",
    "elements": "SELECT complaint_id, element_id, category FROM reporting.elements",
    "responses": "SELECT complaint_id, stage, final, issued_on::text AS issued_on FROM reporting.responses",
    "escalations": "SELECT complaint_id, from_stage, to_stage, escalated_on::text AS escalated_on "
    "FROM reporting.escalations",
    "ice_cases": "SELECT case_id, "
    + ", ".join(f"{c}::text AS {c}" for c in CASE_COLUMNS)
    + " FROM reporting.ice_cases",
    "ice_facts": "SELECT case_id, fact, item, on_date::text AS on_date, amount_pence, target FROM reporting.ice_facts",
}


async def read_model(pool: Any) -> ReadModel:
    # One snapshot for the checkpoint and the rows, so a batch committed meanwhile cannot show up
    # as rows past the checkpoint.
    async with raw_connection(pool) as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        checkpoint = await read_checkpoint(conn, "reporting.facts")
        tables = {name: [dict(r) for r in await conn.fetch(sql)] for name, sql in _TABLE_SQL.items()}
        figures = {}
        for spec, extra in FIGURES:
            built = build(spec, ALL_TIME, extra)
            rows = await figure_rows(conn, built, ALL_TIME, None)
            figures[spec.name] = {
                tuple(r[c] for c in built.group_columns): _measures(r, built.group_columns) for r in rows
            }
    return ReadModel(checkpoint, tables, figures)


def _measures(row: Row, group_columns: list[str]) -> Row:
    return {k: v for k, v in row.items() if k not in group_columns}


# Comparing


def _compare(what: str, want: dict[Any, Any], have: dict[Any, Any]) -> Iterable[str]:
    for key in sorted(set(want) | set(have), key=repr):
        if want.get(key) != have.get(key):
            yield f"{what} {key}: log says {want.get(key)}, read model says {have.get(key)}"


def _compare_sets(what: str, want: set[Any], have: set[Any]) -> Iterable[str]:
    for extra in sorted(have - want):
        yield f"{what} {extra}: in the read model, not in the log"
    for missing in sorted(want - have):
        yield f"{what} {missing}: in the log, not in the read model"


def _compare_figure(name: str, want: dict[tuple[Any, ...], Row], have: dict[tuple[Any, ...], Row]) -> Iterable[str]:
    for key in sorted(set(want) | set(have), key=repr):
        w, h = want.get(key), have.get(key)
        if w != h:
            columns = sorted(set(w or {}) | set(h or {}))
            changed = {c: ((w or {}).get(c), (h or {}).get(c)) for c in columns if (w or {}).get(c) != (h or {}).get(c)}
            yield f"figure {name} {key}: (log, read model) differ in {changed}"


def _row_differences(expected: Replayed, t: dict[str, list[Row]]) -> Iterable[str]:
    yield from _compare(
        "complaint",
        expected.complaints,
        {r["complaint_id"]: tuple(r[c] for c in FACT_COLUMNS) for r in t["complaints"]},
    )
    actual_elements = {(r["complaint_id"], r["element_id"], r["category"]) for r in t["elements"]}
    yield from _compare_sets("element", expected.elements, actual_elements)
    yield from _compare(
        "response",
        expected.responses,
        {(r["complaint_id"], r["stage"]): (r["final"], r["issued_on"]) for r in t["responses"]},
    )
    yield from _compare(
        "escalation",
        expected.escalations,
        {(r["complaint_id"], r["from_stage"]): (r["to_stage"], r["escalated_on"]) for r in t["escalations"]},
    )
    yield from _compare(
        "ICE case", expected.ice_cases, {r["case_id"]: tuple(r[c] for c in CASE_COLUMNS) for r in t["ice_cases"]}
    )
    yield from _compare(
        "ICE fact",
        expected.ice_facts,
        {(r["case_id"], r["fact"], r["item"]): (r["on_date"], r["amount_pence"], r["target"]) for r in t["ice_facts"]},
    )


async def differences(pool: Any) -> list[str]:
    store = PostgresEventStore(pool, notify=False)
    model = await read_model(pool)
    expected = await replay(store, model.checkpoint)
    found = list(_row_differences(expected, model.tables))
    recomputed = {**escalation_figures(expected), **ice_figures(expected)}
    for name, want in recomputed.items():
        found.extend(_compare_figure(name, want, model.figures[name]))
    return found


async def main() -> int:
    settings = Settings()
    pool = await create_pool(resolve_database_url(settings), settings)
    try:
        found = await differences(pool)
    finally:
        await pool.close()
    for line in found:
        print(line)
    print(f"reporting verify: {len(found)} difference(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
