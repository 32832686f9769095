"""Where a webhook may point: HTTPS, or plain HTTP to this machine in development and test only."""

from __future__ import annotations

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
    return None


def ensure_deliverable(url: str, allow_local_http: bool) -> None:
    """Refuse with a 422 naming `url` and the rule (R64)."""
    errors = url_errors(url, allow_local_http)
    if errors:
        raise ValidationProblem(detail=f"url: {errors[0].message}", requirement="R64", errors=errors)
