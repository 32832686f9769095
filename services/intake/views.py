"""Complaint views folded from the stream: what the API shows (personal values still sealed)."""

from __future__ import annotations

from datetime import datetime

from services.intake.api.schemas import AcknowledgementOut, ComplainantOut, ComplaintOut, ElementOut, HistoryEvent
from services.intake.api.schemas import Actor as ActorOut
from shared.complaints.decider import ComplaintState
from shared.complaints.events import ComplaintRegistered
from shared.eventstore.model import RecordedEvent


def complaint_view(state: ComplaintState, recorded: list[RecordedEvent], as_of: datetime | None = None) -> ComplaintOut:
    registered_event = next(r for r in recorded if r.type == ComplaintRegistered.event_type)
    registered = ComplaintRegistered.model_validate(registered_event.data)
    complainant = registered.complainant
    assert state.status is not None
    return ComplaintOut(
        complaint_id=registered.complaint_id,
        status=state.status,
        version=recorded[-1].version,
        complainant=ComplainantOut(
            kind=complainant.kind,
            data_subject_id=complainant.subject_id,
            name=complainant.name,
            address=complainant.address,
            email=complainant.email,
            phone=complainant.phone,
            national_insurance_number=complainant.national_insurance_number,
        ),
        about=registered.about,
        programme=registered.programme,
        provider_organisation_id=registered.provider_organisation_id,
        contract_id=registered.contract_id,
        channel=registered.channel,
        received_on=registered.received_on,
        nation=registered.nation,
        elements=[
            ElementOut(
                element_id=e.element_id,
                category=e.category,
                summary=e.summary,
                desired_outcome=e.desired_outcome,
            )
            for e in registered.elements
        ],
        logged_by_organisation_id=registered.logged_by_organisation_id,
        registered_at=registered_event.recorded_at,
        acknowledgement=(
            AcknowledgementOut(acknowledged_on=state.acknowledged_on, method=state.acknowledgement_method)
            if state.acknowledged_on is not None and state.acknowledgement_method is not None
            else None
        ),
        as_of=as_of,
    )


def history_view(recorded: list[RecordedEvent]) -> list[HistoryEvent]:
    return [
        HistoryEvent(
            event_id=str(r.event_id),
            version=r.version,
            type=r.type_name,
            recorded_at=r.recorded_at,
            business_date=r.metadata.business_date,
            actor=ActorOut(**r.metadata.actor.as_dict()),
            correlation_id=r.metadata.correlation_id,
            causation_id=r.metadata.causation_id,
            data=r.data,
        )
        for r in recorded
    ]
