"""The webhook worker, a component of `credledger workers`: one instance at a time (an advisory lock; a second
waits as a standby). It takes in the stream's events through its own durable consumer and the view changes from
their table, and sends the deliveries that are due.

Two database connections: the one holding the lock also takes messages in (events, then view changes, in turn),
the other sends. Every component of every `credledger up` holds connections, and a default PostgreSQL has 100.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
import nats
import nats.js.api as js_api

from projections.engine.pull import PullConsumer
from services.messaging import singleton
from services.messaging.subjects import ensure_stream
from services.webhooks.intake import VIEW_CHANGES_PAGE, take_events, take_view_changes
from services.webhooks.sender import BATCH, Sender

log = logging.getLogger(__name__)
POLL = 0.5  # seconds: the longest a new message or a due retry waits when there is nothing else to do
EVENTS_BATCH = 256
PRUNE_EVERY = 3600.0  # seconds between removals of deliveries past their retention


class WebhookWorker:
    def __init__(
        self,
        database_url: str,
        nats_url: str,
        namespace: str,
        master_key: bytes,
        *,
        allow_local: bool = False,
        first_retry: float = 10.0,
    ) -> None:
        self.database_url = database_url
        self.nats_url = nats_url
        self.namespace = namespace
        self.master_key = master_key
        self.allow_local = allow_local
        self.first_retry = first_retry
        self.durable = f"{namespace}_webhooks"
        self._wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        db = await singleton.connect(self.database_url)
        try:
            if not await singleton.hold(db, f"credledger-webhooks:{self.namespace}", stop):
                return
            sender = Sender(
                self.database_url, self.master_key, allow_local=self.allow_local, first_retry=self.first_retry
            )
            try:
                # A part that fails stops the other (the supervisor starts the whole worker again); a failing send
                # is recorded on its delivery, never raised (sender.py).
                async with asyncio.TaskGroup() as parts:
                    parts.create_task(self._take_in(stop, db))
                    parts.create_task(self._send(stop, sender))
            finally:
                await sender.close()
        finally:
            await db.close()

    async def _take_in(self, stop: asyncio.Event, db: asyncpg.Connection) -> None:
        nc = await nats.connect(self.nats_url, name="credledger-webhooks")
        try:
            js = nc.jetstream()
            stream = await ensure_stream(js, self.namespace)
            await js.add_consumer(
                stream,
                js_api.ConsumerConfig(
                    durable_name=self.durable,
                    filter_subject=f"{self.namespace}.>",
                    ack_policy=js_api.AckPolicy.EXPLICIT,
                    # Every event, the first time too: an endpoint receives only what follows its registration
                    # (from_position), whenever this consumer gets to it.
                    deliver_policy=js_api.DeliverPolicy.ALL,
                    ack_wait=30,
                    max_ack_pending=4 * EVENTS_BATCH,
                ),
            )
            consumer = PullConsumer(nc, stream, self.durable, EVENTS_BATCH)
            await consumer.start()
            log.info("webhooks: consuming %s as %s", stream, self.durable)
            while not stop.is_set():
                messages = await consumer.next_batch(wait=POLL)
                queued, again = await take_events(db, messages) if messages else (0, [])
                if queued:
                    self._wake.set()
                for message in messages:
                    await (message.nak(delay=1) if message in again else message.ack())
                while (taken := await take_view_changes(db)) and not stop.is_set():
                    self._wake.set()
                    if taken < VIEW_CHANGES_PAGE:
                        break
            await consumer.stop()
        finally:
            await nc.close()

    async def _send(self, stop: asyncio.Event, sender: Sender) -> None:
        db = await singleton.connect(self.database_url)
        pruned = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                if loop.time() - pruned > PRUNE_EVERY:
                    await sender.prune(db)
                    pruned = loop.time()
                if await sender.send_due(db) < BATCH:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), POLL)
        finally:
            await db.close()
