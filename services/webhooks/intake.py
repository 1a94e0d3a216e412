"""Messages in, deliveries out: each event from the stream (a durable JetStream consumer) and each view change
(read from where the last run stopped) becomes one delivery row per endpoint subscribed to it, written before the
stream message is acknowledged or the view-change mark moves, in the same transaction as the mark.

So a crash loses nothing (the message comes again, the mark did not move) and repeats nothing (a delivery's id is
derived from its endpoint and cause: ``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from nats.aio.msg import Msg

from domain.webhooks import RETRY_WINDOW, message_type, subscribed
from projections.engine.worker import decode
from services.messaging.subjects import HEADER_ACTOR_ROLE, HEADER_REQUEST_ID, HEADER_TENANT
from services.webhooks.messages import delivery_id, event_body, view_change_body

log = logging.getLogger(__name__)
GIVE_UP_AFTER_DELIVERIES = 3  # a stream message that cannot be decoded: logged and skipped after this many tries
VIEW_CHANGES_PAGE = 1000

# Through the endpoint's row as it is now: one deleted meanwhile gets nothing; one disabled gets the delivery as
# failed at once, which an administrator can send once it is enabled again (nothing recorded is lost).
INSERT = """
INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, body, status, next_attempt_at, retry_until,
    last_error)
SELECT $1, $2, e.id, $4, $5, CASE WHEN e.enabled THEN 'pending' ELSE 'failed' END,
    CASE WHEN e.enabled THEN $6::timestamptz END, $6::timestamptz + $7::interval,
    CASE WHEN e.enabled THEN NULL ELSE 'the endpoint was disabled when this was recorded' END
FROM webhook_endpoints AS e WHERE e.id = $3
ON CONFLICT (id) DO NOTHING
"""


@dataclass(frozen=True)
class Endpoint:
    id: UUID
    tenant_id: str
    event_types: tuple[str, ...]
    from_position: int
    from_change: int


async def endpoints_by_tenant(db: asyncpg.Connection) -> dict[str, list[Endpoint]]:
    rows = await db.fetch("SELECT id, tenant_id, event_types, from_position, from_change FROM webhook_endpoints")
    found: dict[str, list[Endpoint]] = defaultdict(list)
    for row in rows:
        found[row["tenant_id"]].append(
            Endpoint(row["id"], row["tenant_id"], tuple(row["event_types"]), row["from_position"], row["from_change"])
        )
    return found


def _row(endpoint: Endpoint, cause: str, kind: str, body: str, now: datetime) -> tuple[Any, ...]:
    return (delivery_id(endpoint.id, cause), endpoint.tenant_id, endpoint.id, kind, body, now, RETRY_WINDOW)


async def take_events(db: asyncpg.Connection, messages: list[Msg]) -> tuple[int, list[Msg]]:
    """Queue the deliveries of a batch of stream messages. Returns how many were queued, and the messages to take
    again later (one that could not be read: a passing fault is retried a few times, then it is skipped); the
    caller acknowledges the others after this returns."""
    endpoints = await endpoints_by_tenant(db)
    now = datetime.now(UTC)
    rows, again = [], []
    for message in messages:
        try:
            rows += _deliveries_of(message, endpoints, now)
        except Exception as error:  # its text could quote event data: its type and place only
            if message.metadata.num_delivered < GIVE_UP_AFTER_DELIVERIES:
                again.append(message)
                continue
            log.warning(
                "webhooks: stream message %s cannot be delivered (%s); skipped",
                message.metadata.sequence.stream,
                type(error).__name__,
            )
    if rows:
        async with db.transaction():
            await db.executemany(INSERT, rows)
    return len(rows), again


def _deliveries_of(message: Msg, endpoints: dict[str, list[Endpoint]], now: datetime) -> list[tuple[Any, ...]]:
    headers = message.headers or {}
    if not endpoints.get(headers.get(HEADER_TENANT, "")):
        return []  # no endpoint of its firm: nothing to read it for
    envelope = decode(message)
    kind = message_type(envelope.event)
    rows = []
    for endpoint in endpoints.get(envelope.tenant_id, ()):
        if envelope.position > endpoint.from_position and subscribed(endpoint.event_types, kind):
            request_id, role = headers.get(HEADER_REQUEST_ID), headers.get(HEADER_ACTOR_ROLE)
            body = event_body(kind, envelope.event, envelope.position, role, request_id)
            rows.append(_row(endpoint, f"event:{envelope.position}", kind, body, now))
    return rows


async def take_view_changes(db: asyncpg.Connection) -> int:
    """Queue the deliveries of the view changes since the last mark, and move the mark, in one transaction.
    Returns how many view changes were read (a full page means there may be more)."""
    async with db.transaction():
        last = await db.fetchval("SELECT last_id FROM webhook_progress WHERE source = 'view_changes' FOR UPDATE")
        if last is None:  # the first run: from now on, or from the oldest endpoint's start if it is earlier
            last = await db.fetchval(
                "SELECT least((SELECT coalesce(max(id), 0) FROM view_changes), "
                "(SELECT min(from_change) FROM webhook_endpoints))"
            )
            await db.execute("INSERT INTO webhook_progress (source, last_id) VALUES ('view_changes', $1)", last)
        changes = await db.fetch(
            "SELECT id, tenant_id, view, organization_id, subject_id, position, changed_at FROM view_changes "
            "WHERE id > $1 ORDER BY id LIMIT $2",
            last,
            VIEW_CHANGES_PAGE,
        )
        if not changes:
            return 0
        endpoints = await endpoints_by_tenant(db)
        now = datetime.now(UTC)
        rows = []
        for change in changes:
            kind = f"view.{change['view']}"
            for endpoint in endpoints.get(change["tenant_id"], ()):
                if change["id"] > endpoint.from_change and subscribed(endpoint.event_types, kind):
                    rows.append(
                        _row(endpoint, f"view_change:{change['id']}", kind, view_change_body(dict(change)), now)
                    )
        if rows:
            await db.executemany(INSERT, rows)
        await db.execute("UPDATE webhook_progress SET last_id = $1 WHERE source = 'view_changes'", changes[-1]["id"])
        return len(changes)
