"""Success-response examples for the OpenAPI document (issue 7): the one `returns` every service's routes use, and
the examples of the routes shared/ serves to every service (operations, directory, erasure).

Every example is what its response model would answer (tests/unit/test_openapi_examples.py round-trips each). The
document drops nulls from examples, so these carry none where the field may have a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

JSON = dict[str, Any]


def returns(
    example: Any, status: int = 200, *, also: Mapping[str, JSON] | None = None
) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry giving the success response its JSON example (merged with `response_model`'s
    schema), and `also` any other media types it may answer with (e.g. `{"text/csv": {...}}`)."""
    return {status: {"content": {"application/json": {"example": example}, **(also or {})}}}


# Operations (shared/http/app.py)

HEALTHZ: JSON = {"status": "ok", "service": "intake"}
READYZ: JSON = {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "projections": "ok"}}
ME: JSON = {
    "subject": "ann.caseworker",
    "organisation_id": "jobcentre-leeds",
    "organisation_kind": "jobcentre",
    "roles": ["caseworker"],
}
METRICS = """\
# HELP http_requests_total HTTP requests
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/healthz",service="intake",status="200"} 42.0
http_requests_total{method="POST",route="/complaints",service="intake",status="201"} 17.0
# HELP http_request_duration_seconds HTTP request latency
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05",method="POST",route="/complaints",service="intake"} 15.0
http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/complaints",service="intake"} 17.0
http_request_duration_seconds_count{method="POST",route="/complaints",service="intake"} 17.0
http_request_duration_seconds_sum{method="POST",route="/complaints",service="intake"} 0.612
# HELP subscription_lag_seconds Seconds between an event's recording and its application by the subscription
# TYPE subscription_lag_seconds gauge
subscription_lag_seconds{subscription="intake.complaints"} 0.08
"""

# Directory (shared/directory/api.py): a prime provider with one sub-contractor, and its IPES contract.

ORGANISATION: JSON = {
    "organisation_id": "provider-alpha",
    "name": "Alpha Employment Services Ltd",
    "kind": "provider",
    "subcontractors": [],
    "registered_at": "2026-11-02T09:15:00Z",
}
PRIME_WITH_SUBCONTRACTOR: JSON = {**ORGANISATION, "subcontractors": ["provider-alpha-sub"]}
SUBCONTRACTOR_ADDED: JSON = {**PRIME_WITH_SUBCONTRACTOR, "registered_at": None}
"""What adding a sub-contractor answers: the prime's supply chain (it does not read the registration time)."""
ORGANISATIONS: list[JSON] = [
    PRIME_WITH_SUBCONTRACTOR,
    {
        "organisation_id": "provider-alpha-sub",
        "name": "Alpha Community Partners CIC",
        "kind": "provider",
        "subcontractors": [],
        "registered_at": "2026-11-02T09:20:00Z",
    },
]
CONTRACT: JSON = {
    "contract_id": "ipes-ew-alpha-2024",
    "provider_organisation_id": "provider-alpha",
    "programme": "ipes",
    "value_pence": 1_250_000_000,
    "let_or_renewed_on": "2024-04-01",
    "nation": "england",
    "title": "IPES England and Wales, lot 1",
}
CONTRACTS: list[JSON] = [
    CONTRACT,
    {
        "contract_id": "ipes-scot-alpha-2025",
        "provider_organisation_id": "provider-alpha",
        "programme": "ipes",
        "value_pence": 480_000_000,
        "let_or_renewed_on": "2025-10-01",
        "nation": "scotland",
        "title": "IPES Scotland, lot 2",
    },
]

# Erasure (shared/erasure.py)

ERASED: JSON = {
    "data_subject_id": "7c1e4a9b-2d3f-4e5a-8b6c-9d0e1f2a3b4c",
    "erased_at": "2027-01-15T10:30:00Z",
    "already_erased": False,
}
