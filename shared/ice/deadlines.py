"""Every deadline an ICE case runs, from its state: pure, never stored (R31, R34, R36, R40).

Provider-side: each ICE request and evidence request (five working days at most, 000 14.25), comments on
each draft report (000 14.33), the response to the Adjudication Manager's reply (002 8.20), each payment
of fee and redress (four weeks from the final report, 001 Annex 1 2.11.3), each agreed action, each PHSO
recommendation. ICE-side: the Adjudication Manager's reply (002 8.20) and ICE's own published service
standards (R40), which are configurable because they are not in the guidance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.ice.state import FEE, IceCaseState
from shared.ice.vocabulary import Closure, IceStage
from shared.settings import Settings


@dataclass(frozen=True)
class IceStandards:
    """ICE's published standards (GOV.UK, Independent Case Examiner): weeks from acceptance / allocation."""

    resolve_weeks: int = 8
    settle_weeks: int = 15
    report_weeks: int = 20


def ice_standards(settings: Settings) -> IceStandards:
    return IceStandards(settings.ice_resolve_weeks, settings.ice_settle_weeks, settings.ice_report_weeks)


@dataclass(frozen=True)
class IceDeadline:
    kind: str
    label: str
    owner: str
    """`provider` or `ice`."""
    starts_on: date
    due_on: date
    met_on: date | None
    requirement: str
    guidance: str
    reference: str | None = None
    stopped_on: date | None = None
    """The deadline stopped applying unmet (e.g. ICE's resolution standard once the case moved to settlement)."""


def ice_deadlines(state: IceCaseState, standards: IceStandards) -> list[IceDeadline]:
    if not state.exists or state.accepted_on is None:
        return []
    paid_on = dict(state.paid_in_full)
    found: list[IceDeadline] = []
    found += _requests(state)
    found += _reports(state)
    found += _payments(state, paid_on)
    found += _standards(state, standards)
    return found


def _requests(state: IceCaseState) -> list[IceDeadline]:
    found = [
        IceDeadline(
            "ice_request",
            f"Answer ICE's {r.kind.value} request",
            "provider",
            r.made_on,
            r.due_on,
            r.answered_on,
            "R31",
            "000 14.25",
            r.request_id,
        )
        for r in state.requests
    ]
    found += [
        IceDeadline(
            "evidence_request",
            "Supply every item of the evidence ICE requested",
            "provider",
            r.requested_on,
            r.due_on,
            r.completed_on,
            "R33",
            "000 14.25, 14.30",
            r.request_id,
        )
        for r in state.evidence_requests
    ]
    found += [
        IceDeadline(
            "agreed_action",
            "Complete the action agreed with ICE",
            "provider",
            state.accepted_on or a.due_on,
            a.due_on,
            a.completed_on,
            "R32",
            "002 8.08",
            a.action_id,
        )
        for a in state.actions
    ]
    return found


def _reports(state: IceCaseState) -> list[IceDeadline]:
    found: list[IceDeadline] = []
    report_on = state.final_report.report_date if state.final_report else None
    for d in state.drafts:
        found.append(
            IceDeadline(
                "draft_report_comments",
                f"Comment on draft report revision {d.revision}",
                "provider",
                d.issued_on,
                d.comments_due_on,
                d.comments_on,
                "R34",
                "000 14.33",
                d.draft_id,
                stopped_on=report_on if d.comments_on is None else None,
            )
        )
    for c in state.challenges:
        if c.reply_due_on is not None:
            found.append(
                IceDeadline(
                    "adjudication_reply",
                    "The Adjudication Manager replies to the challenge",
                    "ice",
                    c.raised_on,
                    c.reply_due_on,
                    c.replied_on,
                    "R34",
                    "002 8.20",
                    c.challenge_id,
                )
            )
        if c.replied_on is not None and c.response_due_on is not None:
            found.append(
                IceDeadline(
                    "challenge_response",
                    "Respond to the Adjudication Manager's reply",
                    "provider",
                    c.replied_on,
                    c.response_due_on,
                    c.responded_on,
                    "R34",
                    "002 8.20",
                    c.challenge_id,
                    stopped_on=c.closed_on if c.responded_on is None else None,
                )
            )
    return found


def _payments(state: IceCaseState, paid_on: dict[str, date]) -> list[IceDeadline]:
    report = state.final_report
    if report is None:
        return []
    targets = [(r, "Pay the redress ICE recommended") for r, _ in report.redress]
    if state.fee is not None and state.fee.due:
        targets.append((FEE, "Pay the contribution to costs"))
    return [
        IceDeadline(
            "payment",
            label,
            "provider",
            report.report_date,
            report.payments_due_on,
            paid_on.get(target),
            "R36",
            "001 Annex 1 2.11.3",
            target,
        )
        for target, label in targets
    ]


def _standards(state: IceCaseState, standards: IceStandards) -> list[IceDeadline]:
    assert state.accepted_on is not None
    closed_at = state.closure if state.closed_on else None
    found = [
        IceDeadline(
            "ice_standard_resolve",
            "ICE resolves the complaint",
            "ice",
            state.accepted_on,
            state.accepted_on + timedelta(weeks=standards.resolve_weeks),
            state.closed_on if closed_at is Closure.RESOLVED else None,
            "R40",
            "ICE service standards",
            stopped_on=None if state.stage in (None, IceStage.RESOLUTION) else _left(state, IceStage.RESOLUTION),
        )
    ]
    if state.allocated_on is not None:
        found.append(
            IceDeadline(
                "ice_standard_settle",
                "ICE settles the complaint",
                "ice",
                state.allocated_on,
                state.allocated_on + timedelta(weeks=standards.settle_weeks),
                state.closed_on if closed_at is Closure.SETTLED else None,
                "R40",
                "ICE service standards",
                stopped_on=_left(state, IceStage.SETTLEMENT) if state.stage is IceStage.INVESTIGATION else None,
            )
        )
        found.append(
            IceDeadline(
                "ice_standard_report",
                "ICE issues the investigation report",
                "ice",
                state.allocated_on,
                state.allocated_on + timedelta(weeks=standards.report_weeks),
                state.final_report.report_date if state.final_report else None,
                "R40",
                "ICE service standards",
                stopped_on=state.closed_on if closed_at in (Closure.RESOLVED, Closure.SETTLED) else None,
            )
        )
    return found


def _left(state: IceCaseState, stage: IceStage) -> date | None:
    return dict(state.stages_left).get(stage)
