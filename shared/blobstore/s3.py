"""A blob store on S3 or an S3-compatible service (production), through aioboto3.

Content up to one part is sent with a single PUT; larger content as a multipart upload of parts of
`part_bytes` or a little more, so at most one part is held in memory. S3 makes an object visible
only when its PUT or multipart completion succeeds, which gives `put` its atomicity; a failed or
too-large upload is aborted. Give the bucket a lifecycle rule that aborts incomplete multipart
uploads after a day, for the uploads a killed process never got to abort.

Credentials come from the usual AWS chain (environment, web identity, instance role), never from
the settings.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError

from shared.blobstore.base import BlobNotFound, ContentMeter, StoredBlob, validate_key
from shared.logging import get_logger

log = get_logger(__name__)

MIB = 1024 * 1024
MIN_PART_BYTES = 5 * MIB  # S3's smallest part, except the last
DEFAULT_PART_BYTES = 8 * MIB
DEFAULT_READ_CHUNK_BYTES = MIB
_ABSENT_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "eu-west-2",
        part_bytes: int = DEFAULT_PART_BYTES,
        read_chunk_bytes: int = DEFAULT_READ_CHUNK_BYTES,
        session: aioboto3.Session | None = None,
    ) -> None:
        if part_bytes < MIN_PART_BYTES:
            raise ValueError(f"part_bytes must be at least {MIN_PART_BYTES} (S3's smallest part)")
        if read_chunk_bytes < 1:
            raise ValueError("read_chunk_bytes must be at least 1")
        self.bucket = bucket
        self.part_bytes = part_bytes
        self._endpoint_url = endpoint_url
        self._region = region
        self._read_chunk_bytes = read_chunk_bytes
        self._session = session or aioboto3.Session()
        self._client: Any = None
        self._resources = AsyncExitStack()
        self._connecting = asyncio.Lock()

    async def _s3(self) -> Any:
        """The client, created on first use (constructing the store connects to nothing)."""
        async with self._connecting:
            if self._client is None:
                # S3-compatible services behind an endpoint URL (MinIO, moto) want path-style bucket addressing.
                config = AioConfig(s3={"addressing_style": "path"}) if self._endpoint_url else None
                client = self._session.client(
                    "s3", endpoint_url=self._endpoint_url, region_name=self._region, config=config
                )
                self._client = await self._resources.enter_async_context(client)
        return self._client

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str, max_bytes: int) -> StoredBlob:
        validate_key(key)
        meter = ContentMeter(max_bytes)
        upload = _MultipartUpload(await self._s3(), self.bucket, key, content_type)
        # A file-like body, not bytes: aiohttp sends it in pieces instead of blocking the event loop.
        part = io.BytesIO()
        try:
            async for chunk in chunks:
                meter.add(chunk)
                part.write(chunk)
                if part.tell() >= self.part_bytes:
                    await upload.send_part(part)
                    part = io.BytesIO()
            if upload.started:
                await upload.complete(part)
            else:
                part.seek(0)
                await upload.client.put_object(Bucket=self.bucket, Key=key, Body=part, ContentType=content_type)
        except BaseException:
            # Shielded, so a second cancellation cannot leave the parts stored and billed.
            await asyncio.shield(upload.abort())
            raise
        return meter.stored(key, content_type)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        validate_key(key)
        s3 = await self._s3()
        try:
            response = await s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_absent(exc):
                raise BlobNotFound(key) from None
            raise
        return self._chunks(response["Body"])

    async def _chunks(self, body: Any) -> AsyncIterator[bytes]:
        # Leaving the body's context returns the connection to the pool, also when the reader stops early.
        async with body:
            while chunk := await body.read(self._read_chunk_bytes):
                yield chunk

    async def stat(self, key: str) -> int | None:
        validate_key(key)
        s3 = await self._s3()
        try:
            head = await s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_absent(exc):
                return None
            raise
        return int(head["ContentLength"])

    async def delete(self, key: str) -> bool:
        # S3's DELETE succeeds whether or not the object exists, so ask first: two concurrent
        # deletes may both answer True, which is harmless for destruction (R37).
        if await self.stat(key) is None:
            return False
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=key)
        return True

    async def aclose(self) -> None:
        async with self._connecting:
            self._client = None
            await self._resources.aclose()


class _MultipartUpload:
    """One object's multipart upload, begun only when the content turns out to need more than one part."""

    def __init__(self, client: Any, bucket: str, key: str, content_type: str) -> None:
        self.client = client
        self._bucket = bucket
        self._key = key
        self._content_type = content_type
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    @property
    def started(self) -> bool:
        return self._upload_id is not None

    async def send_part(self, data: io.BytesIO) -> None:
        if self._upload_id is None:
            created = await self.client.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, ContentType=self._content_type
            )
            self._upload_id = created["UploadId"]
        number = len(self._parts) + 1
        data.seek(0)
        sent = await self.client.upload_part(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=data
        )
        self._parts.append({"ETag": sent["ETag"], "PartNumber": number})

    async def complete(self, last: io.BytesIO) -> None:
        if last.tell():
            await self.send_part(last)
        await self.client.complete_multipart_upload(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, MultipartUpload={"Parts": self._parts}
        )

    async def abort(self) -> None:
        if self._upload_id is None:
            return
        try:
            await self.client.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id)
        except Exception as exc:
            # The upload's own error is the one raised; the bucket's lifecycle rule removes these parts later.
            log.warning("blobstore.abort_failed", key=self._key, upload_id=self._upload_id, error=repr(exc))


def _is_absent(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code", "")) in _ABSENT_CODES
