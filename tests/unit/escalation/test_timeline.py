"""A complaint's events folded into its timeline (R20, R21, R25, R26): the recorded profile, escalated stages and
who owns them, the mixed-complaint contribution, and the Director General caselist flag."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

from shared.complaints.commands import FlagOnDgCaselist, IssueJointResponse, RequestContribution, SubmitContribution
from shared.complaints.deadlines import DeadlineKind, DeadlineStatus, Owner, StageTimeline, deadlines
from shared.complaints.profile import complaint_profile
from shared.complaints.timeline import complaint_timeline, from_json, to_json
from shared.complaints.vocabulary import ComplaintAbout, DgCaselistReason
from shared.decider import DomainEvent, encode
from shared.eventstore.model import SYSTEM_ACTOR, EventMetadata, LogPosition, RecordedEvent
from shared.profiles import Profiles, Stage, Timescale, default_profiles
from tests.unit.complaints.helpers import (
    RECEIVED,
    TODAY,
    content,
    element,
    escalate,
    finding,
    history,
    registered,
    respond,
    sealed,
)

PROFILES = default_profiles()
DEFAULT = PROFILES.get("provider-default@v1")
REGISTERED_AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def recorded(events: Sequence[DomainEvent], at: datetime = REGISTERED_AT) -> list[RecordedEvent]:
    return [
        RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id="complaint-x",
            stream_type="complaint",
            version=i + 1,
            type=e.event_type,
            schema_version=e.schema_version,
            data=encode(e),
            metadata=EventMetadata(actor=SYSTEM_ACTOR, correlation_id="c"),
            recorded_at=at,
            position=LogPosition(1, i + 1),
        )
        for i, e in enumerate(events)
    ]


def with_a_newer_default() -> Profiles:
    """provider-default v2, effective 1 November 2026, with a shorter stage 1."""
    stages = (Stage(name="Provider stage 1", timescale=Timescale(working_days=10)), *DEFAULT.stages[1:])
    newer = DEFAULT.model_copy(update={"version": 2, "effective_from": date(2026, 11, 1), "stages": stages})
    return Profiles([DEFAULT, newer, PROFILES.get("cms@v1")])


def test_the_recorded_profile_is_used_and_older_complaints_fall_back_to_the_registration_date() -> None:
    profiles = with_a_newer_default()
    found = complaint_timeline(recorded([registered(process_profile="provider-default@v1")]), profiles)
    assert found is not None
    assert found.profile_ref == "provider-default@v1"
    older = complaint_timeline(recorded([registered(process_profile=None, final_stage=None)]), profiles)
    assert older is not None
    assert older.profile_ref == "provider-default@v2"


def test_an_escalated_stage_has_its_own_deadline_from_the_escalation_date() -> None:
    events = history(respond(1), escalate())
    found = complaint_timeline(recorded(events), PROFILES)
    assert found is not None
    assert found.timeline.stages == (
        StageTimeline(1, RECEIVED, RECEIVED, Owner.PROVIDER),
        StageTimeline(2, TODAY, None, Owner.PROVIDER, ("E1",)),
    )
    assert found.stage == 2
    stage_2 = [d for d in deadlines(found.timeline, DEFAULT, TODAY) if d.stage == 2]
    assert [(d.kind, d.starts_on, d.due_on, d.status) for d in stage_2] == [
        (DeadlineKind.STAGE_RESPONSE, TODAY, date(2026, 12, 21), DeadlineStatus.ON_TIME)  # 20 working days
    ]


def test_a_mixed_complaint_s_stages_change_hands_and_the_contribution_is_timed() -> None:
    start = registered(
        about=ComplaintAbout.MIXED,
        logged_by_organisation_id="jobcentre-leeds",
        logged_by_organisation_kind="jobcentre",
        elements=(element("E1"), element("E2")),
    )
    both = (finding("E1"), finding("E2"))
    events = history(
        RequestContribution(
            requested_on=RECEIVED, due_on=date(2026, 11, 27), acting_organisation_id="jobcentre-leeds", today=TODAY
        ),
        SubmitContribution(
            submitted_on=TODAY, text=sealed("Our part."), acting_organisation_id="provider-alpha", today=TODAY
        ),
        IssueJointResponse(
            content=content(findings=both), issued_on=TODAY, acting_organisation_id="jobcentre-leeds", today=TODAY
        ),
        escalate(element_ids=("E1",)),
        start=(start,),
    )
    before = complaint_timeline(recorded(events[:3]), PROFILES)
    assert before is not None
    assert before.owner is Owner.JOBCENTRE
    contribution = [d for d in deadlines(before.timeline, DEFAULT, TODAY) if d.kind is DeadlineKind.MIXED_CONTRIBUTION]
    assert [(d.owner, d.due_on, d.met_on, d.status) for d in contribution] == [
        (Owner.PROVIDER, date(2026, 11, 27), TODAY, DeadlineStatus.MET)
    ]
    found = complaint_timeline(recorded(events), PROFILES)
    assert found is not None
    assert [(s.number, s.owner, s.element_ids, s.responded_on) for s in found.timeline.stages] == [
        (1, Owner.JOBCENTRE, (), TODAY),
        (2, Owner.PROVIDER, ("E1",), None),
    ]
    assert (found.owner, found.kept_by_jobcentre) == (Owner.PROVIDER, ("E2",))
    owners = {(d.kind, d.stage): d.owner for d in deadlines(found.timeline, DEFAULT, TODAY)}
    assert owners[(DeadlineKind.ACKNOWLEDGEMENT, None)] is Owner.JOBCENTRE
    assert owners[(DeadlineKind.STAGE_RESPONSE, 1)] is Owner.JOBCENTRE
    assert owners[(DeadlineKind.STAGE_RESPONSE, 2)] is Owner.PROVIDER


def test_the_dg_caselist_flag_is_on_the_timeline_and_survives_storage() -> None:
    flag = FlagOnDgCaselist(reason=DgCaselistReason.HIGH_PROFILE, flagged_on=TODAY, today=TODAY)
    found = complaint_timeline(recorded(history(flag, respond(1), escalate())), PROFILES)
    assert found is not None
    assert (found.dg_caselist, found.dg_flagged_on) == ("high_profile", TODAY)
    assert from_json(to_json(found)) == found


def test_a_row_stored_before_the_newer_fields_still_reads() -> None:
    found = complaint_timeline(recorded([registered()]), PROFILES)
    assert found is not None
    raw = to_json(found)
    for key in ("kept_by_jobcentre", "dg_caselist", "dg_flagged_on"):
        del raw[key]
    for stage in raw["timeline"]["stages"]:
        del stage["owner"], stage["element_ids"]
    assert from_json(raw) == found


def test_a_stream_s_profile_for_a_complaint_registered_before_profiles_were_recorded() -> None:
    """What the escalation handler looks up for such a complaint: the profile in effect on its registration date."""
    stream = recorded([registered(process_profile=None, final_stage=None)])
    assert complaint_profile(stream, with_a_newer_default()).ref == "provider-default@v2"
    assert complaint_profile(recorded([registered()]), with_a_newer_default()).ref == "provider-default@v1"
