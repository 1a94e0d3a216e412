"""Parked events: list them, and once the cause is fixed, re-apply them from the event store.

The store is the truth, so a retry does not need the stream: for each parked
aggregate it reads the events after the view's applied version and applies
them through the same handlers, in one transaction per aggregate.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from eventsourcing.persistence import StoredEvent

from projections.engine.tracking import Envelope, Projection, apply_in_transaction, begin_batch, record_changes
from services.store.recorder import EVENTS_TABLE
from services.store.transcoder import EventMapper, MsgspecTranscoder

_mapper = EventMapper(MsgspecTranscoder())  # no key: projections never see PII


async def list_parked(db: asyncpg.Connection) -> list[asyncpg.Record]:
    parked: list[asyncpg.Record] = await db.fetch(
        "SELECT projection, stream_sequence, tenant_id, originator_id, originator_version, subject, error, parked_at "
        "FROM parked_events ORDER BY projection, stream_sequence"
    )
    return parked


async def discard_unknown(db: asyncpg.Connection) -> int:
    """Drop parked messages that are not credledger events at all (no aggregate id)."""
    result = await db.execute("DELETE FROM parked_events WHERE originator_id IS NULL")
    return int(result.split()[-1])


async def retry_parked(db: asyncpg.Connection, projection: Projection) -> tuple[int, int]:
    """Re-apply each parked aggregate from the store; returns (aggregates retried, still failing)."""
    parked = await db.fetch(
        "SELECT DISTINCT originator_id, tenant_id FROM parked_events "
        "WHERE projection = $1 AND originator_id IS NOT NULL",
        projection.name,
    )
    retried = 0
    pending = list(parked)
    # Rounds until no progress: an application's events may need its organization's first.
    while pending:
        still = []
        for row in pending:
            try:
                async with db.transaction():
                    await begin_batch(db, projection)
                    await _reapply(db, projection, row["originator_id"], row["tenant_id"])
                    await db.execute(
                        "DELETE FROM parked_events WHERE projection = $1 AND originator_id = $2",
                        projection.name,
                        row["originator_id"],
                    )
                retried += 1
            except Exception:
                still.append(row)
        if len(still) == len(pending):
            break
        pending = still
    return retried, len(pending)


async def _reapply(db: asyncpg.Connection, projection: Projection, originator_id: Any, tenant_id: str) -> None:
    await db.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
    applied = await db.fetchval(
        "SELECT version FROM projection_versions WHERE projection = $1 AND originator_id = $2",
        projection.name,
        originator_id,
    )
    rows = await db.fetch(
        f"SELECT notification_id, originator_version, topic, state FROM {EVENTS_TABLE} "
        "WHERE originator_id = $1 AND originator_version > $2 ORDER BY originator_version",
        originator_id,
        applied or 0,
    )
    stored = [
        (r["notification_id"], StoredEvent(originator_id, r["originator_version"], r["topic"], bytes(r["state"])))
        for r in rows
    ]
    envelopes = [Envelope(tenant_id, position, _mapper.to_domain_event(event)) for position, event in stored]
    await record_changes(db, await apply_in_transaction(db, projection, envelopes))
