"""The webhook subscription decider: given events, when a command, then events or a refusal."""

from __future__ import annotations

from typing import Any

import pytest

from shared.decider import fold
from shared.errors import Conflict, NotFound, ValidationProblem
from shared.feed.webhooks.decider import WEBHOOK_DECIDER, DeleteWebhook, RegisterWebhook, WebhookState, decide
from shared.feed.webhooks.events import WebhookFilters, WebhookSubscriptionDeleted, WebhookSubscriptionRegistered

SECRET = {"$personal": {"s": "00000000-0000-0000-0000-000000000001", "n": "bm9uY2U=", "c": "Y2lwaGVy"}}


def register(**overrides: Any) -> RegisterWebhook:
    fields: dict[str, Any] = {
        "subscription_id": "s1",
        "organisation_id": "provider-alpha",
        "organisation_kind": "provider",
        "roles": ("caseworker",),
        "registered_by": "crm",
        "url": "https://crm.example/hooks",
        "event_types": ("complaint.*",),
        "filters": WebhookFilters(),
        "secret": SECRET,
        "allow_local_http": False,
    }
    fields.update(overrides)
    return RegisterWebhook(**fields)


def given(*events: Any) -> WebhookState:
    return fold(WEBHOOK_DECIDER, events)


def registered() -> WebhookSubscriptionRegistered:
    (event,) = decide(register(), given())
    assert isinstance(event, WebhookSubscriptionRegistered)
    return event


def test_registering_records_the_subscription_with_its_sealed_secret() -> None:
    event = registered()
    assert event.subscription_id == "s1"
    assert event.organisation_id == "provider-alpha"
    assert event.secret == SECRET
    assert given(event).owned_by("provider-alpha")


def test_registering_twice_is_a_conflict() -> None:
    with pytest.raises(Conflict):
        decide(register(), given(registered()))


@pytest.mark.parametrize(
    ("url", "allow_local", "rule"),
    [
        ("http://crm.example/hooks", True, "https"),
        ("http://127.0.0.1:8080/hooks", False, "https"),
        ("ftp://crm.example/hooks", False, "url"),
        ("crm.example/hooks", False, "url"),
        ("https://user:pw@crm.example/hooks", False, "no-credentials"),
        ("https://crm.example/hooks#x", False, "no-fragment"),
        ("https://crm.example:99999/hooks", False, "url"),
        # What a delivery would reach on our side of the network, not the caller's (R64).
        ("https://127.0.0.1/hooks", False, "public-host"),
        ("https://localhost:8443/hooks", False, "public-host"),
        ("https://hooks.localhost/x", False, "public-host"),
        ("https://169.254.169.254/latest/meta-data", False, "public-host"),
        ("https://10.1.2.3/hooks", False, "public-host"),
        ("https://192.168.0.10/hooks", False, "public-host"),
        ("https://[::1]/hooks", False, "public-host"),
        ("https://[fd00::1]/hooks", False, "public-host"),
    ],
)
def test_a_url_that_may_not_receive_is_refused_naming_the_field(url: str, allow_local: bool, rule: str) -> None:
    with pytest.raises(ValidationProblem) as refused:
        decide(register(url=url, allow_local_http=allow_local), given())
    assert [(e.field, e.rule) for e in refused.value.errors] == [("url", rule)]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "http://localhost/hooks", "http://[::1]:9/x"])
def test_plain_http_to_this_machine_is_allowed_when_development_allows(url: str) -> None:
    assert decide(register(url=url, allow_local_http=True), given())


@pytest.mark.parametrize("url", ["https://crm.example/hooks", "https://8.8.8.8:8443/hooks"])
def test_a_public_https_host_may_receive(url: str) -> None:
    assert decide(register(url=url, allow_local_http=False), given())


def test_the_owner_deletes_once_then_deleting_again_changes_nothing() -> None:
    state = given(registered())
    (event,) = decide(DeleteWebhook(subscription_id="s1", organisation_id="provider-alpha"), state)
    assert event == WebhookSubscriptionDeleted(subscription_id="s1")
    after = given(registered(), event)
    assert after.deleted
    assert WEBHOOK_DECIDER.is_terminal(after)
    assert decide(DeleteWebhook(subscription_id="s1", organisation_id="provider-alpha"), after) == []


@pytest.mark.parametrize("state", [WebhookState(), None])
def test_another_organisation_or_no_subscription_is_not_found(state: WebhookState | None) -> None:
    current = state if state is not None else given(registered())
    organisation = "provider-alpha" if state is not None else "provider-beta"
    with pytest.raises(NotFound):
        decide(DeleteWebhook(subscription_id="s1", organisation_id=organisation), current)
