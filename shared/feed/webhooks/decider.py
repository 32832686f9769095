"""The webhook subscription decider: pure, one stream per subscription (ARCHITECTURE.md conventions 1-2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.decider import Command, Decider
from shared.errors import Conflict, NotFound
from shared.feed.webhooks.events import (
    Sealed,
    WebhookFilters,
    WebhookSubscriptionDeleted,
    WebhookSubscriptionRegistered,
)
from shared.feed.webhooks.urls import ensure_deliverable


class RegisterWebhook(Command):
    subscription_id: str
    organisation_id: str
    organisation_kind: str
    roles: tuple[str, ...]
    registered_by: str
    url: str
    event_types: tuple[str, ...]
    filters: WebhookFilters
    secret: Sealed
    allow_local_http: bool
    """Plain http to localhost is allowed (development and test only)."""


class DeleteWebhook(Command):
    subscription_id: str
    organisation_id: str
    """The caller's organisation: another organisation's subscription looks absent (R61)."""


WebhookEvent = WebhookSubscriptionRegistered | WebhookSubscriptionDeleted


@dataclass(frozen=True)
class WebhookState:
    registered: WebhookSubscriptionRegistered | None = None
    deleted: bool = False

    def owned_by(self, organisation_id: str) -> bool:
        return self.registered is not None and self.registered.organisation_id == organisation_id


initial_state = WebhookState()


def decide(command: Any, state: WebhookState) -> list[WebhookEvent]:
    match command:
        case RegisterWebhook():
            return _register(command, state)
        case DeleteWebhook():
            return _delete(command, state)
    raise TypeError(f"not a webhook command: {type(command).__name__}")


def _register(command: RegisterWebhook, state: WebhookState) -> list[WebhookEvent]:
    if state.registered is not None:
        raise Conflict(detail=f"webhook subscription {command.subscription_id} already exists", requirement="R63")
    ensure_deliverable(command.url, command.allow_local_http)
    return [
        WebhookSubscriptionRegistered(
            subscription_id=command.subscription_id,
            organisation_id=command.organisation_id,
            organisation_kind=command.organisation_kind,
            roles=command.roles,
            registered_by=command.registered_by,
            url=command.url,
            event_types=command.event_types,
            filters=command.filters,
            secret=command.secret,
        )
    ]


def _delete(command: DeleteWebhook, state: WebhookState) -> list[WebhookEvent]:
    if not state.owned_by(command.organisation_id):
        raise NotFound(detail=f"no webhook subscription {command.subscription_id}", requirement="R61")
    if state.deleted:
        return []
    return [WebhookSubscriptionDeleted(subscription_id=command.subscription_id)]


def evolve(state: WebhookState, event: Any) -> WebhookState:
    match event:
        case WebhookSubscriptionRegistered():
            return WebhookState(registered=event)
        case WebhookSubscriptionDeleted():
            return WebhookState(registered=state.registered, deleted=True)
    return state


def is_terminal(state: WebhookState) -> bool:
    return state.deleted


WEBHOOK_DECIDER: Decider[Any, Any, WebhookState] = Decider(initial_state, decide, evolve, is_terminal)
