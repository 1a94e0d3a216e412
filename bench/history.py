"""A loaded history: a fresh database filled through the application layer with the workload generator,
then published by `credledger relay` and projected by `credledger project`, each step run once per
run and shared by the relay, dashboard and rebuild scenarios.

Loading is the fastest honest way we have: the workload generator's plan (services/workload), each
command run by the application layer (load, decide, save: the same use cases the API calls, every
event sealed, chained and stamped with its tenant), from several processes at once, tenants split
among them, several tenants at a time in each (their concurrent saves share the store's commits). No row
is written by hand.
"""

from __future__ import annotations

import asyncio
import math
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
from typing import Any

import asyncpg
import nats
import psutil
from tqdm import tqdm

from bench.infra import Infra, Service, say
from projections.engine.registry import projection_modules
from services.messaging.subjects import aggregate_and_event
from services.store.head import store_head

SEED = 7
END = date(2026, 6, 30)  # the last simulated business date: fixed, so runs compare
MONTHS = 12
_STEPS_PER_PRACTICE: dict[int, float] = {}


def tenants(count: int, prefix: str = "firm") -> list[str]:
    return [f"{prefix}-{i:03d}" for i in range(count)]


def practices_for(events_per_tenant: int, months: int = MONTHS) -> int:
    """Practices per tenant for about that many commands (the generator's plans run ~80 a practice a year)."""
    from services.workload import Simulation

    if months not in _STEPS_PER_PRACTICE:
        sample = Simulation(seed=SEED, tenants=["calibrate"], practices=10, months=months, end=END)
        _STEPS_PER_PRACTICE[months] = len(sample.plan_for("calibrate")) / 10
    return max(1, math.ceil(events_per_tenant / _STEPS_PER_PRACTICE[months]))


LOADER_THREADS = 8  # per process: concurrent saves share the store's transactions (group commit)


def _load_part(database_url: str, master_key: bytes, part: list[str], practices: int, months: int) -> dict[str, Any]:
    """One loader process: its tenants' plans, several tenants at a time (threads), through the application
    layer. A tenant's steps run in order; tenants share nothing, so their saves can share commits."""
    from concurrent.futures import ThreadPoolExecutor

    from services.composition import open_credledger
    from services.workload import AppTarget, Simulation, run_plan

    app = open_credledger(database_url, master_key, pool_size=LOADER_THREADS)
    try:
        simulation = Simulation(seed=SEED, tenants=part, practices=practices, months=months, end=END)
        with ThreadPoolExecutor(LOADER_THREADS) as pool:
            summaries = list(pool.map(lambda tenant: run_plan(simulation.plan_for(tenant), AppTarget(app)), part))
        return {
            "commands": sum(s.commands for s in summaries),
            "refused": sum(s.refused for s in summaries),
            "unexpected_refusals": sum(s.unexpected_refusals for s in summaries),
        }
    finally:
        app.close()


async def _store_stats(database_url: str) -> tuple[int, int]:
    con = await asyncpg.connect(database_url)
    try:
        row = await con.fetchrow("SELECT count(*), coalesce(max(notification_id), 0) FROM credledger_events")
        return int(row[0]), int(row[1])
    finally:
        await con.close()


def _max_notification(database_url: str) -> int:
    """The store's last position, from its index: polled every second while loading, where a count(*)
    (a scan of the whole table) slowed the load it watched more and more as the history grew."""
    return asyncio.run(store_head(database_url))


def load(
    infra: Infra,
    database_url: str,
    tenant_ids: list[str],
    events: int,
    processes: int,
    months: int = MONTHS,
    practices: int | None = None,
) -> dict[str, Any]:
    """Migrate, then run the workload for ``tenant_ids``: about ``events`` commands in all, or ``practices``
    practices per tenant."""
    infra.run(["migrate"], database_url)
    practices = practices or practices_for(max(1, events // len(tenant_ids)), months)
    processes = max(1, min(processes, len(tenant_ids)))
    parts = [tenant_ids[i::processes] for i in range(processes)]
    say(
        f"loading ~{events:,} events: {len(tenant_ids)} tenants x {practices} practices x {months} months, "
        f"{processes} processes through the application layer"
    )
    started = time.perf_counter()
    with (
        ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool,
        tqdm(total=events, desc="load", unit="event", unit_scale=True, file=sys.stderr, mininterval=1) as bar,
    ):
        futures = [pool.submit(_load_part, database_url, infra.master_key, part, practices, months) for part in parts]
        while not all(f.done() for f in futures):
            time.sleep(1)
            stored = _max_notification(database_url)
            bar.total = max(bar.total, stored)
            bar.update(stored - bar.n)
        parts_done = [f.result() for f in futures]
    elapsed = time.perf_counter() - started
    count, last = asyncio.run(_store_stats(database_url))
    commands = sum(p["commands"] for p in parts_done)
    return {
        "tenants": len(tenant_ids),
        "practices_per_tenant": practices,
        "months": months,
        "processes": processes,
        "commands": commands,
        "refused": sum(p["refused"] for p in parts_done),
        "unexpected_refusals": sum(p["unexpected_refusals"] for p in parts_done),
        "events": count,
        "last_notification_id": last,
        "seconds": round(elapsed, 1),
        "commands_per_second": round(commands / elapsed, 1),
        "events_per_second": round(count / elapsed, 1),
    }


@dataclass
class History:
    infra: Infra
    tag: str
    tenant_ids: list[str]
    events_target: int
    processes: int
    months: int = MONTHS
    practices: int | None = None  # per tenant; by default as many as ``events_target`` needs
    database_url: str = ""
    namespace: str = ""
    loaded: dict[str, Any] | None = None
    relayed: dict[str, Any] | None = None
    projected: dict[str, Any] | None = None
    api: Service | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def events(self) -> int:
        return self.ensure_loaded()["events"]

    def ensure_loaded(self) -> dict[str, Any]:
        if self.loaded is None:
            self.database_url = self.infra.new_database(self.tag)
            self.namespace = self.infra.new_namespace()
            self.loaded = load(
                self.infra,
                self.database_url,
                self.tenant_ids,
                self.events_target,
                self.processes,
                self.months,
                self.practices,
            )
            say(
                f"loaded {self.loaded['events']:,} events in {self.loaded['seconds']}s "
                f"({self.loaded['events_per_second']}/s)"
            )
        return self.loaded

    # ---- the relay: store -> JetStream ----------------------------------------------------------

    def ensure_relayed(self) -> dict[str, Any]:
        """Run `credledger relay` from an empty stream until the stream holds every stored event."""
        if self.relayed is None:
            total = self.events
            relay = self.infra.credledger(["relay"], self.database_url, self.namespace)
            try:
                self.relayed = asyncio.run(_watch_stream(self.infra.nats_url, self.namespace.upper(), total, relay))
            finally:
                self.infra.stop(relay)
        return self.relayed

    # ---- the projection workers: JetStream -> views --------------------------------------------

    def ensure_projected(self) -> dict[str, Any]:
        """Run `credledger project` from the start of the stream until every view has applied every event of
        the kinds it consumes, sampling the process's RSS; checkpoints at a tenth and at all of the events."""
        if self.projected is None:
            self.ensure_relayed()
            targets = asyncio.run(_projection_targets(self.database_url))
            worker = self.infra.credledger(["project"], self.database_url, self.namespace)
            try:
                self.projected = _watch_projection(worker, self.database_url, targets, self.events)
            finally:
                self.infra.stop(worker)
        return self.projected

    def api_stack(self) -> Service:
        """`credledger up` on the loaded, relayed and projected history (its workers find nothing to do)."""
        if self.api is None:
            self.ensure_projected()
            self.api = self.infra.up(self.database_url, self.namespace)
        self.api.check()
        return self.api

    def stop_api(self) -> None:
        if self.api is not None:
            self.infra.stop(self.api)
            self.api = None

    def close(self) -> None:
        self.stop_api()


async def _watch_stream(nats_url: str, stream: str, total: int, relay: Service) -> dict[str, Any]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        launched = time.perf_counter()
        first_at = first_count = None
        count = 0
        with tqdm(total=total, desc="relay", unit="event", unit_scale=True, file=sys.stderr, mininterval=1) as bar:
            while count < total:
                relay.check()
                try:
                    count = (await js.stream_info(stream)).state.messages
                except Exception:  # the relay has not created the stream yet
                    count = 0
                now = time.perf_counter()
                if count and first_at is None:
                    first_at, first_count = now, count
                bar.update(count - bar.n)
                if now - launched > 3600:
                    raise TimeoutError(f"the relay published {count} of {total} events in an hour")
                await asyncio.sleep(0.02)
        done_at = time.perf_counter()
    finally:
        await nc.close()
    assert first_at is not None and first_count is not None
    window = done_at - first_at
    measured = total - first_count
    return {
        "events": total,
        # From the first message seen in the stream to the last (polled every 20 ms), so the process's
        # start-up and connection set-up are left out.
        "events_per_second": round(measured / window, 1) if window > 0 else None,
        "seconds_publishing": round(window, 2),
        "seconds_from_launch": round(done_at - launched, 2),
    }


async def _projection_targets(database_url: str) -> dict[str, int]:
    """Per view, the last notification id among the event kinds it consumes: caught up when it gets there."""
    con = await asyncpg.connect(database_url)
    try:
        rows = await con.fetch("SELECT topic, max(notification_id) AS last FROM credledger_events GROUP BY topic")
    finally:
        await con.close()
    targets = {}
    for module in projection_modules():
        lasts = [r["last"] for r in rows if aggregate_and_event(r["topic"])[0] in module.aggregates]
        targets[module.name] = max(lasts, default=0)
    return targets


class _RssSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.samples.append((time.perf_counter(), self.process.memory_info().rss))
            except psutil.Error:
                return
            self.halt.wait(self.interval)

    def peak(self, until: float) -> int:
        return max((rss for t, rss in self.samples if t <= until), default=0)

    def at(self, moment: float) -> int:
        before = [rss for t, rss in self.samples if t <= moment]
        return before[-1] if before else 0


def _watch_projection(worker: Service, database_url: str, targets: dict[str, int], total: int) -> dict[str, Any]:
    sampler = _RssSampler(worker.pid)
    sampler.start()
    launched = time.perf_counter()
    checkpoint = max(1, total // 10)
    reached: dict[int, float] = {}
    first_progress_at = None
    progress = 0

    async def positions() -> dict[str, int]:
        con = await asyncpg.connect(database_url)
        try:
            rows = await con.fetch("SELECT projection, notification_id FROM projection_tracking")
            return {r["projection"]: r["notification_id"] for r in rows}
        finally:
            await con.close()

    try:
        with tqdm(total=total, desc="project", unit="event", unit_scale=True, file=sys.stderr, mininterval=1) as bar:
            while True:
                worker.check()
                now_positions = asyncio.run(positions())
                now = time.perf_counter()
                # Progress through the store: the slowest view's position (a view that has passed its last
                # event of interest counts as through the whole store).
                progress = min(
                    total if now_positions.get(name, 0) >= last else now_positions.get(name, 0)
                    for name, last in targets.items()
                )
                if progress and first_progress_at is None:
                    first_progress_at = now
                for mark in (checkpoint, total):
                    if progress >= mark and mark not in reached:
                        reached[mark] = now
                bar.update(min(progress, total) - bar.n)
                if total in reached:
                    break
                if now - launched > 4 * 3600:
                    raise TimeoutError(f"the projection reached {progress} of {total} events in 4 hours")
                time.sleep(0.25)
    finally:
        sampler.halt.set()
        sampler.join()
    done = reached[total]
    start = first_progress_at or launched
    return {
        "events": total,
        "catch_up_seconds": round(done - start, 1),
        "catch_up_events_per_second": round(total / (done - start), 1) if done > start else None,
        "rss_mb_at_start": round(sampler.samples[0][1] / 2**20, 1) if sampler.samples else None,
        "checkpoints": {
            str(mark): {
                "peak_rss_mb": round(sampler.peak(reached[mark]) / 2**20, 1),
                "rss_mb": round(sampler.at(reached[mark]) / 2**20, 1),
                "seconds_after_launch": round(reached[mark] - launched, 1),
            }
            for mark in sorted(reached)
        },
        "rss_samples": len(sampler.samples),
    }
