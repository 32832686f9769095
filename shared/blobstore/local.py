"""A blob store on the local filesystem: one file per key under a root directory (the default store).

A key `a/b/c` is the file `<root>/a/b/c`. An upload is written to a temporary file beside its
target and renamed over it when complete, so readers see the old content or the new, never part.
Temporary names contain `#`, which no key can, so they never collide with a blob.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO

from shared.blobstore.base import BlobNotFound, ContentMeter, InvalidBlobKey, StoredBlob, validate_key

TEMP_PREFIX = "#upload-"
DEFAULT_READ_CHUNK_BYTES = 1024 * 1024


class LocalBlobStore:
    def __init__(self, root: Path, *, read_chunk_bytes: int = DEFAULT_READ_CHUNK_BYTES) -> None:
        if read_chunk_bytes < 1:
            raise ValueError("read_chunk_bytes must be at least 1")
        self.root = root
        self._read_chunk_bytes = read_chunk_bytes

    def path_of(self, key: str) -> Path:
        """The file a key is stored in; the key is validated, so the path stays under the root."""
        return self.root.joinpath(*validate_key(key).split("/"))

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str, max_bytes: int) -> StoredBlob:
        target = self.path_of(key)
        meter = ContentMeter(max_bytes)
        # Creating, renaming and removing files are single quick metadata calls, made here rather
        # than in a thread: a thread still running after this task is cancelled could create or
        # rename a file after the clean-up below, leaving a stray file or a blob that "failed".
        _make_parent(target, key)
        temp = target.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex}")
        file = _create(temp)
        try:
            async for chunk in chunks:
                await asyncio.to_thread(_meter_and_write, file, meter, chunk)
            await asyncio.to_thread(_flush_to_disk, file)
            file.close()
            _rename(temp, target, key)
        except BaseException:
            # Unlinking first: a write still running in a thread (this task was cancelled) goes to the
            # orphaned file, not the directory; closing waits for that write. A failed flush on close
            # must not hide the error being raised.
            temp.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                file.close()
            raise
        return meter.stored(key, content_type)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self.path_of(key)
        try:
            file = await asyncio.to_thread(_open_for_reading, path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise BlobNotFound(key) from None
        # The file is open now, so a delete from here on does not cut the content short.
        return self._chunks(file)

    async def _chunks(self, file: BinaryIO) -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(file.read, self._read_chunk_bytes):
                yield chunk
        finally:
            file.close()

    async def stat(self, key: str) -> int | None:
        return await asyncio.to_thread(_size_of, self.path_of(key))

    async def delete(self, key: str) -> bool:
        return await asyncio.to_thread(_remove, self.path_of(key))

    async def aclose(self) -> None:
        """Nothing is held between calls."""


def _make_parent(target: Path, key: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        # `a` is a blob, so `a/b` cannot be (S3 allows both; the gateway's keys never need it).
        raise InvalidBlobKey(f"{key!r}: a leading part of the key is itself a blob in the local store") from None


def _create(temp: Path) -> BinaryIO:
    return temp.open("xb")


def _rename(temp: Path, target: Path, key: str) -> None:
    try:
        os.replace(temp, target)
    except IsADirectoryError:
        raise InvalidBlobKey(f"{key!r}: the key is a folder of other blobs in the local store") from None


def _meter_and_write(file: BinaryIO, meter: ContentMeter, chunk: bytes) -> None:
    # Hashing here too: hashlib releases the GIL on large chunks, so the event loop stays free.
    meter.add(chunk)
    file.write(chunk)


def _flush_to_disk(file: BinaryIO) -> None:
    # Evidence is acknowledged (and recorded in an event) only once it survives a power cut.
    file.flush()
    os.fsync(file.fileno())


def _open_for_reading(path: Path) -> BinaryIO:
    return path.open("rb")


def _size_of(path: Path) -> int | None:
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _remove(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        path.unlink()
    except FileNotFoundError:  # deleted by someone else since the check
        return False
    return True
