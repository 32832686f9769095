"""Webhook subscription events: past tense, stable versioned type names. The signing secret is sealed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.decider import DomainEvent, EventCodec

STREAM_TYPE = "webhook_subscription"

Sealed = dict[str, Any]
"""A sealed value (`{"$personal": {...}}`, shared.personal_data) under the subscription's own key."""


def webhook_stream(subscription_id: str) -> str:
    return f"webhook-{subscription_id}"


class WebhookFilters(BaseModel):
    """Narrow what a subscription receives, beyond its event types. Empty: no narrowing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_types: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    provider_organisation_ids: tuple[str, ...] = ()


class WebhookSubscriptionRegistered(DomainEvent):
    """A system of `organisation_id` asked for the events it may see, of `event_types`, at `url`.

    The subscription sees what its registering principal's organisation kind and roles see (R61).
    """

    event_type = "webhook.subscription_registered"

    subscription_id: str
    organisation_id: str
    organisation_kind: str
    roles: tuple[str, ...]
    registered_by: str
    url: str
    event_types: tuple[str, ...]
    filters: WebhookFilters
    secret: Sealed
    """The signing secret, sealed under a key of its own (destroyed when the subscription is deleted)."""


class WebhookSubscriptionDeleted(DomainEvent):
    event_type = "webhook.subscription_deleted"

    subscription_id: str


WEBHOOK_CODEC = EventCodec(WebhookSubscriptionRegistered, WebhookSubscriptionDeleted)
