"""Journeys across running processes (`make e2e`, marker `e2e_journeys`): one system for the whole run.

When the run deselects the marker (the default `make test`), the journey modules are not even imported, so the
default run neither needs nor generates the clients. Otherwise the generated clients are brought up to date
with the OpenAPI documents before the first journey module is imported (they import the clients at the top).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.journeys.harness import RunningSystem, start_system, stop_system
from tests.e2e.journeys.sdk import Clients, ensure_sdk

if TYPE_CHECKING:  # world imports the generated clients: only once ensure_sdk() has put them on the path
    from tests.e2e.journeys.world import Ledger, System

HERE = Path(__file__).parent
_SDK_READY = pytest.StashKey[bool]()


def _deselected(config: pytest.Config) -> bool:
    """Would `-m` deselect a test marked e2e_journeys (and nothing else)?"""
    expression = str(config.getoption("markexpr", "") or "").strip()
    if not expression:
        return False
    try:
        from _pytest.mark.expression import Expression

        def marked(name: str, /, **_: str | int | bool | None) -> bool:
            return name == "e2e_journeys"

        return not Expression.compile(expression).evaluate(marked)
    except Exception:  # pytest's private API moved: the plain reading of the default `make test` expression
        return "not e2e_journeys" in " ".join(expression.split())


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.parent != HERE or not collection_path.name.startswith("test_"):
        return None
    if _deselected(config):
        return True
    if not config.stash.get(_SDK_READY, False):
        ensure_sdk()
        config.stash[_SDK_READY] = True
    return None


@pytest.fixture(scope="session")
async def running() -> AsyncIterator[RunningSystem]:
    started = await start_system()
    try:
        yield started
    finally:
        await stop_system(started)
    problems = started.problems_in_logs()
    assert not problems, "errors in the services' logs:\n" + "\n".join(problems[:50])


@pytest.fixture(scope="session")
async def system(running: RunningSystem) -> AsyncIterator[System]:
    from tests.e2e.journeys.world import System

    clients = Clients()
    try:
        yield System(running, clients)
    finally:
        await clients.aclose()
    running.check_alive()  # a service that died mid-run fails the run here, with its log


@pytest.fixture(scope="session")
def ledger() -> Ledger:
    """What each journey did, for the reporting journey (it runs last: files run in name order)."""
    from tests.e2e.journeys.world import Ledger

    return Ledger()
