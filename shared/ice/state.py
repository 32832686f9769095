"""The ICE case as its decider sees it: frozen, folded from `ice.*` events."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from shared.ice.events import ContractTerms, Eligibility
from shared.ice.vocabulary import (
    CaseStatus,
    ChallengeStatus,
    Closure,
    EvidenceKind,
    IceStage,
    PhsoRoute,
    RecommendationKind,
    ReportOutcome,
    RequestKind,
)

FEE = "fee"
"""The payment target of the contribution to costs; redress items are targeted by their id."""


@dataclass(frozen=True)
class RequestState:
    request_id: str
    kind: RequestKind
    made_on: date
    due_on: date
    steps: tuple[str, ...] = ()
    answered_on: date | None = None


@dataclass(frozen=True)
class ActionState:
    action_id: str
    due_on: date
    completed_on: date | None = None


@dataclass(frozen=True)
class EvidenceItemState:
    item_id: str
    kind: EvidenceKind
    answered_on: date | None = None
    blob_key: str | None = None
    content_type: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    not_held: bool = False
    destroyed: bool = False


@dataclass(frozen=True)
class EvidenceRequestState:
    request_id: str
    requested_on: date
    due_on: date
    items: tuple[EvidenceItemState, ...]
    completed_on: date | None = None

    def item(self, item_id: str) -> EvidenceItemState | None:
        return next((i for i in self.items if i.item_id == item_id), None)


@dataclass(frozen=True)
class ProposalState:
    proposal_id: str
    proposed_on: date
    provider_agrees: bool | None = None
    complainant_satisfied: bool | None = None


@dataclass(frozen=True)
class DraftState:
    draft_id: str
    revision: int
    issued_on: date
    comments_due_on: date
    passage_ids: frozenset[str]
    challenge_id: str | None = None
    comments_on: date | None = None


@dataclass(frozen=True)
class ChallengeState:
    challenge_id: str
    draft_id: str
    raised_on: date
    status: ChallengeStatus
    reply_due_on: date | None = None
    replied_on: date | None = None
    response_due_on: date | None = None
    responded_on: date | None = None
    provider_agrees: bool | None = None
    closed_on: date | None = None


@dataclass(frozen=True)
class FinalReportState:
    report_id: str
    report_date: date
    outcome: ReportOutcome
    payments_due_on: date
    redress: tuple[tuple[str, int], ...]
    """(redress_id, amount in pence)."""
    recommendations: tuple[tuple[str, RecommendationKind], ...]


@dataclass(frozen=True)
class FeeState:
    due: bool
    amount_pence: int
    due_on: date | None


@dataclass(frozen=True)
class PhsoState:
    route: PhsoRoute
    referred_on: date
    accepted_on: date | None = None
    ice_exhausted: bool | None = None
    report_issued_on: date | None = None
    recommendations: tuple[tuple[str, int], ...] = ()
    """(recommendation_id, additional redress in pence)."""
    completed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class IceCaseState:
    exists: bool = False
    case_id: str | None = None
    subject_id: str | None = None
    provider_organisation_id: str | None = None
    logged_by_organisation_id: str | None = None
    routed_to_organisation_id: str | None = None
    restricted: bool = False
    nation: str | None = None
    element_ids: tuple[str, ...] = ()
    contract: ContractTerms | None = None
    eligibility: Eligibility | None = None
    referred_on: date | None = None
    accepted_on: date | None = None
    status: CaseStatus | None = None
    stage: IceStage | None = None
    stages_left: tuple[tuple[IceStage, date], ...] = ()
    """(stage, the day the case moved on from it)."""
    returned_steps: tuple[str, ...] = ()
    gateway_confirmed: bool = False
    allocated_on: date | None = None
    requests: tuple[RequestState, ...] = ()
    resolution_agreed: bool = False
    actions: tuple[ActionState, ...] = ()
    evidence_requests: tuple[EvidenceRequestState, ...] = ()
    proposals: tuple[ProposalState, ...] = ()
    drafts: tuple[DraftState, ...] = ()
    challenges: tuple[ChallengeState, ...] = ()
    final_report: FinalReportState | None = None
    fee: FeeState | None = None
    paid: tuple[tuple[str, int], ...] = ()
    """(target, total paid in pence)."""
    payment_ids: frozenset[str] = frozenset()
    paid_in_full: tuple[tuple[str, date], ...] = ()
    """(target, the date its last penny was paid)."""
    actioned_recommendations: frozenset[str] = frozenset()
    closed_on: date | None = None
    closure: Closure | None = None
    evidence_destroyed_on: date | None = None
    phso: PhsoState | None = None

    @property
    def clerical(self) -> bool:
        """A Special Customer Record complaint: no personal data is held here, free text stays on the clerical file
        (R11; 004 62-71), so no free text is required either."""
        return self.exists and self.subject_id is None

    def request(self, request_id: str) -> RequestState | None:
        return _find(self.requests, "request_id", request_id)

    def evidence_request(self, request_id: str) -> EvidenceRequestState | None:
        return _find(self.evidence_requests, "request_id", request_id)

    def action(self, action_id: str) -> ActionState | None:
        return _find(self.actions, "action_id", action_id)

    def proposal(self, proposal_id: str) -> ProposalState | None:
        return _find(self.proposals, "proposal_id", proposal_id)

    def draft(self, draft_id: str) -> DraftState | None:
        return _find(self.drafts, "draft_id", draft_id)

    def challenge(self, challenge_id: str) -> ChallengeState | None:
        return _find(self.challenges, "challenge_id", challenge_id)

    @property
    def latest_draft(self) -> DraftState | None:
        return self.drafts[-1] if self.drafts else None

    @property
    def open_challenge(self) -> ChallengeState | None:
        return next((c for c in self.challenges if c.status is not ChallengeStatus.CLOSED), None)

    def paid_to(self, target: str) -> int:
        return dict(self.paid).get(target, 0)

    def owed(self, target: str) -> int | None:
        """What `target` comes to in pence; None if there is no such payment due."""
        if target == FEE:
            return self.fee.amount_pence if self.fee is not None and self.fee.due else None
        if self.final_report is not None and target in dict(self.final_report.redress):
            return dict(self.final_report.redress)[target]
        if self.phso is not None and target in dict(self.phso.recommendations):
            amount = dict(self.phso.recommendations)[target]
            return amount or None
        return None


T = TypeVar("T")


def _find(items: tuple[T, ...], attribute: str, value: str) -> T | None:
    return next((i for i in items if getattr(i, attribute) == value), None)


def replace_in(items: tuple[T, ...], attribute: str, value: str, **changes: object) -> tuple[T, ...]:
    return tuple(replace(i, **changes) if getattr(i, attribute) == value else i for i in items)  # type: ignore[type-var]
