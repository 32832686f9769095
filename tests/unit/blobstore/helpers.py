"""Content and chunk streams for the blob-store tests (the contract suite and the local store's own)."""

from __future__ import annotations

import asyncio
import hashlib
import random
import uuid
from collections.abc import AsyncIterator, Sequence

MIB = 1024 * 1024
# Uneven on purpose: chunks that straddle part boundaries, tiny ones, and an empty one.
CHUNK_SIZES = (1, 0, 65_537, 1_000_003, 7, 262_144)


def content(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_key(label: str = "item") -> str:
    return f"evidence/{uuid.uuid4().hex}/{label}"


async def chunked(data: bytes, sizes: Sequence[int] = CHUNK_SIZES) -> AsyncIterator[bytes]:
    """`data` in chunks of the given sizes, repeated until it is all sent."""
    offset, turn = 0, 0
    while offset < len(data):
        size = sizes[turn % len(sizes)]
        yield data[offset : offset + size]
        offset += size
        turn += 1


class CountingChunks:
    """Chunks of a fixed size; counts how many the store pulled, and can fail after some of them."""

    def __init__(self, data: bytes, chunk_size: int, *, fail_after: int | None = None) -> None:
        self._data = data
        self._chunk_size = chunk_size
        self._fail_after = fail_after
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for offset in range(0, len(self._data), self._chunk_size):
            if self._fail_after is not None and self.pulled == self._fail_after:
                raise ConnectionResetError("the uploader went away")
            self.pulled += 1
            yield self._data[offset : offset + self._chunk_size]


class StalledChunks:
    """Sends `data`, says so, then waits forever: the upload is in flight when the test cancels it."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.all_sent = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._data
        self.all_sent.set()
        await asyncio.Event().wait()


async def read_all(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])
