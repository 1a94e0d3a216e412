"""What the scenarios share within one run: the mode's sizes, the infrastructure, the results so far,
and the two stacks several scenarios use (a live `credledger up` for commands, a loaded history)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from bench.infra import Infra, Service, say


@dataclass(frozen=True)
class Params:
    mode: str
    # 1. commands
    clients: int = 64
    baseline_threads: int = 4
    warmup_s: float = 3.0
    measure_s: float = 15.0
    variant_s: float = 5.0  # each extra baseline variant (1 thread, grouped saves, no table lock)
    api_tenants: int = 8
    # 2. freshness
    freshness_s: float = 15.0
    freshness_light_commands: int = 40
    freshness_light_rate: float = 5.0
    # history (3, 4, 5)
    history_tenants: int = 10
    history_events: int = 30_000
    near_empty_events_per_tenant: int = 20
    # The saves queue on the store's table lock: past one process per core, more only add contention.
    loader_processes: int = max(2, os.cpu_count() or 2)
    # 5. dashboards
    dashboard_queries: int = 600
    dashboard_users: int = 4
    # 6. exclusion lists: the LEIE's full file has about 80,000 rows
    list_rows: int = 80_000
    list_rounds: int = 3


QUICK = Params(
    mode="quick",
    warmup_s=2.0,
    measure_s=10.0,
    variant_s=3.0,
    freshness_s=12.0,
    freshness_light_commands=30,
    # Two firms of ~50 practices: enough rows per tenant for full pages of 50 (and a second page).
    history_tenants=2,
    history_events=8_500,
    dashboard_queries=400,
    list_rows=10_000,
)
FULL = Params(
    mode="full",
    warmup_s=5.0,
    measure_s=60.0,
    variant_s=15.0,
    freshness_s=60.0,
    freshness_light_commands=100,
    history_tenants=100,
    history_events=1_000_000,
    dashboard_queries=3000,
    dashboard_users=4,
)


@dataclass
class Context:
    infra: Infra
    params: Params
    results: dict[str, Any] = field(default_factory=dict)
    live: Service | None = None  # `credledger up` on a fresh database, for commands and freshness
    live_database: str | None = None
    live_namespace: str | None = None
    history: Any = None  # bench.history.History, created on first use

    def live_stack(self) -> Service:
        if self.live is None:
            self.live_database = self.infra.new_database("live")
            self.live_namespace = self.infra.new_namespace()
            say("starting credledger up on a fresh database (commands, freshness)")
            self.live = self.infra.up(self.live_database, self.live_namespace)
        self.live.check()
        return self.live

    def stop_live_stack(self) -> None:
        if self.live is not None:
            self.infra.stop(self.live)
            self.live = None
            if self.live_database:
                self.infra.drop_database(self.live_database)
                self.live_database = None
