"""Personal data sealed per data subject (R62): sealing, opening, revealing as erased or withheld."""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag

from shared.personal_data import (
    ERASED,
    MARKER,
    WITHHELD,
    KeyWrapper,
    collect_subjects,
    is_sealed,
    open_value,
    replace_sealed,
    seal_value,
    sealed_subject,
)


@pytest.fixture
def subject() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def key() -> bytes:
    return os.urandom(32)


def _with(envelope: dict[str, Any], **inner: str) -> dict[str, Any]:
    return {MARKER: {**envelope[MARKER], **inner}}


def test_seal_and_open_round_trip(subject: uuid.UUID, key: bytes) -> None:
    envelope = seal_value(subject, key, "Zebedee Quartermaine, 1 Lane, York")
    assert is_sealed(envelope)
    assert set(envelope[MARKER]) == {"s", "n", "c"}
    assert envelope[MARKER]["s"] == str(subject)
    assert sealed_subject(envelope) == subject
    assert "Zebedee" not in str(envelope)
    assert open_value(key, envelope) == "Zebedee Quartermaine, 1 Lane, York"


def test_sealing_is_randomised(subject: uuid.UUID, key: bytes) -> None:
    first, second = seal_value(subject, key, "same"), seal_value(subject, key, "same")
    assert first[MARKER]["n"] != second[MARKER]["n"]
    assert first[MARKER]["c"] != second[MARKER]["c"]
    assert open_value(key, first) == open_value(key, second) == "same"


def test_unicode_and_empty_values_round_trip(subject: uuid.UUID, key: bytes) -> None:
    for value in ("Siân O'Brien-Ó Dálaigh ✓", ""):
        assert open_value(key, seal_value(subject, key, value)) == value


def test_another_key_cannot_open(subject: uuid.UUID, key: bytes) -> None:
    envelope = seal_value(subject, key, "secret")
    with pytest.raises(InvalidTag):
        open_value(os.urandom(32), envelope)


def test_an_envelope_is_bound_to_its_subject(subject: uuid.UUID, key: bytes) -> None:
    envelope = seal_value(subject, key, "secret")
    with pytest.raises(InvalidTag):
        open_value(key, _with(envelope, s=str(uuid.uuid4())))


def test_is_sealed() -> None:
    assert is_sealed({MARKER: {}})
    assert not is_sealed({MARKER: {}, "other": 1})
    assert not is_sealed("text")
    assert not is_sealed(None)
    assert not is_sealed({"name": "x"})


def _document(first: uuid.UUID, first_key: bytes, second: uuid.UUID, second_key: bytes) -> dict[str, Any]:
    return {
        "complaint_id": "c-1",
        "count": 3,
        "complainant": {"name": seal_value(first, first_key, "Ann"), "phone": None},
        "elements": [
            {"summary": seal_value(first, first_key, "late"), "category": "d"},
            {"summary": seal_value(second, second_key, "rude")},
        ],
    }


def test_replace_sealed_reveals_live_keys_and_erases_destroyed_ones(subject: uuid.UUID, key: bytes) -> None:
    other, other_key = uuid.uuid4(), os.urandom(32)
    document = _document(subject, key, other, other_key)
    assert collect_subjects(document) == {subject, other}
    assert replace_sealed(document, {subject: key, other: None}) == {
        "complaint_id": "c-1",
        "count": 3,
        "complainant": {"name": "Ann", "phone": None},
        "elements": [{"summary": "late", "category": "d"}, {"summary": ERASED}],
    }


def test_replace_sealed_erases_when_the_subject_is_unknown(subject: uuid.UUID, key: bytes) -> None:
    assert replace_sealed([seal_value(subject, key, "x")], {}) == [ERASED]


def test_replace_sealed_withholds_when_not_allowed(subject: uuid.UUID, key: bytes) -> None:
    other, other_key = uuid.uuid4(), os.urandom(32)
    revealed = replace_sealed(_document(subject, key, other, other_key), {subject: key}, allowed=False)
    assert revealed["complainant"] == {"name": WITHHELD, "phone": None}
    assert [e["summary"] for e in revealed["elements"]] == [WITHHELD, WITHHELD]
    assert revealed["count"] == 3


def test_replace_sealed_leaves_plain_documents_alone() -> None:
    document = {"a": [1, "two", {"b": None}], "c": True}
    assert replace_sealed(document, {}) == document
    assert collect_subjects(document) == set()


def _flip_last_byte(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[-1] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: _with(e, c=_flip_last_byte(e[MARKER]["c"])),
        lambda e: _with(e, c=base64.b64encode(base64.b64decode(e[MARKER]["c"])[:-4]).decode()),
        lambda e: _with(e, c=""),
        lambda e: _with(e, n=_flip_last_byte(e[MARKER]["n"])),
        lambda e: _with(e, c=seal_value(uuid.uuid4(), os.urandom(32), "other")[MARKER]["c"]),
    ],
    ids=["flipped-bit", "truncated", "empty", "other-nonce", "spliced"],
)
def test_a_tampered_envelope_reveals_as_erased(subject: uuid.UUID, key: bytes, tamper: Any) -> None:
    envelope = seal_value(subject, key, "Ann")
    assert replace_sealed({"name": tamper(envelope)}, {subject: key}) == {"name": ERASED}


@pytest.mark.parametrize("inner", [{"c": "abc"}, {"n": ""}, {"n": "AAAA"}], ids=["bad-base64", "no-nonce", "short"])
def test_a_malformed_envelope_reveals_as_erased(subject: uuid.UUID, key: bytes, inner: dict[str, str]) -> None:
    envelope = seal_value(subject, key, "Ann")
    assert replace_sealed({"name": _with(envelope, **inner)}, {subject: key}) == {"name": ERASED}


# Key wrapping under the master key


def test_key_wrapper_round_trip(subject: uuid.UUID, key: bytes) -> None:
    master = os.urandom(32)
    wrapped = KeyWrapper(master).wrap(subject, key)
    assert key not in wrapped
    assert len(wrapped) == 12 + 32 + 16
    assert KeyWrapper(master).unwrap(subject, wrapped) == key


def test_key_wrapper_rejects_a_wrong_master_key(subject: uuid.UUID, key: bytes) -> None:
    wrapped = KeyWrapper(os.urandom(32)).wrap(subject, key)
    with pytest.raises(InvalidTag):
        KeyWrapper(os.urandom(32)).unwrap(subject, wrapped)


def test_key_wrapper_binds_the_key_to_its_subject(subject: uuid.UUID, key: bytes) -> None:
    master = os.urandom(32)
    wrapped = KeyWrapper(master).wrap(subject, key)
    with pytest.raises(InvalidTag):
        KeyWrapper(master).unwrap(uuid.uuid4(), wrapped)


@pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
def test_key_wrapper_needs_a_32_byte_master_key(length: int) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        KeyWrapper(os.urandom(length))
