"""5. Dashboard queries on a large history, and the projection worker's memory.

Dashboard figure: p99 latency of the dashboards' list queries (pages of 50) through the HTTP API of a
`credledger up` on the loaded history (full mode: at least a million events across 100 tenants),
from 4 concurrent dashboard users, each query for a random tenant, as a specialist:
affiliation-status (default sort; risk level; sole-enrollment risk; a plan; enrollment approved; and
the next page by cursor), access-audit (default; with findings; high severity) and turnaround metrics
(default; enrollment; a six-month range).

Dashboard baseline: the same query mix against a near-empty history (the same number of tenants, one
practice each over two months): what the same API, the same queries and the same machine cost when
the tables are tiny, so the ratio is what the history's size adds. The floors under both (a bare
`SELECT 1` round trip with asyncpg, and GET /health/live through the HTTP stack) are in the details.

Worker memory figure: the peak RSS of the `credledger project` process (psutil, sampled every 100 ms)
while it projects the whole history from the stream (a fresh durable consumer: catch-up at full
speed), up to the last event. Baseline: its peak up to the first tenth of the events (100k of 1M in
full mode). Goal: flat, i.e. at most 10% more at the end than at a tenth.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from typing import Any

import asyncpg
import httpx

from bench.context import Context
from bench.history import History, tenants
from bench.infra import say
from bench.report import latency_ms, result
from bench.s3_relay import history

MEMORY_GROWTH_LIMIT = 1.10

QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("affiliation:default", "/v1/views/affiliation-status", {}),
    ("affiliation:risk_level", "/v1/views/affiliation-status", {"risk_level": "moderate"}),
    ("affiliation:sole_enrollment_risk", "/v1/views/affiliation-status", {"sole_enrollment_risk": "true"}),
    ("affiliation:plan", "/v1/views/affiliation-status", {"plan": "WellSense Health Plan"}),
    ("affiliation:enrolled", "/v1/views/affiliation-status", {"enrollment": "approved", "sort": "-updated_at"}),
    ("access_audit:default", "/v1/views/access-audit", {}),
    ("access_audit:has_findings", "/v1/views/access-audit", {"has_findings": "true"}),
    ("access_audit:high", "/v1/views/access-audit", {"severity": "high"}),
    ("turnaround:default", "/v1/views/turnaround/metrics", {}),
    ("turnaround:enrollment", "/v1/views/turnaround/metrics", {"kind": "enrollment"}),
    ("turnaround:range", "/v1/views/turnaround/metrics", {"from": "2026-01", "to": "2026-06"}),
    ("expirables:default", "/v1/views/expirables", {}),  # a page of 50, soonest due first
    ("expirables:due_soon", "/v1/views/expirables", {"window": ["overdue", "30"]}),
    ("expirables:licenses", "/v1/views/expirables", {"kind": "license", "sort": "subject_name"}),
    ("work_queue:default", "/v1/views/work-queue", {}),  # a page of 50, soonest due first
    ("work_queue:unassigned", "/v1/views/work-queue", {"unassigned": "true"}),
    ("work_queue:counts", "/v1/views/work-queue/counts", {}),
    ("participation:default", "/v1/views/participation", {}),  # a page of 50 by clinician
    ("participation:masshealth", "/v1/views/participation", {"payer_kind": "masshealth", "state": "participating"}),
]
NEXT_PAGE = "affiliation:default:page2"


async def _query_mix(base_url: str, tokens: dict[str, str], users: int, total: int, seed: int) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {}
    items: dict[str, list[int]] = {}
    failures: list[str] = []
    rng = random.Random(seed)
    plan = [(rng.choice(list(tokens)), QUERIES[i % len(QUERIES)]) for i in range(total)]
    limits = httpx.Limits(max_connections=users + 2, max_keepalive_connections=users + 2)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def get(kind: str, path: str, params: dict[str, Any], token: str) -> dict[str, Any] | None:
            began = time.perf_counter()
            response = await client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                if len(failures) < 5:
                    failures.append(f"{kind} {response.status_code}: {response.text[:300]}")
                return None
            body = response.json()
            latencies.setdefault(kind, []).append(elapsed)
            items.setdefault(kind, []).append(len(body.get("items", [])))
            return body

        async def user(u: int) -> None:
            for tenant, (kind, path, params) in plan[u::users]:
                body = await get(kind, path, {"limit": 50, **params}, tokens[tenant])
                if kind == "affiliation:default" and body and body.get("next_cursor"):
                    await get(NEXT_PAGE, path, {"limit": 50, "cursor": body["next_cursor"]}, tokens[tenant])

        for _kind, path, params in QUERIES:  # warm-up: one of each, not measured
            await client.get(
                path, params={"limit": 50, **params}, headers={"Authorization": f"Bearer {next(iter(tokens.values()))}"}
            )
        started = time.perf_counter()
        await asyncio.gather(*(user(u) for u in range(users)))
        elapsed = time.perf_counter() - started
        health = []
        for _ in range(200):
            began = time.perf_counter()
            await client.get("/health/live")
            health.append(time.perf_counter() - began)
    everything = [x for values in latencies.values() for x in values]
    return {
        "queries": len(everything),
        "queries_per_second": round(len(everything) / elapsed, 1),
        "latency": latency_ms(everything),
        "by_query": {
            k: {**latency_ms(v), "mean_items": round(sum(items[k]) / len(items[k]), 1)} for k, v in latencies.items()
        },
        "http_floor_health_live": latency_ms(health),
        "failures": failures,
    }


async def _select_one(database_url: str, n: int = 500) -> dict[str, Any]:
    con = await asyncpg.connect(database_url)
    try:
        times = []
        for _ in range(n):
            began = time.perf_counter()
            await con.fetchval("SELECT 1")
            times.append(time.perf_counter() - began)
        return latency_ms(times)
    finally:
        await con.close()


async def _view_sizes(database_url: str) -> dict[str, int]:
    con = await asyncpg.connect(database_url)
    try:
        sizes = {}
        tables = ("affiliation_status", "access_audit_organizations", "turnaround_applications", "expirable_periods")
        tables += ("work_tasks",)
        for table in (*tables, "view_changes"):
            with contextlib.suppress(asyncpg.PostgresError):  # a view not created yet
                sizes[table] = await con.fetchval(f"SELECT count(*) FROM {table}")
        return sizes
    finally:
        await con.close()


def _dashboards(ctx: Context, h: History, seed: int) -> dict[str, Any]:
    stack = h.api_stack()
    tokens = {t: ctx.infra.token(t, role="specialist", user="dashboard") for t in h.tenant_ids}
    p = ctx.params
    found = asyncio.run(_query_mix(stack.base_url, tokens, p.dashboard_users, p.dashboard_queries, seed))  # type: ignore[arg-type]
    found["select_1_round_trip"] = asyncio.run(_select_one(h.database_url))
    found["rows"] = asyncio.run(_view_sizes(h.database_url))
    found["events"] = h.events
    h.stop_api()
    return found


def run(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    h = history(ctx)
    h.ensure_loaded()
    say(f"dashboard: projecting {h.events:,} events with `credledger project`, sampling its RSS")
    projected = h.ensure_projected()
    say(f"dashboard: {p.dashboard_queries} dashboard queries on the loaded history")
    large = _dashboards(ctx, h, seed=1)

    small = History(ctx.infra, "nearempty", tenants(p.history_tenants), 0, p.loader_processes, months=2, practices=1)
    say("dashboard: the same queries on a near-empty history (one practice per tenant, two months)")
    small.ensure_loaded()
    small.ensure_projected()
    empty = _dashboards(ctx, small, seed=1)
    ctx.infra.drop_database(small.database_url)

    figure = large["latency"].get("p99_ms", float("nan"))
    base = empty["latency"].get("p99_ms", float("nan"))
    dashboard = result(
        figure=figure,
        baseline=base,
        unit="ms, p99 of dashboard list queries (pages of 50)",
        better="lower",
        goal="none set (reported)",
        met=None,
        figure_text=f"p50 {large['latency'].get('p50_ms')} p99 {figure} ms ({large['events']:,} events)",
        baseline_text=f"p50 {empty['latency'].get('p50_ms')} p99 {base} ms ({empty['events']:,} events)",
        details={
            "large_history": large,
            "near_empty_history": empty,
            "table_notes": [
                f"floors: SELECT 1 p50/p99 {large['select_1_round_trip'].get('p50_ms')}/"
                f"{large['select_1_round_trip'].get('p99_ms')} ms, GET /health/live p50/p99 "
                f"{large['http_floor_health_live'].get('p50_ms')}/{large['http_floor_health_live'].get('p99_ms')} ms"
            ],
        },
    )

    marks = projected["checkpoints"]
    tenth, end = sorted(marks, key=int)[0], sorted(marks, key=int)[-1]
    peak_end = marks[end]["peak_rss_mb"]
    peak_tenth = marks[tenth]["peak_rss_mb"]
    memory = result(
        figure=peak_end,
        baseline=peak_tenth,
        unit="MB, peak RSS of `credledger project`",
        better="lower",
        goal=f"flat: <= {MEMORY_GROWTH_LIMIT:g}x the peak at a tenth",
        met=peak_end <= MEMORY_GROWTH_LIMIT * peak_tenth,
        figure_text=f"{peak_end} MB peak at {int(end):,} events",
        baseline_text=f"{peak_tenth} MB peak at {int(tenth):,} events",
        details={
            "projection": projected,
            "table_notes": [
                f"catch-up: {projected['catch_up_events_per_second']} events/s into all the views "
                f"({projected['catch_up_seconds']}s)"
            ],
        },
    )
    return {"_entries": {"dashboard": dashboard, "worker_memory": memory}}
