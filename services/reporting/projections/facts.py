"""Reporting's own read model (R50): fact rows fed by the log, aggregated at query time.

Facts hold dimensions and dates only (who, what programme, where, when, how), never personal data,
so the figures survive erasure untouched. `reporting.projection_state` records the last event
applied, in the same transaction. A response's due date is worked out once, when it is applied,
from the complaint's process profile and the calendar then in force: MI reports what was due. A stage
escalated to begins on the escalation date (R20), otherwise when the previous stage was answered.
Escalations and ICE/PHSO facts are kept beside them (projections/ice.py), so an escalation rate joins
tables of one projection at one checkpoint; so are each complaint's timeline and each ICE case's events, for the
open caseload (projections/caseload.py). A database made before a table was added here needs
`python -m tools.rebuild reporting.facts`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from services.reporting.projections.caseload import apply_caseload, caseload_statements
from services.reporting.projections.ice import ICE_EVENT_TYPES, apply_ice, ice_statements
from shared.calendar import default_working_days
from shared.clock import business_date
from shared.complaints.events import ComplaintRegistered
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables
from shared.profiles import Profile, default_profiles
from shared.vocabulary import Nation


class ComplaintFactsProjection(Projection):
    name = "reporting.facts"
    schema = "reporting"
    tables = (
        "complaints",
        "elements",
        "responses",
        "outcomes",
        "dissatisfactions",
        "projection_state",
        "ice_cases",
        "ice_facts",
        "escalations",
        "timelines",
        "ice_case_events",
    )

    def create_statements(self, t: Tables) -> list[str]:
        c_index, e_index = t["complaints"].split(".")[-1], t["elements"].split(".")[-1]
        return [
            f"""CREATE TABLE {t["complaints"]} (
                complaint_id text PRIMARY KEY,
                provider_organisation_id text,
                contract_id text,
                programme text NOT NULL,
                nation text NOT NULL,
                about text NOT NULL,
                channel text NOT NULL,
                complainant_kind text NOT NULL,
                received_on date NOT NULL,
                logged_by_organisation_id text NOT NULL,
                profile_ref text NOT NULL,
                withdrawn_on date)""",
            f"CREATE INDEX {c_index}_received ON {t['complaints']} (received_on)",
            f"""CREATE TABLE {t["elements"]} (
                complaint_id text NOT NULL,
                element_id text NOT NULL,
                category text NOT NULL,
                PRIMARY KEY (complaint_id, element_id))""",
            f"CREATE INDEX {e_index}_category ON {t['elements']} (category)",
            f"""CREATE TABLE {t["responses"]} (
                complaint_id text NOT NULL,
                stage integer NOT NULL,
                final boolean NOT NULL,
                started_on date NOT NULL,
                due_on date,
                issued_on date NOT NULL,
                PRIMARY KEY (complaint_id, stage))""",
            f"""CREATE TABLE {t["outcomes"]} (
                complaint_id text NOT NULL,
                element_id text NOT NULL,
                outcome text NOT NULL,
                redress_pence bigint,
                recorded_on date NOT NULL,
                PRIMARY KEY (complaint_id, element_id, outcome))""",
            f"""CREATE TABLE {t["dissatisfactions"]} (
                dissatisfaction_id text PRIMARY KEY,
                provider_organisation_id text,
                contract_id text,
                programme text NOT NULL,
                nation text NOT NULL,
                about text NOT NULL,
                channel text NOT NULL,
                category text NOT NULL,
                raised_on date NOT NULL,
                logged_by_organisation_id text NOT NULL)""",
            f"""CREATE TABLE {t["projection_state"]} (
                only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
                last_event_at timestamptz,
                events_applied bigint NOT NULL DEFAULT 0)""",
            f"INSERT INTO {t['projection_state']} (only_row) VALUES (true)",
            *ice_statements(t),
            *caseload_statements(t),
        ]

    async def apply(self, conn: Any, events: Sequence[RecordedEvent], t: Tables) -> None:
        profiles = default_profiles()
        for event in events:
            await apply_caseload(conn, event, t, profiles)
            match event.type:
                case ComplaintRegistered.event_type:
                    await self._registered(conn, event, t)
                case "complaint.response_issued":
                    await self._responded(conn, event.data, t)
                case "complaint.outcome_recorded":
                    await self._outcome(conn, event, t)
                case "complaint.withdrawn":
                    await conn.execute(
                        f"UPDATE {t['complaints']} SET withdrawn_on = $2::text::date WHERE complaint_id = $1",
                        event.data["complaint_id"],
                        event.data["withdrawn_on"],
                    )
                case "dissatisfaction.recorded":
                    await self._dissatisfaction(conn, event.data, t)
                case "complaint.escalated":
                    await self._escalated(conn, event.data, t)
                case ice_type if ice_type in ICE_EVENT_TYPES:
                    await apply_ice(conn, event, t)
        await conn.execute(
            f"UPDATE {t['projection_state']} SET last_event_at = $1, events_applied = events_applied + $2",
            events[-1].recorded_at,
            len(events),
        )

    @staticmethod
    async def _registered(conn: Any, event: RecordedEvent, t: Tables) -> None:
        e = ComplaintRegistered.model_validate(event.data)
        profile = _profile(e, business_date(event.recorded_at))
        await conn.execute(
            f"""INSERT INTO {t["complaints"]} (complaint_id, provider_organisation_id, contract_id, programme, nation,
                    about, channel, complainant_kind, received_on, logged_by_organisation_id, profile_ref)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (complaint_id) DO NOTHING""",
            e.complaint_id,
            e.provider_organisation_id,
            e.contract_id,
            e.programme.value,
            e.nation.value,
            e.about.value,
            e.channel.value,
            e.complainant_kind.value,  # a Special Customer Record carries the kind without the person (R11)
            e.received_on,
            e.logged_by_organisation_id,
            profile.ref,
        )
        await conn.executemany(
            f"""INSERT INTO {t["elements"]} (complaint_id, element_id, category) VALUES ($1, $2, $3)
                ON CONFLICT DO NOTHING""",
            [(e.complaint_id, el.element_id, el.category.value) for el in e.elements],
        )

    @staticmethod
    async def _responded(conn: Any, data: dict[str, Any], t: Tables) -> None:
        complaint_id, stage = data["complaint_id"], int(data["stage"])
        complaint = await conn.fetchrow(
            f"SELECT received_on, nation, profile_ref FROM {t['complaints']} WHERE complaint_id = $1", complaint_id
        )
        if complaint is None:
            return
        escalated = await conn.fetchval(
            f"SELECT escalated_on FROM {t['escalations']} WHERE complaint_id = $1 AND to_stage = $2",
            complaint_id,
            stage,
        )
        previous = await conn.fetchval(
            f"SELECT max(issued_on) FROM {t['responses']} WHERE complaint_id = $1 AND stage < $2", complaint_id, stage
        )
        started_on: date = escalated or previous or complaint["received_on"]
        profile = default_profiles().get(complaint["profile_ref"])
        due_on = (
            profile.stage(stage).timescale.due(started_on, Nation(complaint["nation"]), default_working_days())
            if stage <= profile.final_stage
            else None
        )
        await conn.execute(
            f"""INSERT INTO {t["responses"]} (complaint_id, stage, final, started_on, due_on, issued_on)
                VALUES ($1, $2, $3, $4, $5, $6::text::date) ON CONFLICT (complaint_id, stage) DO NOTHING""",
            complaint_id,
            stage,
            bool(data["final"]),
            started_on,
            due_on,
            data["issued_on"],
        )

    @staticmethod
    async def _outcome(conn: Any, event: RecordedEvent, t: Tables) -> None:
        data = event.data
        # A later record of an element's outcome replaces the earlier one (R8).
        await conn.execute(
            f"DELETE FROM {t['outcomes']} WHERE complaint_id = $1 AND element_id = $2",
            data["complaint_id"],
            data["element_id"],
        )
        await conn.executemany(
            f"""INSERT INTO {t["outcomes"]} (complaint_id, element_id, outcome, redress_pence, recorded_on)
                VALUES ($1, $2, $3, $4, $5)""",
            [
                (
                    data["complaint_id"],
                    data["element_id"],
                    outcome,
                    data.get("financial_redress_pence") if outcome == "financial_redress" else None,
                    business_date(event.recorded_at),
                )
                for outcome in data["outcomes"]
            ],
        )

    @staticmethod
    async def _escalated(conn: Any, data: dict[str, Any], t: Tables) -> None:
        await conn.execute(
            f"""INSERT INTO {t["escalations"]} (complaint_id, from_stage, to_stage, escalated_on)
                VALUES ($1, $2, $3, $4::text::date) ON CONFLICT (complaint_id, from_stage) DO NOTHING""",
            data["complaint_id"],
            int(data["from_stage"]),
            int(data["to_stage"]),
            data["escalated_on"],
        )

    @staticmethod
    async def _dissatisfaction(conn: Any, data: dict[str, Any], t: Tables) -> None:
        await conn.execute(
            f"""INSERT INTO {t["dissatisfactions"]} (dissatisfaction_id, provider_organisation_id, contract_id,
                    programme, nation, about, channel, category, raised_on, logged_by_organisation_id)
                SELECT d.dissatisfaction_id, d.provider_organisation_id, d.contract_id, d.programme, d.nation,
                       d.about, d.channel, d.category, d.raised_on, d.logged_by_organisation_id
                FROM jsonb_to_record($1::jsonb) AS d(dissatisfaction_id text, provider_organisation_id text,
                     contract_id text, programme text, nation text, about text, channel text, category text,
                     raised_on date, logged_by_organisation_id text)
                ON CONFLICT (dissatisfaction_id) DO NOTHING""",
            json.dumps(data),
        )


def _profile(e: ComplaintRegistered, registered_on: date) -> Profile:
    """The profile the complaint recorded (R20); before profiles were recorded, the one in effect that day."""
    profiles = default_profiles()
    if e.process_profile is not None:
        try:
            return profiles.get(e.process_profile)
        except LookupError:
            pass  # a profile this build does not know: the one in effect, as for older complaints
    return profiles.select(e.programme.value, e.provider_organisation_id, registered_on)
