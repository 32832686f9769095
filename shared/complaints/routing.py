"""Routing (R3): redirection to the Jobcentre, referral to the provider, and who may act after either.

- A provider redirects to the Jobcentre a complaint about programme policy (000 14.09) and a mixed
  complaint raised with it (000 14.03-14.04, 14.20). The redirection is an event, never a deletion:
  the receiving Jobcentre owns the complaint from then on; the provider still sees it but may no
  longer work it.
- A complaint about a provider logged by the Jobcentre is referred by that Jobcentre to the provider,
  which handles it exactly as if raised directly (000 14.06-14.08).
"""

from __future__ import annotations

from shared.complaints.checks import business_day_between, open_for_work, refuse_if
from shared.complaints.commands import RedirectComplaint, ReferToProvider
from shared.complaints.events import ComplaintRedirected, ComplaintReferredToProvider
from shared.complaints.state import ComplaintState
from shared.complaints.vocabulary import ComplaintAbout, RedirectionReason, StageOwner
from shared.decider import DomainEvent
from shared.errors import FieldError, Forbidden, RuleViolation

REDIRECTION_GUIDANCE = {
    RedirectionReason.PROGRAMME_POLICY: "000 14.09",
    RedirectionReason.MIXED_COMPLAINT: "000 14.04, 14.20",
}
REFERRAL_GUIDANCE = "000 14.06-14.08"
PROVIDER_KIND = "provider"


def _id(state: ComplaintState) -> str:
    assert state.complaint_id is not None
    return state.complaint_id


def _still_routable(state: ComplaintState, guidance: str) -> None:
    """Open, not finally answered, not already redirected."""
    open_for_work(state)
    final = state.final_response
    if final is not None:
        raise RuleViolation(
            detail=f"the final response was issued on {final.issued_on.isoformat()}: the complaint can no longer be "
            "routed",
            requirement="R3",
            guidance=guidance,
        )
    if state.redirected_to_organisation_id is not None:
        raise RuleViolation(
            detail=f"the complaint was already redirected to {state.redirected_to_organisation_id}",
            requirement="R3",
            guidance=guidance,
        )


def may_act(state: ComplaintState, organisation_id: str | None, organisation_kind: str | None) -> None:
    """Once redirected, the receiving Jobcentre owns the complaint: a provider's work on it is refused (R3).

    Run on the state the command is decided on; `None` (a service acting for the platform) is never refused.
    """
    receiving = state.redirected_to_organisation_id
    if receiving is None or organisation_id is None or organisation_id == receiving:
        return
    if state.stage_owner is StageOwner.PROVIDER and organisation_id == state.provider_organisation_id:
        return  # a mixed complaint's provider issues, escalated to the provider after the joint response (000 14.21)
    if organisation_kind == PROVIDER_KIND:
        raise RuleViolation(
            detail=f"the complaint was redirected to the Jobcentre {receiving}, which deals with it now: the provider "
            "sees it but no longer works it",
            requirement="R3",
            guidance="000 14.04, 14.09",
        )


def redirect(command: RedirectComplaint, state: ComplaintState) -> list[DomainEvent]:
    """R3: a programme-policy or mixed complaint raised with the provider goes to the Jobcentre."""
    guidance = REDIRECTION_GUIDANCE[command.reason]
    _still_routable(state, guidance)
    errors: list[FieldError] = []
    if command.reason is RedirectionReason.MIXED_COMPLAINT and state.about is not ComplaintAbout.MIXED:
        about = state.about.value if state.about else "unknown"
        errors.append(
            FieldError(
                "reason",
                "R3",
                f"a mixed-complaint redirection is for a complaint about both provider and Jobcentre (about: mixed); "
                f"this one is about: {about}",
            )
        )
    if command.to_organisation_id == command.acting_organisation_id:
        errors.append(FieldError("to_organisation_id", "R3", "a complaint is redirected to the Jobcentre"))
    business_day_between(
        errors,
        "redirected_on",
        command.redirected_on,
        requirement="R3",
        not_before=state.received_on,
        not_before_what="the date received",
        today=command.today,
    )
    refuse_if(errors, "R3", guidance)
    return [
        ComplaintRedirected(
            complaint_id=_id(state),
            reason=command.reason,
            from_organisation_id=command.acting_organisation_id,
            to_organisation_id=command.to_organisation_id,
            redirected_on=command.redirected_on,
        )
    ]


def refer_to_provider(command: ReferToProvider, state: ComplaintState) -> list[DomainEvent]:
    """R3: the Jobcentre that logged a complaint about a provider refers it to that provider (000 14.06-14.08)."""
    open_for_work(state)
    if command.acting_organisation_id != state.logged_by_organisation_id or state.logged_by_organisation_kind in (
        None,
        PROVIDER_KIND,
    ):
        raise Forbidden(
            detail="only the Jobcentre that logged the complaint refers it to the provider",
            requirement="R3",
            guidance=REFERRAL_GUIDANCE,
        )
    _still_routable(state, REFERRAL_GUIDANCE)
    if state.about is not ComplaintAbout.PROVIDER or state.provider_organisation_id is None:
        about = state.about.value if state.about else "unknown"
        raise RuleViolation(
            detail=f"only a complaint about the provider is referred to it; this one is about: {about}",
            requirement="R3",
            guidance=REFERRAL_GUIDANCE,
        )
    if state.referred_to_provider:
        raise RuleViolation(
            detail=f"the complaint was already referred to {state.provider_organisation_id}",
            requirement="R3",
            guidance=REFERRAL_GUIDANCE,
        )
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "referred_on",
        command.referred_on,
        requirement="R3",
        not_before=state.received_on,
        not_before_what="the date received",
        today=command.today,
    )
    refuse_if(errors, "R3", REFERRAL_GUIDANCE)
    return [
        ComplaintReferredToProvider(
            complaint_id=_id(state),
            from_organisation_id=command.acting_organisation_id,
            to_organisation_id=state.provider_organisation_id,
            referred_on=command.referred_on,
        )
    ]
