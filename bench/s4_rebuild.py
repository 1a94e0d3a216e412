"""4. Rebuild: how fast every view is rebuilt from the event store.

Figure: stored events per second of wall time for `projections.engine.rebuild.rebuild_views()` of every view,
as `credledger rebuild` does it: one pass over the store (each event read and decoded once, for every
view that handles it) into fresh schemas, swapped in together in one transaction.

Baseline: just reading and decoding the notification log: the builder's own SELECT (batches of 2000 in
notification order, one transaction each, asyncpg) and
``EventMapper(MsgspecTranscoder()).to_domain_event`` on every row, measured on a second pass (the first
builds each event class's decoder): the rate no rebuild that decodes every event can beat.

Details: each view's own rebuild (`credledger rebuild --projection NAME`, one pass each) and the three
one after the other; and a one-pass build of all the views with ``ViewBuilder`` alone, no swap (as
`credledger replay` builds a snapshot).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
from eventsourcing.persistence import StoredEvent

from bench.context import Context
from bench.infra import say
from bench.report import result
from bench.s3_relay import history
from projections.engine.builder import ViewBuilder
from projections.engine.rebuild import rebuild, rebuild_views
from projections.engine.registry import projection_modules
from services.store.recorder import EVENTS_TABLE
from services.store.transcoder import EventMapper, MsgspecTranscoder

GOAL_RATIO = 0.5
BATCH = 2000
_SELECT = (
    f"SELECT notification_id, originator_id, originator_version, topic, state, tenant_id FROM {EVENTS_TABLE} "
    "WHERE notification_id > $1 AND ($3::text IS NULL OR tenant_id = $3) ORDER BY notification_id LIMIT $2"
)


async def _read_and_decode(database_url: str) -> tuple[int, float]:
    mapper = EventMapper(MsgspecTranscoder())
    con = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        position = read = 0
        while True:
            async with con.transaction():
                rows = await con.fetch(_SELECT, position, BATCH, None)
            for row in rows:
                mapper.to_domain_event(
                    StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
                )
            read += len(rows)
            if len(rows) < BATCH:
                return read, time.perf_counter() - started
            position = rows[-1]["notification_id"]
    finally:
        await con.close()


async def _rebuild_each(database_url: str) -> dict[str, dict[str, Any]]:
    done = {}
    for module in projection_modules():
        started = time.perf_counter()
        rebuilt = await rebuild(database_url, module, batch=BATCH)
        elapsed = time.perf_counter() - started
        done[module.name] = {
            "seconds": round(elapsed, 2),
            "events_read": rebuilt.events_read,
            "events_applied": rebuilt.events_applied,
            "store_events_per_second": round(rebuilt.events_read / elapsed, 1),
        }
    return done


async def _rebuild_all_at_once(database_url: str) -> tuple[int, float]:
    started = time.perf_counter()
    rebuilt = await rebuild_views(database_url, projection_modules(), batch=BATCH)
    return rebuilt[0].events_read, time.perf_counter() - started


async def _one_pass(database_url: str) -> tuple[int, int, float]:
    con = await asyncpg.connect(database_url)
    builder = ViewBuilder(con, projection_modules(), "bench_one_pass", batch=BATCH)
    try:
        await builder.create_schema()
        started = time.perf_counter()
        await builder.run_to_end()
        return builder.read, builder.applied, time.perf_counter() - started
    finally:
        await builder.drop_schema()
        await con.close()


def run(ctx: Context) -> dict[str, Any]:
    h = history(ctx)
    h.ensure_loaded()
    h.stop_api()
    say(f"rebuild: reading and decoding the {h.events:,} stored events (baseline)")
    # Once untimed first: the first decode of each event class builds its decoder, once per process, and
    # the rebuilds measured after it would not pay for that.
    asyncio.run(_read_and_decode(h.database_url))
    read, read_seconds = asyncio.run(_read_and_decode(h.database_url))
    base = round(read / read_seconds, 1)
    say("rebuild: rebuild() of every view, one after the other")
    each = asyncio.run(_rebuild_each(h.database_url))
    total_seconds = sum(v["seconds"] for v in each.values())
    each_rate = round(read / total_seconds, 1)
    say("rebuild: rebuild_views() of all the views in one pass (credledger rebuild)")
    all_read, all_seconds = asyncio.run(_rebuild_all_at_once(h.database_url))
    all_rate = round(all_read / all_seconds, 1)
    figure = all_rate
    say("rebuild: one pass building all the views (ViewBuilder)")
    one_read, one_applied, one_seconds = asyncio.run(_one_pass(h.database_url))
    one_rate = round(one_read / one_seconds, 1)
    return result(
        figure=figure,
        baseline=base,
        unit="stored events/s (all views rebuilt)",
        better="higher",
        goal=f">= {GOAL_RATIO:g}x read-and-decode",
        met=figure >= GOAL_RATIO * base,
        figure_text=f"{figure:,.0f} events/s ({all_read:,} events, 3 views, {all_seconds:.1f}s)",
        baseline_text=f"{base:,.0f} events/s read+decode ({read_seconds:.1f}s)",
        details={
            "events": read,
            "rebuild_each_view": each,
            "rebuild_total_seconds": round(total_seconds, 2),
            "rebuild_views_all_at_once": {
                "events_read": all_read,
                "seconds": round(all_seconds, 2),
                "events_per_second": all_rate,
                "ratio_to_read_and_decode": round(all_rate / base, 3) if base else None,
            },
            "read_and_decode": {"events": read, "seconds": round(read_seconds, 2), "events_per_second": base},
            "one_pass_all_views": {
                "events_read": one_read,
                "events_applied": one_applied,
                "seconds": round(one_seconds, 2),
                "events_per_second": one_rate,
                "ratio_to_read_and_decode": round(one_rate / base, 3) if base else None,
            },
            "table_notes": [
                "per view (events/s): "
                + ", ".join(f"{k} {v['store_events_per_second']:,.0f}" for k, v in each.items())
                + f"; the three one after the other: {each_rate:,.0f} ({each_rate / base:.2f}x read+decode)"
                + f"; one pass, all views, no swap: {one_rate:,.0f} ({one_rate / base:.2f}x)"
            ],
        },
    )
