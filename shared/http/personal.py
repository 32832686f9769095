"""`PersonalText`: a response field that carries a sealed value, revealed at the edge (R62).

Handlers put the envelope in; the reveal middleware turns it into the plaintext for callers who may
see it, `[erased]` after erasure, or `[withheld]`. The OpenAPI schema says what a client receives.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from shared.personal_data import ERASED, WITHHELD, is_sealed


def _accept(value: Any) -> Any:
    if value is None or isinstance(value, str) or is_sealed(value):
        return value
    raise ValueError("a personal value must be text or a sealed envelope")


PersonalText = Annotated[
    Any,
    PlainValidator(_accept),
    PlainSerializer(lambda v: v),
    WithJsonSchema(
        {
            "type": "string",
            "description": f"Personal data (R62): the value, or `{ERASED}` once the data subject's personal data "
            f"has been erased, or `{WITHHELD}` where your role may not see it.",
        }
    ),
]
