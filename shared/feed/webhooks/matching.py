"""Which events a subscription wants: its event types and filters (pure). Scope is decided apart (R61)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.eventstore.model import RecordedEvent
from shared.feed.visibility import StreamFacts
from shared.feed.webhooks.events import WebhookFilters

EVENT_TYPE_PATTERN = r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$"
"""`complaint.registered.v1` (one version), `complaint.registered` (any version), `complaint.*`, `ice.*` or `*`."""


def type_matches(pattern: str, event: RecordedEvent) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event.type_name.startswith(pattern[:-1])
    return pattern in (event.type_name, event.type)


def wanted(event_types: Iterable[str], filters: WebhookFilters, event: RecordedEvent, facts: StreamFacts) -> bool:
    if not any(type_matches(p, event) for p in event_types):
        return False
    if filters.stream_types and event.stream_type not in filters.stream_types:
        return False
    if filters.programmes and facts.programme not in filters.programmes:
        return False
    return not filters.provider_organisation_ids or facts.provider_organisation_id in filters.provider_organisation_ids
