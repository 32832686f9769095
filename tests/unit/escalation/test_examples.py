"""The escalation service's documented success examples are answers its response models accept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from services.escalation.api import examples
from services.escalation.api.caselist import Caselist
from services.escalation.api.deadlines import DeadlinesOut
from services.escalation.api.worklists import Worklist
from shared.calendar import default_working_days
from shared.vocabulary import Nation


@pytest.mark.parametrize(
    ("model", "example"),
    [
        (DeadlinesOut, examples.ESCALATED),
        (DeadlinesOut, examples.FLAGGED),
        (Worklist, examples.WORKLIST),
        (Caselist, examples.CASELIST),
    ],
)
def test_each_example_is_a_valid_answer(model: type[BaseModel], example: dict[str, Any]) -> None:
    assert model.model_validate(example).model_dump(mode="json") == example


def test_the_working_days_examples_are_true() -> None:
    """Scotland over Christmas and New Year: 25, 26 (substitute 28) December, 1 and 2 January are holidays (R22)."""
    calendar = default_working_days()
    assert calendar.add(Nation.SCOTLAND, date(2026, 12, 23), 3) == date(2026, 12, 30)
    assert calendar.between(Nation.SCOTLAND, date(2026, 12, 23), date(2027, 1, 6)) == 6
