"""One workload generator for the demo, the benchmarks and the fault tests: credentialing firms (tenants) with
client practices of every entity kind and risk level, their POSC user accounts, and applications of every kind
moving through their lifecycles over months, with durations from the seeds. Deterministic under a seed.

    sim = Simulation(seed=7, tenants=["demo"], practices=20, months=9, end=date(2026, 11, 20))
    plan = sim.plan()                                   # list[Step], in business-date order
    summary = run_plan(plan, AppTarget(credledger))     # or HttpTarget(url, token_for=...)
"""

from services.workload.plan import Calendar, Ref, Simulation, Step
from services.workload.run import Summary, run_plan
from services.workload.targets import ROUTES, AppTarget, HttpTarget, Refused, Target, http_request

__all__ = [
    "ROUTES",
    "AppTarget",
    "Calendar",
    "HttpTarget",
    "Ref",
    "Refused",
    "Simulation",
    "Step",
    "Summary",
    "Target",
    "http_request",
    "run_plan",
]
