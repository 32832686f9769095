"""Personal data (R62): every personal value is encrypted under its data subject's own key.

Each data subject (a complainant, a representative) has a random AES-256 data key, stored only
wrapped by the master key from settings. Personal values enter the event log, read models and
stored idempotent responses only as sealed envelopes:

    {"$personal": {"s": "<subject uuid>", "n": "<nonce b64>", "c": "<ciphertext b64>"}}

Erasure destroys the subject's data key. From then on every envelope of that subject, in old
events, read models, stored responses and backups taken after the key's destruction, reveals as
`ERASED`, while the events themselves, their counts and statistics stay intact.
"""

from __future__ import annotations

import base64
import contextlib
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.db import ConnectionSource, own_connection, raw_connection

MARKER = "$personal"
ERASED = "[erased]"
WITHHELD = "[withheld]"


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and MARKER in value


def sealed_subject(value: Mapping[str, Any]) -> uuid.UUID:
    return uuid.UUID(value[MARKER]["s"])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class KeyWrapper:
    """Wraps and unwraps data keys under the master key (AES-GCM, subject id as associated data)."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes")
        self._aead = AESGCM(master_key)

    def wrap(self, subject_id: uuid.UUID, data_key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data_key, subject_id.bytes)

    def unwrap(self, subject_id: uuid.UUID, wrapped: bytes) -> bytes:
        return self._aead.decrypt(wrapped[:12], wrapped[12:], subject_id.bytes)


def seal_value(subject_id: uuid.UUID, data_key: bytes, value: str) -> dict[str, Any]:
    nonce = os.urandom(12)
    ciphertext = AESGCM(data_key).encrypt(nonce, value.encode(), subject_id.bytes)
    return {MARKER: {"s": str(subject_id), "n": _b64(nonce), "c": _b64(ciphertext)}}


def erased_envelope(subject_id: uuid.UUID) -> dict[str, Any]:
    """An envelope with no content, for a value given after its subject's erasure: it reads as ERASED."""
    return {MARKER: {"s": str(subject_id), "n": "", "c": ""}}


def open_value(data_key: bytes, envelope: Mapping[str, Any]) -> str:
    inner = envelope[MARKER]
    subject = uuid.UUID(inner["s"])
    plain = AESGCM(data_key).decrypt(base64.b64decode(inner["n"]), base64.b64decode(inner["c"]), subject.bytes)
    return plain.decode()


def collect_subjects(value: Any, into: set[uuid.UUID] | None = None) -> set[uuid.UUID]:
    found = set() if into is None else into
    if is_sealed(value):
        found.add(sealed_subject(value))
    elif isinstance(value, dict):
        for item in value.values():
            collect_subjects(item, found)
    elif isinstance(value, list):
        for item in value:
            collect_subjects(item, found)
    return found


def replace_sealed(value: Any, opened: Mapping[uuid.UUID, bytes | None], allowed: bool = True) -> Any:
    """Replace every envelope: plaintext where the key is live, ERASED where it was destroyed."""
    if is_sealed(value):
        if not allowed:
            return WITHHELD
        key = opened.get(sealed_subject(value))
        if key is None:
            return ERASED
        try:
            return open_value(key, value)
        except (InvalidTag, ValueError, KeyError, TypeError):
            # Tampered or malformed: unreadable, like an erased value (binascii.Error is a ValueError).
            return ERASED
    if isinstance(value, dict):
        return {k: replace_sealed(v, opened, allowed) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_sealed(v, opened, allowed) for v in value]
    return value


_REQUEST_KEYS: ContextVar[dict[uuid.UUID, bytes] | None] = ContextVar("request_keys", default=None)


@contextlib.contextmanager
def request_keys() -> Iterator[None]:
    """Within it, a data key this request created or unwrapped is not read again to reveal its response (the
    reveal middleware spans a request with it). The keys live in memory for the request only."""
    token = _REQUEST_KEYS.set({})
    try:
        yield
    finally:
        _REQUEST_KEYS.reset(token)


def _remember(subject_id: uuid.UUID, data_key: bytes | None) -> None:
    known = _REQUEST_KEYS.get()
    if known is None:
        return
    if data_key is None:
        known.pop(subject_id, None)
    else:
        known[subject_id] = data_key


class PersonalDataVault:
    def __init__(self, db: ConnectionSource, master_key: bytes) -> None:
        self._engine = db
        self._wrapper = KeyWrapper(master_key)

    async def seal_for_new_subject(
        self, values: Mapping[str, str | None], now: datetime
    ) -> tuple[uuid.UUID, dict[str, Any]]:
        """Create a data subject and seal its values; `None` values stay `None`."""
        subject_id = uuid.uuid4()
        data_key = AESGCM.generate_key(bit_length=256)
        async with raw_connection(self._engine) as conn:
            await conn.execute(
                "INSERT INTO data_subject_keys (subject_id, wrapped_key, created_at) VALUES ($1, $2, $3)",
                subject_id,
                self._wrapper.wrap(subject_id, data_key),
                now,
            )
        _remember(subject_id, data_key)
        sealed = {name: None if v is None else seal_value(subject_id, data_key, v) for name, v in values.items()}
        return subject_id, sealed

    async def seal(self, subject_id: uuid.UUID, values: Mapping[str, str | None]) -> dict[str, Any]:
        """Seal more values for an existing subject (refused once the subject is erased)."""
        keys = await self._data_keys([subject_id])
        data_key = keys.get(subject_id)
        if data_key is None:
            raise SubjectErased(subject_id)
        return {name: None if v is None else seal_value(subject_id, data_key, v) for name, v in values.items()}

    async def seal_or_discard(self, subject_id: uuid.UUID, values: Mapping[str, str | None]) -> dict[str, Any]:
        """As `seal`; once the subject is erased, each value is discarded and an empty envelope of the subject
        stands in for it, which reads as `ERASED` everywhere: the process goes on (a final response is still
        owed after an erasure), and nothing of the person is kept."""
        try:
            return await self.seal(subject_id, values)
        except SubjectErased:
            return {name: None if v is None else erased_envelope(subject_id) for name, v in values.items()}

    async def reveal(self, value: Any, allowed: bool = True) -> Any:
        subjects = collect_subjects(value)
        if not subjects:
            return value
        keys = await self._data_keys(subjects) if allowed else {}
        return replace_sealed(value, keys, allowed)

    async def erase(self, subject_id: uuid.UUID, now: datetime) -> bool:
        """Destroy the subject's key. Returns False when it was already erased; raises if unknown.

        On a connection of its own, committed at once: VACUUM cannot run inside a request's transaction,
        and an erasure stands even if what the request does next fails."""
        _remember(subject_id, None)
        async with own_connection(self._engine) as conn:
            status = await conn.execute(
                """UPDATE data_subject_keys SET wrapped_key = NULL, erased_at = $2
                   WHERE subject_id = $1 AND erased_at IS NULL""",
                subject_id,
                now,
            )
            if status == "UPDATE 1":
                # The old row version keeps the wrapped key on disk until vacuumed.
                await conn.execute("VACUUM data_subject_keys")
                return True
            exists = await conn.fetchval("SELECT 1 FROM data_subject_keys WHERE subject_id = $1", subject_id)
            if not exists:
                raise UnknownSubject(subject_id)
            return False

    async def status(self, subject_id: uuid.UUID) -> datetime | bool | None:
        """None: no such subject; False: live; a datetime: erased at."""
        async with raw_connection(self._engine) as conn:
            row = await conn.fetchrow("SELECT erased_at FROM data_subject_keys WHERE subject_id = $1", subject_id)
        if row is None:
            return None
        return row["erased_at"] or False

    async def _data_keys(self, subjects: Iterable[uuid.UUID]) -> dict[uuid.UUID, bytes | None]:
        known = _REQUEST_KEYS.get() or {}
        keys: dict[uuid.UUID, bytes | None] = {}
        wanted = []
        for subject in subjects:
            if subject in known:
                keys[subject] = known[subject]
            else:
                wanted.append(subject)
        if not wanted:
            return keys
        async with raw_connection(self._engine) as conn:
            rows = await conn.fetch(
                "SELECT subject_id, wrapped_key FROM data_subject_keys WHERE subject_id = ANY($1::uuid[])",
                wanted,
            )
        for r in rows:
            key = None if r["wrapped_key"] is None else self._wrapper.unwrap(r["subject_id"], r["wrapped_key"])
            keys[r["subject_id"]] = key
            _remember(r["subject_id"], key)
        return keys


class SubjectErased(Exception):
    def __init__(self, subject_id: uuid.UUID) -> None:
        super().__init__(f"data subject {subject_id} has been erased")
        self.subject_id = subject_id


class UnknownSubject(Exception):
    def __init__(self, subject_id: uuid.UUID) -> None:
        super().__init__(f"no data subject {subject_id}")
        self.subject_id = subject_id
