"""Schemathesis against the four services as running processes (issue 7): `make fuzz`.

One module-wide stack (tools/servicestack.py) on its own embedded PostgreSQL; the real resources are made once,
then one schemathesis run per (service, principal) of `tools.fuzz.PLAN`, its output (with the summary) shown in
the log whatever the outcome. Examples per operation: FUZZ_EXAMPLES (default 20); seed: FUZZ_SEED (default 7).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tools import fuzz
from tools.servicestack import MODULES, ServiceStack, service_stack

pytestmark = pytest.mark.fuzz


@pytest.fixture(scope="module")
def stack() -> Iterator[ServiceStack]:
    with service_stack(list(MODULES), pgdata=fuzz.PGDATA, log_dir=fuzz.ARTIFACTS / "logs") as running:
        yield running


@pytest.fixture(scope="module")
def config(stack: ServiceStack) -> Path:
    return fuzz.prepare(stack)


@pytest.mark.parametrize("run", fuzz.PLAN, ids=[r.name for r in fuzz.PLAN])
def test_schemathesis_finds_nothing(
    run: fuzz.Run, stack: ServiceStack, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        code, output = fuzz.fuzz(stack, run, config, fuzz.DEFAULT_EXAMPLES, fuzz.DEFAULT_SEED)
    assert code == 0, f"schemathesis found failures in {run.service} as {run.caller.label}: see its output above"
    assert "Test cases:" in output


def test_no_service_logged_an_unhandled_error(stack: ServiceStack, config: Path) -> None:
    """A 500 is answered as a problem document, so the logs are where an unhandled error would still show."""
    assert fuzz.server_errors(stack) == {}
