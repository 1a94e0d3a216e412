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
from projections.rows import ViewRows
from projections.store_read import Routes, recorded_at
from projections.tracking import Envelope, fold
from services.store.transcoder import EventMapper, MsgspecTranscoder

_mapper = EventMapper(MsgspecTranscoder())  # no key: projections never see PII

Progress = Callable[[int], None]  # called with the number of stored events read so far
# Changed rows held in memory before they are written (each write is a few statements per table and tenant).
FLUSH_ROWS = 50_000


class BuildFailed(Exception):
    """An event could not be applied; nothing live was touched."""


class ViewBuilder:
    """Applies stored events in store order (which is causal, so no event waits on another
    aggregate) to the views' tables in ``schema``, as the worker role under row-level security.

    The views' handlers fold the events into rows in memory, as the live worker's do; the schema starts
    empty and only this builder writes to it, so the rows stay in memory for the whole build and are
    written in bulk: when many have changed, and when a read of the store comes back short (the caller's
    transaction then holds every event read so far).

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
        self.rows = {module.name: ViewRows(con, module.row_types, starts_empty=True) for module in modules}
        self.routes = Routes(modules, states_needed=until is not None)

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
        for view_rows in self.rows.values():
            view_rows.new_transaction()
        rows = await self.routes.next_batch(self.con, self.position, self.batch, self.tenant, self.up_to)
        for row in rows:
            await self._apply(row)
        scanned = rows[0]["scanned"] if rows else 0
        if rows:
            self.position = rows[-1]["notification_id"]
        self.read += scanned
        if scanned < self.batch or sum(r.pending() for r in self.rows.values()) >= FLUSH_ROWS:
            await self._write_rows()
        self.progress(self.read)
        return scanned

    async def _apply(self, row: asyncpg.Record) -> None:
        try:
            route = self.routes[row["topic"]]
        except Exception as error:  # a topic this code does not know
            raise BuildFailed(f"event {row['notification_id']} ({row['topic']}) cannot be decoded") from error
        if not route.consumers:
            return
        event = None
        try:
            if route.handled:
                stored = StoredEvent(row["originator_id"], row["originator_version"], row["topic"], row["state"])
                event = _mapper.to_domain_event(stored)
                recorded = event.timestamp
            elif self.until is not None:
                recorded = recorded_at(row["state"])
        except Exception as error:  # a stored state this code cannot read: say where, not what
            raise BuildFailed(f"event {row['notification_id']} ({row['topic']}) cannot be decoded") from error
        if self.until is not None and recorded > self.until:
            return
        envelope = Envelope(row["tenant_id"], row["notification_id"], event)
        for module in route.consumers:
            if event is not None:
                try:
                    await fold(self.rows[module.name], module, (envelope,))  # one by one: to name the one failing
                except Exception as error:
                    # The error's type and place only: its text could quote event data.
                    raise BuildFailed(
                        f"{module.name}: event {row['notification_id']} ({row['topic']}) failed: {type(error).__name__}"
                    ) from error
            self.versions[(module.name, row["originator_id"])] = (row["tenant_id"], row["originator_version"])
        self.applied += 1

    async def _write_rows(self) -> None:
        for module in self.modules:
            try:
                await self.rows[module.name].flush()
            except Exception as error:
                raise BuildFailed(f"{module.name}: writing the view failed: {type(error).__name__}") from error
