"""Rebuild a view straight from the event store, into new tables that replace the live ones
only once caught up, while the live worker and the API keep going.

1. Create the projection's tables (its own DDL) in a fresh schema ``rebuild_<view>``.
2. Apply every stored event of the kinds it consumes, in store order, batch by batch
   (store order is causal, so a rebuild never waits on another aggregate).
3. Catch up with events stored meanwhile until a read comes back short.
4. In ONE transaction: take the view's lock exclusively (live batches finish first and
   new ones wait, see tracking.begin_batch), apply the last events, drop the old tables,
   move the new ones into public, and replace the view's per-aggregate versions and
   position. Readers wait for the swap's commit and then see the new tables.
Live events after the swap are applied normally; ones already covered are skipped by
their versions, so nothing is lost or applied twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType
from uuid import UUID

import asyncpg

from projections.builder import BuildFailed, Progress, ViewBuilder
from projections.tracking import lock_view_exclusively
from services.app.base import EVENTS_TABLE

log = logging.getLogger(__name__)


class RebuildFailed(Exception):
    """An event could not be applied; the live view is untouched."""


class RebuildBusy(Exception):
    """Another rebuild of the same view is running."""


@dataclass
class Rebuilt:
    view: str
    events_read: int
    events_applied: int
    position: int


class _Rebuild(ViewBuilder):
    def __init__(self, con: asyncpg.Connection, module: ModuleType, batch: int, progress: Progress) -> None:
        super().__init__(con, [module], f"rebuild_{module.name}", batch=batch, progress=progress)
        self.module = module

    async def swap(self) -> None:
        async with self.con.transaction():
            await lock_view_exclusively(self.con, self.module)
            while await self.apply_next() == self.batch:
                pass
            await self.con.execute("RESET ROLE")
            await self.con.execute("SET LOCAL search_path = public")
            tables = await self.con.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", self.schema)
            for table in (r["tablename"] for r in tables):
                await self.con.execute(f"DROP TABLE IF EXISTS public.{table} CASCADE")
                await self.con.execute(f"ALTER TABLE {self.schema}.{table} SET SCHEMA public")
            await self._replace_positions()
            await self.con.execute(f"DROP SCHEMA {self.schema} CASCADE")

    async def _replace_positions(self) -> None:
        name = self.module.name
        await self.con.execute("SET LOCAL ROLE credledger_worker")  # under RLS like every writer
        by_tenant: dict[str, list[tuple[UUID, int]]] = {}
        for (_, originator_id), (tenant, version) in self.versions.items():
            by_tenant.setdefault(tenant, []).append((originator_id, version))
        # view_changes ids follow commit order (migration 007): take the writers' lock last, as they do.
        await self.con.execute("SELECT pg_advisory_xact_lock(hashtext('credledger-view-changes'))")
        for tenant in by_tenant:
            await self.con.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
            await self.con.execute("DELETE FROM projection_versions WHERE projection = $1", name)
            pairs = by_tenant.get(tenant, [])
            await self.con.execute(
                "INSERT INTO projection_versions (projection, tenant_id, originator_id, version) "
                "SELECT $1, $2, * FROM unnest($3::uuid[], $4::bigint[])",
                name,
                tenant,
                [p[0] for p in pairs],
                [p[1] for p in pairs],
            )
            # Dashboards reload the whole view: a change with no organization says so.
            await self.con.execute(
                "INSERT INTO view_changes (tenant_id, view, position) VALUES ($1, $2, $3)", tenant, name, self.position
            )
        await self.con.execute("SELECT pg_notify('credledger_view_changes', '')")
        await self.con.execute(
            "INSERT INTO projection_tracking (projection, notification_id) VALUES ($1, $2) "
            "ON CONFLICT (projection) DO UPDATE SET notification_id = excluded.notification_id",
            name,
            self.position,
        )
        # Everything parked has just been applied from the store.
        await self.con.execute("DELETE FROM parked_events WHERE projection = $1", name)
        await self.con.execute("RESET ROLE")


async def rebuild(
    database_url: str, module: ModuleType, *, batch: int = 2000, progress: Progress = lambda _: None
) -> Rebuilt:
    """Rebuild one view; the caller's DATABASE_URL role owns the tables (as for migrations)."""
    con = await asyncpg.connect(database_url)
    try:
        lock = f"credledger-rebuild:{module.name}"
        if not await con.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", lock):
            raise RebuildBusy(f"a rebuild of {module.name} is already running")
        job = _Rebuild(con, module, batch, progress)
        try:
            await job.create_schema()
            await job.run_to_end()
            await job.swap()
        except BuildFailed as error:
            await job.drop_schema()
            raise RebuildFailed(str(error)) from error
        except BaseException:
            await job.drop_schema()
            raise
        return Rebuilt(module.name, job.read, job.applied, job.position)
    finally:
        await con.close()


async def store_size(database_url: str) -> int:
    con = await asyncpg.connect(database_url)
    try:
        return int(await con.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE}"))
    finally:
        await con.close()
