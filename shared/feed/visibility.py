"""Which events of the log a principal may see (R61, R10): the same rules as the complaint and ICE case APIs.

Complaint events follow `ComplaintScope` (provider supply chain, logging organisation, redirected-to Jobcentre,
programmes seen whole, staff complaints only for the cleared); ICE case events follow the ICE gateway's rules
(ICE all, the ombudsman the cases referred to it, a provider its supply chain's, the Jobcentre what it logged,
DWP administrators all). The facts come from the log itself, folded from each stream's scope-deciding events,
so the feed never waits for (or depends on) another service's read model. A stream's *current* facts decide:
a complaint later marked as about staff is hidden in its past too, as the complaint API does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from shared.auth import OrganisationKind, Principal, Role
from shared.complaints.scope import ComplaintScope, complaint_scope, sees_all
from shared.eventstore.model import RecordedEvent

COMPLAINT = "complaint"
ICE_CASE = "ice_case"
FEED_STREAM_TYPES = (COMPLAINT, ICE_CASE)

REGISTERED = "complaint.registered"
MARKED_STAFF = "complaint.marked_as_staff_complaint"
REDIRECTED = "complaint.redirected"
REFERRAL_RECEIVED = "ice.referral_received"
PHSO_REFERRAL = "ice.phso_referral_received"
SCOPE_EVENT_TYPES = (REGISTERED, MARKED_STAFF, REDIRECTED, REFERRAL_RECEIVED, PHSO_REFERRAL)


@dataclass(frozen=True)
class StreamFacts:
    """What decides who sees a complaint's or an ICE case's events."""

    stream_type: str
    known: bool = False
    provider_organisation_id: str | None = None
    logged_by_organisation_id: str | None = None
    programme: str | None = None
    restricted: bool = False
    routed_to: str | None = None
    phso_referred: bool = False


def evolve_facts(facts: StreamFacts, event_type: str, data: dict[str, Any]) -> StreamFacts:
    """Pure: the facts after one scope-deciding event (others leave them as they are)."""
    if event_type in (REGISTERED, REFERRAL_RECEIVED):
        # A referral carries the complaint's staff restriction and the Jobcentre it was redirected to (R10, R3).
        return replace(
            facts,
            known=True,
            provider_organisation_id=data.get("provider_organisation_id"),
            logged_by_organisation_id=data.get("logged_by_organisation_id"),
            programme=data.get("programme"),
            restricted=facts.restricted or data.get("staff_complaint") is not None or bool(data.get("restricted")),
            routed_to=data.get("routed_to_organisation_id") or facts.routed_to,
        )
    if event_type == MARKED_STAFF:
        return replace(facts, restricted=True)
    if event_type == REDIRECTED:
        return replace(facts, routed_to=data.get("to_organisation_id"))
    if event_type == PHSO_REFERRAL:
        return replace(facts, phso_referred=True)
    return facts


_FACT_ROWS = """
SELECT stream_id, stream_type, event_type, data::text AS data FROM events
WHERE stream_id = ANY($1::text[]) AND event_type = ANY($2::text[])
ORDER BY stream_id, version
"""


async def load_facts(conn: Any, events: Iterable[RecordedEvent]) -> dict[str, StreamFacts]:
    """The current facts of every complaint and ICE case stream among `events` (one query)."""
    streams = {e.stream_id: e.stream_type for e in events if e.stream_type in FEED_STREAM_TYPES}
    facts = {stream_id: StreamFacts(stream_type) for stream_id, stream_type in streams.items()}
    if not streams:
        return facts
    for row in await conn.fetch(_FACT_ROWS, list(streams), list(SCOPE_EVENT_TYPES)):
        stream_id = row["stream_id"]
        facts[stream_id] = evolve_facts(facts[stream_id], row["event_type"], json.loads(row["data"]))
    return facts


@dataclass(frozen=True)
class IceScope:
    """Who sees an ICE case (services/ice_gateway/access.py, re-stated here: shared never imports services)."""

    every: bool = False
    provider_ids: tuple[str, ...] = ()
    logged_by: str | None = None
    """A Jobcentre: the cases of complaints it logged or that were redirected to it (R3)."""
    ombudsman: bool = False
    cleared: bool = False
    """Sees the ICE cases of complaints about a member of staff (R10): the examiners, and those cleared."""

    def allows(self, facts: StreamFacts) -> bool:
        if facts.restricted and not self.cleared:
            return False
        return (
            self.every
            or (facts.provider_organisation_id is not None and facts.provider_organisation_id in self.provider_ids)
            or (self.logged_by is not None and self.logged_by in (facts.logged_by_organisation_id, facts.routed_to))
            or (self.ombudsman and facts.phso_referred)
        )


@dataclass(frozen=True)
class FeedScope:
    complaints: ComplaintScope
    ice: IceScope

    def allows(self, facts: StreamFacts | None) -> bool:
        if facts is None or not facts.known:
            return False
        if facts.stream_type == COMPLAINT:
            return self.complaints.allows(
                facts.provider_organisation_id,
                facts.logged_by_organisation_id,
                programme=facts.programme,
                restricted=facts.restricted,
                routed_to=facts.routed_to,
            )
        return facts.stream_type == ICE_CASE and self.ice.allows(facts)


def ice_scope(principal: Principal, chain: Sequence[str]) -> IceScope:
    """`chain`: the principal's organisation and its sub-contractors (used for providers only)."""
    kind = principal.organisation_kind
    cleared = principal.has_any({Role.STAFF_COMPLAINTS})
    if kind is OrganisationKind.ICE:
        return IceScope(every=True, cleared=True)
    if kind is OrganisationKind.PHSO:
        return IceScope(ombudsman=True, cleared=True)
    contract_management = kind is OrganisationKind.DWP_BUSINESS and principal.has_any({Role.CONTRACT_MANAGER})
    if sees_all(principal) or contract_management:
        return IceScope(every=True, cleared=cleared)
    if kind is OrganisationKind.PROVIDER:
        return IceScope(provider_ids=tuple(chain), cleared=cleared)
    if kind is OrganisationKind.JOBCENTRE:
        return IceScope(logged_by=principal.organisation_id, cleared=cleared)
    return IceScope()


async def feed_scope(conn: Any, principal: Principal) -> FeedScope:
    complaints = await complaint_scope(conn, principal)
    # A provider's complaint scope already holds its supply chain: the ICE scope reuses it.
    return FeedScope(complaints, ice_scope(principal, complaints.provider_ids))


def visible(events: Sequence[RecordedEvent], facts: dict[str, StreamFacts], scope: FeedScope) -> list[RecordedEvent]:
    return [e for e in events if scope.allows(facts.get(e.stream_id))]
