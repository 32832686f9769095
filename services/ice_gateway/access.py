"""Who sees an ICE case (R61): ICE's office every referred case, the ombudsman those referred to it, a provider
its own and its sub-contractors', the Jobcentre the complaints it logged or leads, DWP administrators and contract
management all. A complaint about a member of staff only to those cleared for it, besides ICE's office and the
ombudsman, who examine it (R10). Outside the caller's scope looks exactly like absent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.ice_gateway.handlers import load_case
from shared.auth import OrganisationKind, Principal, Role
from shared.commands import Loaded
from shared.complaints.scope import sees_all
from shared.db import raw_connection
from shared.directory.projection import supply_chain
from shared.errors import NotFound
from shared.http.platform import Platform
from shared.ice.state import IceCaseState


@dataclass(frozen=True)
class CaseScope:
    every: bool = False
    providers: tuple[str, ...] = ()
    organisation: str | None = None
    """A Jobcentre: the cases of complaints it logged or that were redirected to it (R3)."""
    ombudsman: bool = False
    cleared: bool = False
    """Sees complaints about a member of staff (R10)."""

    def allows(self, state: IceCaseState) -> bool:
        if state.restricted and not self.cleared:
            return False
        return (
            self.every
            or state.provider_organisation_id in self.providers
            or (self.organisation is not None and self.organisation in _organisations(state))
            or (self.ombudsman and state.phso is not None)
        )

    def where(self, first: int) -> tuple[str, list[Any]]:
        """The scope as SQL over `ice.cases`, placeholders from `$first`, and its arguments."""
        p = [f"${first + i}" for i in range(5)]
        sql = (
            f"(({p[0]} OR provider_organisation_id = ANY({p[1]}) OR logged_by_organisation_id = {p[2]} "
            f"OR routed_to_organisation_id = {p[2]} OR ({p[3]} AND phso_referred_on IS NOT NULL)) "
            f"AND (NOT restricted OR {p[4]}))"
        )
        return sql, [self.every, list(self.providers), self.organisation, self.ombudsman, self.cleared]


def _organisations(state: IceCaseState) -> set[str]:
    return {o for o in (state.logged_by_organisation_id, state.routed_to_organisation_id) if o is not None}


def contract_management(principal: Principal) -> bool:
    """DWP contract management: records the contribution to costs it recovered (R36), so sees every case."""
    return principal.organisation_kind is OrganisationKind.DWP_BUSINESS and principal.has_any({Role.CONTRACT_MANAGER})


async def case_scope(conn: Any, principal: Principal) -> CaseScope:
    kind = principal.organisation_kind
    cleared = principal.has_any({Role.STAFF_COMPLAINTS})
    if kind in (OrganisationKind.ICE, OrganisationKind.PHSO):
        # The examiners: ICE every referred case, the ombudsman those referred to it, staff complaints included.
        return CaseScope(every=kind is OrganisationKind.ICE, ombudsman=kind is OrganisationKind.PHSO, cleared=True)
    if sees_all(principal) or contract_management(principal):
        return CaseScope(every=True, cleared=cleared)
    if kind is OrganisationKind.PROVIDER:
        return CaseScope(providers=tuple(await supply_chain(conn, principal.organisation_id)), cleared=cleared)
    if kind is OrganisationKind.JOBCENTRE:
        return CaseScope(organisation=principal.organisation_id, cleared=cleared)
    return CaseScope()


async def visible_case(platform: Platform, principal: Principal, case_id: str) -> Loaded[IceCaseState]:
    loaded = await load_case(platform, case_id)
    if loaded.state.exists:
        async with raw_connection(platform.pool) as conn:
            scope = await case_scope(conn, principal)
        if scope.allows(loaded.state):
            return loaded
    raise NotFound(detail=f"no ICE case {case_id}", requirement="R61")
