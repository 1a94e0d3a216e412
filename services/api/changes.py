"""Server-sent events: the tenant's view changes as they commit, resumable with ``Last-Event-ID``.

Each event names the view and the organization whose row changed; a dashboard re-reads
that row. Event ids are ``view_changes`` ids, committed in order (migration 007), so a
client that reconnects with the last id it saw misses nothing and repeats nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request, get
from litestar.params import Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from projections.engine.registry import NAMES
from services.api.auth import Principal, may_read, token_expiry
from services.api.change_signal import ChangeSignal
from services.api.dependencies import ChangeSignalDependency, JwtSecret, ReadPool
from services.api.openapi_docs import StreamOperation, read_docs
from services.api.paging import invalid
from services.api.view_reads import read_views

log = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 15.0  # at most this long without sending anything
PAGE = 500


class ViewChange(msgspec.Struct):
    view: str
    organization_id: UUID | None
    subject_id: UUID | None
    position: int  # the event's position in the store
    changed_at: datetime


MAX_EVENT_ID = 2**63 - 1  # view_changes ids are bigint


def _last_event_id(request: Request, after: int | None) -> int | None:
    header = request.headers.get("last-event-id")
    if header is None:
        return after
    # ASCII digits only: no sign, no spaces, no underscores (and no "²", which isdigit() also accepts).
    # At most 19 digits (a bigint), counted before int(): past 4,300 digits int() raises instead of answering.
    value = int(header) if header.isascii() and header.isdigit() and len(header) <= 19 else None
    if value is None or value > MAX_EVENT_ID:
        raise invalid("Last-Event-ID", "not an event id of this stream", "Last-Event-ID is not valid.")
    return value


async def _changes(
    pool: asyncpg.Pool,
    signal: ChangeSignal,
    principal: Principal,
    after: int | None,
    views: list[str] | None,
    expires: float,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[ServerSentEventMessage]:
    """The tenant's view changes after ``after`` until ``expires`` (Unix time by ``clock``: the token's expiry,
    when the stream ends; reconnecting then needs a valid token, like any request)."""
    orgs = list(principal.organizations) if principal.organizations is not None else None
    if after is None:  # a new subscriber: from now on
        async with read_views(pool, principal) as con:
            after = await con.fetchval("SELECT coalesce(max(id), 0) FROM view_changes")
    # The opening names where the stream starts (its id): a client that loses the connection before any change
    # arrives resumes from there with Last-Event-ID, rather than from whenever it reconnects.
    yield ServerSentEventMessage(data=None, id=after, retry=2000, comment="credledger view changes")
    loop = asyncio.get_running_loop()
    quiet_until = loop.time() + KEEPALIVE_SECONDS
    while clock() < expires:
        seen = signal.generation  # before the query: a change it misses ends the wait below at once
        async with read_views(pool, principal) as con:
            rows = await con.fetch(
                "SELECT id, view, organization_id, subject_id, position, changed_at FROM view_changes "
                "WHERE id > $1 AND ($2::uuid[] IS NULL OR organization_id IS NULL OR organization_id = ANY($2)) "
                "AND ($3::text[] IS NULL OR view = ANY($3)) ORDER BY id LIMIT $4",
                after,
                orgs,
                views,
                PAGE,
            )
        for row in rows:
            change = ViewChange(
                row["view"], row["organization_id"], row["subject_id"], row["position"], row["changed_at"]
            )
            yield ServerSentEventMessage(data=msgspec.json.encode(change).decode(), event=row["view"], id=row["id"])
        if rows:
            after = rows[-1]["id"]
            quiet_until = loop.time() + KEEPALIVE_SECONDS
            if len(rows) == PAGE:
                continue
        # Woken by a NOTIFY (any tenant's), or after KEEPALIVE_SECONDS with nothing sent: then a
        # comment keeps proxies from closing the connection, and the query runs again regardless.
        remaining = min(quiet_until - loop.time(), expires - clock())
        if remaining <= 0 or not await signal.wait(seen, remaining):
            yield ServerSentEventMessage(data=None, comment="keepalive")
            quiet_until = loop.time() + KEEPALIVE_SECONDS


@get(
    "/v1/views/changes",
    operation_id="streamViewChanges",
    guards=[may_read],
    tags=["views"],
    description="Server-sent events, one per changed view row of the tenant. Reconnect with the "
    "Last-Event-ID header (browsers do it for you) to resume where the stream stopped. The stream ends when "
    "the token expires; a comment line (keepalive) is sent after 15 s without events.",
    media_type="text/event-stream",  # documentation: ServerSentEvent sets its own content type
    response_description="An endless text/event-stream: each event's `event` is the view, `id` the change's id "
    "(for Last-Event-ID) and `data` a JSON object {view, organization_id, subject_id, position, changed_at}.",
    operation_class=StreamOperation,
    **read_docs("Stream the views' changes (server-sent events)", not_found=False),
)
async def view_changes(
    request: Request,
    read_pool: ReadPool,
    change_signal: ChangeSignalDependency,
    jwt_secret: JwtSecret,
    after: Annotated[int | None, Parameter(ge=0, le=MAX_EVENT_ID, description="resume after this event id")] = None,
    view: Annotated[list[str] | None, Parameter(description=f"only these views: {', '.join(NAMES)}")] = None,
) -> ServerSentEvent:
    if view and not set(view) <= set(NAMES):
        raise invalid("view", f"one of {', '.join(NAMES)}", "Unknown view.")
    principal: Principal = request.user
    expires = token_expiry(jwt_secret, request.auth)
    events = _changes(read_pool, change_signal, principal, _last_event_id(request, after), view, expires)
    return ServerSentEvent(events)
