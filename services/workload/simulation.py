"""The simulation: credentialing firms (tenants), their client practices and everything that happens to them over
months, as a deterministic, time-ordered list of commands (Steps, services/workload/plan.py).

Each practice is a small discrete-event simulation (services/workload/practice.py) that keeps a mirror of the
state the domain enforces, so that what it plans is accepted; practices of a tenant are independent, which is what
lets ``plan_for`` stream one tenant at a time. Everything is drawn from ``random.Random`` seeded with the seed, the
tenant and the practice's number: the same seed gives the same plan, and adding practices or tenants does not
change the ones already there.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from domain.base import check_tenant_id
from domain.business_time import business_today
from domain.holidays_ma import FIRST_YEAR, LAST_YEAR
from services.workload.plan import Calendar, Firm, Step, months_before
from services.workload.practice import Practice, assign_traits


class Simulation:
    """``Simulation(seed=7, tenants=["demo"], practices=20, months=9, end=date(2026, 11, 20))``: ``practices``
    client practices per tenant, simulated over the ``months`` months that end on ``end`` (the last business date
    simulated; default today in Massachusetts)."""

    def __init__(
        self,
        seed: int = 0,
        tenants: Iterable[str] = ("demo",),
        practices: int = 20,
        months: int = 9,
        end: date | None = None,
    ) -> None:
        self.seed = seed
        self.tenants = [check_tenant_id(t) for t in tenants]
        if len(set(self.tenants)) != len(self.tenants):
            raise ValueError("tenant ids must be distinct")
        if practices < 1 or months < 1:
            raise ValueError("practices and months must be at least 1")
        self.practices = practices
        self.months = months
        self.end = end or business_today()  # a fact dated later than today there would be refused
        self.start = months_before(self.end, months)
        if self.start.year < FIRST_YEAR or self.end.year > LAST_YEAR:
            raise ValueError(f"the simulated dates must lie within {FIRST_YEAR}-{LAST_YEAR} (the holiday table)")
        # Lifecycles run on past the end (they are cut there): room for the longest one.
        self.calendar = Calendar(self.start - timedelta(days=30), self.end + timedelta(days=3 * 365))

    def plan_for(self, tenant: str) -> list[Step]:
        """One tenant's steps, sorted by business date (then practice, then the order they happen in)."""
        firm = Firm(tenant, self.seed, self.practices, self.start, self.end, self.calendar)
        traits = assign_traits(firm, self.practices)
        lists = [Practice(firm, i, traits[i], self.seed).run() for i in range(self.practices)]
        return list(heapq.merge(*lists, key=_by_date))

    def plan(self) -> list[Step]:
        """Every tenant's steps, sorted by business date (then tenant, practice and order of happening)."""
        return list(heapq.merge(*(self.plan_for(t) for t in self.tenants), key=_by_date))

    def iter_plan(self) -> Iterator[Step]:
        """Tenant by tenant (each in date order), without holding the whole plan: for very large loads."""
        for tenant in self.tenants:
            yield from self.plan_for(tenant)


def _by_date(step: Step) -> date:
    return step.on
