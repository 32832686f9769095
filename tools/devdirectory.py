"""The small development directory `make run` seeds on first start, and the roles it prints tokens for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.auth import OrganisationKind, Role
from shared.vocabulary import Nation, Programme


@dataclass(frozen=True)
class DevOrganisation:
    organisation_id: str
    name: str
    kind: OrganisationKind


@dataclass(frozen=True)
class DevContract:
    contract_id: str
    provider_organisation_id: str
    programme: Programme
    value_pence: int
    let_or_renewed_on: date
    nation: Nation
    title: str


ORGANISATIONS = (
    DevOrganisation("provider-alpha", "Alpha Employment Services Ltd (prime)", OrganisationKind.PROVIDER),
    DevOrganisation("provider-alpha-sub", "Alpha Local Partners CIC (sub-contractor)", OrganisationKind.PROVIDER),
    DevOrganisation("provider-beta", "Beta Workplace Support plc (prime)", OrganisationKind.PROVIDER),
    DevOrganisation("jobcentre-leeds", "Leeds Jobcentre", OrganisationKind.JOBCENTRE),
    DevOrganisation("ice", "Independent Case Examiner", OrganisationKind.ICE),
    DevOrganisation("phso", "Parliamentary and Health Service Ombudsman", OrganisationKind.PHSO),
    DevOrganisation("dwp-mi", "DWP management information", OrganisationKind.DWP_MI),
    DevOrganisation("dwp", "Department for Work and Pensions", OrganisationKind.DWP_BUSINESS),
)

SUBCONTRACTORS = (("provider-alpha", "provider-alpha-sub"),)

CONTRACTS = (
    DevContract(
        "ipes-ew-alpha",
        "provider-alpha",
        Programme.IPES,
        1_250_000_000,
        date(2023, 4, 1),
        Nation.ENGLAND,
        "IPES England and Wales, lot 1",
    ),
    DevContract(
        "ipes-ew-alpha-sub",
        "provider-alpha-sub",
        Programme.IPES,
        4_999_999,
        date(2023, 4, 1),
        Nation.WALES,
        "IPES Wales delivery partner",
    ),
    DevContract(
        "atw-scot-beta",
        "provider-beta",
        Programme.ATW,
        80_000_000,
        date(2024, 10, 1),
        Nation.SCOTLAND,
        "Access to Work, Scotland",
    ),
)

KIND_OF = {o.organisation_id: o.kind for o in ORGANISATIONS}

# (label, organisation, roles) for the tokens `make run` prints.
TYPICAL_PRINCIPALS: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("DWP administrator", "dwp", (Role.DWP_ADMIN,)),
    ("Data-protection officer", "dwp", (Role.DATA_PROTECTION_OFFICER,)),
    ("Provider Alpha caseworker", "provider-alpha", (Role.CASEWORKER,)),
    ("Provider Alpha complaints lead", "provider-alpha", (Role.COMPLAINTS_LEAD, Role.CASEWORKER)),
    ("Alpha's sub-contractor caseworker", "provider-alpha-sub", (Role.CASEWORKER,)),
    ("Provider Beta caseworker", "provider-beta", (Role.CASEWORKER,)),
    ("Jobcentre caseworker", "jobcentre-leeds", (Role.CASEWORKER,)),
    ("ICE case examiner", "ice", (Role.CASE_EXAMINER,)),
    ("ICE adjudication manager", "ice", (Role.ADJUDICATION_MANAGER,)),
    ("PHSO caseworker", "phso", (Role.PHSO_CASEWORKER,)),
    ("DWP MI analyst", "dwp-mi", (Role.MI_ANALYST,)),
)


def kind_for(organisation_id: str, roles: tuple[Role, ...]) -> OrganisationKind:
    """The seeded organisation's kind, else a kind that fits the roles."""
    if organisation_id in KIND_OF:
        return KIND_OF[organisation_id]
    role_kinds = {
        Role.CASE_EXAMINER: OrganisationKind.ICE,
        Role.ADJUDICATION_MANAGER: OrganisationKind.ICE,
        Role.HEAD_OF_OFFICE: OrganisationKind.ICE,
        Role.PHSO_CASEWORKER: OrganisationKind.PHSO,
        Role.MI_ANALYST: OrganisationKind.DWP_MI,
        Role.CONTRACT_MANAGER: OrganisationKind.DWP_MI,
        Role.DWP_ADMIN: OrganisationKind.DWP_BUSINESS,
        Role.DATA_PROTECTION_OFFICER: OrganisationKind.DWP_BUSINESS,
    }
    for role in roles:
        if role in role_kinds:
            return role_kinds[role]
    return OrganisationKind.PROVIDER
