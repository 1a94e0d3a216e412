"""How a route reads the views when the database connection breaks under it (services/api/view_reads.py)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.api.auth import Principal, Role
from services.api.problems import DATABASE_UNAVAILABLE
from services.api.view_reads import read_views


class _Transaction:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        # What asyncpg raised on COMMIT after PostgreSQL was killed between a read and the commit.
        raise asyncpg.InternalClientError("cannot switch to state 15; another operation (2) is in progress")


class _Connection:
    async def execute(self, *args: Any) -> None:
        return None

    def transaction(self, readonly: bool) -> _Transaction:
        return _Transaction()


class _Acquired:
    async def __aenter__(self) -> _Connection:
        return _Connection()

    async def __aexit__(self, *exc: object) -> None:
        return None


class _Pool:
    def acquire(self) -> _Acquired:
        return _Acquired()


async def test_a_connection_broken_at_commit_is_the_database_being_away_not_a_bug() -> None:
    principal = Principal(user_id="dana", tenant_id="t1", role=Role("viewer"), organizations=None)
    with pytest.raises(ConnectionError) as raised:
        async with read_views(_Pool(), principal):  # type: ignore[arg-type]
            pass
    assert isinstance(raised.value, DATABASE_UNAVAILABLE)  # answered 503 with Retry-After, as a lost connection
    assert isinstance(raised.value.__cause__, asyncpg.InternalClientError)
