"""The library baseline: a plain eventsourcing Application with a trivial aggregate, saved from threads.

Nothing of credledger is used here: the library's own PostgreSQL recorder (its defaults: an EXCLUSIVE
table lock per insert transaction, JSON transcoder), its own table, one database of the same server.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import msgspec
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.report import latency_ms


class Widget(Aggregate):
    @event("Registered")
    def __init__(self, name: str, n: int) -> None:
        self.name = name
        self.n = n


class BaselineApp(Application):
    name = "BenchBaseline"


def library_env(database_url: str, pool_size: int, **extra: str) -> dict[str, str]:
    url = urlsplit(database_url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(url.path.lstrip("/")),
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_POOL_SIZE": str(pool_size),
        "CREATE_TABLE": "y",
    }
    env.update(extra)
    return env


@dataclass
class SaveRun:
    threads: int
    events_per_save: int
    window_s: float
    saves: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def saves_per_second(self) -> float:
        return self.saves / self.window_s

    @property
    def events_per_second(self) -> float:
        return self.saves * self.events_per_save / self.window_s

    def summary(self) -> dict[str, Any]:
        return {
            "threads": self.threads,
            "events_per_save": self.events_per_save,
            "window_s": round(self.window_s, 2),
            "saves": self.saves,
            "saves_per_second": round(self.saves_per_second, 1),
            "events_per_second": round(self.events_per_second, 1),
            "latency": latency_ms(self.latencies),
            "errors": self.errors[:3],
        }


def _timed_loop(threads: int, warmup: float, measure: float, events_per_save: int, call: Any) -> SaveRun:
    """``threads`` threads running ``call(thread, n)`` back to back; calls that end inside the window count."""
    start = time.perf_counter() + warmup
    stop = start + measure
    run = SaveRun(threads=threads, events_per_save=events_per_save, window_s=measure)
    lock = threading.Lock()

    def work(t: int) -> None:
        n = 0
        while True:
            began = time.perf_counter()
            if began >= stop:
                return
            n += 1
            try:
                call(t, n)
            except Exception as error:  # reported, not hidden
                with lock:
                    run.errors.append(f"{type(error).__name__}: {error}")
                continue
            ended = time.perf_counter()
            if began >= start and ended <= stop:
                with lock:
                    run.saves += 1
                    run.latencies.append(ended - began)

    workers = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return run


def save_loop(
    database_url: str, *, threads: int, warmup: float, measure: float, events_per_save: int = 1, **env: str
) -> SaveRun:
    """``threads`` threads calling ``app.save()`` back to back with new aggregates (one event each,
    ``events_per_save`` aggregates per call); saves that end inside the window count."""
    app = BaselineApp(env=library_env(database_url, pool_size=threads, **env))
    try:
        app.save(Widget(name="warm", n=0))  # connections and prepared statements

        def save(t: int, n: int) -> None:
            app.save(*(Widget(name=f"widget {t}-{n}-{k}", n=n) for k in range(events_per_save)))

        return _timed_loop(threads, warmup, measure, events_per_save, save)
    finally:
        app.close()


def credledger_save_loop(
    database_url: str, master_key: bytes, *, threads: int, warmup: float, measure: float
) -> SaveRun:
    """credledger's own application layer, no HTTP: ``register_organization`` (one event, nothing loaded)
    back to back from ``threads`` threads: the store path with its recorder (tenant stamp, sealed PII,
    hash chain under the table lock), without the API around it."""
    from services.app import Actor
    from services.app.commands import AddressIn, TaxonomyIn
    from services.app.organization_commands import RegisterOrganization
    from services.composition import open_credledger

    app = open_credledger(database_url, master_key, pool_size=threads)
    address = AddressIn(line1="100 North St", city="Pittsfield", state="MA", postal_code="01201")
    profile = RegisterOrganization(
        legal_name="warm",
        tin="04-3219876",
        tin_kind="ein",
        npi="1234567893",
        entity_kind="group",
        taxonomies=[TaxonomyIn(code="193200000X", primary=True)],
        taxonomy_version="25.1",
        practice_address=address,
        mailing_address=None,
        provider_type="physician group",
        risk_level="limited",
    )
    try:
        app.register_organization(Actor("bench-app", "bench", "specialist"), profile)

        def register(t: int, n: int) -> None:
            actor = Actor(f"bench-app-{t % 8}", "bench", "specialist")
            app.register_organization(actor, msgspec.structs.replace(profile, legal_name=f"Practice {t}-{n}"))

        return _timed_loop(threads, warmup, measure, 1, register)
    finally:
        app.close()


def merge_runs(runs: list[SaveRun]) -> SaveRun:
    merged = SaveRun(threads=runs[0].threads, events_per_save=runs[0].events_per_save, window_s=0.0)
    for run in runs:
        merged.window_s += run.window_s
        merged.saves += run.saves
        merged.latencies.extend(run.latencies)
        merged.errors.extend(run.errors)
    return merged
