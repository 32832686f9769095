"""`make openapi`: write each service's OpenAPI document under `openapi/`; `--check` fails on drift.

The committed documents are what client SDKs are generated from, so CI runs the check: a change
to the API that was not regenerated and reviewed fails the build.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable

from fastapi import FastAPI

from services.escalation.main import create_app as escalation
from services.ice_gateway.main import create_app as ice_gateway
from services.intake.main import create_app as intake
from services.reporting.main import create_app as reporting
from shared.settings import PROJECT_ROOT

OUT = PROJECT_ROOT / "openapi"
SERVICES: dict[str, Callable[[], FastAPI]] = {
    "intake": intake,
    "escalation": escalation,
    "ice_gateway": ice_gateway,
    "reporting": reporting,
}


def render(factory: Callable[[], FastAPI]) -> str:
    return json.dumps(factory().openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.openapi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed documents; exit 1 on drift")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    drifted = []
    for name, factory in SERVICES.items():
        path = OUT / f"{name}.json"
        document = render(factory)
        if args.check:
            committed = path.read_text() if path.exists() else ""
            if committed != document:
                drifted.append(name)
                diff = difflib.unified_diff(
                    committed.splitlines(),
                    document.splitlines(),
                    f"committed {path.name}",
                    "from the code",
                    lineterm="",
                )
                print("\n".join(list(diff)[:60]))
        else:
            path.write_text(document)
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    if drifted:
        print(f"OpenAPI documents out of date: {', '.join(drifted)}; run `make openapi` and commit them")
        return 1
    if args.check:
        print("OpenAPI documents up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
