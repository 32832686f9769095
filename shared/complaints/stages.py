"""Escalation (R20): a dissatisfied complainant moves the complaint to the next stage of its profile.

- "If the complainant tells us they are dissatisfied with our attempts to resolve their complaint, we
  escalate their complaint to the next stage of our complaints process" (001 Annex 2 3.5): only once the
  current stage has its response; the new stage's deadline runs from the escalation date.
- Not after the final response: the provider's process has ended and the next step is ICE, within six
  months of the final response (R23, R24; 000 14.17, 14.23).
- Not past the last stage of the profile the complaint recorded (R20): there a final response is owed.
- A mixed complaint after the Jobcentre's joint response: the provider treats that response as its stage 1
  and escalates the complainant's provider issues to its next stage, which the provider owns; the
  Jobcentre deals independently with its own remaining issues (000 14.21-14.22). The escalation names the
  provider's elements; the others are recorded as kept by the Jobcentre.
"""

from __future__ import annotations

from shared.complaints.checks import business_day_between, open_for_work, refuse_if
from shared.complaints.commands import EscalateComplaint
from shared.complaints.events import ComplaintEscalated
from shared.complaints.routing import may_act
from shared.complaints.signposting import ice_contact_by
from shared.complaints.state import ComplaintState, ResponseState
from shared.complaints.vocabulary import ComplaintAbout, StageOwner
from shared.decider import DomainEvent
from shared.errors import FieldError, Forbidden, RuleViolation

ESCALATION_GUIDANCE = "001 Annex 2 3.5"
MIXED_GUIDANCE = "000 14.21-14.22"


def _id(state: ComplaintState) -> str:
    assert state.complaint_id is not None
    return state.complaint_id


def is_mixed_handover(state: ComplaintState) -> bool:
    """At the Jobcentre's joint response of a mixed complaint: the provider's issues go to the provider (14.21)."""
    return (
        state.about is ComplaintAbout.MIXED
        and state.joint_response_on is not None
        and state.stage_owner is StageOwner.JOBCENTRE
    )


def _answered(command: EscalateComplaint, state: ComplaintState) -> ResponseState:
    """The current stage's response: escalation follows one, never a final one, never past the last stage."""
    final = state.final_response
    if final is not None:
        raise RuleViolation(
            detail=f"the final response was issued on {final.issued_on.isoformat()}: the provider's process has "
            f"ended; the complainant may refer the complaint to ICE by {ice_contact_by(final.issued_on).isoformat()}",
            requirement="R24",
            guidance="000 14.17, 14.23",
        )
    stage = state.current_stage
    last = state.final_stage if state.final_stage is not None else command.unrecorded_final_stage
    if last is not None and stage >= last:
        profile = state.process_profile or "the complaint's process profile"
        raise RuleViolation(
            detail=f"stage {stage} is the last stage of {profile}: there is no further internal stage, a final "
            "response is owed, after which the complainant may go to ICE",
            requirement="R20",
            guidance=ESCALATION_GUIDANCE,
            extra={"stage": stage, "final_stage": last},
        )
    answered = state.response_at(stage)
    if answered is None:
        raise RuleViolation(
            detail=f"stage {stage} has no response yet: a complaint is escalated when the complainant is "
            "dissatisfied with a stage's response",
            requirement="R20",
            guidance=ESCALATION_GUIDANCE,
            extra={"stage": stage},
        )
    return answered


def _check_acting(command: EscalateComplaint, state: ComplaintState, handover: bool) -> None:
    organisation_id = command.acting_organisation_id
    if not handover:
        may_act(state, organisation_id, command.acting_organisation_kind)
        return
    allowed = {state.provider_organisation_id, state.lead_organisation_id}
    if organisation_id is not None and organisation_id not in allowed:
        raise Forbidden(
            detail="after a mixed complaint's joint response its provider escalates the provider's issues",
            requirement="R25",
            guidance=MIXED_GUIDANCE,
        )


def _escalated_elements(
    errors: list[FieldError], command: EscalateComplaint, state: ComplaintState, handover: bool
) -> tuple[str, ...]:
    in_play = state.elements_in_play or state.element_ids
    if not command.element_ids:
        if handover:
            errors.append(
                FieldError(
                    "element_ids",
                    "R25",
                    "name the provider's elements the complainant is still dissatisfied with: they go to the "
                    "provider's next stage, and the Jobcentre deals with the rest (000 14.21-14.22)",
                )
            )
        return in_play
    seen: list[str] = []
    for i, element_id in enumerate(command.element_ids):
        if element_id in seen:
            errors.append(FieldError(f"element_ids.{i}", "R20", f"element {element_id} twice"))
        elif element_id not in in_play:
            errors.append(
                FieldError(
                    f"element_ids.{i}",
                    "R20",
                    f"element {element_id} is not at stage {state.current_stage}: its elements are "
                    f"{', '.join(in_play)}",
                )
            )
        seen.append(element_id)
    return tuple(e for e in in_play if e in command.element_ids)


def escalate(command: EscalateComplaint, state: ComplaintState) -> list[DomainEvent]:
    open_for_work(state)
    answered = _answered(command, state)
    handover = is_mixed_handover(state)
    _check_acting(command, state, handover)
    errors: list[FieldError] = []
    business_day_between(
        errors,
        "escalated_on",
        command.escalated_on,
        requirement="R20",
        not_before=answered.issued_on,
        not_before_what=f"stage {state.current_stage}'s response",
        today=command.today,
    )
    escalated = _escalated_elements(errors, command, state, handover)
    refuse_if(errors, "R20", MIXED_GUIDANCE if handover else ESCALATION_GUIDANCE)
    in_play = state.elements_in_play or state.element_ids
    return [
        ComplaintEscalated(
            complaint_id=_id(state),
            from_stage=state.current_stage,
            to_stage=state.current_stage + 1,
            escalated_on=command.escalated_on,
            element_ids=escalated,
            owned_by=StageOwner.PROVIDER if handover else (state.stage_owner or StageOwner.PROVIDER),
            kept_by_jobcentre=tuple(e for e in in_play if e not in escalated) if handover else (),
        )
    ]
