"""1. Command throughput and latency through the HTTP API, against the library's own save().

Figure: organization registrations per second (POST /v1/organizations, the README's body) from 64
concurrent HTTP clients (closed loop: each sends its next command when the last one answered) to a
`credledger up` on a fresh database: the whole product as users run it (the API, with the relay and the
projection workers in its child process, projecting every registration while the load runs). Latency is
each command's time from sending to the response, client side. A registration stores one event and loads nothing.

Baseline: a plain eventsourcing Application (eventsourcing.postgres with its defaults) saving a new
trivial aggregate (one event) per save() call, back to back from 4 threads, on a fresh database of the
same server. Same number of events per command (one) and per transaction (one). The two alternate in
three rounds (API, library, API, library, ...) and each figure is over its three windows, so both see
the same machine whatever else runs on it.

Details also hold: a realistic mix of five commands per practice (register, NPPES snapshot, primary
user, open and submit an application: four of them load an aggregate first), and library variants
that show where the ceiling is: 1 thread, 16 aggregates per save() (what a group commit gains), and
the library's DB-function insert, which takes no table lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import psutil
import psycopg

from bench import bodies
from bench.baseline_app import SaveRun, credledger_save_loop, merge_runs, save_loop
from bench.context import Context
from bench.http_load import Recorder, closed_loop, merge, send
from bench.infra import Service, say
from bench.rawhttp import Connection, Response
from bench.report import result
from services.app.commands import Command

ROUNDS = 3  # the API and the library baseline alternate, so both see the same machine
GOAL_RATIO = 2.0
GOAL_P99_MS = 50.0


def _registrations(tokens: list[str]) -> Any:
    async def session(client: Connection, i: int, running: Callable[[], bool], rec: Recorder) -> None:
        headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
        n = i * 1_000_000
        while running():
            n += 1
            await send(
                client, rec, "register", "POST", "/v1/organizations", json=bodies.organization(n), headers=headers
            )

    return session


def _practice_mix(tokens: list[str]) -> Any:
    """Per practice: register, NPPES snapshot, primary user, open and submit its POSC registration."""

    async def session(client: Connection, i: int, running: Callable[[], bool], rec: Recorder) -> None:
        headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
        n = i * 1_000_000

        async def post(kind: str, path: str, body: Command) -> Response | None:
            return await send(client, rec, kind, "POST", path, json=body, headers=headers)

        while running():
            n += 1
            r = await post("register", "/v1/organizations", bodies.organization(n))
            if r is None or not r.is_success:
                continue
            org = r.json()["id"]
            await post("nppes_snapshot", f"/v1/organizations/{org}/nppes-snapshots", bodies.nppes_snapshot())
            await post("primary_user", "/v1/user-accounts", bodies.primary_user(org, n))
            r = await post("open_application", "/v1/applications", bodies.open_application(org))
            if r is not None and r.is_success:
                await post("submit", f"/v1/applications/{r.json()['id']}/submit", bodies.submit())

    return session


def _max_notification(database_url: str) -> int:
    with psycopg.connect(database_url) as con:
        return con.execute("SELECT coalesce(max(notification_id), 0) FROM credledger_events").fetchone()[0]  # type: ignore[index]


def _tree_cpu(process: psutil.Process) -> float:
    """CPU seconds of the service and its children (`credledger up` runs its workers in a child)."""
    total = 0.0
    for each in (process, *process.children(recursive=True)):
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def api_run(
    ctx: Context,
    session_factory: Any,
    measure: float,
    stack: Service,
    database_url: str,
    *,
    rounds: int = 1,
    between: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """``rounds`` windows of ``measure / rounds`` seconds each (after its own warm-up), with ``between()``
    run after each: so a baseline measured in the gaps sees the same machine, whatever else runs on it."""
    p = ctx.params
    tokens = [ctx.infra.token(f"bench-t{t}") for t in range(p.api_tenants)]
    server = stack.psutil()
    client = psutil.Process()
    recorders = []
    server_cpu = client_cpu = busy_sum = 0.0
    events = 0
    for _ in range(rounds):
        before_events = _max_notification(database_url)
        cpu_before = _tree_cpu(server)
        client_before = client.cpu_times()
        psutil.cpu_percent(interval=None)
        recorders.append(
            asyncio.run(
                closed_loop(stack.base_url, p.clients, p.warmup_s, measure / rounds, session_factory(tokens))  # type: ignore[arg-type]
            )
        )
        busy_sum += psutil.cpu_percent(interval=None)
        cpu_after = _tree_cpu(server)
        client_after = client.cpu_times()
        stack.check()
        events += _max_notification(database_url) - before_events
        server_cpu += cpu_after - cpu_before
        client_cpu += (client_after.user + client_after.system) - (client_before.user + client_before.system)
        between()
    recorder = merge(recorders)
    summary = recorder.summary()
    elapsed = rounds * p.warmup_s + measure
    summary["rounds"] = rounds
    summary["events_per_command"] = round(events / max(recorder.total_ok, 1), 3)
    summary["server_cpu_ms_per_command"] = round(server_cpu * 1000 / max(recorder.total_ok, 1), 2)
    summary["server_cpu_cores_busy"] = round(server_cpu / elapsed, 2)
    summary["load_generator_cpu_cores_busy"] = round(client_cpu / elapsed, 2)
    summary["machine_cpu_busy_percent"] = round(busy_sum / rounds, 1)
    return summary


def sweep(ctx: Context, stack: Service, database_url: str) -> dict[str, Any]:
    """Registrations at fewer concurrent clients: where the throughput peaks, and what 64 clients cost."""
    p = ctx.params
    found = {}
    for clients in (1, 4, 16):
        tokens = [ctx.infra.token(f"bench-t{t}") for t in range(p.api_tenants)]
        recorder = asyncio.run(closed_loop(stack.base_url, clients, 1.0, p.variant_s, _registrations(tokens)))  # type: ignore[arg-type]
        summary = recorder.summary()
        found[f"{clients}_clients"] = {"per_second": summary["per_second"], "latency": summary["latency"]}
    return found


def split_run(ctx: Context) -> dict[str, Any]:
    """The same registrations against the API alone in its process, the relay and the projection workers
    each in their own (`credledger relay`, `credledger project`), where `up` has the two in one child."""
    infra = ctx.infra
    database_url = infra.new_database("split")
    namespace = infra.new_namespace()
    infra.run(["migrate"], database_url)
    services = [infra.api_only(database_url, namespace)]
    try:
        services.append(infra.credledger(["relay"], database_url, namespace))
        services.append(infra.credledger(["project"], database_url, namespace))
        return api_run(ctx, _registrations, ctx.params.measure_s, services[0], database_url)
    finally:
        for service in services:
            infra.stop(service)
        infra.drop_database(database_url)


def run(ctx: Context) -> dict[str, Any]:
    p = ctx.params
    say(f"commands: {p.clients} HTTP clients registering organizations for {p.warmup_s:.0f}+{p.measure_s:.0f}s")
    stack = ctx.live_stack()
    base_db = ctx.infra.new_database("baseline")
    baseline_rounds: list[SaveRun] = []

    def library_round() -> None:
        baseline_rounds.append(save_loop(base_db, threads=p.baseline_threads, warmup=1.0, measure=p.measure_s / ROUNDS))

    say(
        f"commands: {ROUNDS} rounds of {p.measure_s / ROUNDS:.1f}s: the API, then the library baseline "
        f"({p.baseline_threads} threads calling save())"
    )
    api = api_run(ctx, _registrations, p.measure_s, stack, ctx.live_database, rounds=ROUNDS, between=library_round)  # type: ignore[arg-type]
    baseline = merge_runs(baseline_rounds)
    say(f"commands: API {api['per_second']}/s, p99 {api['latency'].get('p99_ms')} ms; now the practice mix")
    mix = api_run(ctx, _practice_mix, p.measure_s, stack, ctx.live_database)  # type: ignore[arg-type]
    ctx.results["_commands_max_rate"] = api["per_second"]
    say("commands: registrations at 1, 4 and 16 clients")
    fewer = sweep(ctx, stack, ctx.live_database)  # type: ignore[arg-type]
    say("commands: registrations again: API, relay and projections each in its own process")
    split = split_run(ctx)

    try:
        say("commands: library variants")
        variants = {
            "1_thread": save_loop(base_db, threads=1, warmup=0.5, measure=p.variant_s),
            f"{p.baseline_threads}_threads_16_events_per_save": save_loop(
                base_db, threads=p.baseline_threads, warmup=0.5, measure=p.variant_s, events_per_save=16
            ),
            f"{p.baseline_threads}_threads_no_table_lock": save_loop(
                base_db,
                threads=p.baseline_threads,
                warmup=0.5,
                measure=p.variant_s,
                POSTGRES_ENABLE_DB_FUNCTIONS="y",
            ),
        }
    finally:
        ctx.infra.drop_database(base_db)
    app_db = ctx.infra.new_database("applayer")
    try:
        ctx.infra.run(["migrate"], app_db)
        say(f"commands: credledger's application layer without HTTP, {p.baseline_threads} threads")
        app_layer = credledger_save_loop(
            app_db, ctx.infra.master_key, threads=p.baseline_threads, warmup=0.5, measure=p.variant_s
        )
    finally:
        ctx.infra.drop_database(app_db)

    app_summary = app_layer.summary()
    figure = api["per_second"]
    base = round(baseline.saves_per_second, 1)
    p99 = api["latency"].get("p99_ms", float("nan"))
    met = figure >= GOAL_RATIO * base and p99 < GOAL_P99_MS
    b = baseline.summary()
    return result(
        figure=figure,
        baseline=base,
        unit="commands/s (one event each)",
        better="higher",
        goal=f">= {GOAL_RATIO:g}x baseline and p99 < {GOAL_P99_MS:g} ms",
        met=met,
        figure_text=f"{figure:.0f}/s p50 {api['latency'].get('p50_ms')} p99 {p99} ms",
        baseline_text=f"{base:.0f}/s p50 {b['latency'].get('p50_ms')} p99 {b['latency'].get('p99_ms')} ms",
        details={
            "api_registrations": api,
            "api_practice_mix": mix,
            "api_alone_in_its_process": split,
            "api_registrations_fewer_clients": fewer,
            "library_baseline": b,
            "library_variants": {k: v.summary() for k, v in variants.items()},
            "application_layer_registrations": app_summary,
            "table_notes": [
                "registrations at 1/4/16 clients: "
                + ", ".join(f"{v['per_second']:.0f}/s p99 {v['latency'].get('p99_ms')} ms" for v in fewer.values()),
                f"practice mix through the API: {mix['per_second']:.0f} commands/s, "
                f"p50 {mix['latency'].get('p50_ms')} p99 {mix['latency'].get('p99_ms')} ms "
                f"({mix['events_per_command']} events/command)",
                f"API, relay, projections in three processes: {split['per_second']:.0f}/s, "
                f"p50 {split['latency'].get('p50_ms')} p99 {split['latency'].get('p99_ms')} ms, "
                f"{split['server_cpu_ms_per_command']} ms API-process CPU/command "
                f"(`up`, API + its workers' child: {api['server_cpu_ms_per_command']})",
                f"application layer, no HTTP, {p.baseline_threads} threads: {app_layer.saves_per_second:.0f}/s "
                f"p50 {app_summary['latency'].get('p50_ms')} p99 {app_summary['latency'].get('p99_ms')} ms",
                "library variants (events/s): "
                + ", ".join(f"{k} {v.events_per_second:.0f}" for k, v in variants.items()),
            ],
        },
    )
