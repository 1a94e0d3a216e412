"""2. Freshness: from a command's HTTP response to the change being visible to a dashboard.

Figure: p99 of (the moment the server-sent-events stream GET /v1/views/changes delivers the change of
the registered organization's affiliation-status row) minus (the moment the registration's 201 response
arrived), both taken in this process. Commands are sent open loop (on a fixed schedule, whatever the
responses do) at half the maximum rate measured in scenario 1, to the same `credledger up`, spread over
four tenants, each with its own SSE subscription. The path measured is the whole pipeline: the store's
NOTIFY wakes the relay, JetStream, the projection worker's transaction, view_changes and its NOTIFY,
the API's SSE query, and the client.

Baseline: the same measurement at light load (five commands per second): the pipeline's own floor,
so the ratio shows what load adds.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import bodies
from bench.context import Context
from bench.http_load import closed_loop
from bench.infra import say
from bench.rawhttp import Connection, TransportError
from bench.report import latency_ms, result
from bench.s1_commands import _registrations

GOAL_P99_MS = 200.0
TENANTS = 4
IN_FLIGHT = 64  # commands outstanding at most (as many as scenario 1's clients)
VIEW = "affiliation_status"


@dataclass
class Tracker:
    sent: int = 0
    responded: dict[str, float] = field(default_factory=dict)  # organization -> response time
    seen: dict[tuple[str, str], float] = field(default_factory=dict)  # (view, organization) -> first SSE time
    command_latency: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    sse_events: int = 0
    elapsed: float = 0.0


async def _subscribe(client: httpx.AsyncClient, token: str, tracker: Tracker, ready: asyncio.Event) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    async with client.stream("GET", "/v1/views/changes", headers=headers, timeout=None) as response:
        response.raise_for_status()
        view = None
        async for line in response.aiter_lines():
            if line.startswith(":") or line.startswith("retry:"):
                ready.set()  # the stream's opening comment: subscribed
            elif line.startswith("event:"):
                view = line[6:].strip()
            elif line.startswith("data:"):
                now = time.perf_counter()
                tracker.sse_events += 1
                change = json.loads(line[5:])
                organization = change.get("organization_id")
                if organization:
                    tracker.seen.setdefault((view or change.get("view"), organization), now)
            elif not line:
                view = None


async def _measure(base_url: str, tokens: list[str], rate: float, count: int, settle: float) -> Tracker:
    tracker = Tracker()
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:  # for the SSE subscriptions
        readies = [asyncio.Event() for _ in tokens]
        streams = [
            asyncio.create_task(_subscribe(client, token, tracker, ready))
            for token, ready in zip(tokens, readies, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=30)
        idle: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(IN_FLIGHT):
            idle.put_nowait(Connection(base_url))

        async def command(i: int) -> None:
            connection = await idle.get()
            try:
                headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
                began = time.perf_counter()
                try:
                    response = await connection.request(
                        "POST", "/v1/organizations", json=bodies.organization(i), headers=headers
                    )
                except TransportError as error:
                    tracker.failed.append(str(error))
                    return
                now = time.perf_counter()
                if response.status_code != 201:
                    tracker.failed.append(f"{response.status_code} {response.text[:200]}")
                    return
                tracker.responded[response.json()["id"]] = now
                tracker.command_latency.append(now - began)
            finally:
                idle.put_nowait(connection)

        start = time.perf_counter()
        tasks = []
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(command(i)))
            tracker.sent += 1
        await asyncio.gather(*tasks)
        tracker.elapsed = time.perf_counter() - start
        deadline = time.perf_counter() + settle
        while time.perf_counter() < deadline:
            if all((VIEW, org) in tracker.seen for org in tracker.responded):
                break
            await asyncio.sleep(0.05)
        for stream in streams:
            stream.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
        while not idle.empty():
            await idle.get_nowait().close()
    return tracker


def _summary(tracker: Tracker) -> dict[str, Any]:
    by_view: dict[str, list[float]] = {}
    early = 0
    for (view, org), seen in tracker.seen.items():
        responded = tracker.responded.get(org)
        if responded is None:
            continue
        lag = seen - responded
        if lag < 0:  # the change reached the dashboard before the command's response reached its client
            early += 1
            lag = 0.0
        by_view.setdefault(view, []).append(lag)
    # The moment every view that reports the organization shows it.
    everywhere = []
    for org, responded in tracker.responded.items():
        times = [t for (view, o), t in tracker.seen.items() if o == org]
        if times and (VIEW, org) in tracker.seen:
            everywhere.append(max(0.0, max(times) - responded))
    missing = sum(1 for org in tracker.responded if (VIEW, org) not in tracker.seen)
    elapsed = tracker.elapsed or 1.0
    return {
        "commands_sent": tracker.sent,
        "commands_ok": len(tracker.responded),
        "achieved_rate_per_s": round(len(tracker.responded) / elapsed, 1),
        "command_latency": latency_ms(tracker.command_latency),
        "freshness": latency_ms(by_view.get(VIEW, [])),
        "freshness_by_view": {v: latency_ms(x) for v, x in by_view.items()},
        "freshness_all_views": latency_ms(everywhere),
        "not_seen_within_settle": missing,
        "seen_before_response": early,
        "sse_events": tracker.sse_events,
        "failures": tracker.failed[:5],
    }


def run(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    stack = ctx.live_stack()
    tokens = [ctx.infra.token(f"bench-fresh-{t}") for t in range(TENANTS)]
    max_rate = ctx.results.get("_commands_max_rate")
    calibrated = False
    if not max_rate:
        say("freshness: no maximum from scenario 1 in this run; measuring it (registrations, 64 clients, 8 s)")
        recorder = asyncio.run(closed_loop(stack.base_url, p.clients, 2.0, 8.0, _registrations(tokens)))  # type: ignore[arg-type]
        max_rate = recorder.summary()["per_second"]
        calibrated = True
    rate = max(1.0, max_rate / 2)
    say(f"freshness: light load ({p.freshness_light_rate:g}/s, {p.freshness_light_commands} commands)")
    light = _summary(
        asyncio.run(
            _measure(stack.base_url, tokens, p.freshness_light_rate, p.freshness_light_commands, settle=10)  # type: ignore[arg-type]
        )
    )
    say(f"freshness: half load ({rate:.1f} commands/s for {p.freshness_s:.0f}s)")
    half = _summary(asyncio.run(_measure(stack.base_url, tokens, rate, int(rate * p.freshness_s), settle=15)))  # type: ignore[arg-type]
    stack.check()
    figure = half["freshness"].get("p99_ms", float("nan"))
    base = light["freshness"].get("p99_ms", float("nan"))
    met = figure < GOAL_P99_MS and half["not_seen_within_settle"] == 0
    return result(
        figure=figure,
        baseline=base,
        unit="ms, p99 from HTTP response to the SSE change (affiliation-status row)",
        better="lower",
        goal=f"p99 < {GOAL_P99_MS:g} ms at half load",
        met=met,
        figure_text=f"p50 {half['freshness'].get('p50_ms')} p99 {figure} ms @ {half['achieved_rate_per_s']}/s",
        baseline_text=f"p50 {light['freshness'].get('p50_ms')} p99 {base} ms @ {light['achieved_rate_per_s']}/s",
        details={
            "target_rate_per_s": round(rate, 1),
            "max_rate_from": "measured here" if calibrated else "scenario 1 (registrations)",
            "max_rate_per_s": max_rate,
            "half_load": half,
            "light_load": light,
            "table_notes": [
                "all views showing it (p50/p99 ms): half load "
                f"{half['freshness_all_views'].get('p50_ms')}/{half['freshness_all_views'].get('p99_ms')}, "
                f"light {light['freshness_all_views'].get('p50_ms')}/{light['freshness_all_views'].get('p99_ms')}; "
                f"command p99 at half load {half['command_latency'].get('p99_ms')} ms"
            ],
        },
    )
