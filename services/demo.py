"""`credledger up --demo`: a credentialing firm already loaded, so the first thing a new user sees
is a populated set of views. The firm comes from the workload generator, under a fixed seed."""

from __future__ import annotations

import logging
import sys

from services.composition import open_credledger
from services.store.recorder import EVENTS_TABLE

log = logging.getLogger(__name__)

DEMO_TENANT = "demo"
DEMO_SEED = 2026
DEMO_PRACTICES = 24
DEMO_MONTHS = 12  # a year of history, ending today: every date of it has its facts


def load_demo(database_url: str, master_key: bytes) -> int:
    """Load the demo firm unless it is there already; returns the number of commands run."""
    from tqdm import tqdm

    from services.workload import AppTarget, Simulation, run_plan

    app = open_credledger(database_url, master_key)
    try:
        if app.fetch(f"SELECT 1 FROM {EVENTS_TABLE} WHERE tenant_id = %s LIMIT 1", DEMO_TENANT):
            log.info("the demo firm is loaded already (tenant %s)", DEMO_TENANT)
            return 0
        plan = Simulation(seed=DEMO_SEED, tenants=[DEMO_TENANT], practices=DEMO_PRACTICES, months=DEMO_MONTHS).plan()
        with tqdm(total=len(plan), desc="loading the demo firm", unit="command", file=sys.stderr) as bar:
            summary = run_plan(plan, AppTarget(app), progress=lambda done, _: bar.update(done - bar.n))
        log.info("demo firm loaded: %d commands (%d refused by the domain)", summary.commands, summary.refused)
        return summary.commands
    finally:
        app.close()
