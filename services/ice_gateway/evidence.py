"""Evidence content (R33, R37): streamed into the blob store, never whole in memory, hashed on the way; served
back to those who may see the case; gone (410) once destroyed.

An upload is keyed by its own id in the store, so a refused or lost-race upload removes only its own content.
A retry with the same `Idempotency-Key` after the upload was recorded answers from the case without reading the
body again; the same key with a different item is refused like any reused key.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterable, AsyncIterator

from services.ice_gateway import handlers
from services.ice_gateway.process import blob_store
from shared.blobstore import BlobNotFound, BlobTooLarge
from shared.commands import Loaded
from shared.errors import FieldError, Gone, NotFound, PayloadTooLarge, ValidationProblem
from shared.http.deps import CommandContext
from shared.http.platform import Platform
from shared.ice import commands as c
from shared.ice.events import EvidenceItemUploaded
from shared.ice.stages import unanswered_item
from shared.ice.state import IceCaseState

DEFAULT_TYPE = "application/octet-stream"


def upload_key(case_id: str, request_id: str, item_id: str) -> str:
    """By case, so one case's evidence is found together; by upload, so concurrent uploads never overwrite."""
    return f"ice/{case_id}/{request_id}/{item_id}/{uuid.uuid4().hex}"


def _earlier_upload_with(loaded: Loaded[IceCaseState], ctx: CommandContext, key: str | None) -> tuple[str, str] | None:
    """(request id, item id) of the upload this principal already recorded with this Idempotency-Key, if any."""
    if key is None:
        return None
    for event in loaded.recorded:
        actor = event.metadata.actor
        if (
            event.type == EvidenceItemUploaded.event_type
            and event.metadata.idempotency_key == key
            and actor.user_id == ctx.principal.subject
            and actor.organisation_id == ctx.principal.organisation_id
        ):
            return event.data["request_id"], event.data["item_id"]
    return None


async def upload(
    platform: Platform,
    loaded: Loaded[IceCaseState],
    case_id: str,
    request_id: str,
    item_id: str,
    body: AsyncIterable[bytes],
    content_type: str | None,
    idempotency_key: str | None,
    ctx: CommandContext,
    if_match: int | None,
) -> bool:
    """Returns True when this was a retry of an upload already recorded, answered without reading the body."""
    handlers.as_provider(ctx.principal, requirement="R33")
    earlier = _earlier_upload_with(loaded, ctx, idempotency_key)
    if earlier == (request_id, item_id):
        return True  # a retry of an upload already recorded: answer with the case as it is (R63)
    if earlier is not None:
        error = FieldError("header.Idempotency-Key", "reused-with-different-request", "use a new key")
        raise ValidationProblem(
            detail="this Idempotency-Key was already used to upload another item", requirement="R63", errors=[error]
        )
    unanswered_item(loaded.state, request_id, item_id)  # refuse before reading a byte
    key = upload_key(case_id, request_id, item_id)
    store = blob_store(platform)
    try:
        stored = await store.put(
            key, body, content_type=content_type or DEFAULT_TYPE, max_bytes=platform.settings.evidence_max_bytes
        )
    except BlobTooLarge as exc:
        raise PayloadTooLarge(
            detail=f"evidence content is limited to {exc.limit} bytes (EVIDENCE_MAX_BYTES)", requirement="R33"
        ) from exc
    if idempotency_key is not None:
        scope = f"{ctx.principal.organisation_id}/{ctx.principal.subject}"
        ctx = dataclasses.replace(ctx, idempotency=(scope, idempotency_key, f"upload:{request_id}/{item_id}"))
    command = c.RecordEvidenceUpload(
        request_id=request_id,
        item_id=item_id,
        blob_key=stored.key,
        content_type=stored.content_type,
        size_bytes=stored.size,
        sha256=stored.sha256,
        today=handlers.today(ctx),
    )
    try:
        outcome = await handlers.decide(platform, case_id, command, ctx, if_match)
    except BaseException:
        await store.delete(key)
        raise
    if not outcome.new_events:
        await store.delete(key)  # a replayed keyed request: the first upload's content is the one recorded
    return False


async def download(
    platform: Platform, state: IceCaseState, request_id: str, item_id: str
) -> tuple[AsyncIterator[bytes], str, int, str]:
    """(content, content type, size, sha256); 404 if never uploaded, 410 once destroyed (R37)."""
    request = state.evidence_request(request_id)
    item = request.item(item_id) if request else None
    if item is None or item.blob_key is None:
        raise NotFound(detail=f"no uploaded content for evidence item {request_id}/{item_id}", requirement="R33")
    gone = Gone(
        detail=f"the content of evidence item {request_id}/{item_id} was destroyed once ICE's examination concluded",
        requirement="R37",
        guidance="004 Part B 8",
    )
    if item.destroyed:
        raise gone
    try:
        chunks = await blob_store(platform).open(item.blob_key)
    except BlobNotFound as exc:
        raise gone from exc  # destroyed by the retention job, its event not yet recorded
    return chunks, item.content_type or DEFAULT_TYPE, item.size_bytes or 0, item.sha256 or ""
