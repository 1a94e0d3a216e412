"""The turnaround-metrics view: per application, per group (kind x plan x provider type x month of decision),
and the aging of open applications, queried with asyncpg as a role under row-level security.

The projection (projections/turnaround.py) stores facts only. What depends on the tenant's settings or on the
day of the query is computed here, in the same read-only transaction: SLA targets (tenant_settings over
DEFAULT_SLA_TARGETS), breaches, and the business days of open applications counted to ``as_of`` (default: today
in Massachusetts) with the stored business-day indexes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get
from litestar.params import Parameter, QueryParameter

from services.api.auth import Principal, may_read
from services.api.openapi_docs import read_docs
from services.api.paging import Keyset, SnapshotParameter, tenant_transaction
from services.api.turnaround_queries import (
    _AGING,
    _APPLICATION_SORTS,
    _APPLICATIONS,
    _ITEM_FIELDS,
    _METRIC_FIELDS,
    _METRIC_SORTS,
    _METRICS,
    AGING_BUCKETS,
    Aging,
    AgingPage,
    ApplicationPage,
    ApplicationTurnaround,
    AsOf,
    Bucket,
    KindFilter,
    MetricsPage,
    PlanFilter,
    ProviderTypeFilter,
    Status,
    TurnaroundMetrics,
    WaitingOn,
    _as_of,
    _bucket_label,
    _month,
    _organizations,
    _targets,
    _text,
)
from services.app import NotFound


class TurnaroundViewController(Controller):
    path = "/v1/views"
    tags = ["views"]

    @get(
        "/turnaround/applications",
        operation_id="listApplicationTurnaround",
        guards=[may_read],
        **read_docs("List applications' turnaround"),
    )
    async def applications(
        self,
        request: Request,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: str | None = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(_APPLICATION_SORTS)}; prefix with - to reverse")
        ] = "submitted_on",
        kind: KindFilter = None,
        plan: PlanFilter = None,
        provider_type: ProviderTypeFilter = None,
        status: Status | None = None,
        waiting_on: WaitingOn | None = None,
        breached: Annotated[bool | None, Parameter(description="over (or within) the kind's SLA target")] = None,
        organization_id: Annotated[list[UUID] | None, Parameter(description="client practices")] = None,
        as_of: AsOf = None,
        snapshot: SnapshotParameter = None,
    ) -> ApplicationPage:
        """Per application: business days (Massachusetts holidays excluded) from submission to decision or to today, the
        days waiting on the client apart, and the SLA target and breach. Filtered, sorted, paged."""
        keyset = Keyset.parse(sort, cursor, _APPLICATION_SORTS, "application_id")
        day, rows = await self._applications(
            request,
            keyset,
            as_of,
            snapshot,
            limit + 1,
            _text(kind),
            plan,
            provider_type,
            _text(status),
            organization_id,
            breached,
            _text(waiting_on),
            None,
        )
        items = [_application(r) for r in rows[:limit]]
        return ApplicationPage(as_of=day, items=items, next_cursor=keyset.next_cursor(rows, limit))

    @get(
        "/turnaround/applications/{application_id:uuid}",
        operation_id="getApplicationTurnaround",
        guards=[may_read],
        **read_docs("Read one application's turnaround"),
    )
    async def application(
        self, request: Request, application_id: UUID, as_of: AsOf = None, snapshot: SnapshotParameter = None
    ) -> ApplicationTurnaround:
        """The turnaround of one application."""
        keyset = Keyset.parse("submitted_on", None, _APPLICATION_SORTS, "application_id")
        _, rows = await self._applications(
            request, keyset, as_of, snapshot, 1, None, None, None, None, None, None, None, application_id
        )
        if not rows:  # not in this tenant, not visible to this client viewer, or not applied yet
            raise NotFound(f"No turnaround for application {application_id}.")
        return _application(rows[0])

    async def _applications(
        self, request: Request, keyset: Keyset, as_of: date | None, snapshot: str | None, fetch: int, *filters: Any
    ) -> tuple[date, list[asyncpg.Record]]:
        principal: Principal = request.user
        query = _APPLICATIONS.format(keyset=keyset.where(1), order_by=keyset.order_by())
        async with tenant_transaction(request.app.state.read_pool, principal, snapshot) as con:
            day, index = await _as_of(con, as_of)
            targets = await _targets(con, principal)
            rows = await con.fetch(
                query, *keyset.params(), index, day, targets, _organizations(principal), fetch, *filters
            )
        return day, rows

    @get(
        "/turnaround/metrics",
        operation_id="listTurnaroundMetrics",
        guards=[may_read],
        **read_docs("Turnaround metrics by kind, plan, provider type and month"),
    )
    async def metrics(
        self,
        request: Request,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: str | None = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(_METRIC_SORTS)}; prefix with - to reverse")
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
        snapshot: SnapshotParameter = None,
    ) -> MetricsPage:
        """Decided applications grouped by kind, plan, provider type and month of decision: counts, median and
        percentile business days, SLA breaches."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, _METRIC_SORTS, "group_id")
        first, after_last = _month(from_month, "from"), _month(to_month, "to", next_month=True)
        organizations = _organizations(principal)
        if organization_id is not None:  # narrow, never widen, a client viewer's scope
            organizations = [o for o in organization_id if principal.may_see(o)]
        query = _METRICS.format(keyset=keyset.where(1), order_by=keyset.order_by())
        async with tenant_transaction(request.app.state.read_pool, principal, snapshot) as con:
            targets = await _targets(con, principal)
            rows = await con.fetch(
                query,
                *keyset.params(),
                targets,
                organizations,
                limit + 1,
                _text(kind),
                plan,
                provider_type,
                first,
                after_last,
            )
        items = [TurnaroundMetrics(**{f: r[f] for f in _METRIC_FIELDS}) for r in rows[:limit]]
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
        async with tenant_transaction(request.app.state.read_pool, principal, snapshot) as con:
            day, index = await _as_of(con, as_of)
            targets = await _targets(con, principal)
            rows = await con.fetch(
                _AGING,
                index,
                day,
                targets,
                _organizations(principal),
                _text(kind),
                plan,
                provider_type,
                organization_id,
            )
        items = [
            Aging(
                kind=r["kind"],
                open=r["open"],
                waiting_on_client=r["waiting_on_client"],
                sla_target_days=r["sla_target_days"],
                breached=r["breached"],
                oldest_submitted_on=r["oldest_submitted_on"],
                buckets=[
                    Bucket(label=_bucket_label(low, high), min_days=low, max_days=high, count=count)
                    for (low, high), count in zip(AGING_BUCKETS, r["buckets"], strict=True)
                ],
            )
            for r in rows
        ]
        return AgingPage(as_of=day, items=items, next_cursor=None)


def _application(row: asyncpg.Record) -> ApplicationTurnaround:
    return ApplicationTurnaround(**{f: row[f] for f in _ITEM_FIELDS})
