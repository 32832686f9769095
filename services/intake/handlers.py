"""Intake command handlers: the only place intake touches the store. load -> fold -> decide -> append."""

from __future__ import annotations

from typing import Any

from services.intake.api.schemas import AcknowledgeIn, RegisterComplaintIn
from shared.auth import OrganisationKind, Role, ensure_role
from shared.clock import business_date
from shared.commands import Outcome
from shared.complaints.commands import AcknowledgeComplaint, RegisterComplaint
from shared.complaints.decider import ComplaintState
from shared.complaints.events import ComplainantRecord, ElementRecord
from shared.complaints.scope import complaint_scope
from shared.complaints.streams import decide_on_complaint
from shared.db import raw_connection
from shared.errors import FieldError, Forbidden, ValidationProblem
from shared.http.deps import CommandContext
from shared.http.platform import Platform

LOGGING_ROLES = (Role.CASEWORKER, Role.COMPLAINTS_LEAD, Role.SENIOR_MANAGER)
LOGGING_KINDS = (OrganisationKind.PROVIDER, OrganisationKind.JOBCENTRE, OrganisationKind.DWP_BUSINESS)


async def _check_references(platform: Platform, body: RegisterComplaintIn, ctx: CommandContext) -> None:
    """The provider must be in the caller's reach, and the contract must be that provider's."""
    errors: list[FieldError] = []
    async with raw_connection(platform.pool) as conn:
        scope = await complaint_scope(conn, ctx.principal)
        provider = body.provider_organisation_id
        if provider is not None:
            kind = await conn.fetchval("SELECT kind FROM directory.organisations WHERE organisation_id = $1", provider)
            if kind != OrganisationKind.PROVIDER.value:
                errors.append(FieldError("provider_organisation_id", "R1", "not a registered provider"))
            elif ctx.principal.organisation_kind is OrganisationKind.PROVIDER and provider not in scope.provider_ids:
                errors.append(
                    FieldError(
                        "provider_organisation_id",
                        "R61",
                        "a provider logs complaints for its own supply chain",
                    )
                )
        if body.contract_id is not None:
            holder = await conn.fetchval(
                "SELECT provider_organisation_id FROM directory.contracts WHERE contract_id = $1",
                body.contract_id,
            )
            if holder is None or holder != provider:
                errors.append(FieldError("contract_id", "R1", "not a contract of the named provider"))
    if errors:
        raise ValidationProblem(detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


async def register_complaint(
    platform: Platform, body: RegisterComplaintIn, ctx: CommandContext
) -> tuple[str, Outcome[ComplaintState]]:
    ensure_role(ctx.principal, *LOGGING_ROLES)
    if ctx.principal.organisation_kind not in LOGGING_KINDS:
        raise Forbidden(detail="complaints are logged by providers, Jobcentres and DWP businesses", requirement="R61")
    await _check_references(platform, body, ctx)
    complaint_id = str(ctx.new_id("complaint"))
    personal: dict[str, str | None] = {
        "name": body.complainant.name,
        "address": body.complainant.address,
        "email": body.complainant.email,
        "phone": body.complainant.phone,
        "national_insurance_number": body.complainant.national_insurance_number,
    }
    for i, element in enumerate(body.elements):
        personal[f"element.{i}.summary"] = element.summary
        personal[f"element.{i}.desired_outcome"] = element.desired_outcome
    subject_id, sealed = await platform.vault.seal_for_new_subject(personal, ctx.now)
    command = RegisterComplaint(
        complaint_id=complaint_id,
        complainant=ComplainantRecord(
            kind=body.complainant.kind,
            subject_id=str(subject_id),
            name=_required(sealed["name"]),
            address=sealed["address"],
            email=sealed["email"],
            phone=sealed["phone"],
            national_insurance_number=sealed["national_insurance_number"],
        ),
        about=body.about,
        programme=body.programme,
        provider_organisation_id=body.provider_organisation_id,
        contract_id=body.contract_id,
        channel=body.channel,
        received_on=body.received_on,
        nation=body.nation,
        elements=tuple(
            ElementRecord(
                element_id=f"E{i + 1}",
                category=element.category,
                summary=_required(sealed[f"element.{i}.summary"]),
                desired_outcome=sealed[f"element.{i}.desired_outcome"],
            )
            for i, element in enumerate(body.elements)
        ),
        logged_by_organisation_id=ctx.principal.organisation_id,
        logged_by_organisation_kind=ctx.principal.organisation_kind.value,
        today=business_date(ctx.now),
    )
    return complaint_id, await decide_on_complaint(platform.store, complaint_id, command, ctx)


async def acknowledge_complaint(
    platform: Platform, complaint_id: str, body: AcknowledgeIn, ctx: CommandContext, if_match: int | None
) -> Outcome[ComplaintState]:
    """Scope was checked by the caller; the role is checked here, the rules in the decider (R4)."""
    ensure_role(ctx.principal, *LOGGING_ROLES)
    command = AcknowledgeComplaint(
        acknowledged_on=body.acknowledged_on, method=body.method, today=business_date(ctx.now)
    )
    return await decide_on_complaint(platform.store, complaint_id, command, ctx, if_match)


def _required(value: Any) -> dict[str, Any]:
    assert value is not None
    return dict(value)
