"""Webhooks against a real HTTP receiver on 127.0.0.1: signed, retried with exact backoff, de-duplicated by id.

The delivery worker runs on its own `FixedClock` and is driven by hand (`run_once`), so every retry happens
exactly when the test moves the clock; the delivery subscriber runs in the app, as in a service.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock
from shared.eventstore.model import LogPosition
from shared.eventstore.subscriptions import wait_for_position
from shared.feed.items import PERSONAL_MARKER
from shared.feed.webhooks.delivery import DeliveryWorker, RetryPolicy, webhook_worker
from shared.feed.webhooks.enqueue import SUBSCRIBER_NAME, WebhookDeliverySubscriber
from shared.http.platform import Platform
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, assert_problem, error_fields, eventually, register_ok

# The receivers run on this machine, as in development and test.
POLICY = RetryPolicy(
    base_seconds=60,
    cap_seconds=3600,
    max_attempts=5,
    timeout_seconds=5,
    lease_seconds=120,
    allow_private_addresses=True,
)

# A real receiver


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    """An HTTP/1.1 endpoint on 127.0.0.1 that verifies each signature with the secret, answers the scripted
    statuses (then 200), and processes each delivery id once, as a receiver following the documentation would."""

    now: FixedClock
    statuses: deque[int] = field(default_factory=deque)
    hang: bool = False
    secret: str | None = None
    requests: list[Received] = field(default_factory=list)
    processed: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicates: int = 0
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[Any]] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/hooks"

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._handlers:
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        """The documented check: HMAC-SHA256 over "{timestamp}.{body}", a fresh timestamp."""
        if self.secret is None:
            return False
        timestamp = headers.get("x-webhook-timestamp", "")
        if not timestamp.isdigit() or abs(self.now.now().timestamp() - int(timestamp)) > 300:
            return False
        expected = "v1=" + hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, headers.get("x-webhook-signature", ""))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            headers, body = await _read_request(reader)
            verified = self.verify(headers, body)
            self.requests.append(Received(headers, body, verified))
            if self.hang:
                await asyncio.Event().wait()
            status = self.statuses.popleft() if self.statuses else 200
            if not verified:
                status = 401
            elif 200 <= status < 300:
                self._process(headers["x-webhook-id"], body)
            writer.write(f"HTTP/1.1 {status} Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
        finally:
            writer.close()
            self._handlers.discard(task)

    def _process(self, delivery_id: str, body: bytes) -> None:
        if delivery_id in self.processed:
            self.duplicates += 1
            return
        self.processed[delivery_id] = json.loads(body)


async def _read_request(reader: asyncio.StreamReader) -> tuple[dict[str, str], bytes]:
    await reader.readline()  # the request line
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return headers, body


# The app, the worker, a subscription


@pytest.fixture(scope="session")
def hooks_app(intake_app: FastAPI) -> FastAPI:
    """The intake service, which serves the webhooks API and runs the delivery subscriber; the tests drive the
    delivery worker themselves (WEBHOOK_WORKERS=0 in the API tests' settings)."""
    return intake_app


@pytest.fixture(scope="session")
def hooks(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return client


@pytest.fixture
def platform(hooks_app: FastAPI) -> Platform:
    found: Platform = hooks_app.state.platform
    return found


@pytest.fixture
def worker_clock(clock: FixedClock) -> FixedClock:
    return FixedClock(clock.now())


@pytest.fixture
async def worker(platform: Platform, worker_clock: FixedClock) -> AsyncIterator[DeliveryWorker]:
    async with httpx.AsyncClient() as http:
        yield DeliveryWorker(platform.pool, platform.vault, http, worker_clock, POLICY)


@pytest.fixture
async def receiver(worker_clock: FixedClock) -> AsyncIterator[Receiver]:
    found = Receiver(worker_clock)
    await found.start()
    yield found
    await found.stop()


@dataclass
class Hook:
    subscription_id: str
    headers: dict[str, str]
    created: dict[str, Any]


@pytest.fixture
async def hook(hooks: httpx.AsyncClient, provider: Provider, receiver: Receiver) -> AsyncIterator[Hook]:
    """The provider's caseworker system subscribed to its complaint registrations at `receiver`; deleted after."""
    created = await subscribe(hooks, provider.caseworker, receiver.url, ["complaint.registered.v1"])
    receiver.secret = created["secret"]
    yield Hook(created["subscription_id"], provider.caseworker, created)
    await hooks.delete(f"/webhooks/{created['subscription_id']}", headers=provider.caseworker)


async def subscribe(
    hooks: httpx.AsyncClient, headers: dict[str, str], url: str, event_types: list[str], key: str | None = None
) -> dict[str, Any]:
    response = await hooks.post(
        "/webhooks",
        headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())},
        json={"url": url, "event_types": event_types},
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def delivery_log(hooks: httpx.AsyncClient, hook: Hook) -> list[dict[str, Any]]:
    response = await hooks.get(f"/webhooks/{hook.subscription_id}/deliveries", headers=hook.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def enqueued(hooks: httpx.AsyncClient, hook: Hook, count: int = 1) -> list[dict[str, Any]]:
    """Wait until the delivery subscriber has queued `count` deliveries for the hook."""

    async def probe() -> list[dict[str, Any]]:
        return await delivery_log(hooks, hook)

    return await eventually(probe, lambda items: len(items) >= count, what="the delivery to be queued")


async def subscriber_passed_head(platform: Platform) -> None:
    """Wait until the delivery subscriber has handled everything now in the log."""
    async with platform.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT tx_id, position FROM events ORDER BY tx_id DESC, position DESC LIMIT 1")
    await wait_for_position(platform.runner(SUBSCRIBER_NAME), LogPosition(row["tx_id"], row["position"]))


def at(instant: str) -> datetime:
    return datetime.fromisoformat(instant.replace("Z", "+00:00"))


# Must show: signed, retried, de-duplicated


async def test_a_delivery_is_signed_and_the_receiver_verifies_it_with_the_secret(
    hooks: httpx.AsyncClient,
    client: httpx.AsyncClient,
    provider: Provider,
    hook: Hook,
    receiver: Receiver,
    worker: DeliveryWorker,
    worker_clock: FixedClock,
) -> None:
    body = provider.body()
    complaint = await register_ok(client, provider.caseworker, body)
    (queued,) = await enqueued(hooks, hook)

    assert await worker.run_once(uuid.UUID(hook.subscription_id)) == 1
    (request,) = receiver.requests
    assert request.verified
    assert request.headers["x-webhook-id"] == queued["delivery_id"]
    assert request.headers["x-webhook-timestamp"] == str(int(worker_clock.now().timestamp()))
    assert request.headers["x-webhook-signature"].startswith("v1=")
    payload = json.loads(request.body)
    assert payload["delivery_id"] == queued["delivery_id"]
    assert payload["subscription_id"] == hook.subscription_id
    assert payload["type"] == "complaint.registered.v1"
    assert payload["stream"] == f"complaint-{complaint['complaint_id']}"
    assert payload["data"]["complainant"]["name"] == PERSONAL_MARKER
    assert body["complainant"]["name"].encode() not in request.body
    assert b"$personal" not in request.body

    (delivered,) = await delivery_log(hooks, hook)
    assert delivered["status"] == "delivered"
    assert [(a["attempt"], a["status_code"]) for a in delivered["log"]] == [(1, 200)]


async def test_a_receiver_failing_twice_gets_the_event_once_more_each_time_and_it_is_delivered(
    hooks: httpx.AsyncClient,
    client: httpx.AsyncClient,
    provider: Provider,
    hook: Hook,
    receiver: Receiver,
    worker: DeliveryWorker,
    worker_clock: FixedClock,
) -> None:
    receiver.statuses.extend([500, 503])
    subscription = uuid.UUID(hook.subscription_id)
    await register_ok(client, provider.caseworker, provider.body())
    await enqueued(hooks, hook)
    t0 = worker_clock.now()

    assert await worker.run_once(subscription) == 1
    assert len(receiver.requests) == 1
    # Not due until exactly the base backoff has passed ...
    worker_clock.advance(timedelta(seconds=59))
    assert await worker.run_once(subscription) == 0
    worker_clock.advance(timedelta(seconds=1))
    assert await worker.run_once(subscription) == 1
    assert len(receiver.requests) == 2
    # ... then twice that.
    worker_clock.advance(timedelta(seconds=119))
    assert await worker.run_once(subscription) == 0
    worker_clock.advance(timedelta(seconds=1))
    assert await worker.run_once(subscription) == 1

    assert len(receiver.requests) == 3
    assert all(r.verified for r in receiver.requests)
    assert len({r.headers["x-webhook-id"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    assert len(receiver.processed) == 1
    (delivery,) = await delivery_log(hooks, hook)
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 3
    log = [(a["attempt"], a["status_code"], a["next_attempt_at"] and at(a["next_attempt_at"])) for a in delivery["log"]]
    assert log == [
        (1, 500, t0 + timedelta(seconds=60)),
        (2, 503, t0 + timedelta(seconds=60 + 120)),
        (3, 200, None),
    ]
    assert [at(a["attempted_at"]) for a in delivery["log"]] == [
        t0,
        t0 + timedelta(seconds=60),
        t0 + timedelta(seconds=180),
    ]
    assert await worker.run_once(subscription) == 0


async def test_a_delivery_resent_after_a_crash_carries_the_same_id_and_the_receiver_drops_the_repeat(
    hooks: httpx.AsyncClient,
    client: httpx.AsyncClient,
    provider: Provider,
    hook: Hook,
    receiver: Receiver,
    worker: DeliveryWorker,
    worker_clock: FixedClock,
) -> None:
    subscription = uuid.UUID(hook.subscription_id)
    await register_ok(client, provider.caseworker, provider.body())
    await enqueued(hooks, hook)

    # The worker sends, then dies before marking the delivery delivered.
    (claimed,) = await worker.claim(subscription)
    sent = await worker.send(claimed)
    assert sent.delivered
    assert len(receiver.processed) == 1
    # Its lease holds: no other worker sends it meanwhile ...
    assert await worker.run_once(subscription) == 0
    # ... and when the lease runs out it is sent again, with the same delivery id.
    worker_clock.advance(timedelta(seconds=POLICY.lease_seconds))
    assert await worker.run_once(subscription) == 1

    first, second = receiver.requests
    assert first.headers["x-webhook-id"] == second.headers["x-webhook-id"] == str(claimed.delivery_id)
    assert first.body == second.body
    assert len(receiver.processed) == 1
    assert receiver.duplicates == 1
    (delivery,) = await delivery_log(hooks, hook)
    assert delivery["status"] == "delivered"
    assert [(a["attempt"], a["status_code"], a["finished_at"] is None) for a in delivery["log"]] == [
        (1, None, True),
        (2, 200, False),
    ]


async def test_a_batch_handled_again_enqueues_nothing_twice(
    hooks: httpx.AsyncClient, platform: Platform, client: httpx.AsyncClient, provider: Provider, hook: Hook
) -> None:
    complaint = await register_ok(client, provider.caseworker, provider.body())
    (queued,) = await enqueued(hooks, hook)
    events = await platform.store.read_stream(f"complaint-{complaint['complaint_id']}")
    subscriber = WebhookDeliverySubscriber(FixedClock(events[0].recorded_at))
    async with platform.pool.acquire() as conn, conn.transaction():
        await subscriber.handle(conn, events)
        await subscriber.handle(conn, events)
    assert [d["delivery_id"] for d in await delivery_log(hooks, hook)] == [queued["delivery_id"]]


# A failing endpoint never slows command handling


async def one_failed_attempt(
    hooks: httpx.AsyncClient, platform: Platform, hook: Hook, worker_clock: FixedClock, policy: RetryPolicy
) -> dict[str, Any]:
    """Run a worker with `policy` once over the hook's one queued delivery, which fails: its attempt, logged."""
    async with httpx.AsyncClient() as http:
        worker = DeliveryWorker(platform.pool, platform.vault, http, worker_clock, policy)
        assert await worker.run_once(uuid.UUID(hook.subscription_id)) == 1
    (delivery,) = await delivery_log(hooks, hook)
    assert delivery["status"] == "pending"
    (attempt,) = delivery["log"]
    assert attempt["status_code"] is None
    return dict(attempt)


async def test_appends_never_wait_for_a_receiver_the_worker_does(
    hooks: httpx.AsyncClient,
    platform: Platform,
    client: httpx.AsyncClient,
    provider: Provider,
    hook: Hook,
    receiver: Receiver,
    worker_clock: FixedClock,
) -> None:
    receiver.hang = True  # accepts the connection, never answers
    await register_ok(client, provider.caseworker, provider.body())
    (queued,) = await enqueued(hooks, hook)
    # The command was answered and its event queued for delivery, and nothing was sent: not by the request,
    # not by the subscriber. Only the worker sends.
    assert receiver.requests == []
    assert (queued["status"], queued["attempts"], queued["log"]) == ("pending", 0, [])

    impatient = RetryPolicy(timeout_seconds=0.2, allow_private_addresses=True)
    attempt = await one_failed_attempt(hooks, platform, hook, worker_clock, impatient)
    assert len(receiver.requests) == 1
    assert attempt["error"] == "timed out after 0.2s"
    assert at(attempt["next_attempt_at"]) == worker_clock.now() + timedelta(seconds=RetryPolicy().base_seconds)


async def test_outside_development_a_delivery_to_a_private_address_is_refused_before_sending(
    hooks: httpx.AsyncClient,
    platform: Platform,
    client: httpx.AsyncClient,
    provider: Provider,
    hook: Hook,
    receiver: Receiver,
    worker_clock: FixedClock,
) -> None:
    """The subscription's name now resolves to this machine (it could have been repointed after registration):
    a production worker sends nothing there and logs why, as a failed attempt to retry (R64)."""
    await register_ok(client, provider.caseworker, provider.body())
    await enqueued(hooks, hook)
    attempt = await one_failed_attempt(hooks, platform, hook, worker_clock, RetryPolicy())
    assert receiver.requests == []
    assert "resolves to 127.0.0.1" in attempt["error"]
    assert "public host" in attempt["error"]


async def test_after_the_last_attempt_the_delivery_is_failed(
    hooks: httpx.AsyncClient,
    client: httpx.AsyncClient,
    provider: Provider,
    hook: Hook,
    receiver: Receiver,
    platform: Platform,
    worker_clock: FixedClock,
) -> None:
    receiver.statuses.extend([500] * 10)
    subscription = uuid.UUID(hook.subscription_id)
    await register_ok(client, provider.caseworker, provider.body())
    await enqueued(hooks, hook)
    async with httpx.AsyncClient() as http:
        twice = DeliveryWorker(
            platform.pool, platform.vault, http, worker_clock, RetryPolicy(max_attempts=2, allow_private_addresses=True)
        )
        assert await twice.run_once(subscription) == 1
        worker_clock.advance(timedelta(hours=1))
        assert await twice.run_once(subscription) == 1
        worker_clock.advance(timedelta(days=1))
        assert await twice.run_once(subscription) == 0
    assert len(receiver.requests) == 2
    (delivery,) = await delivery_log(hooks, hook)
    assert (delivery["status"], delivery["attempts"]) == ("failed", 2)
    assert delivery["log"][-1]["next_attempt_at"] is None


async def test_the_background_worker_delivers_on_its_own(
    hooks: httpx.AsyncClient,
    platform: Platform,
    client: httpx.AsyncClient,
    provider: Provider,
    hook: Hook,
    receiver: Receiver,
) -> None:
    """`webhook_worker` is what a service puts in `ServiceSpec.background`."""
    await register_ok(client, provider.caseworker, provider.body())
    await enqueued(hooks, hook)
    background = asyncio.create_task(
        webhook_worker(RetryPolicy(idle_seconds=0.05, allow_private_addresses=True))(platform)
    )
    try:

        async def probe() -> list[dict[str, Any]]:
            return await delivery_log(hooks, hook)

        await eventually(probe, lambda items: items[0]["status"] == "delivered", what="the background delivery")
    finally:
        background.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await background
    assert len(receiver.processed) == 1


# Scope, ownership, the secret


async def test_a_subscription_never_receives_events_its_organisation_may_not_see(
    hooks: httpx.AsyncClient,
    platform: Platform,
    client: httpx.AsyncClient,
    provider: Provider,
    directory: Directory,
    auth: TokenFactory,
    receiver: Receiver,
    worker: DeliveryWorker,
) -> None:
    organisation_id, contract_id = await directory.provider_with_contract()
    beta = Provider(organisation_id, contract_id, auth(organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER))
    created = await subscribe(hooks, beta.caseworker, receiver.url, ["*"])
    receiver.secret = created["secret"]
    hook = Hook(created["subscription_id"], beta.caseworker, created)
    try:
        await register_ok(client, provider.caseworker, provider.body())
        theirs = await register_ok(client, beta.caseworker, beta.body())
        await subscriber_passed_head(platform)
        assert [d["event_type"] for d in await delivery_log(hooks, hook)] == ["complaint.registered.v1"]
        assert await worker.run_once(uuid.UUID(hook.subscription_id)) == 1
        (payload,) = receiver.processed.values()
        assert payload["stream"] == f"complaint-{theirs['complaint_id']}"
    finally:
        await hooks.delete(f"/webhooks/{hook.subscription_id}", headers=beta.caseworker)


async def test_another_organisation_sees_no_subscription(
    hooks: httpx.AsyncClient, hook: Hook, auth: TokenFactory
) -> None:
    other = auth("provider-elsewhere", OrganisationKind.PROVIDER, Role.CASEWORKER)
    path = f"/webhooks/{hook.subscription_id}"
    for response in (
        await hooks.get(path, headers=other),
        await hooks.get(f"{path}/deliveries", headers=other),
        await hooks.delete(path, headers=other),
    ):
        assert_problem(response, 404, "not-found")
    listed = await hooks.get("/webhooks", headers=other)
    assert hook.subscription_id not in {s["subscription_id"] for s in listed.json()["items"]}
    mine = await hooks.get(path, headers=hook.headers)
    assert mine.status_code == 200
    assert mine.json()["status"] == "active"


async def test_the_secret_is_shown_once_and_never_stored_in_plain_text(
    hooks: httpx.AsyncClient, platform: Platform, provider: Provider, receiver: Receiver
) -> None:
    key = str(uuid.uuid4())
    created = await subscribe(hooks, provider.caseworker, receiver.url, ["complaint.*"], key=key)
    secret, subscription_id = created["secret"], created["subscription_id"]
    assert secret.startswith("whsec_")
    # A retry of the same request answers the same subscription and secret (R63).
    again = await subscribe(hooks, provider.caseworker, receiver.url, ["complaint.*"], key=key)
    assert (again["subscription_id"], again["secret"]) == (subscription_id, secret)
    read = await hooks.get(f"/webhooks/{subscription_id}", headers=provider.caseworker)
    listed = await hooks.get("/webhooks", headers=provider.caseworker)
    assert "secret" not in read.json()
    assert secret not in read.text
    assert secret not in listed.text
    async with platform.pool.acquire() as conn:
        stored = await conn.fetch(
            "SELECT data::text FROM events WHERE stream_id = $1 UNION ALL "
            "SELECT body::text FROM idempotency_keys WHERE key = $2 UNION ALL "
            "SELECT secret::text FROM webhook_subscriptions WHERE subscription_id = $3",
            f"webhook-{subscription_id}",
            key,
            uuid.UUID(subscription_id),
        )
    assert len(stored) == 3
    assert all(secret not in row[0] for row in stored)

    deleted = await hooks.delete(f"/webhooks/{subscription_id}", headers=provider.caseworker)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["status"] == "deleted"
    # The secret's key is destroyed: even the stored response of the registration no longer opens it.
    replay = await subscribe(hooks, provider.caseworker, receiver.url, ["complaint.*"], key=key)
    assert replay["secret"] == "[erased]"
    again_deleted = await hooks.delete(f"/webhooks/{subscription_id}", headers=provider.caseworker)
    assert again_deleted.status_code == 200
    listed_after = await hooks.get("/webhooks", headers=provider.caseworker)
    statuses = {s["subscription_id"]: s["status"] for s in listed_after.json()["items"]}
    assert statuses[subscription_id] == "deleted"


async def test_deleting_cancels_pending_deliveries_and_stops_new_ones(
    hooks: httpx.AsyncClient,
    platform: Platform,
    client: httpx.AsyncClient,
    provider: Provider,
    hook: Hook,
    receiver: Receiver,
    worker: DeliveryWorker,
) -> None:
    await register_ok(client, provider.caseworker, provider.body())
    await enqueued(hooks, hook)
    response = await hooks.delete(f"/webhooks/{hook.subscription_id}", headers=hook.headers)
    assert response.status_code == 200, response.text
    await register_ok(client, provider.caseworker, provider.body())
    await subscriber_passed_head(platform)
    (cancelled,) = await delivery_log(hooks, hook)
    assert cancelled["status"] == "cancelled"
    assert await worker.run_once(uuid.UUID(hook.subscription_id)) == 0
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"url": "http://crm.example/hooks", "event_types": ["*"]}, "url", "https"),
        ({"url": "https://u:p@crm.example/hooks", "event_types": ["*"]}, "url", "no-credentials"),
        ({"url": "https://crm.example/hooks", "event_types": []}, "event_types", "too_short"),
        (
            {"url": "https://crm.example/hooks", "event_types": ["Complaint Registered"]},
            "event_types.0",
            "string_pattern_mismatch",
        ),
        (
            {"url": "https://crm.example/hooks", "event_types": ["*"], "filters": {"stream_types": ["directory"]}},
            "filters.stream_types.0",
            "literal_error",
        ),
        ({"url": "https://crm.example/hooks", "event_types": ["*"], "secret": "mine"}, "secret", "extra_forbidden"),
    ],
)
async def test_a_bad_registration_is_a_422_naming_the_field(
    hooks: httpx.AsyncClient, provider: Provider, body: dict[str, Any], field: str, rule: str
) -> None:
    response = await hooks.post("/webhooks", headers=provider.caseworker, json=body)
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {field: rule}


async def test_the_webhook_operations_follow_the_api_conventions(hooks: httpx.AsyncClient) -> None:
    from tests.api.test_conventions import convention_gaps

    spec = (await hooks.get("/openapi.json")).json()
    ids = {op["operationId"] for ops in spec["paths"].values() for op in ops.values()}
    own = {i for i in ids if i.startswith("webhooks-")}
    assert own == {"webhooks-register", "webhooks-list", "webhooks-get", "webhooks-delete", "webhooks-deliveries"}
    assert convention_gaps(spec, own) == {}
    assert "X-Webhook-Signature" in spec["paths"]["/webhooks"]["post"]["description"]
