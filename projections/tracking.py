"""Exactly-once in effect: view rows, the per-aggregate version and the position in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

import asyncpg


class Projection(Protocol):
    name: str
    aggregates: tuple[str, ...]  # aggregate kinds it consumes, as in the subject

    async def apply(self, con: asyncpg.Connection, event: Any, position: int) -> None: ...


@dataclass(frozen=True)
class Envelope:
    tenant_id: str
    position: int  # the event's notification id in the store
    event: Any  # the decoded domain event


class OutOfOrder(Exception):
    """An aggregate's event arrived before the one preceding it: wait for it."""


async def apply_in_transaction(con: asyncpg.Connection, projection: Projection, envelope: Envelope) -> bool:
    """Apply one event inside the caller's transaction. False if it was already applied."""
    event = envelope.event
    # RLS on the tables: the worker sets the event's tenant, like any reader.
    await con.execute("SELECT set_config('app.tenant_id', $1, true)", envelope.tenant_id)
    if not await _claim(con, projection, envelope):
        applied = await con.fetchval(
            "SELECT version FROM projection_versions WHERE projection = $1 AND originator_id = $2",
            projection.name,
            event.originator_id,
        )
        if applied is not None and event.originator_version <= applied:
            return False  # redelivered or replayed: no effect
        raise OutOfOrder(f"{event.originator_id} v{event.originator_version} after v{applied or 0}")
    await projection.apply(con, event, envelope.position)
    return True


async def _claim(con: asyncpg.Connection, projection: Projection, envelope: Envelope) -> bool:
    """Move the aggregate's applied version from N-1 to N, or report that it is not at N-1.

    Claimed BEFORE applying: the write holds the row's lock (for a first event, the
    unique index entry) until commit, so a second worker handed the same event (a
    redelivery after ack_wait) waits, then re-checks and finds it taken. A read-then-
    write check would let both apply under READ COMMITTED.
    https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED
    """
    event = envelope.event
    if event.originator_version == 1:
        query = (
            "INSERT INTO projection_versions (projection, tenant_id, originator_id, version) "
            "VALUES ($1, $2, $3, 1) ON CONFLICT (projection, originator_id) DO NOTHING RETURNING 1"
        )
        return bool(await con.fetchval(query, projection.name, envelope.tenant_id, event.originator_id))
    query = (
        "UPDATE projection_versions SET version = $3 "
        "WHERE projection = $1 AND originator_id = $2 AND version = $3 - 1 RETURNING 1"
    )
    return bool(await con.fetchval(query, projection.name, event.originator_id, event.originator_version))


async def advance_position(con: asyncpg.Connection, projection: Projection, position: int) -> None:
    await con.execute(
        "INSERT INTO projection_tracking (projection, notification_id) VALUES ($1, $2) "
        "ON CONFLICT (projection) DO UPDATE SET notification_id = "
        "GREATEST(projection_tracking.notification_id, excluded.notification_id)",
        projection.name,
        position,
    )


ApplyBatch = Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]
