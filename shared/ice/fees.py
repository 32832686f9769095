"""The contribution to costs (fee): whether it is due, how much, and why (R36). Pure.

The rule, as the contract clause has it (001 Annex 1, "For contracts valued at or above £50,000", 2.11.3):
only where the contract was let or renewed on or after 1 April 2011 (004 Part B 1) and is valued at or
above £50,000. The footnote to 001 says "over £50,000"; the clause is the contract term, so it wins, and
every assessment records `RULE_VERSION` so a later change of reading stays traceable. No fee at stages 1
and 2, or when no element is upheld (000 14.29, 14.31; 001 Annex 1 2.11.3 "dismissed, no costs").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from shared.ice.events import ContractTerms
from shared.ice.vocabulary import ReportOutcome

RULE_VERSION = "fee-rule@v1: let or renewed on or after 2011-04-01 and valued at or above £50,000 (001 Annex 1 2.11.3)"
SCHEME_START = date(2011, 4, 1)
THRESHOLD_PENCE = 5_000_000
SCHEDULE_FILE = Path(__file__).with_name("fee_schedule.toml")


class FeeRate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    effective_from: date
    amount_pence: int = Field(ge=0)
    source: str = ""


@dataclass(frozen=True)
class FeeDecision:
    due: bool
    amount_pence: int
    reason: str
    schedule_version: str | None


def rate_on(schedule: tuple[FeeRate, ...], day: date) -> FeeRate | None:
    """The row in effect on `day`: the latest effective on or before it."""
    effective = [r for r in schedule if r.effective_from <= day]
    return max(effective, key=lambda r: r.effective_from) if effective else None


def assess(
    outcome: ReportOutcome, contract: ContractTerms | None, report_date: date, schedule: tuple[FeeRate, ...]
) -> FeeDecision:
    if outcome is ReportOutcome.NOT_UPHELD:
        return FeeDecision(False, 0, "not upheld: no costs are payable (001 Annex 1 2.11.3)", None)
    if contract is None:
        return FeeDecision(False, 0, "no contract is recorded for the complaint: the fee clause cannot apply", None)
    if contract.let_or_renewed_on < SCHEME_START:
        return FeeDecision(
            False,
            0,
            f"contract {contract.contract_id} was let or renewed on {contract.let_or_renewed_on.isoformat()}, "
            "before 1 April 2011 (004 Part B 1)",
            None,
        )
    if contract.value_pence < THRESHOLD_PENCE:
        return FeeDecision(
            False,
            0,
            f"contract {contract.contract_id} is valued at {_pounds(contract.value_pence)}, below £50,000 "
            "(001 Annex 1: the clause for contracts valued below £50,000 carries no contribution to costs)",
            None,
        )
    rate = rate_on(schedule, report_date)
    if rate is None:
        return FeeDecision(False, 0, f"no fee schedule row is in effect on {report_date.isoformat()}", None)
    return FeeDecision(
        True,
        rate.amount_pence,
        f"{outcome.value} at investigation; contract {contract.contract_id} let or renewed on "
        f"{contract.let_or_renewed_on.isoformat()} and valued at {_pounds(contract.value_pence)} "
        f"(at or above £50,000): {_pounds(rate.amount_pence)} from the schedule row of {rate.version}",
        rate.version,
    )


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def load_schedule(path: Path = SCHEDULE_FILE) -> tuple[FeeRate, ...]:
    raw = tomllib.loads(path.read_text())
    return tuple(FeeRate.model_validate(row) for row in raw.get("rates", []))


@lru_cache(maxsize=1)
def default_schedule() -> tuple[FeeRate, ...]:
    return load_schedule()
