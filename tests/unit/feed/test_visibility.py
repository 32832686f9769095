"""Who sees which events (R61, R10): complaint and ICE case facts folded from the log, and the scopes."""

from __future__ import annotations

from typing import Any

from shared.auth import OrganisationKind, Principal, Role
from shared.complaints.scope import ComplaintScope
from shared.feed.visibility import (
    COMPLAINT,
    ICE_CASE,
    FeedScope,
    IceScope,
    StreamFacts,
    evolve_facts,
    ice_scope,
)


def fold(stream_type: str, *events: tuple[str, dict[str, Any]]) -> StreamFacts:
    facts = StreamFacts(stream_type)
    for event_type, data in events:
        facts = evolve_facts(facts, event_type, data)
    return facts


REGISTERED: tuple[str, dict[str, Any]] = (
    "complaint.registered",
    {
        "provider_organisation_id": "provider-alpha",
        "logged_by_organisation_id": "provider-alpha",
        "programme": "ipes",
        "staff_complaint": None,
    },
)
PROVIDER_ALPHA = ComplaintScope(False, ("provider-alpha", "provider-alpha-sub"), "provider-alpha")
NO_ICE = IceScope()


def principal(kind: OrganisationKind, *roles: Role, organisation_id: str = "org-1") -> Principal:
    return Principal("user", organisation_id, kind, frozenset(roles))


def test_a_complaint_registration_sets_its_facts() -> None:
    facts = fold(COMPLAINT, REGISTERED)
    assert facts == StreamFacts(COMPLAINT, True, "provider-alpha", "provider-alpha", "ipes")


def test_marking_as_a_staff_complaint_and_redirecting_are_remembered() -> None:
    facts = fold(
        COMPLAINT,
        REGISTERED,
        ("complaint.acknowledged", {"anything": 1}),
        ("complaint.marked_as_staff_complaint", {}),
        ("complaint.redirected", {"to_organisation_id": "jobcentre-leeds"}),
    )
    assert facts.restricted
    assert facts.routed_to == "jobcentre-leeds"


def test_a_staff_complaint_at_registration_is_restricted() -> None:
    event_type, data = REGISTERED
    facts = fold(COMPLAINT, (event_type, {**data, "staff_complaint": {"responsible_team_leader_user_id": "tl"}}))
    assert facts.restricted


def test_a_provider_sees_its_supply_chains_complaints_only() -> None:
    scope = FeedScope(PROVIDER_ALPHA, NO_ICE)
    assert scope.allows(fold(COMPLAINT, REGISTERED))
    event_type, data = REGISTERED
    other = {**data, "provider_organisation_id": "provider-beta", "logged_by_organisation_id": "provider-beta"}
    assert not scope.allows(fold(COMPLAINT, (event_type, other)))


def test_a_staff_complaint_is_hidden_from_the_uncleared() -> None:
    facts = fold(COMPLAINT, REGISTERED, ("complaint.marked_as_staff_complaint", {}))
    assert not FeedScope(PROVIDER_ALPHA, NO_ICE).allows(facts)
    cleared = ComplaintScope(False, ("provider-alpha",), "provider-alpha", staff_complaints=True)
    assert FeedScope(cleared, NO_ICE).allows(facts)


def test_a_redirected_complaint_is_seen_by_the_jobcentre_it_went_to() -> None:
    facts = fold(COMPLAINT, REGISTERED, ("complaint.redirected", {"to_organisation_id": "jobcentre-leeds"}))
    assert FeedScope(ComplaintScope(False, (), "jobcentre-leeds"), NO_ICE).allows(facts)
    assert not FeedScope(ComplaintScope(False, (), "jobcentre-york"), NO_ICE).allows(facts)


def test_unknown_streams_are_never_visible() -> None:
    everyone = FeedScope(ComplaintScope(True, (), None), IceScope(every=True))
    assert not everyone.allows(None)
    assert not everyone.allows(StreamFacts(COMPLAINT))
    assert not everyone.allows(StreamFacts("directory", known=True))


REFERRED: tuple[str, dict[str, Any]] = (
    "ice.referral_received",
    {"provider_organisation_id": "provider-alpha", "logged_by_organisation_id": "jobcentre-leeds", "programme": "ipes"},
)


def test_ice_case_scopes_follow_the_gateway_rules() -> None:
    case = fold(ICE_CASE, REFERRED)
    to_phso = fold(ICE_CASE, REFERRED, ("ice.phso_referral_received", {}))
    none = ComplaintScope(False, (), None)

    def sees(scope: IceScope, facts: StreamFacts) -> bool:
        return FeedScope(none, scope).allows(facts)

    ice = ice_scope(principal(OrganisationKind.ICE, Role.CASE_EXAMINER), [])
    phso = ice_scope(principal(OrganisationKind.PHSO, Role.PHSO_CASEWORKER), [])
    alpha = ice_scope(principal(OrganisationKind.PROVIDER, organisation_id="provider-alpha"), ["provider-alpha"])
    beta = ice_scope(principal(OrganisationKind.PROVIDER, organisation_id="provider-beta"), ["provider-beta"])
    leeds = ice_scope(principal(OrganisationKind.JOBCENTRE, organisation_id="jobcentre-leeds"), [])
    admin = ice_scope(principal(OrganisationKind.DWP_BUSINESS, Role.DWP_ADMIN), [])
    mi = ice_scope(principal(OrganisationKind.DWP_MI, Role.MI_ANALYST), [])
    assert sees(ice, case)
    assert sees(admin, case)
    assert sees(alpha, case)
    assert sees(leeds, case)
    assert not sees(beta, case)
    assert not sees(mi, case)
    assert not sees(phso, case)
    assert sees(phso, to_phso)


def test_a_provider_with_an_admin_role_is_not_everyone() -> None:
    scope = ice_scope(principal(OrganisationKind.PROVIDER, Role.DWP_ADMIN, organisation_id="provider-beta"), [])
    assert not scope.every


def test_an_ice_case_of_a_staff_complaint_is_seen_only_by_the_cleared_and_the_examiners() -> None:
    """R10 carried to the ICE case, as services/ice_gateway/access.py has it; the leading Jobcentre and DWP
    contract management see the case too (R3, R36)."""
    restricted = fold(ICE_CASE, ("ice.referral_received", {**REFERRED[1], "restricted": True}))
    routed = fold(ICE_CASE, ("ice.referral_received", {**REFERRED[1], "routed_to_organisation_id": "jobcentre-york"}))
    none = ComplaintScope(False, (), None)

    def sees(scope: IceScope, facts: StreamFacts) -> bool:
        return FeedScope(none, scope).allows(facts)

    alpha = principal(OrganisationKind.PROVIDER, Role.CASEWORKER, organisation_id="provider-alpha")
    cleared = principal(OrganisationKind.PROVIDER, Role.STAFF_COMPLAINTS, organisation_id="provider-alpha")
    assert not sees(ice_scope(alpha, ["provider-alpha"]), restricted)
    assert sees(ice_scope(cleared, ["provider-alpha"]), restricted)
    assert sees(ice_scope(principal(OrganisationKind.ICE, Role.CASE_EXAMINER), []), restricted)
    assert not sees(ice_scope(principal(OrganisationKind.DWP_BUSINESS, Role.DWP_ADMIN), []), restricted)
    york = principal(OrganisationKind.JOBCENTRE, organisation_id="jobcentre-york")
    assert sees(ice_scope(york, []), routed)
    contract_manager = principal(OrganisationKind.DWP_BUSINESS, Role.CONTRACT_MANAGER)
    assert sees(ice_scope(contract_manager, []), routed)
