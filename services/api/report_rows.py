"""What each downloadable report holds: its columns, and its lines read from a view page by page with the view's
own queries and the same filters as its list route, so that a line says what the view's JSON item says. Each
report's function is the Litestar dependency its route (services/api/reports.py) writes out: its parameters are
the route's.

Each page is read in a transaction of its own (services/api/view_reads.py: the caller's tenant only, a client viewer
its own practices only), so a download that the client reads slowly never holds a pooled connection: the pool
serves every tenant. The pages follow the view's keyset order, as a client paging with cursors would read them; the
day the report is of is fixed by the first page, which is read before anything is answered, so that a bad filter,
an unknown snapshot or an unreachable database is a problem answer rather than a broken download.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from litestar.di import NamedDependency

from projections.access_audit import queries as access_audit
from projections.affiliation_status import queries as affiliation
from projections.expirables import queries as expirables
from projections.turnaround import queries as turnaround
from projections.turnaround.queries import Status
from projections.turnaround.sql import APPLICATION_SORTS
from services.api.access_audit_view import AuditDay, AuditFilters
from services.api.affiliation_view import AffiliationFilters
from services.api.auth import Principal
from services.api.expirables_view import ExpirableFilters, ExpirablesDay
from services.api.paging import Keyset
from services.api.turnaround_view import ApplicationFilters, AsOf, as_of_day
from services.api.view_reads import read_views, reference_day

PAGE_ROWS = 500  # view rows per query
PRACTICE = "<practice>"  # a column that names the practice (not a field of the view's item)

Cell = str | int | bool | date | None
Line = list[Cell]
Page = tuple[list[asyncpg.Record], list[Line]]  # the view rows read (PAGE_ROWS + 1: is there more?), the lines
PageRead = Callable[[asyncpg.Connection, Keyset, date], Awaitable[Page]]
Begin = Callable[[asyncpg.Connection], Awaitable[tuple[date, list[str]]]]


@dataclass(frozen=True)
class Report:
    """A report ready to be written: its name, whose it is, the day it is of, its header and its lines, a page at
    a time."""

    name: str
    tenant: str
    day: date
    header: list[str]
    pages: AsyncIterator[list[Line]]


@dataclass(frozen=True)
class Reading:
    """Whose views a report reads, and which: the live ones or a snapshot's."""

    pool: asyncpg.Pool
    principal: Principal
    snapshot: str | None

    @property
    def visible(self) -> frozenset[UUID] | None:
        return self.principal.organizations

    async def report(self, name: str, keyset: Keyset, read_page: PageRead, begin: Begin) -> Report:
        """``begin`` fixes the day and the header; the first page is read in the same transaction, the next ones
        as the report is written."""
        async with read_views(self.pool, self.principal, self.snapshot) as con:
            day, header = await begin(con)
            first = await read_page(con, keyset, day)
        return Report(name, self.principal.tenant_id, day, header, self._pages(keyset, read_page, day, first))

    async def _pages(self, keyset: Keyset, read_page: PageRead, day: date, first: Page) -> AsyncIterator[list[Line]]:
        records, lines = first
        while True:
            yield lines
            following = keyset.next_page(records, PAGE_ROWS)
            if following is None:
                return
            keyset = following
            async with read_views(self.pool, self.principal, self.snapshot) as con:
                records, lines = await read_page(con, keyset, day)


def _dated(as_of: date | None, header: list[str]) -> Begin:
    """A report of the day asked for, else of the day of the views read: today, or a snapshot's own day."""

    async def begin(con: asyncpg.Connection) -> tuple[date, list[str]]:
        return as_of or await reference_day(con), header

    return begin


# --- affiliation status: one line per practice, one column per plan ---------------------------------------

AFFILIATION_HEADER = [
    "Practice",
    "NPI",
    "Entity kind",
    "Risk level",
    "POSC registration",
    "MassHealth enrollment",
    "Provider number",
    "Sole-enrollment risk",
    "NPPES mismatches",
]


async def affiliation_status(reading: NamedDependency[Reading], filters: NamedDependency[AffiliationFilters]) -> Report:
    """Each practice's registration, enrollment and risk, then the state of its affiliation with each plan, a
    column per plan (what a spreadsheet filters on), blank where it has none."""
    plans: list[str] = []

    async def begin(con: asyncpg.Connection) -> tuple[date, list[str]]:
        # The plans the firm's (or the client's) practices are affiliated with when the download begins: a plan
        # that first appears while it is being read gets no column.
        plans.extend(
            await affiliation.plan_names(con, visible=reading.visible, organization_ids=filters.organization_id)
        )
        return await reference_day(con), [*AFFILIATION_HEADER, *plans, "Organization ID"]

    async def read_page(con: asyncpg.Connection, keyset: Keyset, day: date) -> Page:
        records = await affiliation.statuses(
            con, keyset, visible=reading.visible, fetch=PAGE_ROWS + 1, **filters.arguments()
        )
        lines: list[Line] = []
        for status in map(affiliation.AffiliationStatus.from_row, records[:PAGE_ROWS]):
            states = {plan: status.affiliations[plan].state for plan in plans if plan in status.affiliations}
            lines.append(
                [
                    status.legal_name,
                    status.npi,
                    status.entity_kind,
                    status.risk_level,
                    status.posc_registration,
                    status.enrollment,
                    status.provider_number,
                    status.sole_enrollment_risk,
                    len(status.nppes_mismatches),
                    *(states.get(plan) for plan in plans),
                    str(status.organization_id),
                ]
            )
        return records, lines

    keyset = Keyset.parse("legal_name", None, affiliation.SORTABLE, "organization_id")
    return await reading.report("affiliation-status", keyset, read_page, begin)


# --- open applications: what is due, soonest first ----------------------------------------------------------

# Each column's title and the item's field it shows (PRACTICE: the practice's legal name).
OPEN_APPLICATION_COLUMNS = {
    "Kind": "kind",
    "Plan": "plan",
    "Practice": PRACTICE,
    "Submitted on": "submitted_on",
    "Business days": "business_days",
    "Waiting on": "waiting_on",
    "Due on": "due_on",
    "Next due on": "next_due_on",
    "Late": "late",
    "Breached": "breached",
    "Application ID": "application_id",
    "Organization ID": "organization_id",
}


async def open_applications(
    reading: NamedDependency[Reading], filters: NamedDependency[ApplicationFilters], as_of: AsOf = None
) -> Report:
    """The applications open (submitted, undecided) at the end of the day, next due first."""

    async def begin(con: asyncpg.Connection) -> tuple[date, list[str]]:
        return await as_of_day(con, as_of), list(OPEN_APPLICATION_COLUMNS)

    async def read_page(con: asyncpg.Connection, keyset: Keyset, day: date) -> Page:
        fetch = PAGE_ROWS + 1
        records = await turnaround.applications(
            con, keyset, as_of=day, visible=reading.visible, fetch=fetch, status=Status.OPEN, **filters.arguments()
        )
        items = [turnaround.application_of(r) for r in records[:PAGE_ROWS]]
        return records, await _named_lines(con, items, OPEN_APPLICATION_COLUMNS)

    keyset = Keyset.parse("next_due_on", None, APPLICATION_SORTS, "application_id")
    return await reading.report("open-applications", keyset, read_page, begin)


async def _named_lines(con: asyncpg.Connection, items: list[Any], columns: dict[str, str]) -> list[Line]:
    """A line per item, its PRACTICE column named from the affiliation-status view (the turnaround and expirables
    views keep only the practice's id), as the dashboard names it."""
    names = await affiliation.practice_names(con, {item.organization_id for item in items})
    return [[_cell(item, field, names) for field in columns.values()] for item in items]


def _cell(item: Any, field: str, names: dict[UUID, str]) -> Cell:
    if field == PRACTICE:
        return names.get(item.organization_id)
    value = getattr(item, field)
    return str(value) if isinstance(value, UUID) else value


# --- access findings: one line per finding -----------------------------------------------------------------

ACCESS_FINDINGS_HEADER = ["Practice", "NPI", "Finding", "Severity", "Since", "Person", "Detail", "Organization ID"]


async def access_findings(
    reading: NamedDependency[Reading], filters: NamedDependency[AuditFilters], as_of: AuditDay = None
) -> Report:
    """The access audit's findings as of a day, practice by practice (worst first within one). The practices are
    those the list route selects; a line is a finding of the kinds and severities asked for (all without them)."""

    async def read_page(con: asyncpg.Connection, keyset: Keyset, day: date) -> Page:
        # audit_page fetches limit + 1 rows, as the pages here need.
        records = await access_audit.audit_page(
            con, keyset, as_of=day, visible=reading.visible, limit=PAGE_ROWS, **filters.arguments()
        )
        lines = [line for r in records[:PAGE_ROWS] for line in _finding_lines(access_audit.audit_of(r, day), filters)]
        return records, lines

    keyset = Keyset.parse("legal_name", None, access_audit.SORTABLE, "organization_id")
    return await reading.report("access-findings", keyset, read_page, _dated(as_of, ACCESS_FINDINGS_HEADER))


def _finding_lines(audit: access_audit.AccessAudit, filters: AuditFilters) -> Iterator[Line]:
    for finding in audit.findings:
        if filters.finding and finding.kind not in filters.finding:
            continue
        if filters.severity and finding.severity not in filters.severity:
            continue
        yield [
            audit.legal_name,
            audit.npi,
            finding.kind,
            finding.severity,
            finding.since,
            finding.person_name,
            finding.detail,
            str(audit.organization_id),
        ]


# --- expirables: one line per credential or due date -------------------------------------------------------

EXPIRABLE_COLUMNS = {
    "Practice": PRACTICE,
    "Subject": "subject_name",
    "Subject kind": "subject_kind",
    "NPI": "npi",
    "Kind": "kind",
    "Credential": "credential",
    "Label": "label",
    "Status": "status",
    "Due on": "due_on",
    "Days left": "days_left",
    "Window": "window",
    "Lapsed": "lapsed",
    "Enrollment depends": "enrollment_depends",
    "Severity": "severity",
    "In effect since": "in_effect_since",
    "Organization ID": "organization_id",
    "Subject ID": "subject_id",
}


async def expirable_credentials(
    reading: NamedDependency[Reading], filters: NamedDependency[ExpirableFilters], as_of: ExpirablesDay = None
) -> Report:
    """Every dated credential in effect on the day with its due date, window and severity, soonest due first."""

    async def read_page(con: asyncpg.Connection, keyset: Keyset, day: date) -> Page:
        records, _ = await expirables.expirables(
            con, keyset, day=day, fetch=PAGE_ROWS + 1, visible=reading.visible, counted=False, **filters.arguments()
        )
        items = [expirables.expirable_of(r) for r in records[:PAGE_ROWS]]
        return records, await _named_lines(con, items, EXPIRABLE_COLUMNS)

    keyset = Keyset.parse("due_on", None, expirables.SORTS, "period_id")
    return await reading.report("expirables", keyset, read_page, _dated(as_of, list(EXPIRABLE_COLUMNS)))
