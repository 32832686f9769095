"""The local blob store's own behaviour: keys as paths, temporary files, bounded memory.

The contract it shares with the S3 store is in tests/integration/test_blobstore_s3.py.
"""

from __future__ import annotations

import hashlib
import os
import random
import tracemalloc
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from shared.blobstore import BlobNotFound, BlobTooLarge, InvalidBlobKey, LocalBlobStore, validate_key
from tests.unit.blobstore.helpers import MIB, CountingChunks, chunked, content, read_all

T = TypeVar("T")

MEMORY_TEST_BYTES = 48 * MIB
MEMORY_TEST_CHUNK = 256 * 1024


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def store(root: Path) -> LocalBlobStore:
    return LocalBlobStore(root, read_chunk_bytes=64 * 1024)


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    "key",
    [
        "a",
        "evidence/ICE-2026-0001/item-3/recording.mp3",
        "A.B_c-d/0",
        "/".join(["x" * 255, "y" * 254, "z"]),
        "..a/b..",
        ".hidden/.x",
    ],
)
def test_validate_key_accepts(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("", "empty"),
        ("x" * 513, "longer than 512"),
        ("/etc/passwd", "absolute"),
        ("../outside", "leading .."),
        ("evidence/../../outside", ".. inside"),
        ("evidence/..", "trailing .."),
        ("./evidence", "a . segment"),
        ("evidence//a", "empty segment"),
        ("evidence/", "trailing slash"),
        ("evidence/a\x00", "NUL"),
        ("evidence\\..\\a", "backslash"),
        ("C:evidence", "colon"),
        ("evidence/a\nb", "newline"),
        ("evidence/%2e%2e", "percent"),
        ("evidence/\u2024\u2024", "one dot leader"),
        ("e" * 256, "a segment longer than 255"),
    ],
)
def test_validate_key_refuses(key: str, why: str) -> None:
    with pytest.raises(InvalidBlobKey):
        validate_key(key)


def test_a_key_is_a_file_under_the_root(store: LocalBlobStore, root: Path) -> None:
    assert store.path_of("evidence/case-1/item.pdf") == root / "evidence" / "case-1" / "item.pdf"


async def test_only_the_blob_is_left_on_disk_after_an_upload(store: LocalBlobStore, root: Path) -> None:
    await store.put(
        "evidence/case-1/item.pdf", chunked(content(200_000)), content_type="application/pdf", max_bytes=MIB
    )

    assert files_under(root) == ["evidence/case-1/item.pdf"]


async def test_too_large_leaves_no_file_and_keeps_the_earlier_one(store: LocalBlobStore, root: Path) -> None:
    await store.put("evidence/a", chunked(b"kept"), content_type="text/plain", max_bytes=MIB)

    with pytest.raises(BlobTooLarge):
        await store.put("evidence/a", CountingChunks(content(3000), 1000), content_type="text/plain", max_bytes=2500)

    assert files_under(root) == ["evidence/a"]
    assert (root / "evidence" / "a").read_bytes() == b"kept"


async def test_a_key_below_a_blob_is_refused_and_leaves_nothing(store: LocalBlobStore, root: Path) -> None:
    await store.put("evidence/a", chunked(b"blob"), content_type="text/plain", max_bytes=MIB)

    with pytest.raises(InvalidBlobKey):
        await store.put("evidence/a/b", chunked(b"under"), content_type="text/plain", max_bytes=MIB)

    assert files_under(root) == ["evidence/a"]
    assert await store.stat("evidence/a/b") is None
    assert await store.delete("evidence/a/b") is False
    with pytest.raises(BlobNotFound):
        await store.open("evidence/a/b")


async def test_a_key_that_is_a_folder_of_blobs_is_refused_and_leaves_nothing(store: LocalBlobStore, root: Path) -> None:
    await store.put("evidence/a/b", chunked(b"blob"), content_type="text/plain", max_bytes=MIB)

    with pytest.raises(InvalidBlobKey):
        await store.put("evidence/a", chunked(b"over"), content_type="text/plain", max_bytes=MIB)

    assert files_under(root) == ["evidence/a/b"]
    assert await store.stat("evidence/a") is None
    assert await store.delete("evidence/a") is False
    with pytest.raises(BlobNotFound):
        await store.open("evidence/a")


async def test_an_opened_blob_reads_whole_when_deleted_meanwhile(store: LocalBlobStore) -> None:
    data = content(500_000)
    await store.put("evidence/a", chunked(data), content_type="text/plain", max_bytes=MIB)
    chunks = await store.open("evidence/a")

    assert await store.delete("evidence/a") is True
    assert await read_all(chunks) == data


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
async def test_stopping_a_read_early_closes_the_file(store: LocalBlobStore) -> None:
    await store.put("evidence/a", chunked(content(500_000)), content_type="text/plain", max_bytes=MIB)
    before = open_files()
    chunks = await store.open("evidence/a")
    first = await anext(chunks)
    assert open_files() == before + 1

    await chunks.aclose()  # type: ignore[attr-defined]

    assert len(first) == 64 * 1024
    assert open_files() == before


class GeneratedUpload:
    """`total` bytes made chunk by chunk as an upload arrives, hashed as they go; one chunk exists at a time here."""

    def __init__(self, total: int, chunk_size: int) -> None:
        self._total = total
        self._chunk_size = chunk_size
        self.digest = hashlib.sha256()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        rng = random.Random(9)
        for _ in range(self._total // self._chunk_size):
            chunk = rng.randbytes(self._chunk_size)
            self.digest.update(chunk)
            yield chunk


async def peak_memory_during(work: Coroutine[Any, Any, T]) -> tuple[T, int]:
    """What `work` returns, and the most memory Python had allocated at once while it ran (all threads)."""
    tracemalloc.start()
    try:
        result = await work
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


async def test_an_upload_is_streamed_in_bounded_memory(store: LocalBlobStore, root: Path) -> None:
    upload = GeneratedUpload(MEMORY_TEST_BYTES, MEMORY_TEST_CHUNK)

    stored, peak = await peak_memory_during(
        store.put("evidence/large", upload, content_type="video/mp4", max_bytes=MEMORY_TEST_BYTES)
    )

    assert (stored.size, stored.sha256) == (MEMORY_TEST_BYTES, upload.digest.hexdigest())
    assert (root / "evidence" / "large").stat().st_size == MEMORY_TEST_BYTES
    # A few chunks in flight at most: far below the 48 MiB that went through.
    assert peak < MEMORY_TEST_BYTES // 16, f"peak {peak} bytes"


async def test_the_memory_measure_sees_content_held_whole() -> None:
    # The control for the test above: the same measure catches a consumer that keeps everything.
    upload = GeneratedUpload(MEMORY_TEST_BYTES // 4, MEMORY_TEST_CHUNK)

    whole, peak = await peak_memory_during(read_all(aiter(upload)))

    assert len(whole) == MEMORY_TEST_BYTES // 4
    assert peak >= MEMORY_TEST_BYTES // 4


async def test_aclose_holds_nothing(store: LocalBlobStore) -> None:
    await store.aclose()

    assert await store.stat("evidence/a") is None
