"""A response rendered as the letter the complainant receives (R7), as HTML and as plain text.

Pure: given the complaint's events and the opened personal values, it returns the letter. The
route opens only what the caller may read; everything else shows as withheld or erased.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.complaints.events import ComplaintRegistered, ResponseIssued
from shared.eventstore.model import RecordedEvent


@dataclass(frozen=True)
class Letter:
    complaint_id: str
    stage: int
    final: bool
    issued_on: date
    recipient: str
    address_lines: tuple[str, ...]
    paragraphs: tuple[str, ...]
    cannot_do: tuple[tuple[str, str], ...]
    """(element id, why the desired outcome cannot be achieved): 001 Annex 2 3.7."""
    signposting: str | None
    ice_contact_by: date | None


class NoSuchResponse(LookupError):
    pass


def sealed_parts(recorded: list[RecordedEvent], stage: int) -> tuple[ComplaintRegistered, ResponseIssued]:
    registered = next(
        ComplaintRegistered.model_validate(r.data) for r in recorded if r.type == ComplaintRegistered.event_type
    )
    issued = [
        ResponseIssued.model_validate(r.data)
        for r in recorded
        if r.type == ResponseIssued.event_type and r.data["stage"] == stage
    ]
    if not issued:
        raise NoSuchResponse(stage)
    return registered, issued[-1]


def personal_values(registered: ComplaintRegistered, issued: ResponseIssued) -> dict[str, Any]:
    """The sealed values a letter needs, keyed for one reveal call."""
    complainant = registered.complainant
    return {
        "name": complainant.name if complainant else None,
        "address": complainant.address if complainant else None,
        "text": issued.text,
        "why_not": {f.element_id: f.why_not for f in issued.findings if not f.desired_outcome_achievable},
    }


def compose(registered: ComplaintRegistered, issued: ResponseIssued, opened: dict[str, Any]) -> Letter:
    scr = registered.special_customer_record
    recipient = opened["name"] or (f"Customer (clerical reference {scr.clerical_reference})" if scr else "Customer")
    address = tuple(part.strip() for part in (opened["address"] or "").split(",") if part.strip())
    text = opened["text"] or ""
    return Letter(
        complaint_id=registered.complaint_id,
        stage=issued.stage,
        final=issued.final,
        issued_on=issued.issued_on,
        recipient=recipient,
        address_lines=address,
        paragraphs=tuple(p.strip() for p in text.split("\n\n") if p.strip()),
        cannot_do=tuple((element, why or "") for element, why in opened["why_not"].items()),
        signposting=issued.signposting.text if issued.signposting else None,
        ice_contact_by=issued.signposting.ice_contact_by if issued.signposting else None,
    )


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _heading(letter: Letter) -> str:
    return "Final response to your complaint" if letter.final else f"Response to your complaint: stage {letter.stage}"


def as_text(letter: Letter) -> str:
    lines = [
        letter.recipient,
        *letter.address_lines,
        "",
        _long(letter.issued_on),
        f"Our reference: {letter.complaint_id}",
    ]
    lines += ["", f"Dear {letter.recipient},", "", _heading(letter), ""]
    for paragraph in letter.paragraphs:
        lines += [paragraph, ""]
    for element, why in letter.cannot_do:
        lines += [f"What you asked for on point {element} cannot be done: {why}", ""]
    if letter.signposting:
        lines += [letter.signposting, ""]
    if letter.ice_contact_by:
        lines += [
            f"If you wish to contact the Independent Case Examiner, please do so by {_long(letter.ice_contact_by)}.",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def as_html(letter: Letter) -> str:
    e = html.escape
    address = "<br>".join(e(line) for line in (letter.recipient, *letter.address_lines))
    body = "".join(f"<p>{e(p)}</p>" for p in letter.paragraphs)
    body += "".join(
        f"<p>What you asked for on point {e(element)} cannot be done: {e(why)}</p>" for element, why in letter.cannot_do
    )
    if letter.signposting:
        body += f'<p class="signposting">{e(letter.signposting)}</p>'
    if letter.ice_contact_by:
        body += (
            "<p>If you wish to contact the Independent Case Examiner, please do so by "
            f"<strong>{e(_long(letter.ice_contact_by))}</strong>.</p>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(_heading(letter))}</title></head><body>"
        f"<address>{address}</address><p>{e(_long(letter.issued_on))}<br>Our reference: {e(letter.complaint_id)}</p>"
        f"<p>Dear {e(letter.recipient)},</p><h1>{e(_heading(letter))}</h1>{body}</body></html>"
    )
