"""Views as they stood on a past business day: rebuilt from the events effective by then (and, with
``known_at``, recorded by that moment: as the firm knew them), into a named schema (``snapshot_<name>``) the API
reads with ``?snapshot=<name>``. Live views are never touched; dropping a snapshot drops its schema."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

import asyncpg

from domain.business_days import MASSACHUSETTS
from projections.engine.builder import BuildFailed, Progress, ViewBuilder
from projections.engine.registry import projection_modules

NAME = re.compile(r"^[a-z0-9_]{1,40}$")


class SnapshotError(Exception):
    """A bad name, a name in use, or an event that could not be applied."""


@dataclass
class Replayed:
    name: str
    as_of: date
    known_at: datetime | None
    tenant: str | None
    events_read: int
    events_applied: int


def schema_of(name: str) -> str:
    if not NAME.fullmatch(name):
        raise SnapshotError(f"A snapshot name is 1-40 lowercase letters, digits or underscores, not {name!r}.")
    return f"snapshot_{name}"


async def replay_views(
    database_url: str,
    *,
    name: str,
    as_of: date,
    known_at: datetime | None = None,
    tenant: str | None = None,
    up_to: int | None = None,
    progress: Progress = lambda _: None,
) -> Replayed:
    """Build every view from the events effective on or before ``as_of`` and, with ``known_at``, recorded by then
    (one tenant's, or all)."""
    schema = schema_of(name)
    con = await asyncpg.connect(database_url)
    try:
        if await con.fetchval("SELECT 1 FROM view_snapshots WHERE name = $1", name):
            raise SnapshotError(f"A snapshot named {name!r} exists; drop it first.")
        builder = ViewBuilder(
            con,
            projection_modules(),
            schema,
            progress=progress,
            as_of=as_of,
            known_at=known_at,
            tenant=tenant,
            up_to=up_to,
        )
        try:
            await builder.create_schema()
            await builder.run_to_end()
            await con.execute(
                "INSERT INTO view_snapshots (name, as_of, known_at, tenant_id, events_applied) "
                "VALUES ($1, $2, $3, $4, $5)",
                name,
                # The end of the day there: what the views' date-based rules take as "now" (view_reads.py).
                datetime.combine(as_of, time.max, tzinfo=MASSACHUSETTS),
                known_at,
                tenant,
                builder.applied,
            )
        except BuildFailed as error:
            await builder.drop_schema()
            raise SnapshotError(str(error)) from error
        except BaseException:
            await builder.drop_schema()
            raise
        return Replayed(name, as_of, known_at, tenant, builder.read, builder.applied)
    finally:
        await con.close()


async def drop_snapshot(database_url: str, name: str) -> bool:
    """Drop a snapshot; False if there was none of that name."""
    schema = schema_of(name)
    con = await asyncpg.connect(database_url)
    try:
        async with con.transaction():
            deleted = await con.fetchval("DELETE FROM view_snapshots WHERE name = $1 RETURNING 1", name)
            await con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        return bool(deleted)
    finally:
        await con.close()


async def list_snapshots(database_url: str) -> list[asyncpg.Record]:
    con = await asyncpg.connect(database_url)
    try:
        snapshots: list[asyncpg.Record] = await con.fetch(
            "SELECT name, (as_of AT TIME ZONE 'America/New_York')::date AS as_of, known_at, tenant_id, events_applied, "
            "created_at FROM view_snapshots ORDER BY name"
        )
        return snapshots
    finally:
        await con.close()
