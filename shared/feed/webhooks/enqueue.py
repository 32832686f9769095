"""The delivery subscriber: one leader, checkpointed; turns visible, wanted events into queued deliveries.

It runs inside the checkpoint's transaction (shared.eventstore.subscriptions), never calls out: sending is the
delivery worker's job, so a slow or failing endpoint never holds up the log, let alone command handling.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from shared.clock import Clock, SystemClock
from shared.eventstore.model import RecordedEvent
from shared.feed.items import FeedItem, feed_item
from shared.feed.visibility import FEED_STREAM_TYPES, FeedScope, StreamFacts, feed_scope, load_facts
from shared.feed.webhooks.matching import wanted
from shared.feed.webhooks.store import (
    NewDelivery,
    SubscriptionRow,
    apply_subscription_events,
    enqueue,
    live_subscriptions,
)

SUBSCRIBER_NAME = "webhooks.deliveries"
DELIVERY_NAMESPACE = uuid.UUID("6f1d2c3b-8a4e-4f5d-9b6c-1e2f3a4b5c6d")


def delivery_id(subscription_id: uuid.UUID, event_id: uuid.UUID) -> uuid.UUID:
    """The same for the same (subscription, event), whoever computes it and however often."""
    return uuid.uuid5(DELIVERY_NAMESPACE, f"{subscription_id}:{event_id}")


def delivery_body(subscription: SubscriptionRow, event: RecordedEvent, did: uuid.UUID) -> str:
    """A feed item as the subscription's organisation sees it, plus the delivery's and subscription's ids."""
    item = FeedItem.model_validate(feed_item(event, subscription.organisation_id)).model_dump(mode="json")
    item.update(delivery_id=str(did), subscription_id=str(subscription.subscription_id))
    return json.dumps(item, separators=(",", ":"))


def deliveries_for(
    subscription: SubscriptionRow, scope: FeedScope, events: Sequence[RecordedEvent], facts: dict[str, StreamFacts]
) -> list[NewDelivery]:
    found = []
    for event in events:
        stream = facts.get(event.stream_id)
        if stream is None or not subscription.live_at(event.position) or not scope.allows(stream):
            continue
        if wanted(subscription.event_types, subscription.filters, event, stream):
            did = delivery_id(subscription.subscription_id, event.event_id)
            found.append(NewDelivery(did, subscription.subscription_id, event, delivery_body(subscription, event, did)))
    return found


class WebhookDeliverySubscriber:
    name = SUBSCRIBER_NAME

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()

    async def handle(self, conn: Any, events: Sequence[RecordedEvent]) -> None:
        await apply_subscription_events(conn, events)
        candidates = [e for e in events if e.stream_type in FEED_STREAM_TYPES]
        if not candidates:
            return
        subscriptions = await live_subscriptions(conn, candidates[0].position)
        if not subscriptions:
            return
        facts = await load_facts(conn, candidates)
        queued: list[NewDelivery] = []
        for subscription in subscriptions:
            scope = await feed_scope(conn, subscription.principal())
            queued += deliveries_for(subscription, scope, candidates, facts)
        await enqueue(conn, queued, self._clock.now())
