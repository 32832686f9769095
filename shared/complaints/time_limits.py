"""Time limits for raising a complaint (R9; 003).

A programme may set one. CMS: "a client can raise a complaint at any time during the lifecycle of a
case and up to 14 months after the case has been closed. Where the complaint is raised by Members of
Parliament (MP), the independent case examiner (ICE) or parliamentary and health service ombudsman
(PHSO) there is no time limit" (003). For Northern Ireland 003 adds: "Add Member of Legislative
Assembly (MLA) to follow all references to MP", so an MLA is exempt as an MP is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.calendar import add_months
from shared.complaints.vocabulary import ComplainantKind, RaisedVia
from shared.vocabulary import Programme


@dataclass(frozen=True)
class TimeLimit:
    months_after_case_closed: int
    guidance: str


TIME_LIMITS: dict[Programme, TimeLimit] = {Programme.CMS: TimeLimit(14, "003")}

EXEMPT_RAISERS = frozenset({RaisedVia.ICE, RaisedVia.PHSO})
EXEMPT_MEMBERS = frozenset({ComplainantKind.MP, ComplainantKind.MLA})
"""The guidance names MPs (and, in Northern Ireland, MLAs); not MSPs, MSs/AMs or MEPs."""


def time_limit(programme: Programme) -> TimeLimit | None:
    return TIME_LIMITS.get(programme)


def exempt(raised_via: RaisedVia, complainant_kind: ComplainantKind) -> bool:
    """No time limit applies where an MP (MLA), ICE or PHSO raises the complaint (003)."""
    return raised_via in EXEMPT_RAISERS or complainant_kind in EXEMPT_MEMBERS


def last_day_to_raise(limit: TimeLimit, case_closed_on: date) -> date:
    return add_months(case_closed_on, limit.months_after_case_closed)
