"""The webhooks API: a system registers a URL and event types; deliveries are signed, retried and logged."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from shared.db import raw_connection
from shared.errors import NotFound
from shared.feed.items import PERSONAL_MARKER
from shared.feed.webhooks import handlers
from shared.feed.webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    DeliveryStatus,
    WebhookCreatedOut,
    WebhookIn,
    WebhookList,
    WebhookOut,
)
from shared.feed.webhooks.store import deliveries_of, subscription_of, subscriptions_of
from shared.http.deps import CommandContextDep, CurrentPrincipal, IdempotencyKeyHeader, PlatformDep
from shared.http.problems import problem_responses

SIGNATURE_DOC = f"""
Each delivery is a `POST` of one event as JSON: the same shape as a `GET /feed` item (every personal value is
`{PERSONAL_MARKER}`, R62), plus `delivery_id` and `subscription_id`. Headers:

- `X-Webhook-Id`: the delivery id, the same on every attempt of the delivery: de-duplicate on it.
- `X-Webhook-Timestamp`: when this attempt was signed, in Unix seconds.
- `X-Webhook-Signature`: `v1=` and the lowercase hex HMAC-SHA256, keyed with your subscription's secret, of
  the timestamp, a full stop, and the raw body bytes: `"{{timestamp}}.{{body}}"`.

Answer 2xx within 10 seconds once you have stored the event. Anything else (or no answer) is retried with
exponential backoff, and after the last attempt the delivery is marked failed: see `/webhooks/{{id}}/deliveries`.
Delivery is at least once and not necessarily in order: use `X-Webhook-Id` to drop repeats and the feed
(`GET /feed`) to catch up. Verify before you trust the body (Python):

```python
import hashlib, hmac, time

def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    timestamp = headers["X-Webhook-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False  # stale: possibly replayed
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s.strip()) for s in headers["X-Webhook-Signature"].split(","))
```
"""

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
SubscriptionId = Annotated[UUID, Path(description="The subscription's id")]


@router.post(
    "",
    name="register",
    summary="Register a webhook",
    description="Registers an https URL to receive, as they happen, the events of the given types that your "
    "organisation may see (R61), optionally narrowed by filters. The answer holds the signing secret: it is "
    "shown this once (and on an idempotent replay of this request, R63). Deliveries start with the events "
    "recorded after the registration.\n" + SIGNATURE_DOC,
    status_code=201,
    response_model=WebhookCreatedOut,
    responses=problem_responses(403, 409),
)
async def register(
    body: WebhookIn, ctx: CommandContextDep, platform: PlatformDep, _key: IdempotencyKeyHeader = None
) -> WebhookCreatedOut:
    row = await handlers.register_webhook(platform, ctx, body)
    return WebhookCreatedOut.created(row)


@router.get(
    "",
    name="list",
    summary="List your webhooks",
    description="Your organisation's webhook subscriptions, deleted ones included, oldest first (R61).",
    response_model=WebhookList,
    responses=problem_responses(),
)
async def list_webhooks(principal: CurrentPrincipal, platform: PlatformDep) -> WebhookList:
    async with raw_connection(platform.pool) as conn:
        rows = await subscriptions_of(conn, principal.organisation_id)
    return WebhookList(items=[WebhookOut.of(r) for r in rows])


@router.get(
    "/{subscription_id}",
    name="get",
    summary="Read a webhook",
    description="One of your organisation's webhook subscriptions; another organisation's is a 404 (R61).",
    response_model=WebhookOut,
    responses=problem_responses(404),
)
async def get_webhook(
    subscription_id: SubscriptionId, principal: CurrentPrincipal, platform: PlatformDep
) -> WebhookOut:
    async with raw_connection(platform.pool) as conn:
        row = await subscription_of(conn, principal.organisation_id, subscription_id)
    if row is None:
        raise NotFound(detail=f"no webhook subscription {subscription_id}", requirement="R61")
    return WebhookOut.of(row)


@router.delete(
    "/{subscription_id}",
    name="delete",
    summary="Delete a webhook",
    description="Stops deliveries: pending ones are cancelled and the signing secret is destroyed. The "
    "subscription and its delivery log stay readable, marked deleted. Deleting again changes nothing (R63).",
    response_model=WebhookOut,
    responses=problem_responses(403, 404),
)
async def delete_webhook(
    subscription_id: SubscriptionId, ctx: CommandContextDep, platform: PlatformDep, _key: IdempotencyKeyHeader = None
) -> WebhookOut:
    row = await handlers.delete_webhook(platform, ctx, subscription_id)
    return WebhookOut.of(row)


@router.get(
    "/{subscription_id}/deliveries",
    name="deliveries",
    summary="A webhook's delivery log",
    description="The subscription's deliveries, newest first, each with every attempt: when, the receiver's "
    "status code or the error, and when the next attempt is due (R60, R61).",
    response_model=DeliveryPage,
    responses=problem_responses(404),
)
async def deliveries(
    subscription_id: SubscriptionId,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only deliveries in this state")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many deliveries")] = 50,
) -> DeliveryPage:
    async with raw_connection(platform.pool) as conn:
        if await subscription_of(conn, principal.organisation_id, subscription_id) is None:
            raise NotFound(detail=f"no webhook subscription {subscription_id}", requirement="R61")
        rows = await deliveries_of(conn, subscription_id, status, limit)
    return DeliveryPage(items=[DeliveryOut.model_validate(r) for r in rows])
