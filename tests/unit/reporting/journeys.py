"""Crafted event sequences for reporting's tests: complaint and ICE events built with the real event models
(so their shapes are the log's), appended straight to the store or turned into recorded events in memory.

The scenarios below are the ones the tests work their expected figures out from, by hand.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from shared.complaints.events import (
    ComplaintEscalated,
    ComplaintRegistered,
    ElementRecord,
    ResponseIssued,
    SpecialCustomerRecordRef,
)
from shared.complaints.vocabulary import Category, Channel, ComplainantKind, ComplaintAbout
from shared.db import raw_connection
from shared.decider import DomainEvent, encode
from shared.eventstore.model import Actor, EventMetadata, LogPosition, NewEvent, RecordedEvent
from shared.eventstore.postgres import PostgresEventStore
from shared.eventstore.subscriptions import read_checkpoint
from shared.ice.events import (
    CaseClosed,
    ContractTerms,
    ContributionToCostsAssessed,
    ElementFinding,
    Eligibility,
    FinalReportIssued,
    GatewayPassed,
    MovedToNextStage,
    PaymentRecorded,
    PhsoAccepted,
    PhsoRecommendation,
    PhsoReferralReceived,
    PhsoReportIssued,
    RedressItem,
    ReferralAccepted,
    ReferralDeclined,
    ReferralReceived,
    ReturnedToProvider,
)
from shared.ice.vocabulary import Closure, Finding, IceStage, PhsoRoute, RedressKind, ReportOutcome
from shared.vocabulary import Nation, Programme
from tests.api.helpers import eventually

ACTOR = Actor(user_id="reporting-test", organisation_id="dwp", organisation_kind="dwp_business", role="dwp_admin")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _d(value: str) -> date:
    return date.fromisoformat(value)


# Complaint events


def registered(
    complaint_id: str, provider: str, received_on: str, contract_id: str | None = None
) -> ComplaintRegistered:
    return ComplaintRegistered(
        complaint_id=complaint_id,
        complainant=None,
        special_customer_record=SpecialCustomerRecordRef(
            clerical_reference="SCR-1", complainant_kind=ComplainantKind.PARTICIPANT
        ),
        about=ComplaintAbout.PROVIDER,
        programme=Programme.IPES,
        provider_organisation_id=provider,
        contract_id=contract_id,
        channel=Channel.PHONE,
        received_on=_d(received_on),
        nation=Nation.ENGLAND,
        elements=(ElementRecord(element_id="E1", category=Category.TAKE_TOO_LONG),),
        logged_by_organisation_id=provider,
        logged_by_organisation_kind="provider",
    )


def response(complaint_id: str, stage: int, issued_on: str, final: bool = False) -> ResponseIssued:
    return ResponseIssued(
        complaint_id=complaint_id,
        stage=stage,
        final=final,
        issued_on=_d(issued_on),
        author_user_id="ann",
        reviewer_user_id="bob",
        text=None,
        findings=(),
    )


def escalated(complaint_id: str, from_stage: int, escalated_on: str) -> ComplaintEscalated:
    return ComplaintEscalated(
        complaint_id=complaint_id, from_stage=from_stage, to_stage=from_stage + 1, escalated_on=_d(escalated_on)
    )


# ICE events


def referral(
    case_id: str, provider: str, referred_on: str, *, eligible: bool = True, contract_id: str | None = "ctr-ice"
) -> ReferralReceived:
    contract = (
        ContractTerms(contract_id=contract_id, value_pence=1_000_000_000, let_or_renewed_on=date(2024, 4, 1))
        if contract_id
        else None
    )
    return ReferralReceived(
        case_id=case_id,
        complaint_id=case_id,
        subject_id=None,
        provider_organisation_id=provider,
        logged_by_organisation_id=provider,
        programme="ipes",
        nation="england",
        element_ids=("E1",),
        complaint_received_on=date(2026, 1, 5),
        final_response_on=date(2026, 3, 2),
        referred_on=_d(referred_on),
        contract=contract,
        eligibility=Eligibility(eligible=eligible, flags=() if eligible else ("out_of_time",)),
    )


def accepted(case_id: str, on: str) -> ReferralAccepted:
    return ReferralAccepted(case_id=case_id, accepted_on=_d(on))


def declined(case_id: str, on: str) -> ReferralDeclined:
    return ReferralDeclined(case_id=case_id, declined_on=_d(on), reason=None)


def returned(case_id: str, on: str) -> ReturnedToProvider:
    return ReturnedToProvider(case_id=case_id, returned_on=_d(on), steps=("Final response",), reason=None)


def gateway_passed(case_id: str, on: str) -> GatewayPassed:
    return GatewayPassed(case_id=case_id, passed_on=_d(on))


def moved_on(case_id: str, on: str) -> MovedToNextStage:
    return MovedToNextStage(
        case_id=case_id, from_stage=IceStage.RESOLUTION, to_stage=IceStage.SETTLEMENT, moved_on=_d(on)
    )


def closed(case_id: str, closure: Closure, on: str, stage: IceStage | None) -> CaseClosed:
    return CaseClosed(
        case_id=case_id, stage=stage, closure=closure, closed_on=_d(on), fault_found=closure is Closure.FINAL_REPORT
    )


def final_report(
    case_id: str, provider: str, on: str, outcome: ReportOutcome, redress: dict[str, int]
) -> FinalReportIssued:
    finding = Finding.NOT_UPHELD if outcome is ReportOutcome.NOT_UPHELD else Finding.UPHELD
    return FinalReportIssued(
        case_id=case_id,
        report_id=f"{case_id}-report",
        report_date=_d(on),
        findings=(ElementFinding(element_id="E1", finding=finding),),
        outcome=outcome,
        recommendations=(),
        redress=tuple(
            RedressItem(redress_id=k, kind=RedressKind.CONSOLATORY_PAYMENT, amount_pence=v) for k, v in redress.items()
        ),
        payments_due_on=_d(on),
        provider_organisation_id=provider,
    )


def fee(case_id: str, on: str, amount_pence: int, *, due: bool = True) -> ContributionToCostsAssessed:
    return ContributionToCostsAssessed(
        case_id=case_id,
        report_id=f"{case_id}-report",
        due=due,
        amount_pence=amount_pence if due else 0,
        reason="upheld" if due else "not upheld",
        rule_version="test",
        schedule_version=None,
        due_on=_d(on) if due else None,
        assessed_on=_d(on),
    )


def payment(case_id: str, target: str, amount_pence: int, on: str) -> PaymentRecorded:
    return PaymentRecorded(
        case_id=case_id, payment_id=unique("pay"), target=target, amount_pence=amount_pence, paid_on=_d(on)
    )


def phso_referral(case_id: str, on: str) -> PhsoReferralReceived:
    return PhsoReferralReceived(case_id=case_id, route=PhsoRoute.PHSO_VIA_MP, referred_on=_d(on), member_name=None)


def phso_accepted(case_id: str, on: str, *, ice_exhausted: bool) -> PhsoAccepted:
    return PhsoAccepted(case_id=case_id, accepted_on=_d(on), ice_exhausted=ice_exhausted)


def phso_report(case_id: str, on: str, *, upheld: bool, redress: dict[str, int]) -> PhsoReportIssued:
    return PhsoReportIssued(
        case_id=case_id,
        issued_on=_d(on),
        upheld=upheld,
        recommendations=tuple(
            PhsoRecommendation(recommendation_id=k, text=None, additional_redress_pence=v) for k, v in redress.items()
        ),
    )


# A script of events across streams, in the order they happened


def stream_of(event: DomainEvent) -> tuple[str, str]:
    if event.event_type.startswith("ice."):
        return f"ice-{event.case_id}", "ice_case"  # type: ignore[attr-defined]
    return f"complaint-{event.complaint_id}", "complaint"  # type: ignore[attr-defined]


def new_event(event: DomainEvent) -> NewEvent:
    return NewEvent(
        type=event.event_type,
        data=encode(event),
        metadata=EventMetadata(actor=ACTOR, correlation_id=unique("corr")),
    )


async def append_all(store: PostgresEventStore, events: list[DomainEvent]) -> LogPosition:
    """Each event in its own append, in order, with the event-store API; returns the last one's position."""
    last = LogPosition(0, 0)
    for event in events:
        stream_id, stream_type = stream_of(event)
        result = await store.append(stream_id, stream_type, None, [new_event(event)])
        last = max(last, result.last_position)
    return last


@dataclass
class InMemoryLog:
    """The events as the store would record them: versions per stream, ever-growing positions."""

    recorded: list[RecordedEvent] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)

    def add(self, events: list[DomainEvent]) -> list[RecordedEvent]:
        for event in events:
            stream_id, stream_type = stream_of(event)
            self.versions[stream_id] = self.versions.get(stream_id, 0) + 1
            made = new_event(event)
            self.recorded.append(
                RecordedEvent(
                    event_id=made.event_id,
                    stream_id=stream_id,
                    stream_type=stream_type,
                    version=self.versions[stream_id],
                    type=made.type,
                    schema_version=1,
                    data=made.data,
                    metadata=made.metadata,
                    recorded_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
                    position=LogPosition(1, len(self.recorded) + 1),
                )
            )
        return self.recorded


# Scenarios


@dataclass(frozen=True)
class IceWorld:
    """Provider `prime` with four ICE cases (a, b, c, d), its sub-contractor `sub` with one (e)."""

    prime: str
    sub: str
    a: str = field(default_factory=lambda: unique("case-a"))
    b: str = field(default_factory=lambda: unique("case-b"))
    c: str = field(default_factory=lambda: unique("case-c"))
    d: str = field(default_factory=lambda: unique("case-d"))
    e: str = field(default_factory=lambda: unique("case-e"))
    contract_a: str = field(default_factory=lambda: unique("ctr-a"))


def ice_journeys(w: IceWorld) -> list[DomainEvent]:
    """a: resolved at stage 1. b: flagged, returned twice, settled at stage 2. c: partly upheld with redress and a
    fee, part paid, then to the PHSO (upheld, additional redress paid). d: declined. e (the sub-contractor's): not
    upheld, no fee, accepted by the PHSO before ICE was exhausted, not upheld there."""
    a, b, c, d, e = w.a, w.b, w.c, w.d, w.e
    return [
        registered(a, w.prime, "2026-01-05", contract_id=w.contract_a),
        referral(a, w.prime, "2026-04-10", contract_id=None),
        accepted(a, "2026-04-12"),
        gateway_passed(a, "2026-04-20"),
        referral(b, w.prime, "2026-04-15", eligible=False),
        accepted(b, "2026-04-16"),
        returned(b, "2026-04-20"),
        returned(b, "2026-04-28"),
        closed(a, Closure.RESOLVED, "2026-05-05", IceStage.RESOLUTION),
        referral(c, w.prime, "2026-05-02"),
        accepted(c, "2026-05-03"),
        gateway_passed(b, "2026-05-06"),
        gateway_passed(c, "2026-05-10"),
        moved_on(b, "2026-05-12"),
        referral(d, w.prime, "2026-05-20"),
        declined(d, "2026-05-22"),
        referral(e, w.sub, "2026-06-01"),
        accepted(e, "2026-06-02"),
        gateway_passed(e, "2026-06-03"),
        phso_referral(e, "2026-06-05"),
        phso_accepted(e, "2026-06-06", ice_exhausted=False),
        closed(b, Closure.SETTLED, "2026-06-10", IceStage.SETTLEMENT),
        final_report(c, w.prime, "2026-06-15", ReportOutcome.PARTLY_UPHELD, {"r1": 10_000, "r2": 2_500}),
        closed(c, Closure.FINAL_REPORT, "2026-06-15", IceStage.INVESTIGATION),
        fee(c, "2026-06-16", 150_000),
        final_report(e, w.sub, "2026-06-30", ReportOutcome.NOT_UPHELD, {}),
        fee(e, "2026-06-30", 0, due=False),
        closed(e, Closure.FINAL_REPORT, "2026-06-30", IceStage.INVESTIGATION),
        payment(c, "fee", 100_000, "2026-07-01"),
        payment(c, "r1", 10_000, "2026-07-02"),
        phso_referral(c, "2026-07-10"),
        phso_accepted(c, "2026-07-20", ice_exhausted=True),
        phso_report(c, "2026-08-15", upheld=True, redress={"pr1": 5_000, "pr2": 0}),
        payment(c, "pr1", 5_000, "2026-08-30"),
        phso_report(e, "2026-09-01", upheld=False, redress={}),
    ]


@dataclass(frozen=True)
class EscalationWorld:
    provider: str
    k1: str = field(default_factory=lambda: unique("k1"))
    k2: str = field(default_factory=lambda: unique("k2"))
    k3: str = field(default_factory=lambda: unique("k3"))
    k4: str = field(default_factory=lambda: unique("k4"))
    k5: str = field(default_factory=lambda: unique("k5"))


def escalation_journeys(w: EscalationWorld) -> list[DomainEvent]:
    """k1: stage 1, escalated, final at stage 2, to ICE. k2: the same, not to ICE. k3: answered at stage 1 only.
    k4: final at stage 1, to ICE. k5: answered at stage 1 in April and escalated, stage 2 not yet answered."""
    p = w.provider
    events: list[DomainEvent] = [
        registered(w.k1, p, "2026-03-02"),
        registered(w.k2, p, "2026-03-03"),
        registered(w.k3, p, "2026-03-04"),
        registered(w.k4, p, "2026-03-05"),
        registered(w.k5, p, "2026-04-01"),
        response(w.k1, 1, "2026-03-20"),
        response(w.k2, 1, "2026-03-21"),
        response(w.k3, 1, "2026-03-22"),
        escalated(w.k1, 1, "2026-03-25"),
        response(w.k4, 1, "2026-03-30", final=True),
        escalated(w.k2, 1, "2026-04-02"),
        response(w.k5, 1, "2026-04-05"),
        escalated(w.k5, 1, "2026-04-06"),
        response(w.k1, 2, "2026-04-10", final=True),
        referral(w.k4, p, "2026-04-15"),
        response(w.k2, 2, "2026-04-20", final=True),
        referral(w.k1, p, "2026-05-01"),
    ]
    return events


async def caught_up(pool: Any, position: LogPosition) -> None:
    """Until reporting's read model has applied everything up to `position` (its checkpoint, in the database)."""

    async def checkpoint() -> LogPosition:
        async with raw_connection(pool) as conn:
            return await read_checkpoint(conn, "reporting.facts")

    await eventually(checkpoint, lambda at: at >= position, what=f"reporting.facts at {position.encode()}")
