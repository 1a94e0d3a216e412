"""3. Relay throughput: events per second from the event store to JetStream.

Figure: `credledger relay` started on the loaded history with an empty stream (as after a new NATS
cluster or a purge: it refills from the store), timed from the first message to appear in the stream
to the last (the stream's message count polled every 20 ms). This is the relay's whole loop: read a
batch in notification order (asyncpg), publish each event with its headers and Nats-Msg-Id with
publish_async, wait for every ack, record its position, next batch.

Baseline: in this process, the same events' subjects, headers and payloads read first into memory,
then published with nats-py's publish_async to a stream of the same configuration on the same NATS
server, in windows of the relay's batch size (1000), each window's acks awaited: the rate of just
publishing, with no database and no bookkeeping. Capped at 200,000 messages (the rate per event is
what is compared).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import nats

from bench.context import Context
from bench.history import History, tenants
from bench.infra import say
from bench.report import result
from services.messaging.relay import _SELECT
from services.messaging.subjects import (
    HEADER_NOTIFICATION_ID,
    HEADER_ORIGINATOR_ID,
    HEADER_ORIGINATOR_VERSION,
    HEADER_TENANT,
    HEADER_TOPIC,
    ensure_stream,
    event_id,
    event_subject,
)

GOAL_RATIO = 0.8
BATCH = 1000
BASELINE_CAP = 200_000


def history(ctx: Context) -> History:
    if ctx.history is None:
        p = ctx.params
        ctx.history = History(ctx.infra, "history", tenants(p.history_tenants), p.history_events, p.loader_processes)
    return ctx.history


async def _read_messages(database_url: str, namespace: str, limit: int) -> list[tuple[str, bytes, dict[str, str]]]:
    con = await asyncpg.connect(database_url)
    messages = []
    position = 0
    try:
        while len(messages) < limit:
            rows = await con.fetch(_SELECT, position, min(BATCH, limit - len(messages)))
            if not rows:
                break
            for row in rows:
                headers = {
                    "Nats-Msg-Id": event_id(row["originator_id"], row["originator_version"]),
                    HEADER_NOTIFICATION_ID: str(row["notification_id"]),
                    HEADER_TOPIC: row["topic"],
                    HEADER_ORIGINATOR_ID: str(row["originator_id"]),
                    HEADER_ORIGINATOR_VERSION: str(row["originator_version"]),
                    HEADER_TENANT: row["tenant_id"],
                }
                messages.append(
                    (event_subject(namespace, row["tenant_id"], row["topic"]), bytes(row["state"]), headers)
                )
            position = rows[-1]["notification_id"]
    finally:
        await con.close()
    return messages


async def _raw_publish(nats_url: str, namespace: str, messages: list[tuple[str, bytes, dict[str, str]]]) -> float:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        stream = await ensure_stream(js, namespace)
        started = time.perf_counter()
        for i in range(0, len(messages), BATCH):
            futures = [
                await js.publish_async(subject, payload, stream=stream, headers=headers)
                for subject, payload, headers in messages[i : i + BATCH]
            ]
            await asyncio.wait_for(asyncio.gather(*futures), timeout=60)
        elapsed = time.perf_counter() - started
        stored = (await js.stream_info(stream)).state.messages
        if stored != len(messages):
            raise RuntimeError(f"raw publish: the stream holds {stored} of {len(messages)} messages")
        return elapsed
    finally:
        await nc.close()


def run(ctx: Context) -> dict[str, Any]:
    h = history(ctx)
    h.ensure_loaded()
    say(f"relay: `credledger relay` from an empty stream over {h.events:,} stored events")
    relayed = h.ensure_relayed()
    namespace = ctx.infra.new_namespace()
    messages = asyncio.run(_read_messages(h.database_url, namespace, BASELINE_CAP))
    say(f"relay: baseline, publish_async of {len(messages):,} of the same messages")
    elapsed = asyncio.run(_raw_publish(ctx.infra.nats_url, namespace, messages))
    base = round(len(messages) / elapsed, 1)
    payload_bytes = sum(len(m[1]) for m in messages) / max(len(messages), 1)
    figure = relayed["events_per_second"]
    ratio = figure / base if base and figure else 0
    return result(
        figure=figure,
        baseline=base,
        unit="events/s",
        better="higher",
        goal=f">= {GOAL_RATIO:g}x raw publish_async",
        met=ratio >= GOAL_RATIO,
        figure_text=f"{figure:,.0f} events/s ({relayed['events']:,} events)",
        baseline_text=f"{base:,.0f} msgs/s publish_async ({len(messages):,} msgs)",
        details={
            "relay": relayed,
            "baseline": {
                "messages": len(messages),
                "seconds": round(elapsed, 2),
                "messages_per_second": base,
                "window": BATCH,
            },
            "mean_payload_bytes": round(payload_bytes),
            "load": h.loaded,
            "table_notes": [
                f"history: {h.loaded['events']:,} events, {h.loaded['tenants']} tenants, loaded at "  # type: ignore[index]
                f"{h.loaded['events_per_second']:,.0f} events/s by {h.loaded['processes']} processes"  # type: ignore[index]
            ],
        },
    )
