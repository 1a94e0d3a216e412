"""The simulation: credentialing firms (tenants), their client practices and everything that happens to them over
months, as a deterministic, time-ordered list of commands (Steps).

Each practice is a small discrete-event simulation (services/workload/practice.py) that keeps a mirror of the
state the domain enforces, so that what it plans is accepted; practices of a tenant are independent, which is what
lets ``plan_for`` stream one tenant at a time. Everything is drawn from ``random.Random`` seeded with the seed, the
tenant and the practice's number: the same seed gives the same plan, and adding practices or tenants does not
change the ones already there.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, Iterator

from domain.base import check_tenant_id
from domain.business_days import is_business_day
from domain.holidays_ma import FIRST_YEAR, LAST_YEAR
from services.workload.data import FIRST_NAMES, LAST_NAMES

FAR = date(9999, 12, 31)  # "after the simulation": never run


@dataclass(frozen=True, slots=True)
class Ref:
    """An aggregate created by an earlier step of the same tenant: ``Ref("organization", 3)``. Resolved at run time
    to the id that step's command returned (``Saved.id``)."""

    kind: str  # "organization", "account" or "application"
    number: int

    def __str__(self) -> str:
        return f"{self.kind}#{self.number}"


@dataclass(frozen=True, slots=True)
class Step:
    """One command: who issues it (tenant, user, role), which use case (the services/app method name), on which
    business date, for which aggregates (``ids``: positional, before the keyword arguments) and with what
    arguments. ``args`` values are what the use case takes (dates, strings, domain values such as Address,
    TaxonomySelection and Document); a value may be a Ref. ``creates``: the Ref this step's result becomes."""

    on: date
    tenant: str
    user: str
    role: str
    command: str
    ids: tuple[Ref, ...] = ()
    args: dict[str, Any] = field(default_factory=dict)
    creates: Ref | None = None
    refusal: str | None = None  # the rule this step is planned to break (a realistic slip the domain catches)


class Calendar:
    """Massachusetts business days over the simulated range, precomputed from domain.business_days so that the
    planner's arithmetic is a bisection. ``add`` agrees with domain.business_days.add_business_days and
    ``between`` with business_days_between (a test checks both)."""

    def __init__(self, first: date, last: date) -> None:
        first = max(first, date(FIRST_YEAR, 1, 1))
        last = min(last, date(LAST_YEAR, 12, 31))
        days, day = [], first
        while day <= last:
            if is_business_day(day):
                days.append(day)
            day += timedelta(days=1)
        self.days = days

    def add(self, day: date, n: int) -> date:
        """The n-th business day after ``day`` (``day`` itself when n is 0); FAR beyond the calendar."""
        if n <= 0:
            return day
        i = bisect_right(self.days, day) + n - 1
        return self.days[i] if i < len(self.days) else FAR

    def back(self, day: date, n: int) -> date:
        """The n-th business day before ``day`` (the last business day up to ``day`` when n is 0)."""
        i = bisect_right(self.days, day) - 1 - n
        return self.days[max(0, i)]

    def on_or_after(self, day: date) -> date:
        i = bisect_left(self.days, day)
        return self.days[i] if i < len(self.days) else FAR

    def between(self, start: date, end: date) -> int:
        """Business days after ``start`` up to and including ``end``."""
        return max(0, bisect_right(self.days, end) - bisect_right(self.days, start))


def months_before(day: date, months: int) -> date:
    month = day.year * 12 + day.month - 1 - months
    year, month = divmod(month, 12)
    for d in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class Staff:
    """One of the firm's own people, who records commands."""

    user: str
    role: str  # firm_admin or specialist
    joined: date
    left: date | None = None


class Firm:
    """A tenant: its staff, who handles which practice on which date, and the counters that number its Refs."""

    def __init__(self, tenant: str, seed: int, practices: int, start: date, end: date, cal: Calendar) -> None:
        self.tenant, self.start, self.end, self.cal = tenant, start, end, cal
        self.rng = random.Random(f"credledger-workload:{seed}:{tenant}")
        rng = self.rng
        self.counters: dict[str, int] = {}
        self.npis: set[str] = set()
        self.provider_numbers: set[str] = set()
        self.admin = Staff(self._user(rng), "firm_admin", start)
        specialists = max(2, (practices + 5) // 6)
        self.specialists = [Staff(self._user(rng), "specialist", start) for _ in range(specialists)]
        # One specialist leaves the firm part-way; a newcomer takes over their clients.
        span = (end - start).days
        leaving = self.specialists[rng.randrange(specialists)]
        leaving.left = start + timedelta(days=int(span * rng.uniform(0.45, 0.7)))
        self.successor = Staff(self._user(rng), "specialist", leaving.left)
        self.leaving = leaving

    def _user(self, rng: random.Random) -> str:
        return f"{rng.choice(FIRST_NAMES)[0].lower()}{rng.choice(LAST_NAMES).lower()}.{rng.randrange(10, 99)}"

    def ref(self, kind: str) -> Ref:
        number = self.counters.get(kind, 0) + 1
        self.counters[kind] = number
        return Ref(kind, number)

    def handler(self, practice: int, on: date) -> Staff:
        """The specialist who handles the practice on that date."""
        staff = self.specialists[practice % len(self.specialists)]
        if staff is self.leaving and staff.left is not None and on >= staff.left:
            return self.successor
        return staff


class Simulation:
    """``Simulation(seed=7, tenants=["demo"], practices=20, months=9, end=date(2026, 11, 20))``: ``practices``
    client practices per tenant, simulated over the ``months`` months that end on ``end`` (the last business date
    simulated; default today)."""

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
        self.end = end or date.today()
        self.start = months_before(self.end, months)
        if self.start.year < FIRST_YEAR or self.end.year > LAST_YEAR:
            raise ValueError(f"the simulated dates must lie within {FIRST_YEAR}-{LAST_YEAR} (the holiday table)")
        # Lifecycles run on past the end (they are cut there): room for the longest one.
        self.calendar = Calendar(self.start - timedelta(days=30), self.end + timedelta(days=3 * 365))

    def plan_for(self, tenant: str) -> list[Step]:
        """One tenant's steps, sorted by business date (then practice, then the order they happen in)."""
        from services.workload.practice import Practice, assign_traits

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
