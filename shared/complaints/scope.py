"""Which complaints a principal may see (R61, R10), applied inside queries, never after them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.auth import OrganisationKind, Principal, Role
from shared.commands import load
from shared.db import ConnectionSource, raw_connection
from shared.directory.projection import supply_chain
from shared.eventstore.base import EventStore
from shared.ice.decider import ICE_DECIDER, ice_stream
from shared.ice.events import ICE_CODEC
from shared.vocabulary import Programme

# DWP administrators and data-protection officers act on any complaint (support, erasure).
SEE_ALL_ROLES = frozenset({Role.DWP_ADMIN, Role.DATA_PROTECTION_OFFICER})


@dataclass(frozen=True)
class ComplaintScope:
    see_all: bool
    provider_ids: tuple[str, ...]
    """A provider's own id and its sub-contractors' (R61)."""
    logged_by: str | None
    """Every organisation sees what it logged itself."""
    programmes: tuple[str, ...] = ()
    """Programmes seen whole: Access to Work for DWP's AtW Service Delivery team, who approve drafts (002 8.03)."""
    staff_complaints: bool = False
    """Cleared for complaints about a member of staff (R10; 003). Without it they are absent, whatever else."""
    examiner: OrganisationKind | None = None
    """ICE's office sees the complaints referred to ICE, the ombudsman those referred to it (R61), one by one:
    their lists are of cases (the ICE gateway's), not of complaints."""

    def allows(
        self,
        provider_organisation_id: str | None,
        logged_by_organisation_id: str | None,
        *,
        programme: str | None = None,
        restricted: bool = False,
        routed_to: str | None = None,
        examined: bool = False,
    ) -> bool:
        """`routed_to`: the Jobcentre a provider redirected the complaint to, which owns it from then on (R3).
        `examined`: the complaint is before this principal's examiner (`examined_here`)."""
        if examined and self.examiner is not None:
            return True  # ICE and the ombudsman examine staff complaints too
        if restricted and not self.staff_complaints:
            return False
        if self.see_all:
            return True
        if provider_organisation_id is not None and provider_organisation_id in self.provider_ids:
            return True
        if programme is not None and programme in self.programmes:
            return True
        if self.logged_by is not None and routed_to is not None and self.logged_by == routed_to:
            return True
        return self.logged_by is not None and self.logged_by == logged_by_organisation_id

    def sql_args(self) -> tuple[bool, list[str], str | None]:
        """Arguments for `SCOPE_SQL`, in order."""
        return self.see_all, list(self.provider_ids), self.logged_by

    def where(self, first: int, *, routed: bool = False) -> tuple[str, list[Any]]:
        """The full scope as SQL over a table with `provider_organisation_id`, `logged_by_organisation_id`,
        `programme` and `restricted` columns, with placeholders from `$first`; and its arguments.

        `routed`: the table also has `routed_to_organisation_id`, the Jobcentre a complaint was redirected to,
        which sees it (R3)."""
        p = [f"${first + i}" for i in range(5)]
        routed_sql = f" OR routed_to_organisation_id = {p[2]}" if routed else ""
        sql = (
            f"(({p[0]} OR provider_organisation_id = ANY({p[1]}) OR logged_by_organisation_id = {p[2]}{routed_sql} "
            f"OR programme = ANY({p[3]})) AND (NOT restricted OR {p[4]}))"
        )
        args = [self.see_all, list(self.provider_ids), self.logged_by, list(self.programmes), self.staff_complaints]
        return sql, args


SCOPE_SQL = "({all} OR provider_organisation_id = ANY({providers}) OR logged_by_organisation_id = {logged_by})"
"""Organisation scope only; `ComplaintScope.where` adds programmes and the staff-complaint restriction."""


def sees_all(principal: Principal) -> bool:
    """Only DWP's own administrators and data-protection officers: the role alone is not enough."""
    return principal.organisation_kind is OrganisationKind.DWP_BUSINESS and principal.has_any(SEE_ALL_ROLES)


def atw_service_delivery(principal: Principal) -> bool:
    """DWP's AtW Service Delivery team (002 8.03): the role held in a DWP business, not in a provider."""
    return principal.organisation_kind is OrganisationKind.DWP_BUSINESS and principal.has_any(
        {Role.ATW_SERVICE_DELIVERY}
    )


async def complaint_scope(conn: Any, principal: Principal) -> ComplaintScope:
    cleared = principal.has_any({Role.STAFF_COMPLAINTS})
    if sees_all(principal):
        return ComplaintScope(True, (), None, staff_complaints=cleared)
    if principal.organisation_kind is OrganisationKind.PROVIDER:
        chain = tuple(await supply_chain(conn, principal.organisation_id))
        return ComplaintScope(False, chain, principal.organisation_id, staff_complaints=cleared)
    if principal.organisation_kind in (OrganisationKind.JOBCENTRE, OrganisationKind.DWP_BUSINESS):
        programmes = (Programme.ATW.value,) if atw_service_delivery(principal) else ()
        return ComplaintScope(False, (), principal.organisation_id, programmes, staff_complaints=cleared)
    if principal.organisation_kind in (OrganisationKind.ICE, OrganisationKind.PHSO):
        return ComplaintScope(False, (), None, examiner=principal.organisation_kind)
    return ComplaintScope(False, (), None)


async def examined_here(store: EventStore, scope: ComplaintScope, complaint_id: str) -> bool:
    """Whether the complaint is before the scope's examiner: referred to ICE, or to the ombudsman (R61)."""
    if scope.examiner is None:
        return False
    case = (await load(store, ice_stream(complaint_id), ICE_DECIDER, ICE_CODEC)).state
    if scope.examiner is OrganisationKind.ICE:
        return case.exists
    return case.phso is not None


async def may_see_complaint(
    store: EventStore,
    db: ConnectionSource,
    principal: Principal,
    complaint_id: str,
    *,
    provider_organisation_id: str | None,
    logged_by_organisation_id: str | None,
    programme: str | None,
    restricted: bool,
    routed_to: str | None,
) -> bool:
    """Whether `principal` may see one complaint with these facts (R61), a staff complaint only if cleared (R10).
    The one check behind every read of a single complaint, in intake and in escalation."""
    async with raw_connection(db) as conn:
        scope = await complaint_scope(conn, principal)
    return scope.allows(
        provider_organisation_id,
        logged_by_organisation_id,
        programme=programme,
        restricted=restricted,
        routed_to=routed_to,
        examined=await examined_here(store, scope, complaint_id),
    )
