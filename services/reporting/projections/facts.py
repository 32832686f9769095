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
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.reporting.projections.caseload import apply_caseload, caseload_statements
from services.reporting.projections.ice import ICE_EVENT_TYPES, apply_ice, ice_statements
from shared.calendar import default_working_days
from shared.clock import business_date
from shared.complaints.events import ComplaintRegistered
from shared.eventstore.model import RecordedEvent
from shared.eventstore.projections import Projection, Tables
from shared.profiles import Profile, Profiles, default_profiles
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
        # The batch is worked out in memory, in log order, over what it reads of the tables, then written with
        # one statement per table: the same rows as event by event, in a few round trips per batch.
        profiles = default_profiles()
        await apply_caseload(conn, events, t, profiles)
        batch = _FactsBatch(profiles)
        await batch.load(conn, t, {e.data["complaint_id"] for e in events if e.type == "complaint.response_issued"})
        for event in events:
            batch.add(event)
        await batch.write(conn, t)
        await apply_ice(conn, [e for e in events if e.type in ICE_EVENT_TYPES], t)
        await conn.execute(
            f"UPDATE {t['projection_state']} SET last_event_at = $1, events_applied = events_applied + $2",
            events[-1].recorded_at,
            len(events),
        )


@dataclass(frozen=True)
class _Complaint:
    """What a response's due date needs of its complaint."""

    received_on: date
    nation: str
    profile_ref: str


class _FactsBatch:
    """A batch's complaint facts, worked out as event by event: each insert keeps a row already there, a later
    outcome of an element replaces the earlier ones (R8), and a response reads what was stored before it."""

    def __init__(self, profiles: Profiles) -> None:
        self._profiles = profiles
        self._working_days = default_working_days()
        self._complaints: dict[str, _Complaint] = {}
        self._escalated_on: dict[tuple[str, int], date] = {}
        """(complaint, stage escalated to) -> date, for a response's start."""
        self._escalations: dict[tuple[str, int], tuple[str, int, int, date]] = {}
        self._stored_escalations: set[tuple[str, int]] = set()
        """(complaint, stage escalated from) stored before this batch, of the complaints loaded."""
        self._issued_on: dict[str, dict[int, date]] = {}
        """complaint -> stage -> date answered, stored or in this batch."""
        self._new_complaints: dict[str, list[Any]] = {}
        self._elements: list[tuple[str, str, str]] = []
        self._withdrawn: list[tuple[str, date]] = []
        self._responses: list[tuple[Any, ...]] = []
        self._outcomes: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        self._dissatisfactions: list[dict[str, Any]] = []

    async def load(self, conn: Any, t: Tables, complaint_ids: set[str]) -> None:
        """What the responses of this batch read: their complaints, escalations and earlier responses."""
        if not complaint_ids:
            return
        ids = list(complaint_ids)
        for r in await conn.fetch(
            f"""SELECT complaint_id, received_on, nation, profile_ref FROM {t["complaints"]}
                WHERE complaint_id = ANY($1::text[])""",
            ids,
        ):
            self._complaints[r["complaint_id"]] = _Complaint(r["received_on"], r["nation"], r["profile_ref"])
        for r in await conn.fetch(
            f"""SELECT complaint_id, from_stage, to_stage, escalated_on FROM {t["escalations"]}
                WHERE complaint_id = ANY($1::text[])""",
            ids,
        ):
            self._stored_escalations.add((r["complaint_id"], r["from_stage"]))
            self._escalated_on.setdefault((r["complaint_id"], r["to_stage"]), r["escalated_on"])
        for r in await conn.fetch(
            f"SELECT complaint_id, stage, issued_on FROM {t['responses']} WHERE complaint_id = ANY($1::text[])", ids
        ):
            self._issued_on.setdefault(r["complaint_id"], {})[r["stage"]] = r["issued_on"]

    def add(self, event: RecordedEvent) -> None:
        match event.type:
            case ComplaintRegistered.event_type:
                self._registered(event)
            case "complaint.response_issued":
                self._responded(event.data)
            case "complaint.outcome_recorded":
                self._outcome(event)
            case "complaint.withdrawn":
                self._withdrawal(event.data)
            case "dissatisfaction.recorded":
                self._dissatisfactions.append(event.data)
            case "complaint.escalated":
                self._escalated(event.data)

    def _registered(self, event: RecordedEvent) -> None:
        e = ComplaintRegistered.model_validate(event.data)
        self._elements += [(e.complaint_id, el.element_id, el.category.value) for el in e.elements]
        if e.complaint_id in self._new_complaints:
            return  # registered twice (a replay): the first one stands
        profile = _profile(e, business_date(event.recorded_at))
        self._new_complaints[e.complaint_id] = [
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
            None,
        ]
        self._complaints.setdefault(e.complaint_id, _Complaint(e.received_on, e.nation.value, profile.ref))

    def _withdrawal(self, data: dict[str, Any]) -> None:
        complaint_id, on = data["complaint_id"], date.fromisoformat(data["withdrawn_on"])
        new = self._new_complaints.get(complaint_id)
        if new is not None:
            new[-1] = on  # registered earlier in this batch: its row goes in withdrawn
        # And for a row stored before this batch (the insert then does nothing): updates are written first.
        self._withdrawn.append((complaint_id, on))

    def _escalated(self, data: dict[str, Any]) -> None:
        complaint_id, from_stage, to_stage = data["complaint_id"], int(data["from_stage"]), int(data["to_stage"])
        if (complaint_id, from_stage) in self._escalations or (complaint_id, from_stage) in self._stored_escalations:
            return
        on = date.fromisoformat(data["escalated_on"])
        self._escalations[(complaint_id, from_stage)] = (complaint_id, from_stage, to_stage, on)
        self._escalated_on.setdefault((complaint_id, to_stage), on)

    def _responded(self, data: dict[str, Any]) -> None:
        complaint_id, stage = data["complaint_id"], int(data["stage"])
        complaint = self._complaints.get(complaint_id)
        issued = self._issued_on.setdefault(complaint_id, {})
        if complaint is None or stage in issued:
            return
        earlier = [on for answered, on in issued.items() if answered < stage]
        started_on = (
            self._escalated_on.get((complaint_id, stage)) or max(earlier, default=None) or complaint.received_on
        )
        profile = self._profiles.get(complaint.profile_ref)
        due_on = (
            profile.stage(stage).timescale.due(started_on, Nation(complaint.nation), self._working_days)
            if stage <= profile.final_stage
            else None
        )
        issued[stage] = date.fromisoformat(data["issued_on"])
        self._responses.append((complaint_id, stage, bool(data["final"]), started_on, due_on, issued[stage]))

    def _outcome(self, event: RecordedEvent) -> None:
        data = event.data
        recorded_on = business_date(event.recorded_at)
        # A later record of an element's outcome replaces the earlier one (R8).
        self._outcomes[(data["complaint_id"], data["element_id"])] = [
            (
                data["complaint_id"],
                data["element_id"],
                outcome,
                data.get("financial_redress_pence") if outcome == "financial_redress" else None,
                recorded_on,
            )
            for outcome in data["outcomes"]
        ]

    async def write(self, conn: Any, t: Tables) -> None:
        if self._withdrawn:
            await conn.executemany(
                f"UPDATE {t['complaints']} SET withdrawn_on = $2 WHERE complaint_id = $1", self._withdrawn
            )
        await _insert(
            conn,
            t["complaints"],
            "complaint_id, provider_organisation_id, contract_id, programme, nation, about, channel, complainant_kind,"
            " received_on, logged_by_organisation_id, profile_ref, withdrawn_on",
            [tuple(row) for row in self._new_complaints.values()],
        )
        await _insert(conn, t["elements"], "complaint_id, element_id, category", self._elements)
        await _insert(
            conn, t["escalations"], "complaint_id, from_stage, to_stage, escalated_on", list(self._escalations.values())
        )
        await _insert(
            conn, t["responses"], "complaint_id, stage, final, started_on, due_on, issued_on", self._responses
        )
        await self._write_outcomes(conn, t["outcomes"])
        if self._dissatisfactions:
            await conn.execute(
                f"""INSERT INTO {t["dissatisfactions"]} (dissatisfaction_id, provider_organisation_id, contract_id,
                        programme, nation, about, channel, category, raised_on, logged_by_organisation_id)
                    SELECT d.dissatisfaction_id, d.provider_organisation_id, d.contract_id, d.programme, d.nation,
                           d.about, d.channel, d.category, d.raised_on, d.logged_by_organisation_id
                    FROM jsonb_to_recordset($1::jsonb) AS d(dissatisfaction_id text, provider_organisation_id text,
                         contract_id text, programme text, nation text, about text, channel text, category text,
                         raised_on date, logged_by_organisation_id text)
                    ON CONFLICT (dissatisfaction_id) DO NOTHING""",
                json.dumps(self._dissatisfactions),
            )

    async def _write_outcomes(self, conn: Any, table: str) -> None:
        if not self._outcomes:
            return
        complaints, elements = zip(*self._outcomes, strict=True)
        await conn.execute(
            f"""DELETE FROM {table} o USING unnest($1::text[], $2::text[]) AS k(complaint_id, element_id)
                WHERE o.complaint_id = k.complaint_id AND o.element_id = k.element_id""",
            list(complaints),
            list(elements),
        )
        rows = [row for rows in self._outcomes.values() for row in rows]
        await _insert(conn, table, "complaint_id, element_id, outcome, redress_pence, recorded_on", rows)


async def _insert(conn: Any, table: str, columns: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows in order, each one skipped when its key is already stored (so a replay is a no-op)."""
    if rows:
        values = ", ".join(f"${i}" for i in range(1, len(rows[0]) + 1))
        await conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING", rows)


def _profile(e: ComplaintRegistered, registered_on: date) -> Profile:
    """The profile the complaint recorded (R20); before profiles were recorded, the one in effect that day."""
    profiles = default_profiles()
    if e.process_profile is not None:
        try:
            return profiles.get(e.process_profile)
        except LookupError:
            pass  # a profile this build does not know: the one in effect, as for older complaints
    return profiles.select(e.programme.value, e.provider_organisation_id, registered_on)
