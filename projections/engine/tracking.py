"""Exactly-once in effect: view rows, the per-aggregate version and the position in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from uuid import UUID

import asyncpg

from domain.business_time import is_correction
from projections.engine.corrections import refold_organization
from projections.engine.dispatch import Handlers
from projections.engine.rows import Row, ViewRows
from projections.engine.view_text import view_event

VIEW_CHANGES_CHANNEL = "credledger_view_changes"


class Projection(Protocol):
    name: str
    aggregates: tuple[str, ...]  # aggregate kinds it consumes, as in the subject
    row_types: tuple[type[Row], ...]  # its tables' rows
    handlers: Handlers  # which handler folds each event class; ``apply`` dispatches by it

    async def apply(self, rows: ViewRows, event: Any, position: int) -> UUID | None:
        """Fold one event into the view's rows (the event's tenant is ``rows.tenant``); return the
        organization whose rows changed (None: nothing a dashboard shows)."""
        ...


class Envelope(NamedTuple):  # a NamedTuple: a rebuild makes one per event, and a frozen dataclass is slower
    tenant_id: str
    position: int  # the event's notification id in the store
    event: Any  # the decoded domain event


@dataclass(frozen=True)
class Change:
    """A view row changed: what the server-sent-events stream tells dashboards."""

    view: str
    tenant_id: str
    organization_id: UUID | None  # None: nothing shown changed, so no change is streamed
    subject_id: UUID  # the aggregate whose event changed it
    position: int


class OutOfOrder(Exception):
    """An aggregate's event arrived before the one preceding it: wait for it."""


def _view_lock(projection: Projection) -> str:
    return f"credledger-view:{projection.name}"


async def begin_batch(con: asyncpg.Connection, projection: Projection) -> None:
    """First statement of every transaction that writes a view live. A rebuild's swap takes
    the same lock exclusively: live writes pause while new tables replace the old ones."""
    await con.execute("SELECT pg_advisory_xact_lock_shared(hashtext($1))", _view_lock(projection))


async def lock_view_exclusively(con: asyncpg.Connection, projection: Projection) -> None:
    await con.execute("SELECT pg_advisory_xact_lock(hashtext($1))", _view_lock(projection))


async def apply_in_transaction(
    con: asyncpg.Connection, projection: Projection, envelopes: Sequence[Envelope]
) -> list[Change]:
    """Apply events inside the caller's transaction, skipping those already applied: claim each one's
    version, fold the claimed ones into the view's rows, write the rows. Raises OutOfOrder (the caller's
    transaction then rolls back: nothing applied) if an event waits for one not applied yet."""
    claimed = []
    tenant = None
    for envelope in envelopes:
        event = envelope.event
        if envelope.tenant_id != tenant:  # it holds until the transaction ends: set it when it changes
            # RLS on the tables: the worker sets the event's tenant, like any reader.
            await con.execute("SELECT set_config('app.tenant_id', $1, true)", envelope.tenant_id)
            tenant = envelope.tenant_id
        if await _claim(con, projection, envelope):
            claimed.append(envelope)
            continue
        applied = await con.fetchval(
            "SELECT version FROM projection_versions WHERE projection = $1 AND originator_id = $2",
            projection.name,
            event.originator_id,
        )
        if applied is not None and event.originator_version <= applied:
            continue  # redelivered or replayed: no effect
        raise OutOfOrder(f"{event.originator_id} v{event.originator_version} after v{applied or 0}")
    # Rows not read yet in this batch come from the tables: the batch sees what is stored.
    rows = ViewRows(con, projection.row_types, starts_empty=False)
    aggregates: dict[str, set[UUID]] = {}
    for tenant_id, _, event in claimed:
        named = aggregates.setdefault(tenant_id, set())
        named.add(event.originator_id)
        if isinstance(getattr(event, "organization_id", None), UUID):  # an account's or application's opening
            named.add(event.organization_id)
    await rows.read_ahead(aggregates)
    organizations = await fold(rows, projection, claimed)
    await rows.flush()
    return [
        Change(projection.name, e.tenant_id, organization_id, e.event.originator_id, e.position)
        for e, organization_id in zip(claimed, organizations, strict=True)
    ]


async def fold(
    rows: ViewRows,
    projection: Projection,
    envelopes: Sequence[Envelope],
    folding: Callable[[Envelope], None] = lambda _: None,
) -> list[UUID | None]:
    """Fold events, in order, into the view's rows in memory, each under its own tenant: how the live
    worker's batches and a rebuild apply events. Returns, per event, the organization whose rows changed.
    Each handler sees the event with its text escaped for the views (projections/engine/view_text.py).
    A correction of a fact's day folds its organization's rows again (projections/engine/corrections.py).
    ``folding`` is told of each event before it is folded (a build names the one that failed)."""
    changed: list[UUID | None] = []
    handler_for = projection.handlers.for_class  # what projection.apply dispatches by, without its call
    for index, envelope in enumerate(envelopes):
        tenant_id, position, event = envelope
        folding(envelope)
        handler = handler_for(type(event))
        rows.tenant = tenant_id
        if handler is not None and is_correction(event):
            await refold_organization(rows, projection, event, position, envelopes[index + 1 :])
            changed.append(event.organization_id)
        else:
            changed.append(None if handler is None else await handler(rows, view_event(event), position))
    return changed


async def record_changes(con: asyncpg.Connection, changes: Iterable[Change]) -> None:
    """Append the batch's changes (one per changed row) for the SSE stream, in commit order."""
    latest: dict[tuple[str, str, UUID | None, UUID], Change] = {}
    for change in changes:
        if change.organization_id is None:
            continue
        latest[(change.view, change.tenant_id, change.organization_id, change.subject_id)] = change
    if not latest:
        return
    # Serialise the writers' tails so ids are committed in order (see migration 007).
    await con.execute("SELECT pg_advisory_xact_lock(hashtext('credledger-view-changes'))")
    by_tenant: dict[str, list[Change]] = {}
    for change in latest.values():
        by_tenant.setdefault(change.tenant_id, []).append(change)
    for tenant_id, tenant_changes in by_tenant.items():
        await con.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
        await con.execute(
            "INSERT INTO view_changes (tenant_id, view, organization_id, subject_id, position) "
            "SELECT $1, * FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::bigint[])",
            tenant_id,
            [c.view for c in tenant_changes],
            [c.organization_id for c in tenant_changes],
            [c.subject_id for c in tenant_changes],
            [c.position for c in tenant_changes],
        )
    await con.execute("SELECT pg_notify($1, '')", VIEW_CHANGES_CHANNEL)


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
