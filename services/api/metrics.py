"""Operations: /metrics in the Prometheus text format (prometheus-client), for an operator to graph and alert on.

Measured as requests pass (services/api/observability.py): request rate and latency per route, command outcomes,
the event store's group-commit batch sizes. Read from the database at each scrape: the store's position, the
relay's and each view's lag, the parked events, which workers run, and the webhook deliveries by status. No
label carries a tenant, a record or a user: the metrics of a shared service say nothing about one firm.
"""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
from litestar import Request, Response, get
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from projections.engine.registry import projection_modules
from services.api.dependencies import ReadPool
from services.api.health import max_lag

_VIEWS = [(module.name, list(module.aggregates)) for module in projection_modules()]
# The text format every Prometheus reads (Litestar adds the charset).
MEDIA_TYPE = "text/plain; version=0.0.4"
READ_EVERY = 5.0  # seconds: scrapes in between answer the gauges last read (a scraper looping costs nothing)
LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The API process's metrics, in a registry of its own (one per app: tests build several in one process)."""

    def __init__(self) -> None:
        self.reading = asyncio.Lock()
        self.read_at = float("-inf")  # when the database-read gauges were last read (monotonic)
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Histogram(
            "credledger_http_request_duration_seconds",
            "HTTP requests by method, route (its path template) and status, with their duration.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.commands = Counter(
            "credledger_commands_total",
            "Commands (POST, PUT, DELETE under /v1) by operation and outcome: ok, refused (4xx), conflict (409), "
            "unavailable (503) or error (5xx).",
            ["operation", "outcome"],
            registry=r,
        )
        self.batches = Histogram(
            "credledger_group_commit_batch_size",
            "Saves written together in one event-store transaction (group commit).",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=r,
        )
        self.store_position = Gauge("credledger_store_position", "The event store's last position.", registry=r)
        self.relay_lag = Gauge("credledger_relay_lag_events", "Events stored but not yet published.", registry=r)
        self.view_lag = Gauge(
            "credledger_projection_lag_events", "Events a view has still to apply.", ["view"], registry=r
        )
        self.parked = Gauge("credledger_parked_events", "Events a view could not apply, set aside.", registry=r)
        self.workers_up = Gauge(
            "credledger_worker_up", "1 while the worker runs (holds its lock), else 0.", ["worker"], registry=r
        )
        self.deliveries = Gauge(
            "credledger_webhook_deliveries", "Webhook deliveries by status.", ["status"], registry=r
        )
        self.oldest_pending = Gauge(
            "credledger_webhook_oldest_pending_seconds",
            "Age of the oldest webhook delivery still pending (0 when none).",
            registry=r,
        )

    def command(self, operation: str, status: int) -> None:
        outcome = (
            "ok"
            if status < 400
            else "conflict"
            if status == 409
            else "unavailable"
            if status == 503
            else "refused"
            if status < 500
            else "error"
        )
        self.commands.labels(operation, outcome).inc()

    async def read_service(self, con: asyncpg.Connection) -> None:
        """The gauges read from the database, as /health/ready reads them (deploy/migrations/012, 021)."""
        namespace = os.environ.get("CREDLEDGER_NAMESPACE", "credledger")
        stream = namespace.upper()
        self.store_position.set(await con.fetchval("SELECT store_position()"))
        self.parked.set(await con.fetchval("SELECT parked_event_count()"))
        self.relay_lag.set((await con.fetchrow("SELECT * FROM relay_lag($1)", stream))["lag"])
        locks = {"relay": f"credledger-relay:{stream}", "webhooks": f"credledger-webhooks:{namespace}"}
        for name, kinds in _VIEWS:
            # Counted as readiness counts it: up to its limit (the count scans the events behind), then the limit.
            lag = await con.fetchrow("SELECT * FROM view_lag($1, $2, $3)", name, kinds, max_lag() + 1)
            self.view_lag.labels(name).set(lag["lag"])
            locks[name] = f"credledger-projection:{namespace}_{name}"
        for worker, lock in locks.items():
            self.workers_up.labels(worker).set(await con.fetchval("SELECT worker_lock_held($1)", lock))
        counts = {row["status"]: row for row in await con.fetch("SELECT * FROM webhook_delivery_counts()")}
        for status in ("pending", "delivered", "failed"):
            self.deliveries.labels(status).set(counts[status]["deliveries"] if status in counts else 0)
        oldest = counts["pending"]["oldest"] if "pending" in counts else None
        self.oldest_pending.set((await con.fetchval("SELECT now()") - oldest).total_seconds() if oldest else 0)


@get(
    "/metrics",
    operation_id="metrics",
    tags=["health"],
    exclude_from_auth=True,
    summary="Operational metrics for Prometheus",
    media_type=MEDIA_TYPE,
)
async def metrics(request: Request, read_pool: ReadPool) -> Response[bytes]:
    """Request rate and latency per route, command outcomes, group-commit batch sizes, the relay's and each view's
    lag, parked events, which workers run and webhook deliveries by status, in the Prometheus text format. No
    token (scrape it from inside the deployment; it carries no firm's data). When the database does not answer
    within 2 s, the database-read gauges keep their last values; they are read at most every 5 s. Lags are counted
    up to the readiness limit (CREDLEDGER_READY_MAX_LAG + 1)."""
    found: Metrics = request.app.state.metrics
    async with found.reading:  # one read at a time, at most every READ_EVERY seconds
        if time.monotonic() - found.read_at >= READ_EVERY:
            try:
                async with asyncio.timeout(2), read_pool.acquire() as con:
                    await found.read_service(con)
                found.read_at = time.monotonic()
            except (OSError, TimeoutError, asyncpg.PostgresError):
                pass  # the process's own metrics still answer: an outage is what they are for
    return Response(generate_latest(found.registry), media_type=MEDIA_TYPE)
