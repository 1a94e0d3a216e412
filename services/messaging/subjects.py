"""NATS subjects, streams and headers: credledger.<tenant>.<aggregate>.<event>.

Tokens contain no dots (tenant ids are checked in the domain), so consumers can
filter per tenant (``credledger.T.>``) or per aggregate kind (``credledger.*.application.>``).
"""

from __future__ import annotations

import re
from functools import cache

import nats.js.api as js_api
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

HEADER_NOTIFICATION_ID = "Credledger-Notification-Id"
HEADER_TOPIC = "Credledger-Topic"
HEADER_ORIGINATOR_ID = "Credledger-Originator-Id"
HEADER_ORIGINATOR_VERSION = "Credledger-Originator-Version"
HEADER_TENANT = "Credledger-Tenant"
HEADER_ACTOR_ROLE = "Credledger-Actor-Role"  # the role the acting user's token carried
HEADER_REQUEST_ID = "Credledger-Request-Id"  # the HTTP request that recorded the event, when one did


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@cache
def aggregate_and_event(topic: str) -> tuple[str, str]:
    """``domain.user_account:UserAccount.AccessGranted`` -> ``("user_account", "access_granted")``."""
    qualname = topic.split(":", 1)[1]
    aggregate, _, event = qualname.rpartition(".")
    return _snake(aggregate.rsplit(".", 1)[-1]), _snake(event)


def event_subject(namespace: str, tenant_id: str, topic: str) -> str:
    aggregate, event = aggregate_and_event(topic)
    return f"{namespace}.{tenant_id}.{aggregate}.{event}"


def event_id(originator_id: object, originator_version: int) -> str:
    """Stable across republishing: what JetStream de-duplicates on (Nats-Msg-Id)."""
    return f"{originator_id}:{originator_version}"


async def ensure_stream(js: JetStreamContext, namespace: str) -> str:
    """Create the stream if missing. File storage: NATS holds a replayable copy, not the truth."""
    name = namespace.upper()
    try:
        await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(
            js_api.StreamConfig(
                name=name,
                subjects=[f"{namespace}.>"],
                storage=js_api.StorageType.FILE,
                # De-duplication window for Nats-Msg-Id. The relay does not rely on
                # it alone: on start it resumes after the last message in the stream.
                # https://docs.nats.io/using-nats/developer/develop_jetstream/model_deep_dive#message-deduplication
                duplicate_window=120,
            )
        )
    return name
