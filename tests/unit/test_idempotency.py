"""Idempotency keys (R63): request fingerprints and the event ids a keyed request derives."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from shared.idempotency import KEY_NAMESPACE, event_id_for, request_fingerprint, stored_headers

SECRET = b"s" * 32
BASE = ("POST", "/complaints", "", b'{"a":1}')


def test_the_fingerprint_is_stable() -> None:
    first = request_fingerprint(SECRET, *BASE)
    assert first == request_fingerprint(SECRET, *BASE)
    assert len(first) == 64
    assert int(first, 16) >= 0


@pytest.mark.parametrize(
    "changed",
    [
        ("PUT", "/complaints", "", b'{"a":1}'),
        ("POST", "/complaints/1/acknowledgement", "", b'{"a":1}'),
        ("POST", "/complaints", "x=1", b'{"a":1}'),
        ("POST", "/complaints", "", b'{"a":2}'),
        ("POST", "/complaints", "", b'{"a": 1}'),
        ("POST", "/complaints", "", b""),
    ],
    ids=["method", "path", "query", "body", "whitespace", "empty-body"],
)
def test_the_fingerprint_differs_by_method_path_query_and_body(changed: tuple[str, str, str, bytes]) -> None:
    assert request_fingerprint(SECRET, *changed) != request_fingerprint(SECRET, *BASE)


def test_the_fingerprint_is_length_prefixed() -> None:
    # Moving bytes from one part to the next must change it (no ambiguous concatenation).
    assert request_fingerprint(SECRET, "POST", "/ab", "", b"c") != request_fingerprint(SECRET, "POST", "/a", "b", b"c")
    assert request_fingerprint(SECRET, "POST", "/a", "bc", b"") != request_fingerprint(SECRET, "POST", "/a", "b", b"c")


def test_the_fingerprint_is_keyed() -> None:
    assert request_fingerprint(b"t" * 32, *BASE) != request_fingerprint(SECRET, *BASE)
    # It says nothing of the body to someone without the secret.
    assert request_fingerprint(SECRET, *BASE) != hashlib.sha256(BASE[3]).hexdigest()


def test_event_id_for_is_stable_and_a_uuid5() -> None:
    first = event_id_for("provider-a/user-1", "key-1", "fp-1", "complaint-1", 0)
    assert first == event_id_for("provider-a/user-1", "key-1", "fp-1", "complaint-1", 0)
    assert first.version == 5
    assert first == uuid.uuid5(KEY_NAMESPACE, "provider-a/user-1\x1fkey-1\x1ffp-1\x1fcomplaint-1\x1f0")


@pytest.mark.parametrize(
    "changed",
    [
        ("provider-b/user-1", "key-1", "fp-1", "complaint-1", 0),
        ("provider-a/user-1", "key-2", "fp-1", "complaint-1", 0),
        ("provider-a/user-1", "key-1", "fp-2", "complaint-1", 0),
        ("provider-a/user-1", "key-1", "fp-1", "complaint-2", 0),
        ("provider-a/user-1", "key-1", "fp-1", "complaint-1", 1),
    ],
    ids=["scope", "key", "request", "stream", "index"],
)
def test_event_id_for_differs_by_scope_key_request_stream_and_index(changed: tuple[str, str, str, str, int]) -> None:
    assert event_id_for(*changed) != event_id_for("provider-a/user-1", "key-1", "fp-1", "complaint-1", 0)


def test_stored_headers_keep_only_what_a_replay_needs() -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"location", b"/complaints/1"),
        (b"etag", b'"1"'),
        (b"x-request-id", b"req-1"),
        (b"set-cookie", b"a=b"),
        (b"content-length", b"10"),
    ]
    assert stored_headers(headers) == {
        "content-type": "application/json",
        "location": "/complaints/1",
        "etag": '"1"',
    }
