"""`GET /complaints/{id}/responses/{stage}/letter`: a response as the letter sent (R7), HTML or text."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from services.intake.api.access import ComplaintId, _visible_stream
from services.intake.api.examples import returns_letter
from services.intake.letters import NoSuchResponse, as_html, as_text, compose, personal_values, sealed_parts
from shared.auth import Role
from shared.errors import NotFound
from shared.http.deps import CurrentPrincipal, PlatformDep
from shared.http.problems import problem_responses

router = APIRouter(prefix="/complaints", tags=["complaints"])

# Who may read the complainant's name, address and the letter's text (R62): the teams that work
# complaints, and DWP's data-protection officers. Anyone else in scope gets the letter withheld.
READERS = {
    Role.CASEWORKER,
    Role.COMPLAINTS_LEAD,
    Role.SENIOR_MANAGER,
    Role.ATW_SERVICE_DELIVERY,
    Role.DATA_PROTECTION_OFFICER,
}


@router.get(
    "/{complaint_id}/responses/{stage}/letter",
    name="letter",
    summary="A stage's response as a letter",
    description="The response issued at a stage, rendered as the letter the complainant receives: their name and "
    "address, the text, why any desired outcome cannot be achieved (001 Annex 2 3.7) and, for the final "
    "response, the standard ICE signposting with the date by which to contact ICE (000 14.17, Annex 1; 14.23) "
    "(R7). HTML by default or with `Accept: text/html`; plain text with `Accept: text/plain` or `format=text`. "
    "Personal values are opened only for the teams that work complaints (R62); an erased complainant's show "
    "as `[erased]`.",
    response_class=HTMLResponse,
    responses={**problem_responses(404), **returns_letter()},
)
async def letter(
    complaint_id: ComplaintId,
    stage: Annotated[int, Path(ge=1, le=20)],
    request: Request,
    principal: CurrentPrincipal,
    platform: PlatformDep,
    format: Annotated[str | None, Query(pattern="^(html|text)$")] = None,
) -> Response:
    _, recorded = await _visible_stream(platform, principal, complaint_id)
    try:
        registered, issued = sealed_parts(recorded, stage)
    except NoSuchResponse as exc:
        raise NotFound(detail=f"no response issued at stage {stage} of complaint {complaint_id}") from exc
    opened: dict[str, Any] = await platform.vault.reveal(
        personal_values(registered, issued), allowed=principal.has_any(READERS)
    )
    composed = compose(registered, issued, opened)
    wants_text = format == "text" or (format is None and "text/plain" in request.headers.get("accept", ""))
    if wants_text:
        return PlainTextResponse(as_text(composed))
    return HTMLResponse(as_html(composed))
