"""Server-sent events: the tenant's view changes as they commit, resumable with ``Last-Event-ID``.

Each event names the view and the organization whose row changed; a dashboard re-reads
that row. Event ids are ``view_changes`` ids, committed in order (migration 007), so a
client that reconnects with the last id it saw misses nothing and repeats nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Annotated, AsyncIterator
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request, get
from litestar.params import Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from projections.registry import NAMES
from projections.tracking import VIEW_CHANGES_CHANNEL
from services.api.auth import Principal, may_read
from services.api.paging import invalid, tenant_transaction

KEEPALIVE_SECONDS = 15.0
PAGE = 500


class ChangeSignal:
    """Wakes every open stream when a worker commits changes (PostgreSQL NOTIFY)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._connection: asyncpg.Connection | None = None

    async def start(self, dsn: str) -> None:
        self._connection = await asyncpg.connect(dsn)
        await self._connection.add_listener(VIEW_CHANGES_CHANNEL, self._notified)

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    def _notified(self, *_: object) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)


class ViewChange(msgspec.Struct):
    view: str
    organization_id: UUID | None
    subject_id: UUID | None
    position: int  # the event's position in the store
    changed_at: datetime


def _last_event_id(request: Request, after: int | None) -> int | None:
    header = request.headers.get("last-event-id")
    if header is None:
        return after
    try:
        return int(header)
    except ValueError:
        raise invalid("Last-Event-ID", "not an event id of this stream", "Last-Event-ID is not valid.") from None


async def _changes(
    request: Request, principal: Principal, after: int | None, views: list[str] | None
) -> AsyncIterator[ServerSentEventMessage]:
    pool: asyncpg.Pool = request.app.state.read_pool
    signal: ChangeSignal = request.app.state.change_signal
    orgs = list(principal.organizations) if principal.organizations is not None else None
    if after is None:  # a new subscriber: from now on
        async with tenant_transaction(pool, principal) as con:
            after = await con.fetchval("SELECT coalesce(max(id), 0) FROM view_changes")
    yield ServerSentEventMessage(data=None, retry=2000, comment="credledger view changes")
    while True:
        async with tenant_transaction(pool, principal) as con:
            rows = await con.fetch(
                "SELECT id, view, organization_id, subject_id, position, changed_at FROM view_changes "
                "WHERE id > $1 AND ($2::uuid[] IS NULL OR organization_id = ANY($2)) "
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
            if len(rows) == PAGE:
                continue
        else:
            yield ServerSentEventMessage(data=None, comment="keepalive")
        await signal.wait(KEEPALIVE_SECONDS)


@get(
    "/v1/views/changes",
    operation_id="streamViewChanges",
    guards=[may_read],
    tags=["views"],
    description="Server-sent events, one per changed view row of the tenant. Reconnect with the "
    "Last-Event-ID header (browsers do it for you) to resume where the stream stopped.",
)
async def view_changes(
    request: Request,
    after: Annotated[int | None, Parameter(ge=0, description="resume after this event id")] = None,
    view: Annotated[list[str] | None, Parameter(description=f"only these views: {', '.join(NAMES)}")] = None,
) -> ServerSentEvent:
    if view and not set(view) <= set(NAMES):
        raise invalid("view", f"one of {', '.join(NAMES)}", "Unknown view.")
    principal: Principal = request.user
    return ServerSentEvent(_changes(request, principal, _last_event_id(request, after), view))
