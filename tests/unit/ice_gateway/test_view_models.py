"""The case view's parts keep up with the events they are folded from: each holds its event's fields but `case_id`,
plus what the fold adds, so no key an event gains is silently left out of the answer."""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from services.ice_gateway import view_models as v
from shared.decider import DomainEvent
from shared.ice import events as e

FOLDED: list[tuple[type[BaseModel], type[BaseModel], set[str]]] = [
    (v.ReferralOut, e.ReferralReceived, set()),
    (v.ReferralAcceptedOut, e.ReferralAccepted, set()),
    (v.ReferralDeclinedOut, e.ReferralDeclined, set()),
    (v.GatewayStepsConfirmedOut, e.GatewayStepsConfirmed, {"event"}),
    (v.ReturnedToProviderOut, e.ReturnedToProvider, {"event"}),
    (v.RevisitedStepsReportedOut, e.RevisitedStepsReported, {"event"}),
    (v.GatewayPassedOut, e.GatewayPassed, {"event"}),
    (v.InvestigatorOut, e.InvestigatorAllocated, set()),
    (v.ActionOut, e.AgreedAction, set()),
    (v.AgreedActionOut, e.AgreedAction, {"completed_on", "agreed_in"}),
    (
        v.WayForwardOut,
        e.WayForwardProposed,
        {"provider_agrees", "complainant_satisfied", "provider_answered_on", "complainant_recorded_on"},
    ),
    (v.PassageOut, e.Passage, set()),
    (v.RecommendationOut, e.Recommendation, set()),
    (v.DraftReportOut, e.DraftReportIssued, {"comments"}),
    (v.DraftReportCommentsOut, e.DraftCommentsSubmitted, set()),
    (v.ChallengeGroundOut, e.ChallengeGroundRecord, set()),
    (v.ChallengeOut, e.ChallengeRaised, {"status", "history"}),
    (v.ChallengeFormallyEscalatedOut, e.ChallengeFormallyEscalated, {"event"}),
    (v.AdjudicationManagerRepliedOut, e.AdjudicationManagerReplied, {"event"}),
    (v.ChallengeResponseRecordedOut, e.ChallengeResponseRecorded, {"event"}),
    (v.HeadOfOfficeWroteToDirectorOut, e.HeadOfOfficeWroteToDirector, {"event"}),
    (v.ChallengeClosedOut, e.ChallengeClosed, {"event"}),
    (v.FinalReportOut, e.FinalReportIssued, set()),
    (v.ContributionToCostsOut, e.ContributionToCostsAssessed, set()),
    (v.RecommendationActionedOut, e.RecommendationActioned, set()),
    (v.CaseClosedOut, e.CaseClosed, set()),
    (v.EvidenceDestroyedOut, e.EvidenceDestroyed, set()),
    (v.PhsoReferralOut, e.PhsoReferralReceived, set()),
    (v.PhsoAcceptedOut, e.PhsoAccepted, set()),
    (v.PhsoRecommendationOut, e.PhsoRecommendation, set()),
    (v.PhsoReportOut, e.PhsoReportIssued, set()),
    (v.PhsoRecommendationCompletedOut, e.PhsoRecommendationCompleted, set()),
]


@pytest.mark.parametrize(("model", "source", "added"), FOLDED, ids=[m.__name__ for m, _, _ in FOLDED])
def test_each_part_holds_its_events_fields(model: type[BaseModel], source: type[BaseModel], added: set[str]) -> None:
    assert set(model.model_fields) == set(source.model_fields) - {"case_id"} | added


@pytest.mark.parametrize(
    ("model", "source"), [(m, s) for m, s, added in FOLDED if "event" in added], ids=lambda x: x.__name__
)
def test_the_event_key_names_the_event(model: type[BaseModel], source: type[DomainEvent]) -> None:
    assert get_args(model.model_fields["event"].annotation) == (source.event_type.removeprefix("ice."),)


def test_a_key_set_by_a_later_event_is_absent_until_then_never_null() -> None:
    proposed: dict[str, Any] = {
        "proposal_id": "p1",
        "proposed_on": "2026-12-16",
        "proposal": None,
        "actions": [],
        "provider_agrees": None,
        "complainant_satisfied": None,
    }
    assert v.WayForwardOut.model_validate(proposed).model_dump(mode="json") == proposed
    answered = {**proposed, "provider_agrees": True, "provider_answered_on": "2026-12-17"}
    assert v.WayForwardOut.model_validate(answered).model_dump(mode="json") == answered
    referred = {"referral": {"route": "phso_via_mp", "referred_on": date(2027, 4, 1), "member_name": None}}
    assert v.PhsoOut.model_validate(referred).model_dump() == referred
