"""Build views straight from the event store into a schema of their own: what a rebuild swaps
in for the live tables, and what a replay keeps as a named snapshot of a past date."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import ModuleType
from uuid import UUID

import asyncpg
from eventsourcing.persistence import StoredEvent

from domain.business_time import effective_day, is_correction
from projections.engine.registry import ddl, tables
from projections.engine.routes import Routes, recorded_at
from projections.engine.rows import ViewRows
from projections.engine.tracking import Envelope, fold
from services.store.recorder import EVENTS_TABLE
from services.store.transcoder import EventMapper, MsgspecTranscoder

_mapper = EventMapper(MsgspecTranscoder())  # no key: projections never see PII

Progress = Callable[[int], None]  # called with the number of stored events read so far
# Changed rows held in memory before they are written (each write is a few statements per table and tenant).
FLUSH_ROWS = 50_000


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A build keeps every row of its views in memory, and each run of the cyclic garbage collector walks
    all of them again (a tenth of a build's time). Nothing it keeps forms cycles (plain structs in dicts);
    garbage is freed by reference counting as usual, and the collector runs again once the build is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class BuildFailed(Exception):
    """An event could not be applied; nothing live was touched."""


class ViewBuilder:
    """Applies stored events in store order (which is causal, so no event waits on another
    aggregate) to the views' tables in ``schema``, as the worker role under row-level security.

    The views' handlers fold the events into rows in memory, as the live worker's do; the schema starts
    empty and only this builder writes to it, so the rows stay in memory for the whole build and are
    written in bulk: when many have changed, and when a read of the store comes back short (the caller's
    transaction then holds every event read so far).

    ``as_of`` keeps only events effective on or before that business day, ``known_at`` only those recorded at or
    before that moment (domain/business_time.py); ``tenant`` only that tenant's;
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
        as_of: date | None = None,
        known_at: datetime | None = None,
        tenant: str | None = None,
        up_to: int | None = None,
    ) -> None:
        self.con = con
        self.modules = modules
        self.schema = schema
        self.batch = batch
        self.progress = progress
        self.as_of = as_of
        self.known_at = known_at
        self.tenant = tenant
        self.up_to = up_to
        self.position = 0  # the last notification id read
        self.read = self.applied = 0
        # Each aggregate's kind, tenant and latest version applied: every view consuming its kind applied it.
        self.latest: dict[UUID, tuple[str, str, int]] = {}
        self._applied_by_kind: dict[str, int] = {}
        self.rows = {module.name: ViewRows(con, module.row_types, starts_empty=True) for module in modules}
        for rows in self.rows.values():  # what a correction's refold keeps of a record's events, as this build does
            rows.as_of, rows.known_at = as_of, known_at
        self.routes = Routes(modules)

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
        with _cyclic_gc_paused():
            while True:
                async with self.con.transaction():
                    read = await self.apply_next()
                if read < self.batch:
                    return

    def versions(self, module: ModuleType) -> dict[UUID, tuple[str, int]]:
        """The view's applied version of each aggregate, with its tenant."""
        return {
            originator_id: (tenant, version)
            for originator_id, (kind, tenant, version) in self.latest.items()
            if kind in module.aggregates
        }

    def applied_by(self, module: ModuleType) -> int:
        """How many events the view applied (those of the kinds it consumes)."""
        return sum(self._applied_by_kind.get(kind, 0) for kind in module.aggregates)

    async def apply_next(self) -> int:
        """Apply the next batch inside the caller's transaction; returns how many events were read."""
        await self.con.execute("SET LOCAL ROLE credledger_worker")
        await self.con.execute(f"SET LOCAL search_path = {self.schema}, public")
        records = await self.con.fetch(
            f"SELECT notification_id, originator_id, originator_version, topic, tenant_id, state FROM {EVENTS_TABLE} "
            "WHERE notification_id > $1 AND ($3::text IS NULL OR tenant_id = $3) "
            "AND ($4::bigint IS NULL OR notification_id <= $4) ORDER BY notification_id LIMIT $2",
            self.position,
            self.batch,
            self.tenant,
            self.up_to,
        )
        to_fold: dict[str, list[Envelope]] = {module.name: [] for module in self.modules}
        for record in records:
            envelope = self._read(*record)
            if envelope is not None:
                for module in self.routes[record["topic"]].handling:
                    to_fold[module.name].append(envelope)
        for module in self.modules:
            await self._fold(module, to_fold[module.name])
        if records:
            self.position = records[-1]["notification_id"]
        self.read += len(records)
        if len(records) < self.batch or sum(r.pending() for r in self.rows.values()) >= FLUSH_ROWS:
            await self._write_rows()
        self.progress(self.read)
        return len(records)

    def _read(
        self, position: int, originator_id: UUID, version: int, topic: str, tenant: str, state: bytes
    ) -> Envelope | None:
        """Count one stored event as applied, or not (another kind, a later moment), and decode it if some
        view handles it. The arguments are a row's columns, as selected in apply_next."""
        try:
            route = self.routes[topic]
            if not route.consumers:
                return None
            event = None
            if route.handling or self.as_of is not None:
                event = _mapper.to_domain_event(StoredEvent(originator_id, version, topic, state))
                # A correction is not a fact of a day: known by then, it applies whatever the day.
                if (self.as_of is not None and not is_correction(event) and effective_day(event) > self.as_of) or (
                    self.known_at is not None and event.timestamp > self.known_at
                ):
                    return None
            elif self.known_at is not None and recorded_at(state) > self.known_at:
                return None
        except Exception as error:  # a topic or a stored state this code cannot read: say where, not what
            raise BuildFailed(f"event {position} ({topic}) cannot be decoded") from error
        self.latest[originator_id] = (route.kind, tenant, version)
        self._applied_by_kind[route.kind] = self._applied_by_kind.get(route.kind, 0) + 1
        self.applied += 1
        return Envelope(tenant, position, event) if event is not None and route.handling else None

    async def _fold(self, module: ModuleType, envelopes: list[Envelope]) -> None:
        """The view's events of this batch, in store order (views do not share rows: the order among
        views does not matter)."""
        current: Envelope | None = None

        def folding(envelope: Envelope) -> None:
            nonlocal current
            current = envelope

        try:
            await fold(self.rows[module.name], module, envelopes, folding)
        except Exception as error:
            assert current is not None
            # The error's type and place only: its text could quote event data.
            topic = type(current.event).__qualname__
            raise BuildFailed(
                f"{module.name}: event {current.position} ({topic}) failed: {type(error).__name__}"
            ) from error

    async def _write_rows(self) -> None:
        for module in self.modules:
            try:
                await self.rows[module.name].flush()
            except Exception as error:
                raise BuildFailed(f"{module.name}: writing the view failed: {type(error).__name__}") from error
