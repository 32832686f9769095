"""Where a webhook may point: HTTPS to a public host, or plain HTTP to this machine in development and test only.

A delivery is a request this platform makes on a caller's say-so, so a URL naming a loopback, private,
link-local or reserved address (an instance metadata service, a database's admin port, another service on the
cluster network) is refused when it is registered, and a name that resolves to one is refused again when each
delivery is made (`public_addresses`). Development and test run their receivers on this machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from shared.errors import FieldError, ValidationProblem

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def url_errors(url: str, allow_local_http: bool, field: str = "url") -> list[FieldError]:
    """Why `url` may not receive deliveries (empty: it may)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a malformed port raises here
    except ValueError:
        return [FieldError(field, "url", "an absolute https URL")]
    problem = _problem(parts, allow_local_http)
    return [] if problem is None else [FieldError(field, problem[0], problem[1])]


def _problem(parts: SplitResult, allow_local_http: bool) -> tuple[str, str] | None:
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "url", "an absolute https URL"
    if parts.username is not None or parts.password is not None:
        return "no-credentials", "no user name or password in the URL: deliveries are signed instead"
    if parts.fragment:
        return "no-fragment", "no #fragment"
    if parts.scheme == "http" and not (allow_local_http and parts.hostname in LOCAL_HOSTS):
        return "https", "https (plain http only to localhost, and only in development and test)"
    if not allow_local_http and not _may_be_public(parts.hostname):
        return "public-host", PUBLIC_HOST
    return None


PUBLIC_HOST = "a public host: not a loopback, private, link-local or reserved address"


def _may_be_public(host: str) -> bool:
    """False for a name or address that can only be this machine or a private network."""
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name: what it resolves to is checked at delivery
    return address.is_global


async def public_addresses(url: str) -> str | None:
    """Why a delivery to `url` may not be made now (None: it may): its host resolves to no address, or to one
    that is not public. Checked before each delivery, since a name can be pointed elsewhere after registration."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except OSError as exc:
        return f"{host} does not resolve: {exc}"
    addresses = {str(info[4][0]) for info in infos}
    private = sorted(a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_global)
    if private:
        return f"{host} resolves to {', '.join(private)}: deliveries go only to {PUBLIC_HOST}"
    return None


def ensure_deliverable(url: str, allow_local_http: bool) -> None:
    """Refuse with a 422 naming `url` and the rule (R64)."""
    errors = url_errors(url, allow_local_http)
    if errors:
        raise ValidationProblem(detail=f"url: {errors[0].message}", requirement="R64", errors=errors)
