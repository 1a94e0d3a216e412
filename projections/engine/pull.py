"""A minimal JetStream pull loop on one inbox.

nats-py's ``PullSubscription.fetch`` can leave an orphaned lingering pull
request on the server that captures the next messages and stalls the following
fetch (nats-io/nats.py#933, still open as #986 on 2.15). Here every pull request
replies to the same long-lived inbox, so whichever request a message is
delivered under, we read it: an orphaned request cannot hide messages.
Protocol: https://docs.nats.io/reference/reference-protocols/nats_api_reference#fetching-from-a-pull-consumer
"""

from __future__ import annotations

import asyncio
import json
import time

from nats.aio.client import Client
from nats.aio.msg import Msg


class ConsumerGone(Exception):
    """The durable consumer (or its stream) no longer exists."""


class PullConsumer:
    def __init__(self, nc: Client, stream: str, durable: str, batch: int, expires: float = 5.0) -> None:
        self.nc = nc
        self.next_subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self.batch = batch
        self.expires = expires
        self.queue: asyncio.Queue[Msg] = asyncio.Queue()
        self.inbox = nc.new_inbox()
        self.outstanding = 0  # messages the current request may still deliver
        self.request_deadline = 0.0

    async def start(self) -> None:
        self.subscription = await self.nc.subscribe(self.inbox, cb=self.queue.put)

    async def stop(self) -> None:
        await self.subscription.unsubscribe()

    async def next_batch(self, wait: float) -> list[Msg]:
        """Messages available now (at least one, waiting up to ``wait`` seconds), or []."""
        if self.outstanding <= 0 or time.monotonic() > self.request_deadline:
            await self._request()
        try:
            first = await asyncio.wait_for(self.queue.get(), timeout=wait)
        except TimeoutError:
            return []
        messages: list[Msg] = []
        self._take(first, messages)
        while not self.queue.empty() and len(messages) < self.batch:
            self._take(self.queue.get_nowait(), messages)
        return messages

    def _take(self, msg: Msg, into: list[Msg]) -> None:
        headers = msg.headers or {}
        status = headers.get("Status") if not msg.data else None
        if status is None:
            self.outstanding -= 1
            into.append(msg)
        elif status == "503" or (status == "409" and "Consumer Deleted" in headers.get("Description", "")):
            # No responders, or the consumer was deleted: pulling again would wait
            # forever. The worker's supervisor restarts it, which re-creates it.
            raise ConsumerGone(f"{self.next_subject}: {status} {headers.get('Description', '')}".strip())
        elif status != "100":  # 100 is an idle heartbeat; anything else ends the request
            self.outstanding = 0

    async def _request(self) -> None:
        request = {"batch": self.batch, "expires": int(self.expires * 1e9)}
        await self.nc.publish(self.next_subject, json.dumps(request).encode(), reply=self.inbox)
        self.outstanding = self.batch
        self.request_deadline = time.monotonic() + self.expires
