"""The generated clients (`make sdk`, build/sdk/<service>) as an outside system uses them, and what the journeys
need around them: one authenticated client per caller and service, and answers checked with clear messages.

`ensure_sdk()` (called by conftest before the journeys are imported) regenerates a service's client when it is
missing or older than its OpenAPI document, under a lock, swapping the new package in whole, and puts the four
packages on `sys.path`.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import sys
import uuid
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol, TypeVar

from shared.settings import PROJECT_ROOT
from tools.sdk import OUT, SERVICES, generate

T = TypeVar("T")


def _stale(service: str) -> bool:
    package = OUT / service / f"complaints_{service}_client" / "__init__.py"
    if not package.exists():
        return True
    built = package.stat().st_mtime
    sources = (PROJECT_ROOT / "openapi" / f"{service}.json", PROJECT_ROOT / "tools" / "sdk.py")
    return any(source.stat().st_mtime > built for source in sources)


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_sdk() -> None:
    with _locked():
        for service in SERVICES:
            if not _stale(service):
                continue
            fresh = OUT / f".fresh-{uuid.uuid4().hex[:8]}"
            try:
                generate(service, fresh)
                old = OUT / f".old-{uuid.uuid4().hex[:8]}"
                if (OUT / service).exists():
                    (OUT / service).rename(old)
                (fresh / service).rename(OUT / service)
                shutil.rmtree(old, ignore_errors=True)
            finally:
                shutil.rmtree(fresh, ignore_errors=True)
    for service in SERVICES:
        path = str(OUT / service)
        if path not in sys.path:
            sys.path.insert(0, path)


# Answers


class Answer(Protocol):
    """What every generated `*_detailed` call returns (each package has its own `types.Response`)."""

    @property
    def status_code(self) -> HTTPStatus: ...

    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> MutableMapping[str, str]: ...

    @property
    def parsed(self) -> object: ...


def expect(answer: Answer, model: type[T], status: int = 200, *, what: str) -> T:
    """The parsed body of a success, or an assertion naming the step, the status and the problem sent back."""
    if answer.status_code != status or not isinstance(answer.parsed, model):
        body = answer.content.decode(errors="replace")[:2000]
        raise AssertionError(f"{what}: expected {status} {model.__name__}, got {int(answer.status_code)}: {body}")
    return answer.parsed


def refused(answer: Answer, status: int, *, what: str) -> dict[str, Any]:
    """A refusal with `status` as RFC 9457 problem+json; returns the problem document."""
    content_type = answer.headers.get("content-type", "")
    body = answer.content.decode(errors="replace")[:2000]
    if answer.status_code != status or not content_type.startswith("application/problem+json"):
        raise AssertionError(
            f"{what}: expected a {status} problem, got {int(answer.status_code)} {content_type}: {body}"
        )
    parsed = answer.parsed
    to_dict = getattr(parsed, "to_dict", None)
    if to_dict is None:
        raise AssertionError(f"{what}: the client did not parse the {status} problem: {body}")
    problem: dict[str, Any] = to_dict()
    assert problem["status"] == status, problem
    return problem


class KnownBug(AssertionError):
    """The step a strict `xfail(raises=KnownBug)` test expects to fail, and only that step: a set-up failure
    stays a failure."""


@contextlib.contextmanager
def known_bug(*signs: str) -> Iterator[None]:
    """Turn this step's failure into `KnownBug` when its message carries every one of `signs`."""
    try:
        yield
    except AssertionError as exc:
        if all(sign in str(exc) for sign in signs):
            raise KnownBug(str(exc)) from exc
        raise


def key() -> str:
    """A fresh Idempotency-Key: every POST carries one, as the API asks."""
    return str(uuid.uuid4())


def etag(version: int) -> str:
    return f'"{version}"'


@dataclass
class Clients:
    """Closes every generated client's connection pool at the end of the run."""

    opened: list[Any] = field(default_factory=list)

    def track(self, client: T) -> T:
        self.opened.append(client)
        return client

    async def aclose(self) -> None:
        for client in self.opened:
            if client._async_client is not None:
                await client._async_client.aclose()
            if client._client is not None:
                client._client.close()
        self.opened.clear()
