"""One running instance per role (the relay of a stream, a projection's worker); others wait as standbys."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg

# The session-level advisory lock lives as long as the connection, so a dead
# holder's lock goes when PostgreSQL notices the connection is gone: keepalives
# make that seconds rather than the OS default of hours.
# https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}


async def connect(database_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(database_url, server_settings=KEEPALIVES)


async def hold(db: asyncpg.Connection, name: str, stop: asyncio.Event) -> bool:
    """Take the lock named ``name`` on this connection, waiting until it is free; False if stopped first."""
    while not stop.is_set():
        if await db.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", name):
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
    return False
