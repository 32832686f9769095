"""The blob-store settings and the store they build (nothing here connects to anything)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.blobstore import MIN_PART_BYTES, LocalBlobStore, S3BlobStore, create_blob_store
from shared.settings import PROJECT_ROOT, Settings

MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def no_blob_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "BLOB_STORE",
        "BLOB_STORE_PATH",
        "S3_ENDPOINT_URL",
        "S3_BUCKET",
        "S3_REGION",
        "S3_PART_BYTES",
        "EVIDENCE_MAX_BYTES",
    ):
        monkeypatch.delenv(name, raising=False)


def test_the_defaults_are_a_local_store_in_the_project() -> None:
    settings = Settings(APP_ENV="test")

    assert settings.blob_store == "local"
    assert settings.blob_store_path == PROJECT_ROOT / ".blobs"
    assert (settings.s3_endpoint_url, settings.s3_bucket, settings.s3_region) == (None, None, "eu-west-2")
    assert settings.s3_part_bytes == 8 * MIB
    assert settings.evidence_max_bytes == 100 * MIB


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BLOB_STORE", "s3")
    monkeypatch.setenv("S3_BUCKET", "dwp-evidence")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://minio:9000")
    monkeypatch.setenv("S3_PART_BYTES", str(16 * MIB))
    monkeypatch.setenv("EVIDENCE_MAX_BYTES", "1000")
    monkeypatch.setenv("BLOB_STORE_PATH", str(tmp_path))

    settings = Settings(APP_ENV="test")

    assert (settings.blob_store, settings.s3_bucket, settings.s3_endpoint_url) == (
        "s3",
        "dwp-evidence",
        "http://minio:9000",
    )
    assert (settings.s3_part_bytes, settings.evidence_max_bytes, settings.blob_store_path) == (16 * MIB, 1000, tmp_path)


def test_s3_without_a_bucket_is_refused() -> None:
    with pytest.raises(ValidationError, match="S3_BUCKET"):
        Settings(APP_ENV="test", BLOB_STORE="s3")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("S3_PART_BYTES", MIN_PART_BYTES - 1),
        ("EVIDENCE_MAX_BYTES", 0),
        ("BLOB_STORE", "ftp"),
    ],
)
def test_out_of_range_values_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({"APP_ENV": "test", name: value})


def test_the_settings_minimum_part_is_the_stores() -> None:
    assert Settings(APP_ENV="test", S3_PART_BYTES=MIN_PART_BYTES).s3_part_bytes == MIN_PART_BYTES


def test_create_blob_store_local(tmp_path: Path) -> None:
    store = create_blob_store(Settings(APP_ENV="test", BLOB_STORE_PATH=tmp_path))

    assert isinstance(store, LocalBlobStore)
    assert store.root == tmp_path


async def test_create_blob_store_s3_connects_to_nothing_until_used() -> None:
    settings = Settings(
        APP_ENV="test",
        BLOB_STORE="s3",
        S3_BUCKET="dwp-evidence",
        S3_ENDPOINT_URL="http://127.0.0.1:9",
        S3_PART_BYTES=6 * MIB,
    )

    store = create_blob_store(settings)

    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.part_bytes) == ("dwp-evidence", 6 * MIB)
    await store.aclose()
