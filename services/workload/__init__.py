"""One workload generator for the demo, the benchmarks and the fault tests: credentialing firms (tenants) with
client practices of every entity kind and risk level, their POSC user accounts, and applications of every kind
moving through their lifecycles over months, with durations from the seeds. Deterministic under a seed.

    sim = Simulation(seed=7, tenants=["demo"], practices=20, months=9, end=date(2026, 11, 20))
    plan = sim.plan()                                   # list[Step], in business-date order
    summary = run_plan(plan, AppTarget(credledger))     # or HttpTarget(url, token_for=...)

A Step names its use case by the application service's method (``Credledger.submit_application``) and carries
its command's field values; the targets build the command (``SubmitApplication``) and find the method, or the
API's route, from the types (services/app/catalog.py, services/workload/routes.py).
"""

from services.app.catalog import UseCase, command_type, command_use_cases, path_parameters
from services.workload.plan import Calendar, Ref, Step
from services.workload.routes import Route, command_routes
from services.workload.run import Summary, run_plan
from services.workload.simulation import Simulation
from services.workload.targets import AppTarget, HttpTarget, Refused, Target, http_request

__all__ = [
    "AppTarget",
    "Calendar",
    "HttpTarget",
    "Ref",
    "Refused",
    "Route",
    "Simulation",
    "Step",
    "Summary",
    "Target",
    "UseCase",
    "command_routes",
    "command_type",
    "command_use_cases",
    "http_request",
    "path_parameters",
    "run_plan",
]
