"""`ice.cases`: one row per ICE case, for the scoped list and the evidence retention job (R30, R37);
`ice.recommendations`: every final-report recommendation, systemic ones tracked per provider (R39)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables
from shared.ice import events as e
from shared.ice.vocabulary import CaseStatus

_STATUS_BY_EVENT = {
    e.ReferralAccepted.event_type: CaseStatus.GATEWAY,
    e.ReferralDeclined.event_type: CaseStatus.DECLINED,
    e.ReturnedToProvider.event_type: CaseStatus.RETURNED_TO_PROVIDER,
    e.RevisitedStepsReported.event_type: CaseStatus.GATEWAY,
    e.GatewayPassed.event_type: CaseStatus.RESOLUTION,
}


class IceCasesProjection(Projection):
    name = "ice.cases"
    schema = "ice"
    tables = ("cases", "recommendations")

    def create_statements(self, t: Tables) -> list[str]:
        cases, recs = t["cases"], t["recommendations"]
        index = cases.split(".")[-1]
        rec_index = recs.split(".")[-1]
        return [
            f"""CREATE TABLE {cases} (
                case_id text PRIMARY KEY,
                provider_organisation_id text NOT NULL,
                logged_by_organisation_id text NOT NULL,
                routed_to_organisation_id text,
                restricted boolean NOT NULL DEFAULT false,
                programme text NOT NULL,
                nation text NOT NULL,
                status text NOT NULL,
                stage text,
                eligible boolean NOT NULL,
                referred_on date NOT NULL,
                closed_on date,
                closure text,
                outcome text,
                evidence_held integer NOT NULL DEFAULT 0,
                phso_referred_on date,
                referred_at timestamptz NOT NULL,
                version integer NOT NULL)""",
            f"CREATE INDEX {index}_by_provider ON {cases} (provider_organisation_id, referred_at DESC)",
            f"CREATE INDEX {index}_by_referred ON {cases} (referred_at DESC, case_id DESC)",
            f"CREATE INDEX {index}_evidence_due ON {cases} (closed_on) WHERE evidence_held > 0",
            f"""CREATE TABLE {recs} (
                case_id text NOT NULL,
                recommendation_id text NOT NULL,
                provider_organisation_id text NOT NULL,
                kind text NOT NULL,
                report_date date NOT NULL,
                actioned_on date,
                PRIMARY KEY (case_id, recommendation_id))""",
            f"CREATE INDEX {rec_index}_by_provider ON {recs} (provider_organisation_id, kind, actioned_on)",
        ]

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        # The batch is folded in memory over the cases it touches, then each touched row is written once: the
        # same result as applying event by event, in a few statements per batch instead of one per event.
        mine = [event for event in events if event.type in _HANDLED]
        if not mine:
            return
        cases = await _current(conn, t["cases"], {event.data["case_id"] for event in mine})
        inserted: dict[str, dict[str, Any]] = {}
        changed: set[str] = set()
        recommendations = _Recommendations()
        for event in mine:
            case_id = event.data["case_id"]
            case = cases.get(case_id)
            if event.type == e.ReferralReceived.event_type:
                if case is None:  # received twice (a replay): the first one stands
                    cases[case_id] = inserted[case_id] = _received(event)
                continue
            if event.type == e.FinalReportIssued.event_type:
                recommendations.issued(event.data)
            elif event.type == e.RecommendationActioned.event_type:
                recommendations.actioned(event.data)
                continue
            if case is not None and case["version"] < event.version:
                # A change applies once: only a row still behind this event's version moves.
                _CHANGES[event.type](case, event.data)
                case["version"] = event.version
                changed.add(case_id)
        await _insert(conn, t["cases"], list(inserted.values()))
        await _update(conn, t["cases"], [cases[c] for c in changed - inserted.keys()])
        await recommendations.write(conn, t["recommendations"])


def _status(status: CaseStatus) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def change(case: dict[str, Any], _: dict[str, Any]) -> None:
        case["status"] = status.value
        if status is CaseStatus.RESOLUTION:
            case["stage"] = "resolution"

    return change


def _moved(case: dict[str, Any], data: dict[str, Any]) -> None:
    case["status"] = case["stage"] = data["to_stage"]


def _closed(case: dict[str, Any], data: dict[str, Any]) -> None:
    case["status"] = "closed"
    case["closed_on"] = date.fromisoformat(data["closed_on"])
    case["closure"] = data["closure"]


def _evidence_uploaded(case: dict[str, Any], _: dict[str, Any]) -> None:
    case["evidence_held"] += 1


def _evidence_destroyed(case: dict[str, Any], data: dict[str, Any]) -> None:
    case["evidence_held"] -= len(data["items"])


def _phso_referred(case: dict[str, Any], data: dict[str, Any]) -> None:
    case["phso_referred_on"] = date.fromisoformat(data["referred_on"])


def _reported(case: dict[str, Any], data: dict[str, Any]) -> None:
    case["outcome"] = data["outcome"]


_CHANGES: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    **{event_type: _status(status) for event_type, status in _STATUS_BY_EVENT.items()},
    e.MovedToNextStage.event_type: _moved,
    e.CaseClosed.event_type: _closed,
    e.EvidenceItemUploaded.event_type: _evidence_uploaded,
    e.EvidenceDestroyed.event_type: _evidence_destroyed,
    e.PhsoReferralReceived.event_type: _phso_referred,
    e.FinalReportIssued.event_type: _reported,
}
_HANDLED = frozenset({e.ReferralReceived.event_type, e.RecommendationActioned.event_type, *_CHANGES})
_MUTABLE = ("version", "status", "stage", "closed_on", "closure", "outcome", "evidence_held", "phso_referred_on")
"""The columns events after the referral change, with their types for `unnest`."""
_MUTABLE_TYPES = ("int", "text", "text", "date", "text", "text", "int", "date")
_COLUMNS = (
    "case_id",
    "provider_organisation_id",
    "logged_by_organisation_id",
    "programme",
    "nation",
    "status",
    "eligible",
    "referred_on",
    "referred_at",
    "version",
    "routed_to_organisation_id",
    "restricted",
    "stage",
    "closed_on",
    "closure",
    "outcome",
    "evidence_held",
    "phso_referred_on",
)


def _received(event: RecordedEvent) -> dict[str, Any]:
    data = event.data
    return {
        "case_id": data["case_id"],
        "provider_organisation_id": data["provider_organisation_id"],
        "logged_by_organisation_id": data["logged_by_organisation_id"],
        "programme": data["programme"],
        "nation": data["nation"],
        "status": CaseStatus.REFERRED.value,
        "eligible": data["eligibility"]["eligible"],
        "referred_on": date.fromisoformat(data["referred_on"]),
        "referred_at": event.recorded_at,
        "version": event.version,
        "routed_to_organisation_id": data.get("routed_to_organisation_id"),
        "restricted": data.get("restricted", False),
        "stage": None,
        "closed_on": None,
        "closure": None,
        "outcome": None,
        "evidence_held": 0,
        "phso_referred_on": None,
    }


async def _current(conn: Any, table: str, case_ids: set[str]) -> dict[str, dict[str, Any]]:
    found = await conn.fetch(
        f"SELECT case_id, {', '.join(_MUTABLE)} FROM {table} WHERE case_id = ANY($1::text[])", list(case_ids)
    )
    return {r["case_id"]: dict(r) for r in found}


async def _insert(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        await conn.executemany(
            f"""INSERT INTO {table} ({", ".join(_COLUMNS)})
                VALUES ({", ".join(f"${i}" for i in range(1, len(_COLUMNS) + 1))}) ON CONFLICT (case_id) DO NOTHING""",
            [tuple(row[c] for c in _COLUMNS) for row in rows],
        )


async def _update(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    arrays = ", ".join(f"${i}::{kind}[]" for i, kind in enumerate(("text", *_MUTABLE_TYPES), 1))
    await conn.execute(
        f"""UPDATE {table} AS c SET {", ".join(f"{column} = u.{column}" for column in _MUTABLE)}
            FROM unnest({arrays}) AS u(case_id, {", ".join(_MUTABLE)})
            WHERE c.case_id = u.case_id""",
        [r["case_id"] for r in rows],
        *([r[column] for r in rows] for column in _MUTABLE),
    )


class _Recommendations:
    """A batch's final-report recommendations and their actioning, written as event by event would."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], list[Any]] = {}
        self._actioned: list[tuple[str, str, date]] = []

    def issued(self, report: dict[str, Any]) -> None:
        for r in report["recommendations"]:
            row = [report["case_id"], r["recommendation_id"], report["provider_organisation_id"], r["kind"]]
            self._rows.setdefault((row[0], row[1]), [*row, date.fromisoformat(report["report_date"]), None])

    def actioned(self, data: dict[str, Any]) -> None:
        on = date.fromisoformat(data["actioned_on"])
        row = self._rows.get((data["case_id"], data["recommendation_id"]))
        if row is not None and row[5] is None:
            row[5] = on  # issued earlier in this batch: the row goes in actioned
        # And for a row stored before this batch (the insert above then does nothing).
        self._actioned.append((data["case_id"], data["recommendation_id"], on))

    async def write(self, conn: Any, table: str) -> None:
        # Updates first: they reach only rows stored before this batch, as they would have event by event.
        if self._actioned:
            await conn.executemany(
                f"""UPDATE {table} SET actioned_on = $3
                    WHERE case_id = $1 AND recommendation_id = $2 AND actioned_on IS NULL""",
                self._actioned,
            )
        if self._rows:
            await conn.executemany(
                f"""INSERT INTO {table} (case_id, recommendation_id, provider_organisation_id, kind, report_date,
                        actioned_on)
                    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
                [tuple(row) for row in self._rows.values()],
            )
