"""The blob store the settings name: built by a service's `create_app`, closed in its lifespan."""

from __future__ import annotations

from shared.blobstore.base import BlobStore
from shared.blobstore.local import LocalBlobStore
from shared.blobstore.s3 import S3BlobStore
from shared.settings import Settings


def create_blob_store(settings: Settings) -> BlobStore:
    if settings.blob_store == "s3":
        # Settings refuse BLOB_STORE=s3 without S3_BUCKET; asserted for the type checker.
        assert settings.s3_bucket is not None
        return S3BlobStore(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            part_bytes=settings.s3_part_bytes,
        )
    return LocalBlobStore(settings.blob_store_path)
