"""One async function per webhook command: load -> fold -> decide -> append, then the read model.

The read model (`webhook_subscriptions`) is written from the stream's recorded events, idempotently, here (so
the caller reads its own write) and by the delivery subscriber (so a request that died after appending is
still applied, at the right place in the log).
"""

from __future__ import annotations

import contextlib
import uuid

from shared.commands import execute, load
from shared.db import raw_connection
from shared.errors import Forbidden, NotFound
from shared.feed.webhooks.decider import WEBHOOK_DECIDER, DeleteWebhook, RegisterWebhook, WebhookState
from shared.feed.webhooks.events import STREAM_TYPE, WEBHOOK_CODEC, Sealed, webhook_stream
from shared.feed.webhooks.schemas import WebhookIn
from shared.feed.webhooks.signing import new_secret
from shared.feed.webhooks.store import SubscriptionRow, apply_subscription_events, subscription_of
from shared.feed.webhooks.urls import ensure_deliverable
from shared.http.deps import CommandContext
from shared.http.platform import Platform
from shared.personal_data import UnknownSubject, sealed_subject


def local_http_allowed(platform: Platform) -> bool:
    return platform.settings.app_env in ("development", "test")


async def register_webhook(platform: Platform, ctx: CommandContext, body: WebhookIn) -> SubscriptionRow:
    principal = ctx.principal
    if not principal.roles:
        raise Forbidden(detail="a token with no role may not register webhooks", requirement="R61")
    allow_local = local_http_allowed(platform)
    ensure_deliverable(body.url, allow_local)  # before a key is made for the secret
    subscription_id = str(ctx.new_id("webhook-subscription"))
    command = RegisterWebhook(
        subscription_id=subscription_id,
        organisation_id=principal.organisation_id,
        organisation_kind=principal.organisation_kind.value,
        roles=tuple(sorted(r.value for r in principal.roles)),
        registered_by=principal.subject,
        url=body.url,
        event_types=tuple(dict.fromkeys(body.event_types)),
        filters=body.filters.record(),
        secret=await _secret_for(platform, ctx, subscription_id),
        allow_local_http=allow_local,
    )
    await execute(
        platform.store,
        stream_id=webhook_stream(subscription_id),
        stream_type=STREAM_TYPE,
        decider=WEBHOOK_DECIDER,
        codec=WEBHOOK_CODEC,
        command=command,
        ctx=ctx,
    )
    return await _synced_row(platform, principal.organisation_id, subscription_id)


async def _secret_for(platform: Platform, ctx: CommandContext, subscription_id: str) -> Sealed:
    """A new secret sealed under a key of its own; a keyed retry of a registration keeps the first one."""
    loaded = await load(platform.store, webhook_stream(subscription_id), WEBHOOK_DECIDER, WEBHOOK_CODEC)
    state: WebhookState = loaded.state
    if state.registered is not None:
        return state.registered.secret
    _, sealed = await platform.vault.seal_for_new_subject({"secret": new_secret()}, ctx.now)
    secret: Sealed = sealed["secret"]
    return secret


async def delete_webhook(platform: Platform, ctx: CommandContext, subscription_id: uuid.UUID) -> SubscriptionRow:
    """Deleted: no new deliveries, pending ones cancelled, and the secret's key destroyed."""
    organisation_id = ctx.principal.organisation_id
    outcome = await execute(
        platform.store,
        stream_id=webhook_stream(str(subscription_id)),
        stream_type=STREAM_TYPE,
        decider=WEBHOOK_DECIDER,
        codec=WEBHOOK_CODEC,
        command=DeleteWebhook(subscription_id=str(subscription_id), organisation_id=organisation_id),
        ctx=ctx,
    )
    state: WebhookState = outcome.state
    row = await _synced_row(platform, organisation_id, str(subscription_id))
    if state.registered is not None:
        with contextlib.suppress(UnknownSubject):  # never sealed through the vault: nothing to destroy
            await platform.vault.erase(sealed_subject(state.registered.secret), ctx.now)
    return row


async def _synced_row(platform: Platform, organisation_id: str, subscription_id: str) -> SubscriptionRow:
    recorded = await platform.store.read_stream(webhook_stream(subscription_id))
    async with raw_connection(platform.pool) as conn:
        await apply_subscription_events(conn, recorded)
        row = await subscription_of(conn, organisation_id, uuid.UUID(subscription_id))
    if row is None:
        raise NotFound(detail=f"no webhook subscription {subscription_id}", requirement="R61")
    return row
