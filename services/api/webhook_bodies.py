"""The webhook API's bodies and answers (services/api/webhooks.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

Url = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2000,
        description="Where deliveries are POSTed: an https:// URL of a public host (not one of the service's own "
        "machine or a private network).",
        examples=["https://hooks.example-firm.com/credledger"],
    ),
]
EventTypes = Annotated[
    list[str],
    msgspec.Meta(
        min_length=1,
        max_length=100,
        description="The messages it receives: a record's event (organization.Registered, user_account.AccessGranted, "
        "application.Approved ...), a record's every event (application.*), a view's changed row "
        "(view.access_audit, view.expirables ...), view.* or *.",
        examples=[["application.*", "view.access_audit"]],
    ),
]
Description = Annotated[
    str, msgspec.Meta(max_length=500, description="What the endpoint is for.", examples=["The firm's case tracker"])
]


class WebhookRegistration(msgspec.Struct, forbid_unknown_fields=True):
    """A new endpoint: it receives what is recorded from now on."""

    url: Url
    event_types: EventTypes
    description: Description = ""


class WebhookChange(msgspec.Struct, forbid_unknown_fields=True):
    """The fields to change; those left out keep their value. A disabled endpoint is sent nothing."""

    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    enabled: Annotated[
        bool | None,
        msgspec.Meta(
            description="false: send it nothing (deliveries due meanwhile fail); true: again", examples=[True]
        ),
    ] = None


class WebhookEndpoint(msgspec.Struct, kw_only=True):
    id: UUID
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookEndpoint, kw_only=True):
    # Shown this once: verify each delivery's webhook-signature with it (any Standard Webhooks library).
    secret: str


class WebhookEndpoints(msgspec.Struct):
    items: list[WebhookEndpoint]


class WebhookDelivery(msgspec.Struct, kw_only=True):
    id: UUID  # the webhook-id header: the same on every attempt
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    retry_until: datetime
    created_at: datetime
    delivered_at: datetime | None
    requeued_by: str | None
    payload: dict[str, Any]  # the body sent


class WebhookDeliveries(msgspec.Struct):
    items: list[WebhookDelivery]
    next_cursor: str | None


class Requeue(msgspec.Struct, forbid_unknown_fields=True):
    """Send again every delivery of the endpoint whose last attempt failed since this moment."""

    failed_since: Annotated[
        datetime, msgspec.Meta(description="ISO 8601 with its offset", examples=["2026-12-01T00:00:00Z"])
    ]


class Requeued(msgspec.Struct):
    requeued: int
