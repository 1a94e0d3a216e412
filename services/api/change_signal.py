"""Wakes the open change streams (GET /v1/views/changes) when a projection worker commits view changes."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from projections.engine.tracking import VIEW_CHANGES_CHANNEL

log = logging.getLogger(__name__)


class ChangeSignal:
    """Wakes every open stream when a worker commits changes (PostgreSQL NOTIFY).

    A stream reads ``generation`` BEFORE its query and hands it to ``wait``: a NOTIFY that
    arrives while the query runs (a commit the query's snapshot missed) has moved the
    generation on, so ``wait`` returns at once instead of sleeping until the next change or
    the keepalive. PostgreSQL delivers a NOTIFY only after its transaction commits, so a
    row the query did not see always announces itself after ``generation`` was read.

    If the listening connection is lost, it is opened again (with backoff) and every stream
    is woken once it listens again, since NOTIFYs sent meanwhile were not heard.
    """

    def __init__(self) -> None:
        self.generation = 0  # wake-ups so far
        self._event = asyncio.Event()
        self._dsn = ""
        self._connection: asyncpg.Connection | None = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._stopped = False

    async def start(self, dsn: str) -> None:
        self._dsn = dsn
        await self._listen()

    async def stop(self) -> None:
        self._stopped = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        if self._connection is not None:
            await self._connection.close()

    async def _listen(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        try:
            await connection.add_listener(VIEW_CHANGES_CHANNEL, self._notified)
        except BaseException:
            connection.terminate()
            raise
        connection.add_termination_listener(self._lost)
        self._connection = connection

    def _lost(self, *_: object) -> None:
        if not self._stopped and self._reconnecting is None:
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = 0.1
        while True:
            try:
                await self._listen()
                break
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("view changes: cannot listen again (%s); retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self._reconnecting = None
        log.info("view changes: listening again")
        self._notified()  # changes committed while nobody listened

    def _notified(self, *_: object) -> None:
        self.generation += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, seen: int, timeout: float) -> bool:
        """Until a wake-up after ``seen`` (at once if one came already); False if ``timeout`` passed first."""
        if self.generation != seen:
            return True
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        return True
