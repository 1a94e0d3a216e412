"""The turnaround-metrics view's routes: per application, per group (kind x plan x provider type x month of
decision), and the aging of open applications. Each request's parameters go to the view's queries
(projections/turnaround/queries.py: SLA targets, breaches and business days are counted there, at query time),
run as a role under row-level security, and come back as a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, Parameter, QueryParameter

from domain.application import ApplicationKind
from projections.turnaround import queries
from projections.turnaround.queries import (
    AgingPage,
    ApplicationPage,
    ApplicationTurnaround,
    MetricsPage,
    Status,
    WaitingOn,
)
from projections.turnaround.sql import APPLICATION_SORTS, METRIC_SORTS
from services.api.auth import Principal, may_read
from services.api.dependencies import ReadPool
from services.api.openapi_docs import read_docs
from services.api.paging import Keyset, SnapshotParameter, ViewFilters, invalid
from services.api.view_reads import read_views, reference_day
from services.app import NotFound

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

KindFilter = Annotated[ApplicationKind | None, Parameter(description="application kind")]
PlanFilter = Annotated[str | None, Parameter(description="ACO / MCO / PCC plan name")]
ProviderTypeFilter = Annotated[str | None, Parameter(description="MassHealth provider type (the current one)")]
AsOf = Annotated[
    date | None,
    Parameter(
        description="each application as it stood at the end of this business day (Massachusetts), open ones' business "
        "days counted to it; applications opened after it are left out (default: today)"
    ),
]


@dataclass(frozen=True)
class ApplicationFilters(ViewFilters):
    """The list's filters but its status (the open-applications report takes them, its status being open)."""

    kind: KindFilter = None
    plan: PlanFilter = None
    provider_type: ProviderTypeFilter = None
    waiting_on: FromQuery[WaitingOn | None] = None
    breached: Annotated[bool | None, Parameter(description="over (or within) the kind's SLA target")] = None
    organization_id: Annotated[list[UUID] | None, Parameter(description="client practices")] = None
    due_by: Annotated[
        date | None,
        Parameter(description="open ones next due (next_due_on) on or before this day: what is due this week"),
    ] = None
    late: Annotated[bool | None, Parameter(description="open ones past (or not past) their next due date")] = None

    def __post_init__(self) -> None:
        _on_calendar("due_by", self.due_by)


APPLICATION_FILTERS = {"filters": Provide(ApplicationFilters, sync_to_thread=False)}


class TurnaroundViewController(Controller):
    path = "/v1/views"
    tags = ("views",)

    @get(
        "/turnaround/applications",
        operation_id="listApplicationTurnaround",
        guards=[may_read],
        dependencies=APPLICATION_FILTERS,
        **read_docs("List applications' turnaround"),
    )
    async def applications(
        self,
        request: Request,
        read_pool: ReadPool,
        filters: NamedDependency[ApplicationFilters],
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: FromQuery[str | None] = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(APPLICATION_SORTS)}; prefix with - to reverse")
        ] = "submitted_on",
        status: FromQuery[Status | None] = None,
        as_of: AsOf = None,
        snapshot: SnapshotParameter = None,
    ) -> ApplicationPage:
        """Per application: business days (Massachusetts holidays excluded) from submission to decision or to today, the
        days waiting on the client apart, and the SLA target and breach. Filtered, sorted, paged."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, APPLICATION_SORTS, "application_id")
        async with read_views(read_pool, principal, snapshot) as con:
            day = await as_of_day(con, as_of)
            rows = await queries.applications(
                con,
                keyset,
                as_of=day,
                visible=principal.organizations,
                fetch=limit + 1,
                status=status,
                **filters.arguments(),
            )
        items = [queries.application_of(r) for r in rows[:limit]]
        return ApplicationPage(as_of=day, items=items, next_cursor=keyset.next_cursor(rows, limit))

    @get(
        "/turnaround/applications/{application_id:uuid}",
        operation_id="getApplicationTurnaround",
        guards=[may_read],
        **read_docs("Read one application's turnaround"),
    )
    async def application(
        self,
        request: Request,
        read_pool: ReadPool,
        application_id: FromPath[UUID],
        as_of: AsOf = None,
        snapshot: SnapshotParameter = None,
    ) -> ApplicationTurnaround:
        """The turnaround of one application."""
        principal: Principal = request.user
        keyset = Keyset.parse("submitted_on", None, APPLICATION_SORTS, "application_id")
        async with read_views(read_pool, principal, snapshot) as con:
            day = await as_of_day(con, as_of)
            rows = await queries.applications(
                con, keyset, as_of=day, visible=principal.organizations, fetch=1, application_id=application_id
            )
        if not rows:  # not in this tenant, not visible to this client viewer, or not applied yet
            raise NotFound(f"No turnaround for application {application_id}.")
        return queries.application_of(rows[0])

    @get(
        "/turnaround/metrics",
        operation_id="listTurnaroundMetrics",
        guards=[may_read],
        **read_docs("Turnaround metrics by kind, plan, provider type and month"),
    )
    async def metrics(
        self,
        request: Request,
        read_pool: ReadPool,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: FromQuery[str | None] = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(METRIC_SORTS)}; prefix with - to reverse")
        ] = "month",
        kind: KindFilter = None,
        plan: PlanFilter = None,
        provider_type: ProviderTypeFilter = None,
        from_month: Annotated[
            str | None, QueryParameter(name="from", description="first month of decision, YYYY-MM")
        ] = None,
        to_month: Annotated[
            str | None, QueryParameter(name="to", description="last month of decision, YYYY-MM")
        ] = None,
        organization_id: Annotated[list[UUID] | None, Parameter(description="only these client practices")] = None,
        pooled: Annotated[
            bool,
            Parameter(
                description="one group per kind and month, its figures over every plan and provider type (which "
                "are then null): what a chart of a kind's turnaround by month shows"
            ),
        ] = False,
        snapshot: SnapshotParameter = None,
    ) -> MetricsPage:
        """Decided applications grouped by kind, plan, provider type and month of decision (or, pooled, by kind
        and month): counts, median and percentile business days, SLA breaches."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, METRIC_SORTS, "group_id")
        first, after_last = _month(from_month, "from"), _month(to_month, "to", next_month=True)
        async with read_views(read_pool, principal, snapshot) as con:
            rows = await queries.metrics(
                con,
                keyset,
                visible=principal.organizations,
                fetch=limit + 1,
                kind=kind,
                plan=plan,
                provider_type=provider_type,
                first=first,
                after_last=after_last,
                organization_ids=organization_id,
                pooled=pooled,
            )
        items = [queries.metrics_of(r) for r in rows[:limit]]
        return MetricsPage(items=items, next_cursor=keyset.next_cursor(rows, limit))

    @get(
        "/turnaround/aging",
        operation_id="getTurnaroundAging",
        guards=[may_read],
        **read_docs("Open applications by age"),
    )
    async def aging(
        self,
        request: Request,
        read_pool: ReadPool,
        kind: KindFilter = None,
        plan: PlanFilter = None,
        provider_type: ProviderTypeFilter = None,
        organization_id: Annotated[list[UUID] | None, Parameter(description="client practices")] = None,
        as_of: AsOf = None,
        snapshot: SnapshotParameter = None,
    ) -> AgingPage:
        """Open (submitted, undecided) applications per kind, counted in business-day buckets, with how many wait on the
        client and how many are past the SLA target."""
        principal: Principal = request.user
        async with read_views(read_pool, principal, snapshot) as con:
            day = await as_of_day(con, as_of)
            items = await queries.aging(
                con,
                as_of=day,
                visible=principal.organizations,
                kind=kind,
                plan=plan,
                provider_type=provider_type,
                organization_ids=organization_id,
            )
        return AgingPage(as_of=day, items=items, next_cursor=None)


async def as_of_day(con: asyncpg.Connection, value: date | None) -> date:
    """The reference day for open applications. Default: today in Massachusetts, or the day of the snapshot
    being read."""
    day = _on_calendar("as_of", value or await reference_day(con))
    assert day is not None
    return day


def _on_calendar(name: str, day: date | None) -> date | None:
    """A day business days can be counted to, or a 400 naming the parameter."""
    if day is not None and not queries.has_calendar(day):
        raise invalid(name, "outside the Massachusetts holiday table", f"No business-day calendar for {day}.")
    return day


def _month(value: str | None, key: str, *, next_month: bool = False) -> date | None:
    """A ``YYYY-MM`` filter as the month's first day (or the next month's, for an exclusive upper bound)."""
    if value is None:
        return None
    if not _MONTH.fullmatch(value):
        raise invalid(key, "a month as YYYY-MM", f"{key} must be a month like 2026-04.")
    year, month = int(value[:4]), int(value[5:])
    if not 1 <= year <= 9998:
        raise invalid(key, "a year from 0001 to 9998", f"{key} is out of range.")
    if next_month:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, 1)
