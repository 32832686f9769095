"""Webhook matching, signatures and backoff: pure rules, exact numbers."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import pytest

from shared.feed.visibility import COMPLAINT, ICE_CASE, StreamFacts
from shared.feed.webhooks.delivery import RetryPolicy
from shared.feed.webhooks.events import WebhookFilters
from shared.feed.webhooks.matching import type_matches, wanted
from shared.feed.webhooks.signing import new_secret, signature, verify
from tests.unit.feed.helpers import recorded

REGISTERED_V2 = recorded("complaint.registered", schema_version=2)
FACTS = StreamFacts(COMPLAINT, True, "provider-alpha", "provider-alpha", "ipes")


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("*", True),
        ("complaint.*", True),
        ("complaint.registered", True),
        ("complaint.registered.v2", True),
        ("complaint.registered.v1", False),
        ("complaint.reg", False),
        ("ice.*", False),
        ("complaint.registered.*", True),
    ],
)
def test_event_type_patterns(pattern: str, matches: bool) -> None:
    assert type_matches(pattern, REGISTERED_V2) is matches


@pytest.mark.parametrize(
    ("filters", "matches"),
    [
        (WebhookFilters(), True),
        (WebhookFilters(stream_types=(COMPLAINT,)), True),
        (WebhookFilters(stream_types=(ICE_CASE,)), False),
        (WebhookFilters(programmes=("atw", "ipes")), True),
        (WebhookFilters(programmes=("atw",)), False),
        (WebhookFilters(provider_organisation_ids=("provider-alpha",)), True),
        (WebhookFilters(provider_organisation_ids=("provider-beta",)), False),
    ],
)
def test_filters_narrow(filters: WebhookFilters, matches: bool) -> None:
    assert wanted(("complaint.*",), filters, REGISTERED_V2, FACTS) is matches


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"a":1}'
    expected = hmac.new(b"whsec_k", b"1795000000." + body, hashlib.sha256).hexdigest()
    assert signature("whsec_k", "1795000000", body) == f"v1={expected}"


def test_a_receiver_verifies_a_fresh_signature_and_refuses_the_rest() -> None:
    body, ts = b'{"a":1}', "1795000000"
    header = signature("whsec_k", ts, body)
    assert verify("whsec_k", ts, body, header, now=1795000100)
    assert verify("whsec_k", ts, body, f"v1=00, {header}", now=1795000000)
    assert not verify("whsec_other", ts, body, header, now=1795000000)
    assert not verify("whsec_k", ts, b'{"a":2}', header, now=1795000000)
    assert not verify("whsec_k", ts, body, header, now=1795000301)
    assert not verify("whsec_k", "soon", body, header, now=1795000000)


def test_secrets_are_fresh_and_long() -> None:
    one, two = new_secret(), new_secret()
    assert one != two
    assert one.startswith("whsec_")
    assert len(one) >= 40


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_seconds=10, cap_seconds=100)
    assert [policy.backoff(n) for n in range(1, 7)] == [10, 20, 40, 80, 100, 100]


def test_the_documented_verification_snippet_accepts_our_signatures_and_refuses_others() -> None:
    from shared.feed.webhooks.api import SIGNATURE_DOC

    code = SIGNATURE_DOC.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "snippet", "exec"), namespace)
    body, timestamp = b'{"delivery_id":"d1"}', str(int(time.time()))
    headers = {"X-Webhook-Timestamp": timestamp, "X-Webhook-Signature": signature("whsec_k", timestamp, body)}
    assert namespace["verify"]("whsec_k", headers, body)
    assert not namespace["verify"]("whsec_other", headers, body)
    assert not namespace["verify"]("whsec_k", headers, body + b" ")
