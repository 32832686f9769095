"""Bearer-token authentication and declarative role checks (R61).

Tokens are JWTs: HS256 with a shared secret in development, RS256 verified against a JWKS in
production. Claims: `sub`, `org` (organisation id), `org_kind`, `roles`. Role checks are pure
functions of the verified principal; organisation scoping is applied in queries.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from shared.errors import Forbidden, Unauthorized
from shared.eventstore.model import Actor
from shared.settings import Settings


class OrganisationKind(StrEnum):
    PROVIDER = "provider"
    JOBCENTRE = "jobcentre"
    DWP_BUSINESS = "dwp_business"
    ICE = "ice"
    PHSO = "phso"
    DWP_MI = "dwp_mi"


class Role(StrEnum):
    # Provider and Jobcentre complaints teams
    CASEWORKER = "caseworker"
    COMPLAINTS_LEAD = "complaints_lead"
    SENIOR_MANAGER = "senior_manager"
    STAFF_COMPLAINTS = "staff_complaints"  # cleared to see complaints about a member of staff (R10)
    ATW_SERVICE_DELIVERY = "atw_service_delivery"  # approves AtW draft responses (002 8.03)
    # ICE office
    CASE_EXAMINER = "case_examiner"
    ADJUDICATION_MANAGER = "adjudication_manager"
    HEAD_OF_OFFICE = "head_of_office"
    # PHSO / NI Ombudsman
    PHSO_CASEWORKER = "phso_caseworker"
    # DWP
    MI_ANALYST = "mi_analyst"
    CONTRACT_MANAGER = "contract_manager"
    DWP_ADMIN = "dwp_admin"
    DATA_PROTECTION_OFFICER = "data_protection_officer"


@dataclass(frozen=True)
class Principal:
    subject: str
    organisation_id: str
    organisation_kind: OrganisationKind
    roles: frozenset[Role]

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def primary_role(self) -> str:
        return sorted(self.roles)[0] if self.roles else ""

    def as_actor(self, role: Role | None = None) -> Actor:
        """The actor recorded on events; `role` names the role the action relied on."""
        return Actor(
            user_id=self.subject,
            organisation_id=self.organisation_id,
            organisation_kind=self.organisation_kind.value,
            role=(role.value if role else ",".join(sorted(self.roles))),
        )


def ensure_role(principal: Principal, *roles: Role, requirement: str | None = None) -> None:
    if not principal.has_any(roles):
        raise Forbidden(
            detail=f"this needs one of the roles: {', '.join(sorted(r.value for r in roles))}",
            requirement=requirement or "R61",
            extra={"required_roles": sorted(r.value for r in roles)},
        )


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._jwks_client: jwt.PyJWKClient | None = None
        self._jwks_set: jwt.PyJWKSet | None = None
        if settings.jwt_jwks_url:
            self._jwks_client = jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True, lifespan=300)
        if settings.jwt_jwks_file:
            self._jwks_set = jwt.PyJWKSet.from_dict(json.loads(settings.jwt_jwks_file.read_text()))

    def _key_for(self, token: str, header: dict[str, Any]) -> Any:
        alg = header.get("alg")
        if alg == "HS256" and self._settings.jwt_hs256_secret:
            return self._settings.jwt_hs256_secret
        if alg == "RS256":
            kid = header.get("kid")
            if self._jwks_set is not None:
                for key in self._jwks_set.keys:
                    if kid is None or key.key_id == kid:
                        return key.key
            if self._jwks_client is not None:
                return self._jwks_client.get_signing_key_from_jwt(token).key
        raise Unauthorized(detail=f"tokens signed with {alg!r} are not accepted here")

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            key = self._key_for(token, header)
            claims = jwt.decode(
                token,
                key,
                algorithms=[header["alg"]],
                audience=self._settings.jwt_audience,
                issuer=self._settings.jwt_issuer,
                options={"require": ["sub", "exp", "org", "org_kind"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(detail=f"the bearer token is not valid: {exc}") from exc
        try:
            return Principal(
                subject=str(claims["sub"]),
                organisation_id=str(claims["org"]),
                organisation_kind=OrganisationKind(claims["org_kind"]),
                roles=frozenset(Role(r) for r in claims.get("roles", [])),
            )
        except (ValueError, TypeError) as exc:
            raise Unauthorized(detail=f"the bearer token's claims are not valid: {exc}") from exc


def mint_token(
    settings: Settings,
    *,
    subject: str,
    organisation_id: str,
    organisation_kind: OrganisationKind,
    roles: Iterable[Role],
    ttl_seconds: int = 8 * 3600,
    now: Callable[[], float] = time.time,
) -> str:
    """A development HS256 token (refused in production by the settings' secret check)."""
    if not settings.jwt_hs256_secret:
        raise RuntimeError("JWT_HS256_SECRET is not set: cannot mint development tokens")
    issued = int(now())
    claims = {
        "sub": subject,
        "org": organisation_id,
        "org_kind": organisation_kind.value,
        "roles": sorted(r.value for r in roles),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    return jwt.encode(claims, settings.jwt_hs256_secret, algorithm="HS256")
