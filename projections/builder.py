"""Build views straight from the event store into a schema of their own: what a rebuild swaps
in for the live tables, and what a replay keeps as a named snapshot of a past date."""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import Callable
from uuid import UUID

import asyncpg
from eventsourcing.persistence import StoredEvent

from projections.registry import ddl, tables
from services.app.base import EVENTS_TABLE
from services.store.transcoder import EventMapper, MsgspecTranscoder
from services.subjects import aggregate_and_event

_mapper = EventMapper(MsgspecTranscoder())  # no key: projections never see PII

Progress = Callable[[int], None]  # called with the number of stored events read so far


class BuildFailed(Exception):
    """An event could not be applied; nothing live was touched."""


class ViewBuilder:
    """Applies stored events in store order (which is causal, so no event waits on another
    aggregate) to the views' tables in ``schema``, as the worker role under row-level security.

    ``until`` keeps only events recorded at or before that moment; ``tenant`` only that tenant's;
    ``up_to`` only events up to that position (so a caller can match a read of the store it made).
    """

    def __init__(
        self,
        con: asyncpg.Connection,
        modules: list[ModuleType],
        schema: str,
        *,
        batch: int = 2000,
        progress: Progress = lambda _: None,
        until: datetime | None = None,
        tenant: str | None = None,
        up_to: int | None = None,
    ) -> None:
        self.con = con
        self.modules = modules
        self.schema = schema
        self.batch = batch
        self.progress = progress
        self.until = until
        self.tenant = tenant
        self.up_to = up_to
        self.position = 0  # the last notification id read
        self.read = self.applied = 0
        self.versions: dict[tuple[str, UUID], tuple[str, int]] = {}  # (view, aggregate) -> (tenant, version)

    async def create_schema(self) -> None:
        await self.con.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")  # a failed earlier run
        await self.con.execute(f"CREATE SCHEMA {self.schema}")
        await self.con.execute(f"GRANT USAGE ON SCHEMA {self.schema} TO credledger_worker, credledger_api")
        async with self.con.transaction():
            await self.con.execute(f"SET LOCAL search_path = {self.schema}")
            for module in self.modules:
                if tables(module):
                    await self.con.execute(ddl(module))

    async def drop_schema(self) -> None:
        await self.con.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")

    async def run_to_end(self) -> None:
        """Batches in their own transactions until a read comes back short."""
        while True:
            async with self.con.transaction():
                read = await self.apply_next()
            if read < self.batch:
                return

    async def apply_next(self) -> int:
        """Apply the next batch inside the caller's transaction; returns how many events were read."""
        await self.con.execute("SET LOCAL ROLE credledger_worker")
        await self.con.execute(f"SET LOCAL search_path = {self.schema}, public")
        rows = await self.con.fetch(
            f"SELECT notification_id, originator_id, originator_version, topic, state, tenant_id FROM {EVENTS_TABLE} "
            "WHERE notification_id > $1 AND ($3::text IS NULL OR tenant_id = $3) "
            "AND ($4::bigint IS NULL OR notification_id <= $4) ORDER BY notification_id LIMIT $2",
            self.position,
            self.batch,
            self.tenant,
            self.up_to,
        )
        tenant = None
        for row in rows:
            kind = aggregate_and_event(row["topic"])[0]
            modules = [m for m in self.modules if kind in m.aggregates]
            if not modules:
                continue
            stored = StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
            try:
                event = _mapper.to_domain_event(stored)
            except Exception as error:  # a stored state this code cannot read: say where, not what
                raise BuildFailed(f"event {row['notification_id']} ({row['topic']}) cannot be decoded") from error
            if self.until is not None and event.timestamp > self.until:
                continue
            if row["tenant_id"] != tenant:
                tenant = row["tenant_id"]
                await self.con.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
            for module in modules:
                try:
                    await module.apply(self.con, event, row["notification_id"])
                except Exception as error:
                    # The error's type and place only: its text could quote event data.
                    raise BuildFailed(
                        f"{module.name}: event {row['notification_id']} ({row['topic']}) failed: {type(error).__name__}"
                    ) from error
                self.versions[(module.name, row["originator_id"])] = (tenant, row["originator_version"])
            self.applied += 1
        if rows:
            self.position = rows[-1]["notification_id"]
        self.read += len(rows)
        self.progress(self.read)
        return len(rows)
