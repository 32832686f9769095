"""GET /feed: the events a caller may see, in log order, personal values masked, with a long poll (R61, R62)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import OrganisationKind, Role
from shared.clock import FixedClock, business_date
from shared.eventstore.model import START, LogPosition
from shared.feed.api import FEED_OPTIONS
from shared.feed.api import router as feed_router
from shared.feed.cursor import encode_cursor
from shared.feed.items import PERSONAL_MARKER
from shared.feed.reader import FeedOptions
from shared.http.app import ServiceSpec, create_service_app
from shared.http.platform import Platform
from shared.settings import Settings
from tests.api.conftest import TokenFactory
from tests.api.helpers import Directory, Provider, assert_problem, error_fields, register_ok

SPEC = ServiceSpec(
    name="feed-test",
    title="Feed under test",
    description="The feed router alone.",
    routers=[feed_router],
    tags=[{"name": "feed", "description": "Events pushed to other systems (R61, R62)"}],
)
PAGES = 50
"""Pages a reader follows before giving up on what it waits for."""

Items = list[dict[str, Any]]


@pytest.fixture(scope="module")
async def feed_app(settings: Settings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    app = create_service_app(SPEC, settings, clock)
    async with app.router.lifespan_context(app):
        app.state.platform.resources[FEED_OPTIONS] = FeedOptions(poll_seconds=0.05)
        yield app


@pytest.fixture(scope="module")
async def feed(feed_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=feed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://feed.test", timeout=60) as c:
        yield c


async def head_cursor(app: FastAPI) -> str:
    """A cursor at the last event now in the log: what a test reads after."""
    platform: Platform = app.state.platform
    async with platform.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT tx_id, position FROM events ORDER BY tx_id DESC, position DESC LIMIT 1")
    return encode_cursor(START if row is None else LogPosition(row["tx_id"], row["position"]))


async def read_until(
    feed: httpx.AsyncClient,
    headers: dict[str, str],
    after: str,
    done: Callable[[Items], bool],
    texts: list[str] | None = None,
) -> Items:
    """Follow the feed from `after` until `done(items so far)`, long-polling at the head."""
    items: Items = []
    for _ in range(PAGES):
        response = await feed.get("/feed", headers=headers, params={"after": after, "limit": 500, "wait": 5})
        assert response.status_code == 200, response.text
        if texts is not None:
            texts.append(response.text)
        page = response.json()
        items += page["items"]
        after = page["next_cursor"]
        if done(items):
            return items
    raise AssertionError(f"the feed never showed what was waited for; got {[i['stream'] for i in items]}")


def streams(items: Items) -> set[str]:
    return {item["stream"] for item in items}


async def other_provider(directory: Directory, auth: TokenFactory) -> Provider:
    organisation_id, contract_id = await directory.provider_with_contract()
    return Provider(organisation_id, contract_id, auth(organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER))


async def test_a_provider_sees_its_own_complaint_events_and_never_another_providers(
    feed: httpx.AsyncClient,
    feed_app: FastAPI,
    client: httpx.AsyncClient,
    provider: Provider,
    directory: Directory,
    auth: TokenFactory,
    admin: dict[str, str],
    clock: FixedClock,
) -> None:
    beta = await other_provider(directory, auth)
    start = await head_cursor(feed_app)
    theirs = await register_ok(client, beta.caseworker, beta.body())
    body = provider.body()
    mine = await register_ok(client, provider.caseworker, body)
    my_stream, their_stream = f"complaint-{mine['complaint_id']}", f"complaint-{theirs['complaint_id']}"

    texts: list[str] = []
    seen = await read_until(feed, provider.caseworker, start, lambda items: my_stream in streams(items), texts)
    # Everything a fresh provider sees after `start` is its own complaint's.
    assert streams(seen) == {my_stream}
    # The other provider's complaint was in the same stretch of the log: DWP's administrator sees both.
    everything = await read_until(feed, admin, start, lambda items: {my_stream, their_stream} <= streams(items))
    assert [i["stream"] for i in everything].index(their_stream) < [i["stream"] for i in everything].index(my_stream)

    registered = next(i for i in seen if i["type"] == "complaint.registered.v1")
    assert registered["stream_type"] == "complaint"
    assert registered["business_date"] == business_date(clock.now()).isoformat()
    assert registered["data"]["provider_organisation_id"] == provider.organisation_id
    # The actor's user is shown to its own organisation only.
    assert registered["actor"]["organisation_id"] == provider.organisation_id
    assert registered["actor"]["user_id"] is not None
    mine_seen_by_dwp = next(i for i in everything if i["stream"] == my_stream)
    assert mine_seen_by_dwp["actor"]["user_id"] is None

    # No personal value, sealed or plain, is ever in the feed (R62).
    assert registered["data"]["complainant"]["name"] == PERSONAL_MARKER
    assert registered["data"]["elements"][0]["summary"] == PERSONAL_MARKER
    for text in texts:
        assert "$personal" not in text
        for value in (body["complainant"]["name"], body["complainant"]["email"], body["elements"][0]["summary"]):
            assert value not in text


async def test_a_staff_complaint_is_in_the_feed_only_for_the_cleared(
    feed: httpx.AsyncClient, feed_app: FastAPI, client: httpx.AsyncClient, provider: Provider, auth: TokenFactory
) -> None:
    cleared = auth(provider.organisation_id, OrganisationKind.PROVIDER, Role.CASEWORKER, Role.STAFF_COMPLAINTS)
    start = await head_cursor(feed_app)
    staff = await register_ok(
        client, cleared, provider.body(staff_complaint={"responsible_team_leader_user_id": "team-leader-3"})
    )
    plain = await register_ok(client, provider.caseworker, provider.body())
    staff_stream, plain_stream = f"complaint-{staff['complaint_id']}", f"complaint-{plain['complaint_id']}"

    uncleared_view = await read_until(feed, provider.caseworker, start, lambda items: plain_stream in streams(items))
    assert streams(uncleared_view) == {plain_stream}
    cleared_view = await read_until(feed, cleared, start, lambda items: plain_stream in streams(items))
    assert streams(cleared_view) == {staff_stream, plain_stream}


async def test_a_long_poll_answers_when_an_event_arrives(
    feed: httpx.AsyncClient, feed_app: FastAPI, client: httpx.AsyncClient, provider: Provider
) -> None:
    start = await head_cursor(feed_app)

    async def register_shortly() -> dict[str, Any]:
        await asyncio.sleep(0.3)
        return await register_ok(client, provider.caseworker, provider.body())

    registering = asyncio.create_task(register_shortly())
    response = await feed.get("/feed", headers=provider.caseworker, params={"after": start, "wait": 30})
    created = await registering
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["items"], "the long poll answered without the event"
    assert streams(page["items"]) == {f"complaint-{created['complaint_id']}"}
    assert page["items"][0]["type"] == "complaint.registered.v1"
    assert page["next_cursor"] == page["items"][-1]["cursor"]


async def test_nothing_new_answers_an_empty_page_that_keeps_its_place(
    feed: httpx.AsyncClient, feed_app: FastAPI, provider: Provider
) -> None:
    start = await head_cursor(feed_app)
    response = await feed.get("/feed", headers=provider.caseworker, params={"after": start, "wait": 0})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["items"] == []
    # The cursor never goes back: reading on from it is reading on from `start` or later.
    again = await feed.get("/feed", headers=provider.caseworker, params={"after": page["next_cursor"]})
    assert again.status_code == 200


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"after": "not-a-cursor"}, "query.after", "cursor"),
        ({"after": "ZjE6MS4"}, "query.after", "cursor"),
        ({"after": "x" * 65}, "query.after", "string_too_long"),
        ({"limit": 0}, "query.limit", "greater_than_equal"),
        ({"limit": 501}, "query.limit", "less_than_equal"),
        ({"limit": "many"}, "query.limit", "int_parsing"),
        ({"wait": 31}, "query.wait", "less_than_equal"),
        ({"wait": -1}, "query.wait", "greater_than_equal"),
    ],
)
async def test_bad_parameters_are_422_problems_naming_the_field(
    feed: httpx.AsyncClient, provider: Provider, params: dict[str, Any], field: str, rule: str
) -> None:
    response = await feed.get("/feed", headers=provider.caseworker, params=params)
    problem = assert_problem(response, 422, "validation")
    assert error_fields(problem) == {field: rule}


async def test_the_feed_needs_a_bearer_token(feed: httpx.AsyncClient) -> None:
    assert_problem(await feed.get("/feed"), 401, "unauthorized")


async def test_the_feed_operation_follows_the_api_conventions(feed: httpx.AsyncClient) -> None:
    from tests.api.test_conventions import convention_gaps

    spec = json.loads((await feed.get("/openapi.json")).text)
    assert spec["paths"]["/feed"]["get"]["operationId"] == "feed-read"
    assert convention_gaps(spec, {"feed-read"}) == {}
