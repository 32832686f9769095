"""The blob-store contract: one suite, run against the local store and against S3 (moto's server).

The ICE gateway is tested on the local store; this suite is what makes that honest for S3. moto's
S3 server runs in this process on a free port of 127.0.0.1 with fake credentials: no network.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aioboto3
import pytest
from moto.server import ThreadedMotoServer

from shared.blobstore import (
    MIN_PART_BYTES,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    InvalidBlobKey,
    LocalBlobStore,
    S3BlobStore,
    create_blob_store,
)
from shared.blobstore.local import TEMP_PREFIX
from shared.settings import Settings
from tests.unit.blobstore.helpers import (
    MIB,
    CountingChunks,
    StalledChunks,
    chunked,
    content,
    new_key,
    read_all,
    sha256,
)

REGION = "eu-west-2"
BUCKET = "evidence-contract"
PART = MIN_PART_BYTES
READ_CHUNK = 256 * 1024

BAD_KEYS = [
    "",
    "/evidence/a",
    "evidence/a/",
    "evidence//a",
    "evidence/../secrets",
    "..",
    "evidence/./a",
    "evidence/a\x00b",
    "evidence\\a",
    "evidence/a b",
    "evidence/caf\u00e9",
    "a" * 513,
    "evidence/" + "a" * 256,
]


@dataclass
class Subject:
    """A store under test, and a look behind it for what a failed upload may have left."""

    store: BlobStore
    partial_uploads: Callable[[str], Awaitable[list[str]]]


@dataclass
class MotoS3:
    endpoint_url: str
    session: Any  # shared by the stores under test: a session per store loads botocore's models again
    inspector: Any  # a plain aioboto3 client, for looking at the bucket directly


@pytest.fixture(scope="module")
def s3_credentials() -> Iterator[None]:
    # Fake credentials, and no developer profile or config file that could send requests elsewhere.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(scope="module")
async def moto_s3(s3_credentials: None) -> AsyncIterator[MotoS3]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint_url = f"http://{host}:{port}"
    session = aioboto3.Session()
    try:
        async with session.client("s3", endpoint_url=endpoint_url, region_name=REGION) as inspector:
            await inspector.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
            yield MotoS3(endpoint_url, session, inspector)
    finally:
        server.stop()


def temp_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob(f"{TEMP_PREFIX}*"))


def local_subject(root: Path) -> Subject:
    async def partial_uploads(key: str) -> list[str]:
        # Temporary files anywhere under the root, not just beside this key.
        return await asyncio.to_thread(temp_files, root)

    return Subject(LocalBlobStore(root, read_chunk_bytes=READ_CHUNK), partial_uploads)


def s3_subject(moto: MotoS3) -> Subject:
    async def partial_uploads(key: str) -> list[str]:
        listed = await moto.inspector.list_multipart_uploads(Bucket=BUCKET, Prefix=key)
        return [f"{upload['Key']} ({upload['UploadId']})" for upload in listed.get("Uploads", [])]

    store = S3BlobStore(
        BUCKET,
        endpoint_url=moto.endpoint_url,
        region=REGION,
        part_bytes=PART,
        read_chunk_bytes=READ_CHUNK,
        session=moto.session,
    )
    return Subject(store, partial_uploads)


@pytest.fixture(params=["local", "s3"])
async def subject(request: pytest.FixtureRequest, tmp_path: Path, moto_s3: MotoS3) -> AsyncIterator[Subject]:
    # moto_s3 is asked for by both: an async fixture cannot be looked up from inside another one,
    # and the server is started once for the module anyway.
    made = local_subject(tmp_path / "blobs") if request.param == "local" else s3_subject(moto_s3)
    yield made
    await made.store.aclose()


@pytest.fixture
def store(subject: Subject) -> BlobStore:
    return subject.store


@pytest.fixture
def key() -> str:
    return new_key()


# --- the contract ---------------------------------------------------------------------------


async def test_put_then_open_round_trips_with_size_and_sha256(store: BlobStore, key: str) -> None:
    data = content(300_000)

    stored = await store.put(key, chunked(data), content_type="application/pdf", max_bytes=10 * MIB)

    assert (stored.key, stored.size, stored.sha256, stored.content_type) == (
        key,
        len(data),
        sha256(data),
        "application/pdf",
    )
    assert await read_all(await store.open(key)) == data
    assert await store.stat(key) == len(data)


async def test_content_larger_than_a_part_is_stored_whole(store: BlobStore, key: str) -> None:
    data = content(2 * PART + PART // 2 + 13, seed=2)

    stored = await store.put(key, chunked(data), content_type="audio/mpeg", max_bytes=len(data))

    assert (stored.size, stored.sha256) == (len(data), sha256(data))
    assert await store.stat(key) == len(data)
    read: list[bytes] = [chunk async for chunk in await store.open(key)]
    assert b"".join(read) == data
    # Read in chunks, not at once: a download holds no more than the upload did.
    assert len(read) > 1
    assert max(len(chunk) for chunk in read) <= READ_CHUNK


async def test_empty_content_is_a_blob_of_no_bytes(store: BlobStore, key: str) -> None:
    stored = await store.put(key, chunked(b""), content_type="text/plain", max_bytes=1)

    assert (stored.size, stored.sha256) == (0, sha256(b""))
    assert await store.stat(key) == 0
    assert await read_all(await store.open(key)) == b""


async def test_content_of_exactly_the_limit_is_accepted(store: BlobStore, key: str) -> None:
    data = content(100_000, seed=3)

    stored = await store.put(key, chunked(data), content_type="image/png", max_bytes=len(data))

    assert stored.size == len(data)


@pytest.mark.parametrize(
    ("size", "limit"),
    [(100_001, 100_000), (3 * PART, 2 * PART + 1)],
    ids=["within-one-part", "after-parts-were-sent"],
)
async def test_too_large_content_is_refused_and_nothing_is_left(
    subject: Subject, key: str, size: int, limit: int
) -> None:
    chunks = CountingChunks(content(size, seed=4), 64 * 1024)

    with pytest.raises(BlobTooLarge) as refused:
        await subject.store.put(key, chunks, content_type="application/pdf", max_bytes=limit)

    assert refused.value.limit == limit
    # Refused at the chunk that passed the limit: the rest is never read.
    assert chunks.pulled == limit // (64 * 1024) + 1
    assert await subject.store.stat(key) is None
    assert await subject.partial_uploads(key) == []
    with pytest.raises(BlobNotFound):
        await subject.store.open(key)


async def test_a_failed_upload_leaves_nothing_and_keeps_the_earlier_blob(subject: Subject, key: str) -> None:
    earlier = content(1000, seed=5)
    await subject.store.put(key, chunked(earlier), content_type="text/plain", max_bytes=MIB)
    failing = CountingChunks(content(2 * PART, seed=6), MIB, fail_after=PART // MIB + 2)

    with pytest.raises(ConnectionResetError):
        await subject.store.put(key, failing, content_type="text/plain", max_bytes=10 * MIB)

    assert await read_all(await subject.store.open(key)) == earlier
    assert await subject.partial_uploads(key) == []


async def test_a_cancelled_upload_leaves_nothing(subject: Subject, key: str) -> None:
    stalled = StalledChunks(content(PART + 1, seed=7))
    upload = asyncio.create_task(subject.store.put(key, stalled, content_type="text/plain", max_bytes=10 * MIB))
    sent = asyncio.create_task(stalled.all_sent.wait())
    await asyncio.wait([upload, sent], return_when=asyncio.FIRST_COMPLETED)
    sent.cancel()
    assert not upload.done(), upload  # still waiting for more content (it did not fail)

    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload

    assert await subject.store.stat(key) is None
    assert await subject.partial_uploads(key) == []


async def test_put_replaces_an_earlier_blob(store: BlobStore, key: str) -> None:
    await store.put(key, chunked(b"first version"), content_type="text/plain", max_bytes=MIB)

    stored = await store.put(key, chunked(b"second"), content_type="text/plain", max_bytes=MIB)

    assert (stored.size, stored.sha256) == (6, sha256(b"second"))
    assert await read_all(await store.open(key)) == b"second"


async def test_delete_is_idempotent(store: BlobStore, key: str) -> None:
    await store.put(key, chunked(b"evidence"), content_type="text/plain", max_bytes=MIB)

    assert await store.delete(key) is True
    assert await store.delete(key) is False
    assert await store.stat(key) is None
    with pytest.raises(BlobNotFound):
        await store.open(key)


async def test_delete_leaves_other_blobs(store: BlobStore, key: str) -> None:
    other = key + "-other"
    await store.put(key, chunked(b"one"), content_type="text/plain", max_bytes=MIB)
    await store.put(other, chunked(b"two"), content_type="text/plain", max_bytes=MIB)

    await store.delete(key)

    assert await read_all(await store.open(other)) == b"two"


async def test_open_of_a_missing_key_raises_when_awaited(store: BlobStore, key: str) -> None:
    opening = store.open(key)  # nothing happens until awaited

    with pytest.raises(BlobNotFound) as missing:
        await opening

    assert missing.value.key == key


async def test_stat(store: BlobStore, key: str) -> None:
    assert await store.stat(key) is None

    await store.put(key, chunked(b"12345"), content_type="text/plain", max_bytes=MIB)

    assert await store.stat(key) == 5
    assert await store.stat(key + "-other") is None


async def test_a_key_of_512_characters_is_accepted(store: BlobStore) -> None:
    key = "/".join(["k" * 255, "k" * 254, "k"])

    await store.put(key, chunked(b"x"), content_type="text/plain", max_bytes=MIB)

    assert await store.stat(key) == 1
    assert await store.delete(key) is True


@pytest.mark.parametrize("bad_key", BAD_KEYS)
async def test_bad_keys_are_refused(store: BlobStore, bad_key: str) -> None:
    chunks = CountingChunks(b"x", 1)

    with pytest.raises(InvalidBlobKey):
        await store.put(bad_key, chunks, content_type="text/plain", max_bytes=MIB)
    with pytest.raises(InvalidBlobKey):
        await store.open(bad_key)
    with pytest.raises(InvalidBlobKey):
        await store.stat(bad_key)
    with pytest.raises(InvalidBlobKey):
        await store.delete(bad_key)
    assert chunks.pulled == 0


# --- S3 only --------------------------------------------------------------------------------


@pytest.fixture
async def s3_store(moto_s3: MotoS3) -> AsyncIterator[S3BlobStore]:
    store = S3BlobStore(
        BUCKET, endpoint_url=moto_s3.endpoint_url, region=REGION, part_bytes=PART, session=moto_s3.session
    )
    yield store
    await store.aclose()


async def test_s3_sends_content_beyond_one_part_as_a_multipart_upload(moto_s3: MotoS3, s3_store: S3BlobStore) -> None:
    small, large = new_key("small"), new_key("large")
    await s3_store.put(small, chunked(content(PART - 1)), content_type="text/plain", max_bytes=10 * PART)
    # Chunks dividing the part size exactly, so the parts are PART, PART and 2 MiB.
    await s3_store.put(
        large, CountingChunks(content(2 * PART + 2 * MIB), 64 * 1024), content_type="video/mp4", max_bytes=10 * PART
    )

    small_head = await moto_s3.inspector.head_object(Bucket=BUCKET, Key=small)
    large_head = await moto_s3.inspector.head_object(Bucket=BUCKET, Key=large)

    # A multipart object's ETag ends with its number of parts; a single PUT's has none.
    assert "-" not in small_head["ETag"]
    assert large_head["ETag"].strip('"').endswith("-3")
    assert (small_head["ContentType"], large_head["ContentType"]) == ("text/plain", "video/mp4")


async def test_s3_store_from_settings(moto_s3: MotoS3) -> None:
    settings = Settings(
        APP_ENV="test",
        BLOB_STORE="s3",
        S3_BUCKET=BUCKET,
        S3_ENDPOINT_URL=moto_s3.endpoint_url,
        S3_REGION=REGION,
        S3_PART_BYTES=PART,
    )
    store = create_blob_store(settings)
    key = new_key()
    try:
        await store.put(key, chunked(b"via settings"), content_type="text/plain", max_bytes=MIB)
        listed = await moto_s3.inspector.list_objects_v2(Bucket=BUCKET, Prefix=key)
    finally:
        await store.aclose()

    assert isinstance(store, S3BlobStore)
    assert [item["Key"] for item in listed["Contents"]] == [key]


def test_s3_parts_smaller_than_s3_allows_are_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        S3BlobStore(BUCKET, part_bytes=MIN_PART_BYTES - 1)
