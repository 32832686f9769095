"""Schemathesis hooks for `tools.fuzz`: every error answer is an RFC 9457 problem document.

Loaded by the schemathesis CLI through `SCHEMATHESIS_HOOKS=tools.fuzzchecks`. The built-in checks cover what
each operation documents; this one covers every status, documented or not (a 405, a 400 from a body that is
not text, a 413 from the body limit): `application/problem+json`, valid against the document's own `Problem`
schema, and its `status` member equal to the response's status.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jsonschema_rs
import schemathesis

PROBLEM_JSON = "application/problem+json"


@lru_cache(maxsize=8)
def _validator(components: str) -> jsonschema_rs.Validator:
    """A validator for the `Problem` component of an OpenAPI document's components (refs resolve inside them)."""
    schema = {"$ref": "#/components/schemas/Problem", "components": json.loads(components)}
    return jsonschema_rs.Draft202012Validator(schema)


def problem_errors(status: int, content_type: str, body: bytes, document: dict[str, Any]) -> list[str]:
    """What is wrong with an error response (empty when it is a good problem document)."""
    if status < 400:
        return []
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != PROBLEM_JSON:
        return [f"a {status} answered with Content-Type {content_type!r}, not {PROBLEM_JSON}"]
    try:
        problem = json.loads(body)
    except ValueError as exc:
        return [f"a {status} problem document that is not JSON: {exc}"]
    if "Problem" not in document.get("components", {}).get("schemas", {}):
        return ["the OpenAPI document has no Problem schema"]
    validator = _validator(json.dumps(document["components"], sort_keys=True))
    found = [f"{'/'.join(map(str, e.instance_path)) or 'body'}: {e.message}" for e in validator.iter_errors(problem)]
    if isinstance(problem, dict) and problem.get("status") != status:
        found.append(f"the problem's status member is {problem.get('status')!r}, the response's status is {status}")
    return found


@schemathesis.check
def problem_json_errors(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> None:
    """Every 4xx and 5xx is application/problem+json with the document's Problem schema."""
    content_type = (response.headers.get("content-type") or [""])[0]
    errors = problem_errors(response.status_code, content_type, response.content, case.operation.schema.raw_schema)
    if errors:
        raise AssertionError("Not a problem document: " + "; ".join(errors))
