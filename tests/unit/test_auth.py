"""Bearer-token verification and role checks (R61): HS256 in development, RS256 against a JWKS."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from pydantic import ValidationError

from shared.auth import OrganisationKind, Principal, Role, TokenVerifier, ensure_role, mint_token
from shared.errors import Forbidden, Unauthorized
from shared.settings import DEV_JWT_SECRET, Settings

KID = "signing-key-1"
SECRET = "unit-test-secret-" + "0123456789abcdef" * 4


@pytest.fixture
def settings() -> Settings:
    return Settings(APP_ENV="test", JWT_HS256_SECRET=SECRET)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "user-1",
        "org": "provider-alpha",
        "org_kind": "provider",
        "roles": ["caseworker", "complaints_lead"],
        "iss": "dwp-complaints",
        "aud": "dwp-complaints",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return _rsa_key()


@pytest.fixture
def jwks_settings(tmp_path: Path, private_key: rsa.RSAPrivateKey) -> Settings:
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    return Settings(APP_ENV="test", JWT_JWKS_FILE=str(path), JWT_HS256_SECRET=None)


def _rs256(private_key: rsa.RSAPrivateKey, kid: str | None = KID, **claims: Any) -> str:
    headers = {"kid": kid} if kid else None
    return jwt.encode(_claims(**claims), private_key, algorithm="RS256", headers=headers)


# HS256


def test_hs256_mint_and_verify_round_trip(settings: Settings) -> None:
    token = mint_token(
        settings,
        subject="ann",
        organisation_id="jc-leeds",
        organisation_kind=OrganisationKind.JOBCENTRE,
        roles=[Role.COMPLAINTS_LEAD, Role.CASEWORKER],
    )
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    principal = TokenVerifier(settings).verify(token)
    assert principal == Principal(
        subject="ann",
        organisation_id="jc-leeds",
        organisation_kind=OrganisationKind.JOBCENTRE,
        roles=frozenset({Role.CASEWORKER, Role.COMPLAINTS_LEAD}),
    )
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["roles"] == ["caseworker", "complaints_lead"]
    assert claims["exp"] - claims["iat"] == 8 * 3600


def test_hs256_with_another_secret_is_refused(settings: Settings) -> None:
    other = settings.model_copy(update={"jwt_hs256_secret": "some-other-secret-0123456789abcdef0123"})
    token = mint_token(other, subject="x", organisation_id="p", organisation_kind=OrganisationKind.PROVIDER, roles=[])
    with pytest.raises(Unauthorized, match="Signature verification failed"):
        TokenVerifier(settings).verify(token)


def test_an_expired_token_is_refused(settings: Settings) -> None:
    token = mint_token(
        settings,
        subject="x",
        organisation_id="p",
        organisation_kind=OrganisationKind.PROVIDER,
        roles=[Role.CASEWORKER],
        ttl_seconds=60,
        now=lambda: time.time() - 3600,
    )
    with pytest.raises(Unauthorized, match="expired"):
        TokenVerifier(settings).verify(token)


@pytest.mark.parametrize(("claim", "value"), [("aud", "someone-else"), ("iss", "evil-issuer")])
def test_wrong_audience_or_issuer_is_refused(settings: Settings, claim: str, value: str) -> None:
    token = jwt.encode(_claims(**{claim: value}), SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized):
        TokenVerifier(settings).verify(token)


@pytest.mark.parametrize("missing", ["org", "org_kind", "sub", "exp"])
def test_a_token_missing_a_required_claim_is_refused(settings: Settings, missing: str) -> None:
    claims = _claims()
    del claims[missing]
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized) as refused:
        TokenVerifier(settings).verify(token)
    assert missing in refused.value.detail
    assert refused.value.status == 401


@pytest.mark.parametrize(("claim", "value"), [("org_kind", "martian"), ("roles", ["caseworker", "overlord"])])
def test_unknown_kinds_and_roles_are_refused(settings: Settings, claim: str, value: Any) -> None:
    token = jwt.encode(_claims(**{claim: value}), SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized, match="claims are not valid"):
        TokenVerifier(settings).verify(token)


def test_a_token_without_roles_has_none(settings: Settings) -> None:
    claims = _claims()
    del claims["roles"]
    principal = TokenVerifier(settings).verify(jwt.encode(claims, SECRET, algorithm="HS256"))
    assert principal.roles == frozenset()


def test_garbage_is_refused(settings: Settings) -> None:
    for token in ("garbage", "a.b.c", ""):
        with pytest.raises(Unauthorized):
            TokenVerifier(settings).verify(token)


def test_alg_none_is_refused(settings: Settings) -> None:
    token = jwt.encode(_claims(), key="", algorithm="none")
    assert jwt.get_unverified_header(token)["alg"] == "none"
    with pytest.raises(Unauthorized, match="'none'"):
        TokenVerifier(settings).verify(token)


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_an_unexpected_alg_is_refused(settings: Settings, alg: str) -> None:
    token = jwt.encode(_claims(), SECRET, algorithm=alg)
    with pytest.raises(Unauthorized, match=alg):
        TokenVerifier(settings).verify(token)


def test_mint_needs_a_secret(jwks_settings: Settings) -> None:
    with pytest.raises(RuntimeError, match="JWT_HS256_SECRET"):
        mint_token(jwks_settings, subject="x", organisation_id="p", organisation_kind=OrganisationKind.ICE, roles=[])


# RS256 against a JWKS


def test_rs256_verified_against_a_jwks_file(jwks_settings: Settings, private_key: rsa.RSAPrivateKey) -> None:
    token = _rs256(private_key, org="ice-office", org_kind="ice", roles=["case_examiner"])
    principal = TokenVerifier(jwks_settings).verify(token)
    assert principal == Principal(
        subject="user-1",
        organisation_id="ice-office",
        organisation_kind=OrganisationKind.ICE,
        roles=frozenset({Role.CASE_EXAMINER}),
    )


def test_rs256_signed_by_another_key_is_refused(jwks_settings: Settings) -> None:
    with pytest.raises(Unauthorized, match="Signature verification failed"):
        TokenVerifier(jwks_settings).verify(_rs256(_rsa_key()))


def test_rs256_with_an_unknown_kid_is_refused(jwks_settings: Settings, private_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(Unauthorized, match="RS256"):
        TokenVerifier(jwks_settings).verify(_rs256(private_key, kid="another-key"))


def test_rs256_expired_is_refused(jwks_settings: Settings, private_key: rsa.RSAPrivateKey) -> None:
    past = int(time.time()) - 3600
    with pytest.raises(Unauthorized, match="expired"):
        TokenVerifier(jwks_settings).verify(_rs256(private_key, iat=past, exp=past + 60))


def test_rs256_missing_org_is_refused(jwks_settings: Settings, private_key: rsa.RSAPrivateKey) -> None:
    claims = _claims()
    del claims["org"]
    token = jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": KID})
    with pytest.raises(Unauthorized, match="org"):
        TokenVerifier(jwks_settings).verify(token)


def test_hs256_is_refused_where_only_a_jwks_is_configured(jwks_settings: Settings) -> None:
    token = jwt.encode(_claims(), DEV_JWT_SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized, match="HS256"):
        TokenVerifier(jwks_settings).verify(token)


def test_the_public_key_cannot_be_used_as_an_hmac_secret(
    jwks_settings: Settings, private_key: rsa.RSAPrivateKey
) -> None:
    """Algorithm confusion: an HS256 token 'signed' with the JWKS public key is not accepted."""
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode()
    payload = json.dumps(_claims()).encode()
    signing_input = jwt.utils.base64url_encode(header) + b"." + jwt.utils.base64url_encode(payload)
    signature = jwt.utils.base64url_encode(hmac.new(public_pem, signing_input, hashlib.sha256).digest())
    token = (signing_input + b"." + signature).decode()
    with pytest.raises(Unauthorized):
        TokenVerifier(jwks_settings).verify(token)


# Roles


def _principal(*roles: Role) -> Principal:
    return Principal("u", "provider-alpha", OrganisationKind.PROVIDER, frozenset(roles))


def test_ensure_role_passes_with_any_of_the_roles() -> None:
    ensure_role(_principal(Role.CASEWORKER), Role.COMPLAINTS_LEAD, Role.CASEWORKER)


def test_ensure_role_raises_forbidden_carrying_r61() -> None:
    with pytest.raises(Forbidden) as refused:
        ensure_role(_principal(Role.MI_ANALYST), Role.SENIOR_MANAGER, Role.COMPLAINTS_LEAD)
    assert refused.value.status == 403
    assert refused.value.requirement == "R61"
    assert refused.value.extra == {"required_roles": ["complaints_lead", "senior_manager"]}
    assert "complaints_lead, senior_manager" in refused.value.detail


def test_ensure_role_names_another_requirement_when_given() -> None:
    with pytest.raises(Forbidden) as refused:
        ensure_role(_principal(), Role.DATA_PROTECTION_OFFICER, requirement="R62")
    assert refused.value.requirement == "R62"


def test_the_actor_records_the_role_relied_on() -> None:
    principal = _principal(Role.SENIOR_MANAGER, Role.CASEWORKER)
    assert principal.as_actor(Role.CASEWORKER).as_dict() == {
        "user_id": "u",
        "organisation_id": "provider-alpha",
        "organisation_kind": "provider",
        "role": "caseworker",
    }
    assert principal.as_actor().role == "caseworker,senior_manager"


# Settings


def test_development_secrets_are_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="JWT_HS256_SECRET"):
        Settings(APP_ENV="production", DATABASE_URL="postgresql://db/complaints")
