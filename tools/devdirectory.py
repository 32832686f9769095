"""The small development directory `make run` seeds on first start, and the roles it prints tokens for."""

from __future__ import annotations

from datetime import date

from shared.auth import OrganisationKind, Role
from shared.directory.domain import RegisterContract, RegisterOrganisation
from shared.vocabulary import Nation, Programme

ORGANISATIONS = (
    RegisterOrganisation(
        organisation_id="provider-alpha", name="Alpha Employment Services Ltd (prime)", kind=OrganisationKind.PROVIDER
    ),
    RegisterOrganisation(
        organisation_id="provider-alpha-sub",
        name="Alpha Local Partners CIC (sub-contractor)",
        kind=OrganisationKind.PROVIDER,
    ),
    RegisterOrganisation(
        organisation_id="provider-beta", name="Beta Workplace Support plc (prime)", kind=OrganisationKind.PROVIDER
    ),
    RegisterOrganisation(organisation_id="jobcentre-leeds", name="Leeds Jobcentre", kind=OrganisationKind.JOBCENTRE),
    RegisterOrganisation(organisation_id="ice", name="Independent Case Examiner", kind=OrganisationKind.ICE),
    RegisterOrganisation(
        organisation_id="phso", name="Parliamentary and Health Service Ombudsman", kind=OrganisationKind.PHSO
    ),
    RegisterOrganisation(organisation_id="dwp-mi", name="DWP management information", kind=OrganisationKind.DWP_MI),
    RegisterOrganisation(
        organisation_id="dwp", name="Department for Work and Pensions", kind=OrganisationKind.DWP_BUSINESS
    ),
)

SUBCONTRACTORS = (("provider-alpha", "provider-alpha-sub"),)

CONTRACTS = (
    RegisterContract(
        contract_id="ipes-ew-alpha",
        provider_organisation_id="provider-alpha",
        programme=Programme.IPES,
        value_pence=1_250_000_000,
        let_or_renewed_on=date(2023, 4, 1),
        nation=Nation.ENGLAND,
        title="IPES England and Wales, lot 1",
        provider_kind=None,
    ),
    RegisterContract(
        contract_id="ipes-ew-alpha-sub",
        provider_organisation_id="provider-alpha-sub",
        programme=Programme.IPES,
        value_pence=4_999_999,
        let_or_renewed_on=date(2023, 4, 1),
        nation=Nation.WALES,
        title="IPES Wales delivery partner",
        provider_kind=None,
    ),
    RegisterContract(
        contract_id="atw-scot-beta",
        provider_organisation_id="provider-beta",
        programme=Programme.ATW,
        value_pence=80_000_000,
        let_or_renewed_on=date(2024, 10, 1),
        nation=Nation.SCOTLAND,
        title="Access to Work, Scotland",
        provider_kind=None,
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
