"""The store's head: the highest notification id stored, what progress bars of walks and rebuilds count to (no
row count needed). The API's ``store_head()`` SQL function (migration 011) answers the same for its own role."""

from __future__ import annotations

import asyncpg

from services.store.recorder import EVENTS_TABLE


async def store_head(database_url: str) -> int:
    con = await asyncpg.connect(database_url)
    try:
        return int(await con.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE}"))
    finally:
        await con.close()
