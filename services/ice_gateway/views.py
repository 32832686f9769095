"""The ICE case as callers read it: folded from the stream's events, with its deadlines and what is owed.

Sealed text stays sealed here; the reveal middleware opens it at the edge for callers allowed to read it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.ice_gateway.view_models import (
    AgreedActionOut,
    CaseClosedOut,
    ChallengeOut,
    ContributionToCostsOut,
    DraftReportOut,
    EvidenceDestroyedOut,
    FinalReportOut,
    GatewayEventOut,
    InvestigatorOut,
    PhsoOut,
    RecommendationActionedOut,
    ReferralAcceptedOut,
    ReferralDeclinedOut,
    ReferralOut,
    ResolutionOut,
    WayForwardOut,
)
from shared.decider import DomainEvent, fold
from shared.eventstore.model import RecordedEvent
from shared.http.personal import PersonalText
from shared.ice import events as e
from shared.ice.deadlines import IceStandards, ice_deadlines
from shared.ice.decider import ICE_DECIDER
from shared.ice.state import FEE, IceCaseState
from shared.ice.vocabulary import CaseStatus, IceStage


class RequestOut(BaseModel):
    request_id: str
    kind: str
    made_on: date
    due_on: date
    answered_on: date | None
    steps: list[str]


class EvidenceItemOut(BaseModel):
    item_id: str
    kind: str
    description: str
    status: str = Field(description="`awaiting`, `uploaded`, `not_held` or `destroyed` (R33, R37)")
    content_type: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    uploaded_on: date | None = None
    not_held_reason: PersonalText | None = None
    content_url: str | None = None


class EvidenceRequestOut(BaseModel):
    request_id: str
    requested_on: date
    due_on: date
    completed_on: date | None
    items: list[EvidenceItemOut]


class PaymentOut(BaseModel):
    target: str = Field(description="`fee` or a redress item's or PHSO recommendation's id")
    owed_pence: int
    paid_pence: int
    outstanding_pence: int
    due_on: date | None
    paid_in_full_on: date | None
    status: str = Field(description="`outstanding`, `overdue`, `paid` or `paid_late` (R36)")


class DeadlineOut(BaseModel):
    kind: str
    label: str
    owner: str
    starts_on: date
    due_on: date
    met_on: date | None
    stopped_on: date | None
    requirement: str
    guidance: str
    reference: str | None


class IceCaseOut(BaseModel):
    """The ICE case. Every key is always present: `null` or `[]` until the event that fills it has happened."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    case_id: str
    complaint_id: str
    provider_organisation_id: str
    status: CaseStatus
    stage: IceStage | None
    version: int
    referral: ReferralOut = Field(description="The referral as received, with its eligibility (R23, R24, R30)")
    accepted: ReferralAcceptedOut | None = None
    declined: ReferralDeclinedOut | None = None
    gateway: list[GatewayEventOut] = Field(default_factory=list, description="Confirmations, returns, revisits (R30)")
    requests: list[RequestOut] = Field(default_factory=list)
    investigator: InvestigatorOut | None = None
    resolution: ResolutionOut | None = None
    actions: list[AgreedActionOut] = Field(
        default_factory=list, description="Every agreed action, at resolution or in a way forward (R32; 000 14.31)"
    )
    evidence_requests: list[EvidenceRequestOut] = Field(default_factory=list)
    proposals: list[WayForwardOut] = Field(default_factory=list, description="Ways forward at settlement (000 14.31)")
    drafts: list[DraftReportOut] = Field(default_factory=list, description="Draft reports, by revision (R34)")
    challenges: list[ChallengeOut] = Field(default_factory=list, description="Challenges to a draft (R34; 002 8.16)")
    final_report: FinalReportOut | None = None
    contribution_to_costs: ContributionToCostsOut | None = None
    payments: list[PaymentOut] = Field(default_factory=list)
    recommendations_actioned: list[RecommendationActionedOut] = Field(default_factory=list)
    closure: CaseClosedOut | None = None
    evidence_destroyed: list[EvidenceDestroyedOut] = Field(default_factory=list)
    phso: PhsoOut | None = None
    deadlines: list[DeadlineOut] = Field(default_factory=list)
    no_appeal: str = Field("The provider has no right of appeal against ICE's decision (000 14.38).", description="R35")


def _body(event: DomainEvent) -> dict[str, Any]:
    """The event's fields but its case, as stored; from the decoded event, so a field added since an old event
    was written reads with its default, as the decider reads it."""
    return event.model_dump(mode="json", exclude={"case_id"})


class _Fold:
    """Accumulates the read view event by event; the decider's state supplies the rules' view."""

    def __init__(self) -> None:
        self.view: dict[str, Any] = {
            "gateway": [],
            "actions": [],
            "proposals": [],
            "drafts": [],
            "challenges": [],
            "recommendations_actioned": [],
            "evidence_destroyed": [],
        }
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.evidence: dict[str, dict[str, Any]] = {}

    def apply(self, event: DomainEvent, state: IceCaseState) -> None:
        t, body, v = event.event_type, _body(event), self.view
        if t == e.ReferralReceived.event_type:
            v["referral"] = body
        elif t == e.ReferralAccepted.event_type:
            v["accepted"] = body
        elif t == e.ReferralDeclined.event_type:
            v["declined"] = body
        elif t in (
            e.GatewayStepsConfirmed.event_type,
            e.ReturnedToProvider.event_type,
            e.RevisitedStepsReported.event_type,
            e.GatewayPassed.event_type,
        ):
            v["gateway"].append({"event": t.removeprefix("ice."), **body})
        elif t == e.InvestigatorAllocated.event_type:
            v["investigator"] = body
        elif t == e.ResolutionAgreed.event_type:
            v["resolution"] = {"agreed_on": body["agreed_on"]}
            v["actions"] += [{**a, "completed_on": None, "agreed_in": "resolution"} for a in body["actions"]]
        elif t == e.WayForwardProposed.event_type:
            v["proposals"].append({**body, "provider_agrees": None, "complainant_satisfied": None})
            v["actions"] += [{**a, "completed_on": None, "agreed_in": body["proposal_id"]} for a in body["actions"]]
        elif t == e.AgreedActionCompleted.event_type:
            _set(v["actions"], "action_id", body["action_id"], completed_on=body["completed_on"])
        elif t == e.WayForwardAnswered.event_type:
            _set(
                v["proposals"],
                "proposal_id",
                body["proposal_id"],
                provider_agrees=body["provider_agrees"],
                provider_answered_on=body["answered_on"],
            )
        elif t == e.ComplainantSatisfactionRecorded.event_type:
            _set(
                v["proposals"],
                "proposal_id",
                body["proposal_id"],
                complainant_satisfied=body["satisfied"],
                complainant_recorded_on=body["recorded_on"],
            )
        else:
            self._evidence(t, body)
            self._report(t, body, state)

    def _evidence(self, t: str, body: dict[str, Any]) -> None:
        if t == e.EvidenceRequested.event_type:
            self.evidence[body["request_id"]] = {**body, "completed_on": None}
            for item in body["items"]:
                self.items[(body["request_id"], item["item_id"])] = {**item, "status": "awaiting"}
        elif t == e.EvidenceItemUploaded.event_type:
            self.items[(body["request_id"], body["item_id"])].update(
                status="uploaded",
                content_type=body["content_type"],
                size_bytes=body["size_bytes"],
                sha256=body["sha256"],
                uploaded_on=body["uploaded_on"],
            )
        elif t == e.EvidenceItemNotHeld.event_type:
            self.items[(body["request_id"], body["item_id"])].update(status="not_held", not_held_reason=body["reason"])
        elif t == e.EvidenceRequestCompleted.event_type:
            self.evidence[body["request_id"]]["completed_on"] = body["completed_on"]
        elif t == e.EvidenceDestroyed.event_type:
            self.view["evidence_destroyed"].append(body)
            for ref in body["items"]:
                request_id, _, item_id = ref.partition("/")
                self.items[(request_id, item_id)]["status"] = "destroyed"

    def _report(self, t: str, body: dict[str, Any], state: IceCaseState) -> None:
        v = self.view
        if t == e.DraftReportIssued.event_type:
            v["drafts"].append({**body, "comments": None})
        elif t == e.DraftCommentsSubmitted.event_type:
            _set(v["drafts"], "draft_id", body["draft_id"], comments=body)
        elif t == e.ChallengeRaised.event_type:
            v["challenges"].append({**body, "status": "raised", "history": []})
        elif t in (
            e.ChallengeFormallyEscalated.event_type,
            e.AdjudicationManagerReplied.event_type,
            e.ChallengeResponseRecorded.event_type,
            e.HeadOfOfficeWroteToDirector.event_type,
            e.ChallengeClosed.event_type,
        ):
            challenge = next(c for c in v["challenges"] if c["challenge_id"] == body["challenge_id"])
            challenge["history"].append({"event": t.removeprefix("ice."), **body})
            current = state.challenge(body["challenge_id"])
            challenge["status"] = current.status.value if current else challenge["status"]
        elif t == e.FinalReportIssued.event_type:
            v["final_report"] = body
        elif t == e.ContributionToCostsAssessed.event_type:
            v["contribution_to_costs"] = body
        elif t == e.RecommendationActioned.event_type:
            v["recommendations_actioned"].append(body)
        elif t == e.CaseClosed.event_type:
            v["closure"] = body
        elif t == e.PhsoReferralReceived.event_type:
            v["phso"] = {"referral": body}
        elif t in (e.PhsoAccepted.event_type, e.PhsoReportIssued.event_type):
            v["phso"]["accepted" if t == e.PhsoAccepted.event_type else "report"] = body
        elif t == e.PhsoRecommendationCompleted.event_type:
            v["phso"].setdefault("completed", []).append(body)


def _set(rows: list[dict[str, Any]], key: str, value: str, **changes: Any) -> None:
    for row in rows:
        if row[key] == value:
            row.update(changes)


def case_view(recorded: list[RecordedEvent], today: date, standards: IceStandards, content_url: str) -> IceCaseOut:
    """`content_url`: the path of an evidence item's content, with `{request_id}` and `{item_id}` to fill."""
    folding = _Fold()
    state = ICE_DECIDER.initial_state
    for event in recorded:
        decoded = e.ICE_CODEC.decode(event)
        state = fold(ICE_DECIDER, [decoded], state)
        folding.apply(decoded, state)
    assert state.case_id is not None
    assert state.status is not None
    assert state.provider_organisation_id is not None
    view = folding.view
    evidence = [
        EvidenceRequestOut(
            request_id=r["request_id"],
            requested_on=r["requested_on"],
            due_on=r["due_on"],
            completed_on=r["completed_on"],
            items=[
                EvidenceItemOut(
                    **folding.items[(r["request_id"], i["item_id"])],
                    content_url=content_url.format(request_id=r["request_id"], item_id=i["item_id"])
                    if folding.items[(r["request_id"], i["item_id"])]["status"] == "uploaded"
                    else None,
                )
                for i in r["items"]
            ],
        )
        for r in folding.evidence.values()
    ]
    return IceCaseOut(
        case_id=state.case_id,
        complaint_id=state.case_id,
        provider_organisation_id=state.provider_organisation_id,
        status=state.status,
        stage=state.stage,
        version=recorded[-1].version,
        referral=view["referral"],
        accepted=view.get("accepted"),
        declined=view.get("declined"),
        gateway=view["gateway"],
        requests=[
            RequestOut(
                request_id=r.request_id,
                kind=r.kind.value,
                made_on=r.made_on,
                due_on=r.due_on,
                answered_on=r.answered_on,
                steps=list(r.steps),
            )
            for r in state.requests
        ],
        investigator=view.get("investigator"),
        resolution=view.get("resolution"),
        actions=view["actions"],
        evidence_requests=evidence,
        proposals=view["proposals"],
        drafts=view["drafts"],
        challenges=view["challenges"],
        final_report=view.get("final_report"),
        contribution_to_costs=view.get("contribution_to_costs"),
        payments=payments(state, today),
        recommendations_actioned=view["recommendations_actioned"],
        closure=view.get("closure"),
        evidence_destroyed=view["evidence_destroyed"],
        phso=view.get("phso"),
        deadlines=[
            DeadlineOut(
                kind=d.kind,
                label=d.label,
                owner=d.owner,
                starts_on=d.starts_on,
                due_on=d.due_on,
                met_on=d.met_on if d.met_on is not None and d.met_on <= today else None,
                stopped_on=d.stopped_on,
                requirement=d.requirement,
                guidance=d.guidance,
                reference=d.reference,
            )
            for d in ice_deadlines(state, standards)
            if d.starts_on <= today
        ],
    )


def payments(state: IceCaseState, today: date) -> list[PaymentOut]:
    """What the provider owes: fee and redress due four weeks after the final report (R36), PHSO redress."""
    report = state.final_report
    targets: list[tuple[str, date | None]] = []
    if report is not None:
        targets += [(r, report.payments_due_on) for r, _ in report.redress]
        if state.fee is not None and state.fee.due:
            targets.append((FEE, state.fee.due_on))
    if state.phso is not None:
        targets += [(r, None) for r, amount in state.phso.recommendations if amount]
    found = []
    for target, due_on in targets:
        owed = state.owed(target) or 0
        paid = state.paid_to(target)
        outstanding = owed - paid
        full_on = dict(state.paid_in_full).get(target) if outstanding == 0 else None
        if outstanding == 0:
            status = "paid_late" if due_on is not None and full_on is not None and full_on > due_on else "paid"
        else:
            status = "overdue" if due_on is not None and today > due_on else "outstanding"
        found.append(
            PaymentOut(
                target=target,
                owed_pence=owed,
                paid_pence=paid,
                outstanding_pence=outstanding,
                due_on=due_on,
                paid_in_full_on=full_on,
                status=status,
            )
        )
    return found
