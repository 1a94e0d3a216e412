"""Rebuild views straight from the event store, into new tables that replace the live ones
only once caught up, while the live workers and the API keep going.

1. Create the projections' tables (their own DDL) in a fresh schema ``rebuild_<views>``.
2. Apply every stored event of the kinds they consume, in store order, batch by batch
   (store order is causal, so a rebuild never waits on another aggregate). Several views
   are built in one pass: each event is read and decoded once for all of them.
3. Catch up with events stored meanwhile until a read comes back short.
4. In ONE transaction: take each view's lock exclusively (live batches finish first and
   new ones wait, see tracking.begin_batch), apply the last events, drop the old tables,
   move the new ones into public, and replace the views' per-aggregate versions and
   positions. Readers wait for the swap's commit and then see the new tables.
Live events after the swap are applied normally; ones already covered are skipped by
their versions, so nothing is lost or applied twice.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from types import ModuleType
from uuid import UUID

import asyncpg

from projections.engine.builder import BuildFailed, Progress, ViewBuilder
from projections.engine.tracking import lock_view_exclusively

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


# The view's versions of the tenant's aggregates become exactly the rebuild's (``$3``, ``$4``): the others
# deleted, the rest inserted or changed. Usually the live worker has recorded the same versions already, and
# a row left as it is costs a lookup, not a new row and its index entry: this runs while live writes wait.
_REPLACE_VERSIONS = """
WITH rebuilt (originator_id, version) AS (SELECT * FROM unnest($3::uuid[], $4::bigint[])),
gone AS (  -- NOT IN a subquery: a hashed subplan, one pass over each side
    DELETE FROM projection_versions WHERE projection = $1 AND originator_id NOT IN (SELECT unnest($3::uuid[]))
),
changed AS (  -- a join finds what differs; only that goes through the slower ON CONFLICT path
    SELECT rebuilt.* FROM rebuilt LEFT JOIN projection_versions AS p
    ON p.projection = $1 AND p.originator_id = rebuilt.originator_id
    WHERE p.version IS DISTINCT FROM rebuilt.version
)
INSERT INTO projection_versions (projection, tenant_id, originator_id, version)
SELECT $1, $2, originator_id, version FROM changed
ON CONFLICT (projection, originator_id) DO UPDATE SET version = excluded.version
"""


def rebuild_schema(modules: list[ModuleType]) -> str:
    """``rebuild_<views>``, the same for the same views (a failed earlier run's is dropped first); a digest of their
    names when these would pass PostgreSQL's 63 characters for an identifier."""
    names = "_".join(module.name for module in modules)
    schema = f"rebuild_{names}"
    return schema if len(schema) <= 63 else f"rebuild_{hashlib.sha256(names.encode()).hexdigest()[:24]}"


class _Rebuild(ViewBuilder):
    def __init__(self, con: asyncpg.Connection, modules: list[ModuleType], batch: int, progress: Progress) -> None:
        super().__init__(con, modules, rebuild_schema(modules), batch=batch, progress=progress)

    async def analyze(self) -> None:
        """Give the new tables their statistics before they serve reads. Fresh tables have none until autovacuum gets
        to them, and the planner's guesses without them (one row per table) made the access audit's list about three
        times slower right after a rebuild (bench, dashboard)."""
        tables = await self.con.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", self.schema)
        for table in (r["tablename"] for r in tables):
            await self.con.execute(f"ANALYZE {self.schema}.{table}")

    async def swap(self) -> None:
        async with self.con.transaction():
            for module in self.modules:  # in the registry's order: no two rebuilds wait on each other's
                await lock_view_exclusively(self.con, module)
            while await self.apply_next() == self.batch:
                pass
            await self.con.execute("RESET ROLE")
            await self.con.execute("SET LOCAL search_path = public")
            tables = await self.con.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", self.schema)
            for table in (r["tablename"] for r in tables):
                await self.con.execute(f"DROP TABLE IF EXISTS public.{table} CASCADE")
                await self.con.execute(f"ALTER TABLE {self.schema}.{table} SET SCHEMA public")
            await self.con.execute("SET LOCAL ROLE credledger_worker")  # under RLS like every writer
            # view_changes ids follow commit order (migration 007): take the writers' lock last, as they do.
            await self.con.execute("SELECT pg_advisory_xact_lock(hashtext('credledger-view-changes'))")
            for module in self.modules:
                await self._replace_positions(module)
            await self.con.execute("SELECT pg_notify('credledger_view_changes', '')")
            await self.con.execute("RESET ROLE")
            await self.con.execute(f"DROP SCHEMA {self.schema} CASCADE")

    async def _replace_positions(self, module: ModuleType) -> None:
        name = module.name
        by_tenant: dict[str, list[tuple[UUID, int]]] = {}
        for originator_id, (tenant, version) in self.versions(module).items():
            by_tenant.setdefault(tenant, []).append((originator_id, version))
        for tenant, pairs in by_tenant.items():
            await self.con.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
            await self.con.execute(_REPLACE_VERSIONS, name, tenant, [p[0] for p in pairs], [p[1] for p in pairs])
            # Dashboards reload the whole view: a change with no organization says so.
            await self.con.execute(
                "INSERT INTO view_changes (tenant_id, view, position) VALUES ($1, $2, $3)", tenant, name, self.position
            )
        await self.con.execute(
            "INSERT INTO projection_tracking (projection, notification_id) VALUES ($1, $2) "
            "ON CONFLICT (projection) DO UPDATE SET notification_id = excluded.notification_id",
            name,
            self.position,
        )
        # Everything parked has just been applied from the store.
        await self.con.execute("DELETE FROM parked_events WHERE projection = $1", name)


async def rebuild(
    database_url: str, module: ModuleType, *, batch: int = 2000, progress: Progress = lambda _: None
) -> Rebuilt:
    """Rebuild one view; the caller's DATABASE_URL role owns the tables (as for migrations)."""
    [rebuilt] = await rebuild_views(database_url, [module], batch=batch, progress=progress)
    return rebuilt


async def rebuild_views(
    database_url: str, modules: list[ModuleType], *, batch: int = 2000, progress: Progress = lambda _: None
) -> list[Rebuilt]:
    """Rebuild several views in one pass over the store (each event read and decoded once for all of
    them), swapped in together in one transaction. ``modules`` in the registry's order."""
    con = await asyncpg.connect(database_url)
    try:
        for module in modules:
            lock = f"credledger-rebuild:{module.name}"
            if not await con.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", lock):
                raise RebuildBusy(f"a rebuild of {module.name} is already running")
        job = _Rebuild(con, modules, batch, progress)
        try:
            await job.create_schema()
            await job.run_to_end()
            await job.analyze()
            await job.swap()
        except BuildFailed as error:
            await job.drop_schema()
            raise RebuildFailed(str(error)) from error
        except BaseException:
            await job.drop_schema()
            raise
        return [Rebuilt(m.name, job.read, job.applied_by(m), job.position) for m in modules]
    finally:
        await con.close()
