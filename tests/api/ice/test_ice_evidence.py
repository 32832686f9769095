"""Evidence content through the API (R33, R37): streamed, hashed, bounded in memory, and gone once destroyed."""

from __future__ import annotations

import hashlib
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from services.ice_gateway.process import destroy_evidence
from shared.clock import FixedClock
from shared.http.platform import Platform
from tests.api.helpers import assert_problem, error_fields, eventually
from tests.api.ice.conftest import EVIDENCE_LIMIT, Referred
from tests.api.ice.helpers import Case, today

MEMORY_LIMIT = 4 * 1024 * 1024
"""What the service may allocate while it takes an upload three times that size."""
CHUNK = 64 * 1024


async def chunks(total: int, digest: hashlib._Hash | None = None) -> AsyncIterator[bytes]:
    """`total` bytes of varied content, made as they are sent; `digest` sees exactly what was sent."""
    sent = 0
    counter = 0
    while sent < total:
        block = hashlib.sha256(counter.to_bytes(8, "big")).digest() * (CHUNK // 32)
        block = block[: min(CHUNK, total - sent)]
        if digest is not None:
            digest.update(block)
        sent += len(block)
        counter += 1
        yield block


async def with_evidence_request(case: Case) -> None:
    await case.to_settlement()
    await case.post(
        "/evidence-requests",
        case.office.examiner,
        {
            "request_id": "ev1",
            "requested_on": case.on,
            "items": [
                {"item_id": "recording", "kind": "call_recording", "description": "Call of 3 March"},
                {"item_id": "papers", "kind": "case_papers", "description": "The complaint file"},
            ],
        },
    )


def content_path(case: Case, item_id: str = "recording") -> str:
    return f"{case.path}/evidence-requests/ev1/items/{item_id}/content"


def blobs_of(root: Path, case_id: str) -> list[Path]:
    folder = root / "ice" / case_id
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


async def test_a_streamed_upload_larger_than_the_memory_limit_keeps_its_sha256(
    referred: Referred, ice: httpx.AsyncClient
) -> None:
    case = referred.case
    await with_evidence_request(case)
    size = 3 * MEMORY_LIMIT
    assert size < EVIDENCE_LIMIT
    sent = hashlib.sha256()
    tracemalloc.start()
    try:
        response = await ice.put(
            content_path(case),
            headers={**referred.lead, "Content-Type": "audio/mpeg", "Idempotency-Key": str(uuid.uuid4())},
            content=chunks(size, sent),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200, response.text
    assert peak < MEMORY_LIMIT, f"the upload allocated {peak} bytes at its peak"
    item = response.json()["evidence_requests"][0]["items"][0]
    assert item["status"] == "uploaded"
    assert item["size_bytes"] == size
    assert item["sha256"] == sent.hexdigest()
    assert item["content_type"] == "audio/mpeg"

    download = await ice.get(item["content_url"], headers=case.office.examiner)
    assert download.status_code == 200
    assert download.headers["content-type"] == "audio/mpeg"
    assert int(download.headers["content-length"]) == size
    assert hashlib.sha256(download.content).hexdigest() == sent.hexdigest()
    assert download.headers["x-content-sha256"] == sent.hexdigest()


async def test_an_upload_over_the_limit_is_413_and_leaves_nothing(
    referred: Referred, ice: httpx.AsyncClient, blob_root: Path
) -> None:
    case = referred.case
    await with_evidence_request(case)
    response = await ice.put(
        content_path(case), headers={**referred.lead, "Content-Type": "video/mp4"}, content=chunks(EVIDENCE_LIMIT + 1)
    )
    assert_problem(response, 413)
    assert blobs_of(blob_root, case.case_id) == []
    item = (await case.get())["evidence_requests"][0]["items"][0]
    assert item["status"] == "awaiting"


async def test_an_upload_retried_with_its_key_is_recorded_once(referred: Referred, ice: httpx.AsyncClient) -> None:
    case = referred.case
    await with_evidence_request(case)
    headers = {**referred.lead, "Content-Type": "application/pdf", "Idempotency-Key": str(uuid.uuid4())}
    first = await ice.put(content_path(case, "papers"), headers=headers, content=b"papers" * 100)
    assert first.status_code == 200, first.text
    again = await ice.put(content_path(case, "papers"), headers=headers, content=b"papers" * 100)
    assert again.status_code == 200, again.text
    assert again.headers["etag"] == first.headers["etag"], "the retry appended nothing"
    assert again.headers["idempotent-replayed"] == "true"
    reused = await ice.put(content_path(case, "recording"), headers=headers, content=b"a recording")
    assert error_fields(assert_problem(reused, 422)) == {"header.Idempotency-Key": "reused-with-different-request"}
    other_key = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    refused = await ice.put(content_path(case, "papers"), headers=other_key, content=b"other")
    assert_problem(refused, 409)


async def test_who_may_upload_and_download(referred: Referred, ice: httpx.AsyncClient) -> None:
    case = referred.case
    await with_evidence_request(case)
    by_ice = await ice.put(content_path(case), headers=case.office.examiner, content=b"x")
    assert_problem(by_ice, 403)
    missing = await ice.get(content_path(case), headers=case.office.examiner)
    assert_problem(missing, 404)
    stale = await ice.put(content_path(case), headers={**referred.lead, "If-Match": '"1"'}, content=b"x")
    assert_problem(stale, 412)
    assert (await case.get())["evidence_requests"][0]["items"][0]["status"] == "awaiting"


async def test_evidence_is_destroyed_once_ice_concludes_then_410(
    referred: Referred, ice: httpx.AsyncClient, ice_platform: Platform, clock: FixedClock, blob_root: Path
) -> None:
    case = referred.case
    await with_evidence_request(case)
    uploaded = await ice.put(
        content_path(case), headers={**referred.lead, "Content-Type": "audio/mpeg"}, content=b"r" * 5000
    )
    assert uploaded.status_code == 200, uploaded.text
    assert await destroy_evidence(ice_platform, today(clock)) >= 0
    assert (await ice.get(content_path(case), headers=case.office.examiner)).status_code == 200, "kept while open"

    await case.post("/evidence-requests/ev1/items/papers/not-held", referred.lead, {"reason": "Not held."})
    await case.post(
        "/proposals", case.office.examiner, {"proposal_id": "p1", "proposed_on": case.on, "proposal": "An apology."}
    )
    await case.post("/proposals/p1/provider-answer", referred.lead, {"provider_agrees": True, "answered_on": case.on})
    closed = await case.post(
        "/proposals/p1/complainant-satisfaction", case.office.examiner, {"satisfied": True, "recorded_on": case.on}
    )
    assert closed["status"] == "closed"
    assert blobs_of(blob_root, case.case_id), "the content is still there until the retention pass"

    async def destroyed_view() -> dict[str, Any]:
        await destroy_evidence(ice_platform, today(clock))
        return await case.get()

    view = await eventually(destroyed_view, lambda v: bool(v["evidence_destroyed"]), what="the evidence destroyed")
    assert view["evidence_destroyed"][0]["items"] == ["ev1/recording"]
    assert view["evidence_requests"][0]["items"][0]["status"] == "destroyed"
    assert view["evidence_requests"][0]["items"][0]["content_url"] is None
    assert blobs_of(blob_root, case.case_id) == []
    gone = assert_problem(await ice.get(content_path(case), headers=case.office.examiner), 410, "gone")
    assert gone["requirement"] == "R37"
    # A second pass records nothing more.
    await destroy_evidence(ice_platform, today(clock))
    assert len((await case.get())["evidence_destroyed"]) == 1


async def test_a_client_that_sends_octet_stream_names_the_media_type(
    referred: Referred, ice: httpx.AsyncClient
) -> None:
    case = referred.case
    await with_evidence_request(case)
    uploaded = await ice.put(
        content_path(case, "papers"),
        params={"media_type": "application/pdf"},
        headers={**referred.lead, "Content-Type": "application/octet-stream"},
        content=b"%PDF-1.7",
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["evidence_requests"][0]["items"][1]["content_type"] == "application/pdf"
    refused = await ice.put(
        content_path(case, "recording"), params={"media_type": "not a type"}, headers=referred.lead, content=b"x"
    )
    assert error_fields(assert_problem(refused, 422)) == {"query.media_type": "string_pattern_mismatch"}
