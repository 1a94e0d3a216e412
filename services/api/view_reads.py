"""How a route reads the views: inside one read-only transaction that sees only the caller's tenant (row-level
security reads ``app.tenant_id``), over the live views or a named snapshot of them, and what "now" is there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import asyncpg

from domain.business_days import MASSACHUSETTS
from services.api.auth import Principal
from services.app import NotFound


@asynccontextmanager
async def read_views(
    pool: asyncpg.Pool, principal: Principal, snapshot: str | None = None
) -> AsyncIterator[asyncpg.Connection]:
    """A read-only transaction that sees only the principal's tenant (RLS reads app.tenant_id),
    over the live views or, with ``snapshot``, over that snapshot's tables."""
    try:
        async with pool.acquire() as con, con.transaction(readonly=True):
            await con.execute("SELECT set_config('app.tenant_id', $1, true)", principal.tenant_id)
            if snapshot is not None:
                as_of = await con.fetchval("SELECT as_of FROM view_snapshots WHERE name = $1", snapshot)
                if as_of is None:
                    raise NotFound(f"No snapshot named {snapshot!r}.")
                # The name matched ^[a-z0-9_]{1,40}$ (the parameter's pattern and the table's check).
                await con.execute(f"SET LOCAL search_path = snapshot_{snapshot}, public")
                await con.execute("SELECT set_config('app.as_of', $1, true)", as_of.isoformat())
            yield con
    except asyncpg.InternalClientError as error:
        # The connection's protocol broke mid-conversation: seen when PostgreSQL was killed between a read and its
        # COMMIT ("cannot switch to state 15; another operation (2) is in progress"). The database is away, as
        # with a lost connection: a 503 to retry, not a 500 (services/api/problems.py).
        raise ConnectionError(f"the database connection broke: {error}") from error


async def reference_time(con: asyncpg.Connection) -> datetime:
    """Now for the live views; the snapshot's moment when reading a snapshot."""
    as_of = await con.fetchval("SELECT current_setting('app.as_of', true)")
    return datetime.fromisoformat(as_of) if as_of else datetime.now(UTC)


async def reference_day(con: asyncpg.Connection) -> date:
    """The Massachusetts day of reference_time: a snapshot of the end of April 28 is April 28, not the 29th
    it already is in UTC, and so is a live view read after 8 p.m. there."""
    return (await reference_time(con)).astimezone(MASSACHUSETTS).date()
