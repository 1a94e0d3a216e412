"""Liveness and readiness, unauthenticated, for orchestrators and load balancers.

Readiness reports the servers (database, NATS) and the workers that keep the views: the relay and one
projection worker per view. A worker is alive while it holds its advisory lock (services/messaging/singleton.py)
and its lag is the number of events it has still to take in (deploy/migrations/012_readiness.sql). In
`credledger up`, the supervised processes (the workers child, embedded servers) are reported too.

- ``ok`` (200): everything runs and no worker is more than CREDLEDGER_READY_MAX_LAG events behind;
- ``degraded`` (200, the service serves): events are parked, a worker is behind, or a worker is down
  for less than CREDLEDGER_READY_WORKER_GRACE seconds (a restart in progress) while events wait for it
  (one starting with nothing to take in yet changes nothing);
- ``unavailable`` (503): a server is unreachable, or a worker has been down for longer than the grace.
"""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
import msgspec
from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from projections.engine.registry import projection_modules
from services import supervise
from services.api.dependencies import NatsClient, ReadPool

DEFAULT_MAX_LAG = 10_000  # events; a burst of commands is taken in within seconds, far below this
DEFAULT_WORKER_GRACE = 20.0  # seconds; the workers child restarts in a few
_VIEWS = [(module.name, list(module.aggregates)) for module in projection_modules()]
_down_since: dict[str, float] = {}  # worker -> when this process first saw it down (monotonic)


class Health(msgspec.Struct):
    status: str
    checks: dict[str, str] = {}


class WorkerHealth(msgspec.Struct):
    alive: bool
    position: int  # the last store position it took in (a view's moves only with the events it consumes)
    lag: int  # events it has still to take in (a view's count stops a little past the readiness limit)
    down_for: float = 0.0  # seconds this API has seen it down


class ProcessHealth(msgspec.Struct):
    alive: bool
    down_for: float
    restarts: int
    last_failure: str | None


class Readiness(msgspec.Struct):
    status: str
    checks: dict[str, str] = {}
    store_position: int | None = None
    workers: dict[str, WorkerHealth] = {}
    processes: dict[str, ProcessHealth] = {}  # supervised by `credledger up`: the workers child, embedded servers


def max_lag() -> int:
    return int(os.environ.get("CREDLEDGER_READY_MAX_LAG") or DEFAULT_MAX_LAG)


def worker_grace() -> float:
    return float(os.environ.get("CREDLEDGER_READY_WORKER_GRACE") or DEFAULT_WORKER_GRACE)


@get(
    "/health/live",
    operation_id="live",
    tags=["health"],
    exclude_from_auth=True,
    summary="Is the API process running",
)
async def live() -> Health:
    """Answers `{"status": "ok"}` while the API process serves requests; no token, no dependency checked. For an
    orchestrator's liveness probe: restart the process when this does not answer."""
    return Health(status="ok")


@get(
    "/health/ready",
    operation_id="ready",
    tags=["health"],
    exclude_from_auth=True,
    summary="Can the service serve, and are its views current",
    responses={
        503: ResponseSpec(
            data_container=Readiness,
            description="Not ready: a server is unreachable, or a worker has been down longer than "
            "CREDLEDGER_READY_WORKER_GRACE; the same body says which.",
        )
    },
)
async def ready(read_pool: ReadPool, nats: NatsClient) -> Response[Readiness]:
    """The database, NATS, the relay and each view's projection worker (alive, and how many events behind the
    store), and under `credledger up` its supervised processes. `ok`: all current; `degraded` (still 200):
    events parked, a worker more than CREDLEDGER_READY_MAX_LAG events behind, or restarting with events
    waiting; `unavailable` (503): see that answer. No token needed; for load balancers and readiness probes."""
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(2):
            await read_pool.fetchval("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # the reason, not the connection string
        checks["database"] = f"unavailable: {type(error).__name__}"
    nc = nats
    checks["nats"] = "ok" if nc is not None and nc.is_connected else "unavailable"
    processes = {name: ProcessHealth(**state.report()) for name, state in supervise.STATUS.items()}
    if not all(v == "ok" for v in checks.values()):
        return Response(Readiness("unavailable", checks, processes=processes), status_code=503)
    try:
        async with asyncio.timeout(2):
            report = await _workers(read_pool)
    except Exception as error:
        checks["workers"] = f"unknown: {type(error).__name__}"
        return Response(Readiness("unavailable", checks, processes=processes), status_code=503)
    parked, store_position, workers = report
    # Parked events are an alert, not unreadiness: the service still serves.
    checks["projections"] = "ok" if not parked else f"{parked} parked event(s): run `credledger parked`"
    child = supervise.STATUS.get("workers")
    down = {name: w.down_for for name, w in workers.items() if not w.alive}
    if child is not None and not child.alive:  # `up` knows its child is dead before its locks are noticed
        down["workers process"] = max(child.report()["down_for"], *down.values(), 0.0)
    # A worker starting or restarting with nothing to take in yet affects no answer: it only counts once
    # events wait for it, or once it has been down for longer than a restart takes.
    waiting = any(w.lag for w in workers.values())
    behind = {name: w.lag for name, w in workers.items() if w.lag > max_lag()}
    if down and max(down.values()) > worker_grace():
        checks["workers"] = "down: " + ", ".join(f"{name} for {seconds:.0f}s" for name, seconds in down.items())
        status, code = "unavailable", 503
    elif down and waiting:
        checks["workers"] = "restarting: " + ", ".join(down)
        status, code = "degraded", 200
    elif behind:
        checks["workers"] = "behind: " + ", ".join(f"{name} by {lag} events" for name, lag in behind.items())
        status, code = "degraded", 200
    else:
        checks["workers"] = "ok" if not down else "starting: " + ", ".join(down)
        status, code = ("ok" if not parked else "degraded"), 200
    return Response(Readiness(status, checks, store_position, workers, processes), status_code=code)


async def _workers(read_pool: asyncpg.Pool) -> tuple[int, int, dict[str, WorkerHealth]]:
    # The lock names and the stream are those of services/messaging/singleton.py's callers, in this process's namespace.
    namespace = os.environ.get("CREDLEDGER_NAMESPACE", "credledger")
    stream = namespace.upper()
    found: dict[str, WorkerHealth] = {}
    async with read_pool.acquire() as con:
        parked = await con.fetchval("SELECT parked_event_count()")
        store_position = await con.fetchval("SELECT store_position()")
        alive = await con.fetchval("SELECT worker_lock_held($1)", f"credledger-relay:{stream}")
        tracked, lag = await con.fetchrow("SELECT * FROM relay_lag($1)", stream)
        found["relay"] = _worker("relay", alive, tracked, lag)
        for name, kinds in _VIEWS:
            alive = await con.fetchval("SELECT worker_lock_held($1)", f"credledger-projection:{namespace}_{name}")
            tracked, lag = await con.fetchrow("SELECT * FROM view_lag($1, $2, $3)", name, kinds, max_lag() + 1)
            found[name] = _worker(name, alive, tracked, lag)
    return parked, store_position, found


def _worker(name: str, alive: bool, tracked: int, lag: int) -> WorkerHealth:
    now = time.monotonic()
    since = _down_since.pop(name, None) if alive else _down_since.setdefault(name, now)
    return WorkerHealth(alive, tracked, lag, 0.0 if alive or since is None else round(now - since, 1))
