"""The relay: tails the event store in commit order and publishes each event to JetStream.

Correctness rests on three things:
- eventsourcing's PostgreSQL recorder takes an EXCLUSIVE lock on the events table
  for each insert, so notification ids become visible in commit order and a
  reader that asks for ``notification_id > position`` never skips a row that
  commits later (see the comment on ``_lock_table`` in eventsourcing/postgres.py);
- the position advances only after JetStream has acknowledged every message up
  to it, so a crash can republish but never lose;
- on start the relay resumes after the last message already in the stream (its
  notification id is in a header), and every message carries a stable
  ``Nats-Msg-Id``, so a restart does not duplicate either; an empty stream is
  refilled from the store, which is the only source of truth.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from services.messaging import singleton
from services.messaging.subjects import (
    HEADER_ACTOR_ROLE,
    HEADER_NOTIFICATION_ID,
    HEADER_ORIGINATOR_ID,
    HEADER_ORIGINATOR_VERSION,
    HEADER_REQUEST_ID,
    HEADER_TENANT,
    HEADER_TOPIC,
    ensure_stream,
    event_id,
    event_subject,
)
from services.store.recorder import EVENTS_TABLE

log = logging.getLogger(__name__)

_SELECT = f"""
    SELECT notification_id, originator_id, originator_version, topic, state, tenant_id, actor_role, request_id
    FROM {EVENTS_TABLE} WHERE notification_id > $1 ORDER BY notification_id LIMIT $2
"""


class Relay:
    def __init__(self, database_url: str, nats_url: str, namespace: str, batch_size: int = 1000) -> None:
        self.database_url = database_url
        self.nats_url = nats_url
        self.namespace = namespace
        self.batch_size = batch_size
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        db = await singleton.connect(self.database_url)
        nc = await nats.connect(self.nats_url, name="credledger-relay")
        try:
            js = nc.jetstream()
            stream = await ensure_stream(js, self.namespace)
            if not await singleton.hold(db, f"credledger-relay:{stream}", stop):
                return
            position = await self._resume_position(js, stream)
            log.info("relay: publishing to %s from notification %d", stream, position)
            wakeup = asyncio.Event()
            # eventsourcing NOTIFYs on a channel named after the table on every insert.
            await db.add_listener(EVENTS_TABLE, lambda *_: wakeup.set())
            while not stop.is_set():
                wakeup.clear()
                rows = await db.fetch(_SELECT, position, self.batch_size)
                if rows:
                    position = await self._publish(js, stream, rows)
                    # For monitoring only: on start the relay trusts the stream.
                    await db.execute(
                        "INSERT INTO relay_position (stream, notification_id) VALUES ($1, $2) "
                        "ON CONFLICT (stream) DO UPDATE SET notification_id = excluded.notification_id",
                        stream,
                        position,
                    )
                    continue
                await _wait_any(stop, wakeup, timeout=1.0)
        finally:
            await nc.drain()
            await db.close()

    async def _resume_position(self, js: JetStreamContext, stream: str) -> int:
        """The stream is the truth: resume after the last event it holds. An empty stream
        (new, purged, or on a new cluster) is refilled from the start of the store."""
        info = await js.stream_info(stream)
        if not info.state.messages:
            return 0
        # Walk back past anything that is not ours (deleted messages, foreign publishes).
        for seq in range(info.state.last_seq, info.state.first_seq - 1, -1):
            try:
                message = await js.get_msg(stream, seq)
            except NotFoundError:
                continue
            position = (message.headers or {}).get(HEADER_NOTIFICATION_ID)
            if position is not None:
                return int(position)
        return 0

    async def _publish(self, js: JetStreamContext, stream: str, rows: list[asyncpg.Record]) -> int:
        futures = []
        for row in rows:
            headers = {
                "Nats-Msg-Id": event_id(row["originator_id"], row["originator_version"]),
                HEADER_NOTIFICATION_ID: str(row["notification_id"]),
                HEADER_TOPIC: row["topic"],
                HEADER_ORIGINATOR_ID: str(row["originator_id"]),
                HEADER_ORIGINATOR_VERSION: str(row["originator_version"]),
                HEADER_TENANT: row["tenant_id"],
            }
            for name, value in ((HEADER_ACTOR_ROLE, row["actor_role"]), (HEADER_REQUEST_ID, row["request_id"])):
                if value:
                    headers[name] = value
            subject = event_subject(self.namespace, row["tenant_id"], row["topic"])
            # publish_async writes in call order on one connection, so the
            # stream stores messages in notification order.
            futures.append(await js.publish_async(subject, bytes(row["state"]), stream=stream, headers=headers))
        # Every ack, or an exception (a timeout too) before the position moves.
        await asyncio.wait_for(asyncio.gather(*futures), timeout=30)
        self.published += len(rows)
        last: int = rows[-1]["notification_id"]
        return last


async def _wait_any(*events: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
