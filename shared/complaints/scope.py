"""Which complaints a principal may see (R61), applied inside queries, never after them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.auth import OrganisationKind, Principal, Role
from shared.directory.projection import supply_chain

# DWP administrators and data-protection officers act on any complaint (support, erasure).
SEE_ALL_ROLES = frozenset({Role.DWP_ADMIN, Role.DATA_PROTECTION_OFFICER})


@dataclass(frozen=True)
class ComplaintScope:
    see_all: bool
    provider_ids: tuple[str, ...]
    """A provider's own id and its sub-contractors' (R61)."""
    logged_by: str | None
    """Every organisation sees what it logged itself."""

    def allows(self, provider_organisation_id: str | None, logged_by_organisation_id: str | None) -> bool:
        if self.see_all:
            return True
        if provider_organisation_id is not None and provider_organisation_id in self.provider_ids:
            return True
        return self.logged_by is not None and self.logged_by == logged_by_organisation_id

    def sql_args(self) -> tuple[bool, list[str], str | None]:
        """Arguments for `SCOPE_SQL`, in order."""
        return self.see_all, list(self.provider_ids), self.logged_by


SCOPE_SQL = "({all} OR provider_organisation_id = ANY({providers}) OR logged_by_organisation_id = {logged_by})"


def sees_all(principal: Principal) -> bool:
    """Only DWP's own administrators and data-protection officers: the role alone is not enough."""
    return principal.organisation_kind is OrganisationKind.DWP_BUSINESS and principal.has_any(SEE_ALL_ROLES)


async def complaint_scope(conn: Any, principal: Principal) -> ComplaintScope:
    if sees_all(principal):
        return ComplaintScope(True, (), None)
    if principal.organisation_kind is OrganisationKind.PROVIDER:
        chain = tuple(await supply_chain(conn, principal.organisation_id))
        return ComplaintScope(False, chain, principal.organisation_id)
    if principal.organisation_kind in (OrganisationKind.JOBCENTRE, OrganisationKind.DWP_BUSINESS):
        return ComplaintScope(False, (), principal.organisation_id)
    # ICE sees referred cases and PHSO the cases referred to it: none exist before the ICE gateway.
    return ComplaintScope(False, (), None)
