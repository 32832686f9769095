"""A feed item: personal values masked at any depth (R62), the actor's user only for its own organisation."""

from __future__ import annotations

import json
import uuid

from shared.eventstore.model import LogPosition
from shared.feed.cursor import decode_cursor
from shared.feed.items import PERSONAL_MARKER, FeedItem, feed_item, mask_personal
from shared.personal_data import seal_value
from tests.unit.feed.helpers import recorded

KEY = bytes(range(32))
SUBJECT = uuid.uuid4()


def sealed(text: str) -> dict[str, object]:
    return seal_value(SUBJECT, KEY, text)


def test_every_sealed_value_is_masked_at_any_depth() -> None:
    data = {
        "complaint_id": "c1",
        "complainant": {"kind": "participant", "name": sealed("Sam Example"), "email": None},
        "elements": [{"category": "d", "summary": sealed("cancelled three times")}],
        "tags": [sealed("x"), "plain"],
    }
    assert mask_personal(data) == {
        "complaint_id": "c1",
        "complainant": {"kind": "participant", "name": PERSONAL_MARKER, "email": None},
        "elements": [{"category": "d", "summary": PERSONAL_MARKER}],
        "tags": [PERSONAL_MARKER, "plain"],
    }


def test_an_item_carries_no_envelope_and_validates() -> None:
    event = recorded(
        "complaint.registered", {"complainant": {"name": sealed("Sam Example")}}, position=LogPosition(7, 9)
    )
    item = feed_item(event, "provider-alpha")
    text = json.dumps(item)
    assert "$personal" not in text
    assert item["type"] == "complaint.registered.v1"
    assert item["business_date"] == "2026-11-23"
    assert decode_cursor(item["cursor"]) == LogPosition(7, 9)
    FeedItem.model_validate(item)


def test_the_actor_user_is_shown_only_to_its_own_organisation() -> None:
    event = recorded("complaint.registered")
    assert feed_item(event, "provider-alpha")["actor"]["user_id"] == "user-1"
    other = feed_item(event, "jobcentre-leeds")["actor"]
    assert other == {
        "organisation_id": "provider-alpha",
        "organisation_kind": "provider",
        "role": "caseworker",
        "user_id": None,
    }
