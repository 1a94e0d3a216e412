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
    applied = await con.fetchval(
        "SELECT version FROM projection_versions WHERE projection = $1 AND originator_id = $2",
        projection.name,
        event.originator_id,
    )
    applied = applied or 0
    if event.originator_version <= applied:
        return False  # redelivered or replayed: no effect
    if event.originator_version != applied + 1:
        raise OutOfOrder(f"{event.originator_id} v{event.originator_version} after v{applied}")
    await projection.apply(con, event, envelope.position)
    await con.execute(
        "INSERT INTO projection_versions (projection, tenant_id, originator_id, version) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (projection, originator_id) DO UPDATE SET version = excluded.version",
        projection.name,
        envelope.tenant_id,
        event.originator_id,
        event.originator_version,
    )
    return True


async def advance_position(con: asyncpg.Connection, projection: Projection, position: int) -> None:
    await con.execute(
        "INSERT INTO projection_tracking (projection, notification_id) VALUES ($1, $2) "
        "ON CONFLICT (projection) DO UPDATE SET notification_id = "
        "GREATEST(projection_tracking.notification_id, excluded.notification_id)",
        projection.name,
        position,
    )


ApplyBatch = Callable[[asyncpg.Connection, list[Envelope]], Awaitable[None]]
