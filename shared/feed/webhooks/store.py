"""The webhook tables: the subscriptions read model, the deliveries queue and its attempt log."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.auth import OrganisationKind, Principal, Role
from shared.eventstore.model import LogPosition, RecordedEvent
from shared.feed.webhooks.events import (
    STREAM_TYPE,
    Sealed,
    WebhookFilters,
    WebhookSubscriptionDeleted,
    WebhookSubscriptionRegistered,
)


@dataclass(frozen=True)
class SubscriptionRow:
    subscription_id: uuid.UUID
    organisation_id: str
    organisation_kind: str
    roles: tuple[str, ...]
    registered_by: str
    url: str
    event_types: tuple[str, ...]
    filters: WebhookFilters
    secret: Sealed
    registered_at: datetime
    registered: LogPosition
    deleted_at: datetime | None
    deleted: LogPosition | None

    def live_at(self, position: LogPosition) -> bool:
        """Events after the registration and before the deletion, in log order, are the subscription's."""
        return self.registered < position and (self.deleted is None or position < self.deleted)

    def principal(self) -> Principal:
        """Whom the subscription sees as: its registering principal's organisation, kind and roles (R61)."""
        return Principal(
            subject=self.registered_by,
            organisation_id=self.organisation_id,
            organisation_kind=OrganisationKind(self.organisation_kind),
            roles=frozenset(Role(r) for r in self.roles if r in _ROLE_NAMES),
        )


_ROLE_NAMES = frozenset(role.value for role in Role)

_INSERT_SUBSCRIPTION = """
INSERT INTO webhook_subscriptions (subscription_id, organisation_id, organisation_kind, roles, registered_by, url,
    event_types, filters, secret, registered_at, registered_tx, registered_pos)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12)
ON CONFLICT (subscription_id) DO NOTHING
"""

_MARK_DELETED = """
UPDATE webhook_subscriptions SET deleted_at = $2, deleted_tx = $3, deleted_pos = $4
WHERE subscription_id = $1 AND deleted_at IS NULL
"""

_CANCEL_PENDING = """
UPDATE webhook_deliveries SET status = 'cancelled', finished_at = $2, lease_token = NULL
WHERE subscription_id = $1 AND status = 'pending'
"""


async def record_registered(
    conn: Any, event: WebhookSubscriptionRegistered, recorded_at: datetime, position: LogPosition
) -> None:
    """Idempotent: the registering request and the delivery subscriber both call it with the same event."""
    await conn.execute(
        _INSERT_SUBSCRIPTION,
        uuid.UUID(event.subscription_id),
        event.organisation_id,
        event.organisation_kind,
        list(event.roles),
        event.registered_by,
        event.url,
        list(event.event_types),
        event.filters.model_dump_json(),
        json.dumps(event.secret),
        recorded_at,
        position.tx_id,
        position.position,
    )


async def record_deleted(conn: Any, subscription_id: str, recorded_at: datetime, position: LogPosition) -> None:
    """Idempotent; pending deliveries are cancelled."""
    async with conn.transaction():
        sid = uuid.UUID(subscription_id)
        await conn.execute(_MARK_DELETED, sid, recorded_at, position.tx_id, position.position)
        await conn.execute(_CANCEL_PENDING, sid, recorded_at)


async def apply_subscription_events(conn: Any, events: Sequence[RecordedEvent]) -> None:
    for event in events:
        if event.stream_type != STREAM_TYPE:
            continue
        if event.type == WebhookSubscriptionRegistered.event_type:
            registered = WebhookSubscriptionRegistered.model_validate(event.data)
            await record_registered(conn, registered, event.recorded_at, event.position)
        elif event.type == WebhookSubscriptionDeleted.event_type:
            await record_deleted(conn, event.data["subscription_id"], event.recorded_at, event.position)


_COLUMNS = """subscription_id, organisation_id, organisation_kind, roles, registered_by, url, event_types,
    filters::text AS filters, secret::text AS secret, registered_at, registered_tx, registered_pos,
    deleted_at, deleted_tx, deleted_pos"""


def _row(record: Any) -> SubscriptionRow:
    deleted = None if record["deleted_tx"] is None else LogPosition(record["deleted_tx"], record["deleted_pos"])
    return SubscriptionRow(
        subscription_id=record["subscription_id"],
        organisation_id=record["organisation_id"],
        organisation_kind=record["organisation_kind"],
        roles=tuple(record["roles"]),
        registered_by=record["registered_by"],
        url=record["url"],
        event_types=tuple(record["event_types"]),
        filters=WebhookFilters.model_validate_json(record["filters"]),
        secret=json.loads(record["secret"]),
        registered_at=record["registered_at"],
        registered=LogPosition(record["registered_tx"], record["registered_pos"]),
        deleted_at=record["deleted_at"],
        deleted=deleted,
    )


async def live_subscriptions(conn: Any, since: LogPosition) -> list[SubscriptionRow]:
    """Every subscription not deleted before `since`: the candidates for a batch starting there."""
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM webhook_subscriptions
            WHERE deleted_tx IS NULL OR (deleted_tx, deleted_pos) > ($1::bigint, $2::bigint)""",
        since.tx_id,
        since.position,
    )
    return [_row(r) for r in rows]


async def subscriptions_of(conn: Any, organisation_id: str) -> list[SubscriptionRow]:
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM webhook_subscriptions WHERE organisation_id = $1
            ORDER BY registered_at, subscription_id""",
        organisation_id,
    )
    return [_row(r) for r in rows]


async def subscription_of(conn: Any, organisation_id: str, subscription_id: uuid.UUID) -> SubscriptionRow | None:
    """The subscription if `organisation_id` owns it; `None` otherwise (another organisation's looks absent)."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM webhook_subscriptions WHERE subscription_id = $1 AND organisation_id = $2",
        subscription_id,
        organisation_id,
    )
    return None if row is None else _row(row)


@dataclass(frozen=True)
class NewDelivery:
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    event: RecordedEvent
    body: str


async def enqueue(conn: Any, deliveries: Sequence[NewDelivery], now: datetime) -> None:
    """Unique per (subscription, event): a batch applied again enqueues nothing twice."""
    if not deliveries:
        return
    await conn.executemany(
        """INSERT INTO webhook_deliveries (delivery_id, subscription_id, event_id, event_type, tx_id, position,
               body, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (subscription_id, event_id) DO NOTHING""",
        [
            (
                d.delivery_id,
                d.subscription_id,
                d.event.event_id,
                d.event.type_name,
                d.event.position.tx_id,
                d.event.position.position,
                d.body,
                now,
            )
            for d in deliveries
        ],
    )


async def deliveries_of(conn: Any, subscription_id: uuid.UUID, status: str | None, limit: int) -> list[dict[str, Any]]:
    """The delivery log, newest first: each delivery with its attempts."""
    rows = await conn.fetch(
        """SELECT delivery_id, event_id, event_type, status, attempts, next_attempt_at, created_at, finished_at
           FROM webhook_deliveries WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2)
           ORDER BY created_at DESC, tx_id DESC, position DESC LIMIT $3""",
        subscription_id,
        status,
        limit,
    )
    attempts = await conn.fetch(
        """SELECT delivery_id, attempt, attempted_at, finished_at, status_code, error, next_attempt_at
           FROM webhook_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY delivery_id, attempt""",
        [r["delivery_id"] for r in rows],
    )
    by_delivery: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for a in attempts:
        entry = dict(a)
        by_delivery.setdefault(entry.pop("delivery_id"), []).append(entry)
    return [{**dict(r), "log": by_delivery.get(r["delivery_id"], [])} for r in rows]
