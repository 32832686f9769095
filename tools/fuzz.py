"""Schemathesis against the four services as running processes (issue 7, fuzzing).

`python -m tools.fuzz` (or `make fuzz`, which runs tests/fuzz/ with the same plan): the services start on free
loopback ports on an embedded PostgreSQL of their own (`.pgdata-fuzz/`), a few real resources are made through
the API (complaints, a dissatisfaction, ICE cases), then schemathesis runs against each service's live
`/openapi.json` once per principal of the plan, with a bounded number of examples per operation. Generated
path identifiers are drawn half the time from the real resources, so operations get past the 404.

Checks: no 5xx, status code, content type, headers and body as documented, and every 4xx/5xx an RFC 9457
problem document (`tools.fuzzchecks`). Excluded: see EXCLUDED. Reports (JUnit) and the services' logs go to
build/artifacts/fuzz/. Environment: FUZZ_EXAMPLES (per operation, default 20), FUZZ_SEED (default 7).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from shared.settings import PROJECT_ROOT
from tools.servicestack import (
    DWP_ADMIN,
    ICE_EXAMINER,
    MODULES,
    PROVIDER_LEAD,
    Caller,
    ServiceStack,
    service_stack,
)

ARTIFACTS = PROJECT_ROOT / "build" / "artifacts" / "fuzz"
PGDATA = Path(os.environ.get("FUZZ_EMBEDDED_PGDATA", PROJECT_ROOT / ".pgdata-fuzz"))
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
DEFAULT_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
DEFAULT_SEED = int(os.environ.get("FUZZ_SEED", "7"))


@dataclass(frozen=True)
class Run:
    service: str
    caller: Caller

    @property
    def name(self) -> str:
        return f"{self.service}-{self.caller.label}"


# Each service with the principals that reach most of it: whoever works the complaint, DWP's administrator
# (directory, erasure, every organisation's figures), ICE's case examiner.
PLAN: tuple[Run, ...] = (
    Run("intake", PROVIDER_LEAD),
    Run("intake", DWP_ADMIN),
    Run("escalation", PROVIDER_LEAD),
    Run("escalation", DWP_ADMIN),
    Run("ice_gateway", ICE_EXAMINER),
    Run("ice_gateway", PROVIDER_LEAD),
    Run("reporting", DWP_ADMIN),
    Run("reporting", PROVIDER_LEAD),
)


@dataclass(frozen=True)
class Exclusion:
    operation_id: str
    why: str


EXCLUDED: tuple[Exclusion, ...] = (
    Exclusion(
        "ice-upload-evidence",
        "PUT .../evidence-requests/{request_id}/items/{item_id}/content, the streaming evidence upload: an "
        "octet-stream body up to 100 MiB hashed as it streams, with its own Idempotency-Key handling; "
        "tests/api/ice/test_ice_evidence.py drives it",
    ),
    Exclusion(
        "webhooks-register",
        "POST /webhooks: the service then delivers to the URL in the body, so generated https URLs would send "
        "traffic off this machine; tests/api/test_webhooks.py drives it against a local receiver",
    ),
)
FIXED_PARAMETERS: dict[str, Any] = {"query.wait": 0}
"""The feed's long poll answers at once, so /feed is fuzzed without waiting up to 30 s per example."""

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "problem_json_errors",
)
PHASES = "examples,coverage,fuzzing"


# Real resources for the generated path parameters.


def _example(document: dict[str, Any], schema_name: str) -> dict[str, Any]:
    schema = document["components"]["schemas"][schema_name]
    found: dict[str, Any] = dict(schema["examples"][0])
    return found


def _ok(response: httpx.Response) -> dict[str, Any]:
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    body: dict[str, Any] = response.json()
    return body


def _eventually(probe: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not seen within {timeout} s: {what}")
        time.sleep(0.2)


def make_resources(stack: ServiceStack) -> dict[str, list[str]]:
    """Complaints, a dissatisfaction and ICE cases made through the API; returns id dictionaries by parameter."""
    today = date.today()
    lead = stack.headers(PROVIDER_LEAD)
    examiner = stack.headers(ICE_EXAMINER)
    with httpx.Client(base_url=stack.urls["intake"], timeout=30) as intake:
        document = intake.get("/openapi.json").raise_for_status().json()

        def contract_listed() -> bool:
            contracts = intake.get("/directory/contracts", headers=lead).json()
            return any(c.get("contract_id") == "ipes-ew-alpha" for c in contracts)

        _eventually(contract_listed, "the seeded directory in intake's read model")

        def register(received_on: date) -> dict[str, Any]:
            body = {**_example(document, "RegisterComplaintIn"), "received_on": received_on.isoformat()}
            keyed = {**lead, "Idempotency-Key": str(uuid.uuid4())}
            return _ok(intake.post("/complaints", headers=keyed, json=body))

        fresh = register(today - timedelta(days=3))
        old = [register(today - timedelta(days=70)) for _ in range(2)]
        erasable = register(today - timedelta(days=5))
        body = {
            **_example(document, "DissatisfactionIn"),
            "raised_on": (today - timedelta(days=2)).isoformat(),
            "resolved_on": (today - timedelta(days=2)).isoformat(),
        }
        dissatisfaction = _ok(
            intake.post("/dissatisfactions", headers={**lead, "Idempotency-Key": str(uuid.uuid4())}, json=body)
        )
    cases: list[str] = []
    if "ice_gateway" in stack.urls:
        with httpx.Client(base_url=stack.urls["ice_gateway"], timeout=30) as ice:
            for complaint in old:
                referral = {"complaint_id": complaint["complaint_id"], "referred_on": today.isoformat()}
                keyed = {**examiner, "Idempotency-Key": str(uuid.uuid4())}
                cases.append(_ok(ice.post("/ice-cases", headers=keyed, json=referral))["case_id"])
            keyed = {**examiner, "Idempotency-Key": str(uuid.uuid4())}
            _ok(ice.post(f"/ice-cases/{cases[0]}/acceptance", headers=keyed, json={"accepted_on": today.isoformat()}))
    complaints = [fresh["complaint_id"], *(c["complaint_id"] for c in old)]
    return {
        "complaint_id": complaints,
        "case_id": cases or complaints,
        "dissatisfaction_id": [dissatisfaction["dissatisfaction_id"]],
        "data_subject_id": [erasable["complainant"]["data_subject_id"]],
        "organisation_id": ["provider-alpha", "provider-alpha-sub", "provider-beta", "jobcentre-leeds", "dwp"],
    }


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def config_toml(dictionaries: dict[str, list[str]], probability: float = 0.5) -> str:
    """schemathesis.toml: path parameters drawn from the real ids with `probability`, the fixed parameters."""
    lines = ["# Written by tools/fuzz.py for one run.", ""]
    # Each run starts afresh: no failures replayed from an earlier run's cache or example database.
    lines += ["[cache]", "enabled = false", "", "[generation]", 'database = "none"', ""]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml_value(values)}", ""]
    lines.append("[parameters]")
    for name in dictionaries:
        lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = {probability} }}')
    for key, value in FIXED_PARAMETERS.items():
        lines.append(f'"{key}" = {_toml_value(value)}')
    return "\n".join(lines) + "\n"


def schemathesis_command(
    url: str,
    token: str,
    config: Path,
    examples: int,
    seed: int,
    report_dir: Path,
    excluded: Sequence[str] = (),
    workers: int = 1,
) -> list[str]:
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        PHASES,
        "--mode",
        "all",
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        str(workers),
        "--request-timeout",
        "15",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
    ]
    for operation_id in excluded:
        command += ["--exclude-operation-id", operation_id]
    return command


def operation_ids(url: str) -> set[str]:
    document = httpx.get(f"{url}/openapi.json", timeout=10).raise_for_status().json()
    return {op["operationId"] for item in document["paths"].values() for op in item.values() if "operationId" in op}


def run_schemathesis(command: Sequence[str], out: Any = None) -> tuple[int, str]:
    """Run the CLI, echoing its output as it comes; returns the exit code and the whole output."""
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tools.fuzzchecks", "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(  # noqa: S603 - the schemathesis CLI of this interpreter's environment
        list(command), cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        print(line, end="", file=out or sys.stdout, flush=True)
    return process.wait(), "".join(lines)


def redact(text: str, tokens: Sequence[str]) -> str:
    for token in tokens:
        text = text.replace(token, "[token]")
    return text


def server_errors(stack: ServiceStack) -> dict[str, str]:
    """Tracebacks the services logged (an unhandled error is answered 500 and logged)."""
    found = {}
    for name, log in stack.logs.items():
        text = log.read_text(errors="replace") if log.exists() else ""
        if re.search(r"request\.unhandled|Traceback", text):
            found[name] = text[-6000:]
    return found


def prepare(stack: ServiceStack) -> Path:
    """Make the resources and write the run's schemathesis.toml; returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    config = ARTIFACTS / "schemathesis.toml"
    config.write_text(config_toml(make_resources(stack)))
    return config


def fuzz(stack: ServiceStack, run: Run, config: Path, examples: int, seed: int, out: Any = None) -> tuple[int, str]:
    """One schemathesis run, its output echoed to `out`; returns the exit code and the output, tokens redacted."""
    present = operation_ids(stack.urls[run.service])
    token = stack.token(run.caller)
    command = schemathesis_command(
        stack.urls[run.service],
        token,
        config,
        examples,
        seed,
        ARTIFACTS / run.name,
        [e.operation_id for e in EXCLUDED if e.operation_id in present],
    )
    print(f"\n=== schemathesis: {run.service} as {run.caller.label}", file=out or sys.stdout, flush=True)
    code, output = run_schemathesis(command, out)
    return code, redact(output, [token])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES, help="per operation")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--service", action="append", choices=sorted(MODULES), help="only these (repeatable)")
    args = parser.parse_args(argv)
    plan = [r for r in PLAN if not args.service or r.service in args.service]
    print("Excluded from fuzzing, where a service has them:")
    for exclusion in EXCLUDED:
        print(f"  {exclusion.operation_id}: {exclusion.why}")
    results: list[tuple[Run, int, float]] = []
    with service_stack(list(MODULES), pgdata=PGDATA, log_dir=ARTIFACTS / "logs") as stack:
        config = prepare(stack)
        for run in plan:
            started = time.monotonic()
            code, _ = fuzz(stack, run, config, args.examples, args.seed)
            results.append((run, code, time.monotonic() - started))
        logged = server_errors(stack)
    print("\n=== fuzzing summary")
    for run, code, seconds in results:
        print(f"  {run.service:<12} as {run.caller.label:<14} {'passed' if code == 0 else 'FAILED'} ({seconds:.0f} s)")
    for name, text in logged.items():
        print(f"\n{name} logged an unhandled error:\n{text}")
    failed = sum(code != 0 for _, code, _ in results) + len(logged)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
