"""Words of the guidance shared by every service."""

from __future__ import annotations

from enum import StrEnum


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
