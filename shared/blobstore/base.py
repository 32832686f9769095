"""The blob-store interface (R33 evidence uploads, R37 evidence destruction) and what every store shares.

Blobs are opaque content under a key. The event log records the key, size, content type and
SHA-256 that `put` returns; the store keeps only the bytes, so destroying evidence is a `delete`
while the events that describe it stay.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol

MAX_KEY_LENGTH = 512
MAX_SEGMENT_LENGTH = 255  # a file name's limit on common filesystems, so every key fits the local store
_KEY_CHARACTERS = re.compile(r"[A-Za-z0-9._/-]+")


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int  # bytes
    sha256: str  # lowercase hex of the content
    content_type: str


class BlobTooLarge(Exception):
    """The content passed `max_bytes`; nothing of the partial upload is left behind."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the content is larger than the limit of {limit} bytes")
        self.limit = limit


class BlobNotFound(Exception):
    """No blob under the key (never stored, or deleted)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no blob under {key!r}")
        self.key = key


class InvalidBlobKey(ValueError):
    """A key outside the safe alphabet, or one that could escape the store's namespace."""


class BlobStore(Protocol):
    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str, max_bytes: int) -> StoredBlob:
        """Store the chunks under `key`, replacing what was there, and say what was stored.

        Streams: at most one chunk (one S3 part) is held at a time. Atomic: when the chunks raise,
        the task is cancelled or the content passes `max_bytes` (`BlobTooLarge`), nothing new is
        left under `key` and any earlier blob there is untouched.
        """
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The content as chunks. Raises `BlobNotFound` when awaited, before any byte is produced.

        Iterate the result to the end or `aclose()` it, so the file or connection is released.
        """
        ...

    async def stat(self, key: str) -> int | None:
        """The size in bytes, or None when nothing is stored under `key`."""
        ...

    async def delete(self, key: str) -> bool:
        """Remove the blob; True if there was one. Deleting an absent key is not an error."""
        ...

    async def aclose(self) -> None:
        """Release connections; the store is not used afterwards."""
        ...


def validate_key(key: str) -> str:
    """The key itself, or `InvalidBlobKey`. Both stores refuse the same keys, so a key is portable.

    Only `[A-Za-z0-9._/-]`, at most 512 characters, `/`-separated segments none of which is empty,
    `.` or `..` (no absolute paths, no traversal, no two spellings of one path) or longer than 255.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidBlobKey(f"a blob key has 1 to {MAX_KEY_LENGTH} characters")
    if _KEY_CHARACTERS.fullmatch(key) is None:
        raise InvalidBlobKey("a blob key has only letters, digits and . _ / -")
    if any(segment in ("", ".", "..") for segment in key.split("/")):
        raise InvalidBlobKey("a blob key has no empty, '.' or '..' segments and does not start or end with '/'")
    if any(len(segment) > MAX_SEGMENT_LENGTH for segment in key.split("/")):
        raise InvalidBlobKey(f"a blob key's '/'-separated parts have at most {MAX_SEGMENT_LENGTH} characters")
    return key


class ContentMeter:
    """Counts and hashes content as it passes, refusing it as soon as it outgrows the limit."""

    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        self.max_bytes = max_bytes
        self.size = 0
        self._digest = hashlib.sha256()

    def add(self, chunk: bytes) -> None:
        # Checked before hashing or storing, so a refused chunk is never written anywhere.
        if self.size + len(chunk) > self.max_bytes:
            raise BlobTooLarge(self.max_bytes)
        self.size += len(chunk)
        self._digest.update(chunk)

    def stored(self, key: str, content_type: str) -> StoredBlob:
        return StoredBlob(key=key, size=self.size, sha256=self._digest.hexdigest(), content_type=content_type)
