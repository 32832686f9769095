"""`ice.cases`: one row per ICE case, for the scoped list and the evidence retention job (R30, R37);
`ice.recommendations`: every final-report recommendation, systemic ones tracked per provider (R39)."""

from __future__ import annotations

from collections.abc import Sequence
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
        for event in events:
            if event.type.startswith("ice."):
                await _apply(conn, t, event)


async def _apply(conn: Any, t: Tables, event: RecordedEvent) -> None:
    cases, data = t["cases"], event.data
    if event.type == e.ReferralReceived.event_type:
        await conn.execute(
            f"""INSERT INTO {cases} (case_id, provider_organisation_id, logged_by_organisation_id, programme, nation,
                    status, eligible, referred_on, referred_at, version, routed_to_organisation_id, restricted)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::date, $9, $10, $11, $12) ON CONFLICT (case_id) DO NOTHING""",
            data["case_id"],
            data["provider_organisation_id"],
            data["logged_by_organisation_id"],
            data["programme"],
            data["nation"],
            CaseStatus.REFERRED.value,
            data["eligibility"]["eligible"],
            data["referred_on"],
            event.recorded_at,
            event.version,
            data.get("routed_to_organisation_id"),
            data.get("restricted", False),
        )
        return
    if event.type in _STATUS_BY_EVENT:
        status = _STATUS_BY_EVENT[event.type]
        stage = "resolution" if status is CaseStatus.RESOLUTION else None
        await _update(conn, cases, event, "status = $3, stage = COALESCE($4, stage)", status.value, stage)
    elif event.type == e.MovedToNextStage.event_type:
        await _update(conn, cases, event, "status = $3, stage = $3", data["to_stage"])
    elif event.type == e.CaseClosed.event_type:
        await _update(
            conn,
            cases,
            event,
            "status = 'closed', closed_on = $3::text::date, closure = $4",
            data["closed_on"],
            data["closure"],
        )
    elif event.type == e.EvidenceItemUploaded.event_type:
        await _update(conn, cases, event, "evidence_held = evidence_held + $3", 1)
    elif event.type == e.EvidenceDestroyed.event_type:
        await _update(conn, cases, event, "evidence_held = evidence_held - $3", len(data["items"]))
    elif event.type == e.PhsoReferralReceived.event_type:
        await _update(conn, cases, event, "phso_referred_on = $3::text::date", data["referred_on"])
    elif event.type == e.FinalReportIssued.event_type:
        await _update(conn, cases, event, "outcome = $3", data["outcome"])
        await _recommendations(conn, t["recommendations"], data)
    elif event.type == e.RecommendationActioned.event_type:
        await conn.execute(
            f"""UPDATE {t["recommendations"]} SET actioned_on = $3::text::date
                WHERE case_id = $1 AND recommendation_id = $2 AND actioned_on IS NULL""",
            data["case_id"],
            data["recommendation_id"],
            data["actioned_on"],
        )


async def _recommendations(conn: Any, table: str, report: dict[str, Any]) -> None:
    await conn.executemany(
        f"""INSERT INTO {table} (case_id, recommendation_id, provider_organisation_id, kind, report_date)
            VALUES ($1, $2, $3, $4, $5::text::date) ON CONFLICT DO NOTHING""",
        [
            (
                report["case_id"],
                r["recommendation_id"],
                report["provider_organisation_id"],
                r["kind"],
                report["report_date"],
            )
            for r in report["recommendations"]
        ],
    )


async def _update(conn: Any, table: str, event: RecordedEvent, assignment: str, *values: Any) -> None:
    """Once per event: only a row still behind this event's version moves (idempotent on replay)."""
    await conn.execute(
        f"UPDATE {table} SET {assignment}, version = $2 WHERE case_id = $1 AND version < $2",
        event.data["case_id"],
        event.version,
        *values,
    )
