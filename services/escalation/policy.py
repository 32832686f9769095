"""The deadline policy a running service uses: its settings' due-soon threshold and calendar file."""

from __future__ import annotations

from services.escalation.domain.deadlines import Policy
from shared.calendar import WorkingDays, working_days_for
from shared.settings import Settings


def calendar(settings: Settings) -> WorkingDays:
    return working_days_for(settings.bank_holiday_overrides_file)


def policy(settings: Settings) -> Policy:
    return Policy(due_soon_working_days=settings.due_soon_working_days, calendar=calendar(settings))
