"""Words of the guidance shared by every service."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


class Nation(StrEnum):
    """Selects the bank-holiday calendar (R22): England and Wales share one."""

    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"


class Programme(StrEnum):
    IPES = "ipes"  # Intensive Personalised Employment Support (000)
    ATW = "atw"  # Access to Work (002)
    GENERIC = "generic"  # a generic DWP provider programme (004)
    CMS = "cms"  # Child Maintenance Service (003)


ORGANISATION_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    # pydantic's lax mode reads 0 or "0" as 1970-01-01 (a Unix time) and takes a datetime at midnight as a date:
    # a date in a request is what the documents say, YYYY-MM-DD, and anything else is a 422 naming the field.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    # The rule pydantic itself names for a malformed date, so clients see one rule for every bad date.
    raise PydanticCustomError("date_from_datetime_parsing", "Input should be a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A date given in a request (body or query): exactly YYYY-MM-DD."""
