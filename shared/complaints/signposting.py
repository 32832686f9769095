"""The standard ICE signposting text a final response must carry (R7), quoted from the guidance.

000 14.17: "After following all steps in your process you must include in your final response to the
Participant a standard text which signposts the customer to contact ICE"; the text is 000 Annex 1.
002 8.06 says the same for Access to Work and points to its Annex H, which the seed of 002 does not
contain: until Annex H's own wording is available AtW uses the 000 Annex 1 text (`source` says so).

The wording is quoted exactly as the seed has it, including its redacted e-mail address
("[email protected]", a web-scraping artefact): check it against the published Annex 1 before use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.calendar import add_months
from shared.vocabulary import Programme

ICE_WINDOW_MONTHS = 6
"""The complainant should contact ICE within six months from the date of the final response (000 14.23)."""

ANNEX_1_TEXT = (
    "1. If you are not happy with this response, you can ask the Independent Case Examiner (ICE) to consider "
    "your complaint. You should contact them within six months from the date of this letter. The ICE service is "
    "provided by the Department for Work and Pensions (which includes the Jobcentre) and offers a free, impartial "
    "resolution service but does not consider matters of law or government policy. ICE can be contacted at:\n"
    "\n"
    "Independent Case Examiner\u2019s Office\n"
    "PO Box 209\n"
    "Bootle\n"
    "L20 7WA\n"
    "\n"
    "Phone: 0345 606 0777\n"
    "Email address: [email\u00a0protected]\n"
    "Website: Independent Case Examiner\n"
    "\n"
    "Parliamentary and Health Service Ombudsman\n"
    "\n"
    "2. You can also, at any time contact your MP who may be able to send your complaint to the Parliamentary "
    "and Health Service Ombudsman. The Ombudsman normally (but not always) expects you to have exhausted both the "
    "provider complaints process and the ICE services before accepting a complaint for investigation.\n"
    "\n"
    "3. The Ombudsman investigates complaints that government organisations have not acted properly or fairly or "
    "have provided a poor service. To find out more, please contact:\n"
    "\n"
    "The Parliamentary and Health Service Ombudsman\n"
    "Millbank Tower\n"
    "Millbank\n"
    "London\n"
    "SW1P 4QP\n"
    "\n"
    "Phone: 0345 015 4033\n"
    "Website: Parliamentary and Health Service Ombudsman"
)


@dataclass(frozen=True)
class StandardText:
    text: str
    source: str
    """Where the wording comes from, e.g. `000 Annex 1`."""


_GENERIC = StandardText(ANNEX_1_TEXT, "000 Annex 1")
_ATW = StandardText(ANNEX_1_TEXT, "000 Annex 1 (002 8.06 Annex H not in the guidance seed)")

STANDARD_TEXTS: dict[Programme, StandardText] = {
    Programme.IPES: _GENERIC,
    Programme.GENERIC: _GENERIC,
    Programme.CMS: _GENERIC,
    Programme.ATW: _ATW,
}


def standard_text(programme: Programme) -> StandardText:
    return STANDARD_TEXTS[programme]


def ice_contact_by(response_date: date) -> date:
    """The date by which the complainant should contact ICE: six months from the final response (000 14.23)."""
    return add_months(response_date, ICE_WINDOW_MONTHS)


def same_wording(supplied: str, standard: str) -> bool:
    """Equal up to whitespace (line endings, wrapping, non-breaking spaces): the words must not change."""
    return supplied.split() == standard.split()
