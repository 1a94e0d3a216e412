"""The pieces of a plan: a Step (one command of the plan, with the Refs it uses and creates), the business-day
Calendar, and a Firm (a tenant: its staff, and the counters that number its Refs). The simulation that makes the
plan is services/workload/simulation.py."""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.business_days import is_business_day
from domain.holidays_ma import FIRST_YEAR, LAST_YEAR
from services.app.catalog import UseCase, command_type
from services.app.commands import Command
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
    """One command: who issues it (tenant, user, role), on which business date, and which use case of the
    application service: the method itself (``Credledger.submit_application``), whose command type
    (``SubmitApplication``, ``step.command``) the target builds from ``fields``, the command's field values
    (``AddressIn``, ``TaxonomyIn``, dates, strings...). ``ids``: the use case's arguments before the command, which
    are the API route's path parameters: the aggregate (a Ref) and, for a few, another one (a deficiency id, a
    rendering clinician's NPI, an exclusion list). A Ref, in ``ids`` or ``fields``, is resolved at run time.
    ``creates``: the Ref this step's result becomes."""

    on: date
    tenant: str
    user: str
    role: str
    use_case: UseCase
    ids: tuple[Ref | str, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)
    creates: Ref | None = None
    refusal: str | None = None  # the rule this step is planned to break (a realistic slip the domain catches)

    @property
    def command(self) -> type[Command]:
        """The command's type, from the use case's type hints."""
        return command_type(self.use_case)

    @property
    def name(self) -> str:
        """The use case's name, for counting and reporting only (``Summary.by_command``)."""
        return self.use_case.__name__


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
