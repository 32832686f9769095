"""Request and response bodies of the webhooks API, with the examples Swagger UI shows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, StringConstraints, WithJsonSchema

from shared.feed.visibility import COMPLAINT, ICE_CASE
from shared.feed.webhooks.events import WebhookFilters
from shared.feed.webhooks.matching import EVENT_TYPE_PATTERN
from shared.feed.webhooks.store import SubscriptionRow
from shared.personal_data import is_sealed
from shared.vocabulary import ORGANISATION_ID_PATTERN, Programme

SUBSCRIPTION_ID = "3f6c2a8e-1d4b-4c7a-9e2f-5b8d0a1c3e57"
DELIVERY_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
EVENT_ID = "4c1f7f0e-52a4-4f3b-9d0e-2b8f8a7d1c22"

EventTypePattern = Annotated[str, StringConstraints(pattern=EVENT_TYPE_PATTERN, max_length=120)]
OrganisationId = Annotated[str, StringConstraints(pattern=ORGANISATION_ID_PATTERN)]


def _accept_secret(value: Any) -> Any:
    if isinstance(value, str) or is_sealed(value):
        return value
    raise ValueError("a secret is text or a sealed value")


SigningSecret = Annotated[
    Any,
    PlainValidator(_accept_secret),
    PlainSerializer(lambda v: v),
    WithJsonSchema(
        {
            "type": "string",
            "description": "The signing secret, shown once: keep it to verify `X-Webhook-Signature`.",
            "examples": ["whsec_Yp3rQ0mZ8v2b6N1tK4xW7cJ9dF5hL0sA2eR6uI8oP3g"],
        }
    ),
]
"""Held sealed in the handler and in stored idempotent responses; opened only at the edge (shared.http.middleware)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookFiltersIn(Strict):
    stream_types: list[Literal["complaint", "ice_case"]] = Field(
        default_factory=list, max_length=2, description="Only complaint events, or only ICE case events"
    )
    programmes: list[Programme] = Field(default_factory=list, max_length=10)
    provider_organisation_ids: list[OrganisationId] = Field(default_factory=list, max_length=100)

    def record(self) -> WebhookFilters:
        return WebhookFilters(
            stream_types=tuple(self.stream_types),
            programmes=tuple(p.value for p in self.programmes),
            provider_organisation_ids=tuple(self.provider_organisation_ids),
        )


class WebhookIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://crm.provider-alpha.example/hooks/dwp-complaints",
                    "event_types": ["complaint.registered.v1", "complaint.response_issued", "ice.*"],
                    "filters": {"stream_types": [COMPLAINT, ICE_CASE], "programmes": ["ipes"]},
                }
            ]
        },
    )

    url: str = Field(
        min_length=1,
        max_length=2048,
        description="An https URL (plain http only to localhost, in development and test)",
        examples=["https://crm.provider-alpha.example/hooks/dwp-complaints"],
    )
    event_types: list[EventTypePattern] = Field(
        min_length=1,
        max_length=50,
        description="`complaint.registered.v1` (that version), `complaint.registered` (any version), "
        "`complaint.*`, `ice.*`, or `*`",
    )
    filters: WebhookFiltersIn = Field(default_factory=WebhookFiltersIn)


class WebhookFiltersOut(BaseModel):
    stream_types: list[str]
    programmes: list[str]
    provider_organisation_ids: list[str]


_EXAMPLE_OUT: dict[str, Any] = {
    "subscription_id": SUBSCRIPTION_ID,
    "url": "https://crm.provider-alpha.example/hooks/dwp-complaints",
    "event_types": ["complaint.registered.v1", "complaint.response_issued", "ice.*"],
    "filters": {"stream_types": [COMPLAINT, ICE_CASE], "programmes": ["ipes"], "provider_organisation_ids": []},
    "status": "active",
    "registered_at": "2026-11-23T10:02:11.402000Z",
    "registered_by": "crm-integration",
}


class WebhookOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_OUT]})

    subscription_id: UUID
    url: str
    event_types: list[str]
    filters: WebhookFiltersOut
    status: Literal["active", "deleted"]
    registered_at: datetime
    registered_by: str = Field(description="The user (or system) that registered it")
    deleted_at: datetime | None = None

    @classmethod
    def of(cls, row: SubscriptionRow) -> WebhookOut:
        return cls(**_fields(row))


class WebhookCreatedOut(WebhookOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**_EXAMPLE_OUT, "secret": "whsec_Yp3rQ0mZ8v2b6N1tK4xW7cJ9dF5hL0sA2eR6uI8oP3g"}]
        }
    )

    secret: SigningSecret

    @classmethod
    def created(cls, row: SubscriptionRow) -> WebhookCreatedOut:
        return cls(**_fields(row), secret=row.secret)


def _fields(row: SubscriptionRow) -> dict[str, Any]:
    return {
        "subscription_id": row.subscription_id,
        "url": row.url,
        "event_types": list(row.event_types),
        "filters": WebhookFiltersOut(**row.filters.model_dump()),
        "status": "active" if row.deleted_at is None else "deleted",
        "registered_at": row.registered_at,
        "registered_by": row.registered_by,
        "deleted_at": row.deleted_at,
    }


class WebhookList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_EXAMPLE_OUT]}]})

    items: list[WebhookOut]


class AttemptOut(BaseModel):
    attempt: int = Field(description="1 for the first attempt")
    attempted_at: datetime
    finished_at: datetime | None = Field(None, description="`null`: no result recorded (the sender stopped)")
    status_code: int | None = Field(None, description="The receiver's HTTP status, if it answered")
    error: str | None = Field(None, description="Why there was no answer: timeout, connection refused, ...")
    next_attempt_at: datetime | None = Field(None, description="When the delivery is retried after this attempt")


DeliveryStatus = Literal["pending", "delivered", "failed", "cancelled"]

_EXAMPLE_DELIVERY: dict[str, Any] = {
    "delivery_id": DELIVERY_ID,
    "event_id": EVENT_ID,
    "event_type": "complaint.registered.v1",
    "status": "delivered",
    "attempts": 2,
    "created_at": "2026-11-23T10:02:11.950000Z",
    "finished_at": "2026-11-23T10:02:42.120000Z",
    "log": [
        {
            "attempt": 1,
            "attempted_at": "2026-11-23T10:02:12.010000Z",
            "finished_at": "2026-11-23T10:02:12.410000Z",
            "status_code": 503,
            "next_attempt_at": "2026-11-23T10:02:42.410000Z",
        },
        {
            "attempt": 2,
            "attempted_at": "2026-11-23T10:02:42.020000Z",
            "finished_at": "2026-11-23T10:02:42.120000Z",
            "status_code": 200,
        },
    ],
}


class DeliveryOut(BaseModel):
    delivery_id: UUID = Field(description="Sent as `X-Webhook-Id`: the same on every attempt")
    event_id: UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = None
    finished_at: datetime | None = None
    log: list[AttemptOut]


class DeliveryPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_EXAMPLE_DELIVERY]}]})

    items: list[DeliveryOut]
