"""The view-changes stream is woken for every committed change, whenever its NOTIFY arrives.

In process, against a real PostgreSQL: the stream (``services.api.changes._changes``) over the API's
role, the API's ``ChangeSignal``, and changes written by the workers' own ``record_changes``. A stream
that slept through a wake-up would deliver the change only at its next keepalive, which these tests set
to an hour; ``PATIENCE`` is a guard against hanging, not a measure of speed.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest
from litestar.response import ServerSentEventMessage

from projections.engine.tracking import Change, record_changes
from services.api import changes
from services.api.auth import Principal, Role
from services.api.change_signal import ChangeSignal
from services.migrate import migrate
from tests.support import Infra, with_user

PATIENCE = 30.0


class HeardSignal(ChangeSignal):
    """The API's signal, telling the test when it has heard a NOTIFY."""

    def __init__(self) -> None:
        super().__init__()
        self.heard = asyncio.Event()

    def _notified(self, *args: object) -> None:
        super()._notified(*args)
        self.heard.set()


class RacingPool:
    """The API's read pool, except that once armed, right after the stream's query has read its rows,
    a worker commits another change and the API hears its NOTIFY before the query returns: the commit
    the query's snapshot just missed."""

    def __init__(self, pool: asyncpg.Pool, during_query: Callable[[], Awaitable[None]]) -> None:
        self.pool = pool
        self.during_query = during_query
        self.armed = False

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        async with self.pool.acquire() as con:
            yield _RacingConnection(con, self)


class _RacingConnection:
    def __init__(self, con: asyncpg.Connection, owner: RacingPool) -> None:
        self._con = con
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    async def fetch(self, *args: Any) -> list[asyncpg.Record]:
        rows = await self._con.fetch(*args)
        if self._owner.armed:
            self._owner.armed = False
            await self._owner.during_query()
        return rows


@pytest.fixture(scope="module")
def database(infra: Infra) -> Iterator[str]:
    """A database of its own: no worker of a running stack sends NOTIFYs that could wake a stream."""
    url = infra.new_database()
    migrate(url)
    yield url


async def commit_change(owner: asyncpg.Connection, tenant: str, organization: uuid.UUID) -> None:
    """What a projection worker's batch does for one changed row: the row and its NOTIFY, on commit."""
    async with owner.transaction():
        await record_changes(owner, [Change("affiliation_status", tenant, organization, organization, 1)])


async def commit_and_hear(api: SimpleNamespace, organization: uuid.UUID) -> None:
    """A change, and the API's signal hearing its NOTIFY: from then on only a new wake-up wakes a stream."""
    api.signal.heard.clear()
    await commit_change(api.owner, api.tenant, organization)
    await asyncio.wait_for(api.signal.heard.wait(), PATIENCE)


def stream_of(pool: Any, signal: ChangeSignal, tenant: str) -> AsyncIterator[ServerSentEventMessage]:
    principal = Principal(user_id="dana", tenant_id=tenant, role=Role("viewer"), organizations=None)
    return changes._changes(pool, signal, principal, 0, None, time.time() + 3600)


async def next_change(stream: AsyncIterator[ServerSentEventMessage]) -> str:
    """The organization of the next change the stream sends (comments skipped)."""

    async def read() -> str:
        async for message in stream:
            if message.data is not None:
                return json.loads(message.data)["organization_id"]
        raise AssertionError("the stream ended")

    try:
        return await asyncio.wait_for(read(), PATIENCE)
    except TimeoutError:
        raise AssertionError("the stream slept through the change's wake-up (its keepalive is an hour)") from None


@pytest.fixture
async def api(database: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SimpleNamespace]:
    monkeypatch.setattr(changes, "KEEPALIVE_SECONDS", 3600.0)
    api_url = with_user(database, "credledger_api")
    owner = await asyncpg.connect(database)
    pool = await asyncpg.create_pool(api_url, min_size=1, max_size=2)
    signal = HeardSignal()
    await signal.start(api_url)
    try:
        yield SimpleNamespace(owner=owner, pool=pool, signal=signal, tenant="firm-" + uuid.uuid4().hex[:8])
    finally:
        await signal.stop()
        await pool.close()
        await owner.close()


async def test_a_change_committed_while_the_stream_queries_is_sent_on_its_notify(api: SimpleNamespace) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    await commit_and_hear(api, first)

    async def worker_commits_during_the_query() -> None:
        await commit_and_hear(api, second)  # heard before the stream waits again

    racing = RacingPool(api.pool, worker_commits_during_the_query)
    stream = stream_of(racing, api.signal, api.tenant)
    try:
        opening = await anext(stream)
        assert opening.comment and opening.data is None
        racing.armed = True  # the next query: the stream's first
        assert await next_change(stream) == str(first)
        # Committed after that query's snapshot, announced before the stream waited: no later NOTIFY
        # comes, so only that one can wake it.
        assert await next_change(stream) == str(second)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]


async def test_changes_committed_while_the_api_was_not_listening_are_sent_once_it_listens_again(
    api: SimpleNamespace,
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    stream = stream_of(api.pool, api.signal, api.tenant)
    try:
        await anext(stream)
        await commit_and_hear(api, first)  # before the stream's query: it is not woken again by this one
        assert await next_change(stream) == str(first)
        # The listening connection is lost (a server restart, a failover, an idle-connection killer);
        # pg_terminate_backend's timeout waits until that backend is gone, so nothing hears this NOTIFY.
        listener = api.signal._connection.get_server_pid()
        assert await api.owner.fetchval("SELECT pg_terminate_backend($1, 10000)", listener)
        await commit_change(api.owner, api.tenant, second)
        assert await next_change(stream) == str(second)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]


async def test_the_stream_ends_when_its_token_expires_not_at_a_keepalive(api: SimpleNamespace) -> None:
    """The stream's clock is the test's: it reads 'expired' from the first wait on, while the keepalive is an
    hour away, so only the expiry can end the stream."""
    issued = time.time()
    expires = issued + 3600
    readings = iter([issued])  # the loop's first check; every later reading is past the expiry

    def clock() -> float:
        return next(readings, expires + 1)

    principal = Principal(user_id="val", tenant_id=api.tenant, role=Role("viewer"), organizations=None)
    stream = changes._changes(api.pool, api.signal, principal, 0, None, expires, clock)

    async def drain() -> list[ServerSentEventMessage]:
        return [message async for message in stream]

    sent = await asyncio.wait_for(drain(), PATIENCE)
    assert [m.comment for m in sent] == ["credledger view changes", "keepalive"]
