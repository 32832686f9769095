"""`GET /complaints/{id}/deadlines`: stage, owner and every deadline, computed on request (R21)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from services.escalation.api import examples
from shared.clock import business_date
from shared.commands import load
from shared.complaints.deadlines import DeadlineKind, DeadlineStatus, Owner, deadlines, owner_with_ice, with_ice_case
from shared.complaints.deadlines import policy_for as deadline_policy
from shared.complaints.streams import load_visible_complaint
from shared.complaints.timeline import ComplaintTimeline, complaint_timeline
from shared.complaints.vocabulary import DgCaselistReason
from shared.errors import NotFound
from shared.eventstore.model import RecordedEvent
from shared.http.deps import AsOf, CurrentPrincipal, PlatformDep, etag
from shared.http.platform import Platform
from shared.http.problems import problem_responses
from shared.ice.deadlines import ice_standards
from shared.ice.decider import ICE_DECIDER, ice_stream
from shared.ice.events import ICE_CODEC
from shared.ice.state import IceCaseState
from shared.profiles import default_profiles
from shared.vocabulary import IsoDate

router = APIRouter(prefix="/complaints", tags=["deadlines"])


class DeadlineOut(BaseModel):
    kind: DeadlineKind
    label: str
    owner: Owner
    starts_on: IsoDate
    due_on: IsoDate
    met_on: IsoDate | None
    status: DeadlineStatus
    requirement: str
    guidance: str | None
    stage: int | None
    reference: str | None = Field(
        None, description="For an ICE deadline: the request, evidence request, draft, challenge or payment it is about"
    )


class StageOut(BaseModel):
    number: int
    name: str = Field(description="The stage's name in the complaint's process profile")
    owner: Owner = Field(description="Who answers it: a mixed complaint's stage 1 is the Jobcentre's joint response")
    started_on: IsoDate = Field(description="Receipt for stage 1; the escalation date for a later stage")
    responded_on: IsoDate | None
    element_ids: list[str] = Field(description="The elements escalated to it; empty: every element")


class DgCaselistOut(BaseModel):
    reason: DgCaselistReason
    flagged_on: IsoDate


class DeadlinesOut(BaseModel):
    complaint_id: str
    version: int = Field(description="The complaint's version (also the ETag): send it as If-Match to escalate")
    profile: str = Field(description="The process profile and version the complaint follows (R20), e.g. `cms@v1`")
    stage: int
    stage_name: str
    owner: Owner
    stages: list[StageOut] = Field(description="Every stage opened so far, with who owns it (R20, R25)")
    kept_by_jobcentre: list[str] = Field(
        description="A mixed complaint's elements the Jobcentre deals with independently after the joint response "
        "(000 14.22)"
    )
    dg_caselist: DgCaselistOut | None = Field(description="Held on the Director General caselist (R26; 003)")
    today: IsoDate = Field(description="The business date the statuses are as of")
    as_of: datetime | None
    deadlines: list[DeadlineOut]


def deadlines_view(
    platform: Platform,
    found: ComplaintTimeline,
    version: int,
    today: date,
    as_of: datetime | None = None,
    case: IceCaseState | None = None,
) -> DeadlinesOut:
    """`case`: the complaint's ICE case, if referred: its deadlines join the complaint's, and ICE (or the ombudsman)
    owns the complaint while it examines it (R21, R31)."""
    policy = deadline_policy(platform.settings)
    profile = default_profiles().get(found.profile_ref)
    case = case or IceCaseState()
    found_deadlines = with_ice_case(
        deadlines(found.timeline, profile, today, policy),
        case,
        today,
        found.timeline.nation,
        policy,
        ice_standards(platform.settings),
    )
    dg = found.dg_caselist
    return DeadlinesOut(
        complaint_id=found.complaint_id,
        version=version,
        profile=profile.ref,
        stage=found.stage,
        stage_name=profile.stage_name(found.stage),
        owner=owner_with_ice(found.owner, case),
        stages=[
            StageOut(
                number=s.number,
                name=profile.stage_name(s.number),
                owner=s.owner,
                started_on=s.started_on,
                responded_on=s.responded_on,
                element_ids=list(s.element_ids),
            )
            for s in found.timeline.stages
        ],
        kept_by_jobcentre=list(found.kept_by_jobcentre),
        dg_caselist=(
            DgCaselistOut(reason=DgCaselistReason(dg), flagged_on=found.dg_flagged_on)
            if dg is not None and found.dg_flagged_on is not None
            else None
        ),
        today=today,
        as_of=as_of,
        deadlines=[DeadlineOut(**vars(d)) for d in found_deadlines],
    )


async def stream_view(
    platform: Platform, recorded: Sequence[RecordedEvent], response: Response, as_of: datetime | None = None
) -> DeadlinesOut:
    """The deadlines of a complaint's stream as read, with its ICE case's, and its version as the ETag (R63)."""
    found = complaint_timeline(recorded, default_profiles())
    assert found is not None, "the caller checked the complaint exists"
    version = recorded[-1].version
    response.headers["ETag"] = etag(version)
    case = await load(platform.store, ice_stream(found.complaint_id), ICE_DECIDER, ICE_CODEC, recorded_until=as_of)
    today = business_date(as_of or platform.clock.now())
    return deadlines_view(platform, found, version, today, as_of, case.state)


@router.get(
    "/{complaint_id}/deadlines",
    name="get",
    summary="A complaint's stage, owner and deadlines",
    description="Every deadline with its due date and status (on time, due soon, overdue, met, met late, "
    "stopped): acknowledgement, each stage's response, the mixed-complaint contribution, the eight-week right "
    "to go to ICE (000 14.02) and the six-month ICE window (000 14.23). Computed from the events and today on "
    "every request, never stored (R21); `as_of` shows them as they stood at a past instant. Also the process "
    "profile the complaint recorded (R20), its stages and who owns each (R25), and its Director General caselist "
    "flag (R26). Once the complaint is with ICE, the ICE case's deadlines join them on both sides: ICE's "
    "requests to the provider (at most five working days, R31), evidence requests, draft-report comments, "
    "adjudication replies and responses (R34), fee and redress payments (R36) and ICE's own service standards "
    "(R40); the owner is ICE while it examines the complaint, the ombudsman while it does.",
    response_model=DeadlinesOut,
    responses={**problem_responses(404), **examples.returns(examples.ESCALATED)},
)
async def get_deadlines(
    complaint_id: Annotated[UUID, Path()],
    principal: CurrentPrincipal,
    platform: PlatformDep,
    response: Response,
    as_of: AsOf,
) -> DeadlinesOut:
    loaded = await load_visible_complaint(platform.store, platform.pool, principal, str(complaint_id), as_of)
    if loaded is None:
        raise NotFound(detail=f"no complaint {complaint_id}", requirement="R61")
    return await stream_view(platform, loaded.recorded, response, as_of)
