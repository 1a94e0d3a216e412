"""Closed-loop HTTP load: N clients, each sending its next request as soon as the last one answered."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.rawhttp import Connection, Response, TransportError
from bench.report import latency_ms


@dataclass
class Recorder:
    """Requests that ended inside the measuring window [start, stop]; the warm-up is left out."""

    start: float
    stop: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    total_ok: int = 0  # warm-up included: to count the events per command
    errors: Counter[str] = field(default_factory=Counter)  # no response at all (connection reset, timeout)

    def error(self, kind: str, error: Exception) -> None:
        self.errors[f"{kind} {type(error).__name__}"] += 1

    def record(self, kind: str, began: float, response: Response) -> None:
        ended = time.perf_counter()
        self.total_ok += response.is_success
        if not (self.start <= began and ended <= self.stop):
            return
        self.statuses[f"{kind} {response.status_code}"] += 1
        if response.is_success:
            self.latencies.setdefault(kind, []).append(ended - began)
        elif len(self.failures) < 5:
            self.failures.append(f"{kind} {response.status_code}: {response.text[:300]}")

    @property
    def window(self) -> float:
        return self.stop - self.start

    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]

    def summary(self) -> dict[str, Any]:
        ok = self.all_latencies()
        return {
            "window_s": round(self.window, 2),
            "succeeded": len(ok),
            "per_second": round(len(ok) / self.window, 1),
            "latency": latency_ms(ok),
            "by_kind": {k: latency_ms(v) for k, v in self.latencies.items()},
            "statuses": dict(self.statuses),
            "failures": self.failures,
            "transport_errors": dict(self.errors),
        }


async def send(
    connection: Connection, rec: Recorder, kind: str, method: str, path: str, **kwargs: Any
) -> Response | None:
    """One timed request; a transport error (no response) is counted, not raised."""
    began = time.perf_counter()
    try:
        response = await connection.request(method, path, **kwargs)
    except TransportError as error:
        rec.error(kind, error)
        await asyncio.sleep(0.05)
        return None
    rec.record(kind, began, response)
    return response


Session = Callable[[Connection, int, Callable[[], bool], Recorder], Awaitable[None]]


async def closed_loop(base_url: str, clients: int, warmup: float, measure: float, session: Session) -> Recorder:
    """Run ``clients`` sessions, each on its own keep-alive connection, for warm-up + measure seconds;
    ``session(connection, i, running, recorder)`` loops while ``running()``."""
    connections = [Connection(base_url) for _ in range(clients)]
    now = time.perf_counter()
    recorder = Recorder(start=now + warmup, stop=now + warmup + measure)

    def running() -> bool:
        return time.perf_counter() < recorder.stop

    try:
        await asyncio.gather(*(session(c, i, running, recorder) for i, c in enumerate(connections)))
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    return recorder


def merge(recorders: list[Recorder]) -> Recorder:
    """Several measuring windows as one (rounds interleaved with a baseline's)."""
    merged = Recorder(start=0.0, stop=sum(r.window for r in recorders))
    for r in recorders:
        for kind, values in r.latencies.items():
            merged.latencies.setdefault(kind, []).extend(values)
        merged.statuses.update(r.statuses)
        merged.errors.update(r.errors)
        merged.failures.extend(r.failures[: 5 - len(merged.failures)])
        merged.total_ok += r.total_ok
    return merged
