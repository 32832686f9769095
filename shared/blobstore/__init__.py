"""Blob storage for evidence content (R33 uploads, R37 destruction): the local filesystem or S3."""

from shared.blobstore.base import (
    MAX_KEY_LENGTH,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    ContentMeter,
    InvalidBlobKey,
    StoredBlob,
    validate_key,
)
from shared.blobstore.factory import create_blob_store
from shared.blobstore.local import LocalBlobStore
from shared.blobstore.s3 import MIN_PART_BYTES, S3BlobStore

__all__ = [
    "MAX_KEY_LENGTH",
    "MIN_PART_BYTES",
    "BlobNotFound",
    "BlobStore",
    "BlobTooLarge",
    "ContentMeter",
    "InvalidBlobKey",
    "LocalBlobStore",
    "S3BlobStore",
    "StoredBlob",
    "create_blob_store",
    "validate_key",
]
