"""What is sent: one JSON body per message, in the Standard Webhooks shape ``{type, timestamp, data}``, built once
when the message is queued and sent byte for byte the same on every attempt (the signature covers those bytes)."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from standardwebhooks.webhooks import Webhook

from services.app.compliance import history_entry

SECRET_PREFIX = "whsec_"
_encoder = msgspec.json.Encoder()


def new_secret() -> str:
    """A signing secret as Standard Webhooks libraries take it: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def delivery_id(endpoint_id: UUID, cause: str) -> UUID:
    """The webhook-id: the same for the same endpoint and cause, however often the cause is taken in."""
    return uuid.uuid5(endpoint_id, cause)


def event_body(
    message_type: str, event: Any, position: int, actor_role: str | None = None, request_id: str | None = None
) -> str:
    """A record's event, as its compliance history shows it (personal data left out), with the record's id."""
    entry = history_entry(event, position, actor_role, request_id)
    data = {"record_id": event.originator_id, **msgspec.structs.asdict(entry)}
    return _encoder.encode({"type": message_type, "timestamp": entry.recorded_at, "data": data}).decode()


def view_change_body(change: dict[str, Any]) -> str:
    """A view's changed row: which view, which practice and subject, from which event; read the view for the row."""
    data = {key: change[key] for key in ("view", "organization_id", "subject_id", "position")}
    data["change_id"] = change["id"]
    return _encoder.encode({"type": f"view.{change['view']}", "timestamp": change["changed_at"], "data": data}).decode()


def signature_headers(secret: str, message_id: UUID, body: str, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers: the message's id, the moment it was signed, and the HMAC-SHA256 signature of
    ``id.timestamp.body`` with the endpoint's secret."""
    return {
        "webhook-id": str(message_id),
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(str(message_id), now, body),
    }
