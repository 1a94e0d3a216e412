"""Runs a projection live from a durable JetStream pull consumer.

Per fetched batch: decode, apply every event and advance the position in ONE
database transaction, commit, and only then acknowledge the messages. A crash
before the commit leaves nothing applied and the messages unacknowledged, so
JetStream redelivers them; a crash after the commit but before the acks makes
JetStream redeliver events whose versions are already recorded, which
``apply_in_transaction`` skips. Either way each event takes effect once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import UUID

import asyncpg
import nats
import nats.js.api as js_api
from eventsourcing.persistence import StoredEvent
from nats.aio.msg import Msg

from projections.engine.pull import PullConsumer
from projections.engine.tracking import (
    Envelope,
    OutOfOrder,
    Projection,
    advance_position,
    apply_in_transaction,
    begin_batch,
    record_changes,
)
from services.messaging import singleton
from services.messaging.subjects import (
    HEADER_NOTIFICATION_ID,
    HEADER_ORIGINATOR_ID,
    HEADER_ORIGINATOR_VERSION,
    HEADER_TENANT,
    HEADER_TOPIC,
    ensure_stream,
)
from services.store.transcoder import EventMapper, MsgspecTranscoder

log = logging.getLogger(__name__)
PARK_AFTER_DELIVERIES = 3
# An event waiting on ANOTHER aggregate (an application whose organization is parked)
# is redelivered every second; after this many tries it is parked too, so it stops
# holding a slot of max_ack_pending, and the retry re-applies both from the store.
PARK_WAITING_AFTER_DELIVERIES = 60
_LOST_CONNECTION = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, ConnectionError)
_mapper = EventMapper(transcoder=MsgspecTranscoder())


def decode(msg: Msg) -> Envelope:
    headers = msg.headers or {}
    stored = StoredEvent(
        originator_id=UUID(headers[HEADER_ORIGINATOR_ID]),
        originator_version=int(headers[HEADER_ORIGINATOR_VERSION]),
        topic=headers[HEADER_TOPIC],
        state=msg.data,
    )
    return Envelope(
        tenant_id=headers[HEADER_TENANT],
        position=int(headers[HEADER_NOTIFICATION_ID]),
        event=_mapper.to_domain_event(stored),
    )


class ProjectionWorker:
    def __init__(
        self, projection: Projection, database_url: str, nats_url: str, namespace: str, batch_size: int = 256
    ) -> None:
        self.projection = projection
        self.database_url = database_url
        self.nats_url = nats_url
        self.namespace = namespace
        self.batch_size = batch_size
        self.applied = 0
        self._idle_position = 0  # the last position written while idle (not written again)

    @property
    def durable(self) -> str:
        return f"{self.namespace}_{self.projection.name}"

    async def run(self, stop: asyncio.Event) -> None:
        db = await singleton.connect(self.database_url)
        # Write as the role row-level security applies to (deploy/migrations/004).
        await db.execute("SET ROLE credledger_worker")
        nc = await nats.connect(self.nats_url, name=f"credledger-{self.projection.name}")
        try:
            # One worker per projection and namespace; a second one waits as a standby.
            if not await singleton.hold(db, f"credledger-projection:{self.durable}", stop):
                return
            js = nc.jetstream()
            stream = await ensure_stream(js, self.namespace)
            version = nc.connected_server_version
            if (version.major, version.minor) < (2, 10):
                # Multiple filter subjects came in 2.10; older servers ignore them and
                # deliver every event (the projection skips the ones it does not use).
                log.warning("%s: NATS 2.10 or later is recommended", version)
            await js.add_consumer(
                stream,
                js_api.ConsumerConfig(
                    durable_name=self.durable,
                    filter_subjects=[f"{self.namespace}.*.{kind}.>" for kind in self.projection.aggregates],
                    ack_policy=js_api.AckPolicy.EXPLICIT,
                    deliver_policy=js_api.DeliverPolicy.ALL,
                    # Unacked messages of a crashed worker come back after ack_wait;
                    # a batch takes milliseconds, so keep the stall after a crash short.
                    ack_wait=10,
                    max_ack_pending=4 * self.batch_size,
                ),
            )
            consumer = PullConsumer(nc, stream, self.durable, self.batch_size)
            await consumer.start()
            log.info("projection %s: consuming %s as %s", self.projection.name, stream, self.durable)
            while not stop.is_set():
                messages = await consumer.next_batch(wait=1.0)
                if messages:
                    await self._handle(db, messages)
                else:
                    await self._advance_while_idle(db, js, stream)
            await consumer.stop()
        finally:
            await nc.close()
            await db.close()

    async def _advance_while_idle(self, db: asyncpg.Connection, js: Any, stream: str) -> None:
        """With nothing to take in, move the view's position up to the stream's last event, whatever its kind.

        Why: the position moves only with the events this view consumes, so after many it does not (access
        logs, another view's aggregates) "is the view fresh at P" and readiness's lag had to scan all of those
        events in the store (migrations 011, 012). Order matters: the stream's last event is read first, then
        the consumer is found to have nothing pending or unacknowledged, so every event of this view's kinds
        up to that one has been applied or parked."""
        try:
            last = (await js.stream_info(stream)).state.last_seq
            if not last:
                return
            headers = (await js.get_msg(stream, last)).headers or {}
            position = int(headers[HEADER_NOTIFICATION_ID])
            if position <= self._idle_position:
                return
            consumer = await js.consumer_info(stream, self.durable)
            if consumer.num_pending or consumer.num_ack_pending:
                return
        except (nats.errors.Error, KeyError, ValueError) as error:  # not this round: the next idle one
            log.debug("projection %s: not advanced while idle (%s)", self.projection.name, type(error).__name__)
            return
        async with db.transaction():
            await begin_batch(db, self.projection)  # a rebuild's swap waits for it, as for any batch
            await advance_position(db, self.projection, position)
        self._idle_position = position

    async def _handle(self, db: asyncpg.Connection, messages: list[Msg]) -> None:
        try:
            envelopes = [decode(m) for m in messages]
            async with db.transaction():
                await self._apply_all(db, envelopes)
        except _LOST_CONNECTION:
            raise  # the supervisor reconnects with backoff; JetStream redelivers the batch
        except Exception:
            # Something in the batch waits for an event not applied yet (it went to a
            # worker that died, or was NAKed), or cannot be applied at all. Apply one
            # by one: ack what applies, let JetStream redeliver the rest later.
            await self._handle_one_by_one(db, messages)
            return
        for m in messages:
            await m.ack()

    async def _handle_one_by_one(self, db: asyncpg.Connection, messages: list[Msg]) -> None:
        for message in messages:
            try:
                envelope = decode(message)
                async with db.transaction():
                    await self._apply_all(db, [envelope])
            except OutOfOrder as error:
                if await self._aggregate_parked(db, message):
                    # Its aggregate has a parked event: this one waits with it.
                    await self._park(db, message, "after a parked event")
                elif message.metadata.num_delivered >= PARK_WAITING_AFTER_DELIVERIES:
                    await self._park(db, message, "waiting on another aggregate")
                else:
                    log.info("projection %s: %s; redelivering later", self.projection.name, error)
                    await message.nak(delay=1)
            except _LOST_CONNECTION:
                raise
            except Exception as error:
                # A poison message. Log its place and the error's type only: the error's
                # text could quote event data. Retried a few times (a passing fault),
                # then parked, so it holds up nothing else.
                if message.metadata.num_delivered >= PARK_AFTER_DELIVERIES:
                    await self._park(db, message, type(error).__name__)
                else:
                    log.warning(
                        "projection %s: cannot apply stream message %s (%s); retrying",
                        self.projection.name,
                        message.metadata.sequence.stream,
                        type(error).__name__,
                    )
                    await message.nak(delay=2)
            else:
                await message.ack()

    async def _aggregate_parked(self, db: asyncpg.Connection, message: Msg) -> bool:
        originator_id = (message.headers or {}).get(HEADER_ORIGINATOR_ID)
        return originator_id is not None and bool(
            await db.fetchval(
                "SELECT 1 FROM parked_events WHERE projection = $1 AND originator_id = $2",
                self.projection.name,
                UUID(originator_id),
            )
        )

    async def _park(self, db: asyncpg.Connection, message: Msg, error: str) -> None:
        """Record the message as parked (acked: JetStream stops redelivering it) and raise the alert."""
        headers = message.headers or {}

        def header(name: str, convert: Any = str) -> Any:
            try:
                return convert(headers[name])
            except (KeyError, ValueError):
                return None

        await db.execute(
            "INSERT INTO parked_events (projection, stream_sequence, tenant_id, originator_id, originator_version, "
            "position, subject, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            self.projection.name,
            message.metadata.sequence.stream,
            header(HEADER_TENANT),
            header(HEADER_ORIGINATOR_ID, UUID),
            header(HEADER_ORIGINATOR_VERSION, int),
            header(HEADER_NOTIFICATION_ID, int),
            message.subject,
            error,
        )
        await message.ack()
        log.error(
            "ALERT projection %s: parked stream message %s (%s); see parked_events, retry with "
            "`credledger parked --retry` once fixed",
            self.projection.name,
            message.metadata.sequence.stream,
            error,
        )

    async def _apply_all(self, db: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        await begin_batch(db, self.projection)
        changes = await apply_in_transaction(db, self.projection, envelopes)
        self.applied += len(changes)
        await advance_position(db, self.projection, max(e.position for e in envelopes))
        await record_changes(db, changes)
