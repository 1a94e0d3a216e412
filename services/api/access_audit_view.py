"""The access-audit view's routes: each request's parameters go to the view's queries
(projections/access_audit/queries.py, where the findings are derived), run as a role under row-level security,
and come back as a page."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, Parameter

from domain.business_days import MASSACHUSETTS
from domain.user_account import PoscFunction
from projections.access_audit import queries
from projections.access_audit.queries import SORTABLE, AccessAudit, AccessAuditPage, AccessOnDate, FindingKind, Severity
from services.api.auth import Principal, may_read
from services.api.dependencies import ReadPool
from services.api.openapi_docs import read_docs
from services.api.paging import Keyset, SnapshotParameter, invalid
from services.api.view_reads import read_views, reference_day
from services.app import NotFound


class AccessAuditViewController(Controller):
    path = "/v1/views"
    tags = ("views",)

    @get(
        "/access-audit",
        operation_id="listAccessAudit",
        guards=[may_read],
        **read_docs("List the access-audit findings"),
    )
    async def access_audit(
        self,
        request: Request,
        read_pool: ReadPool,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: FromQuery[str | None] = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(SORTABLE)}; prefix with - to reverse")
        ] = "legal_name",
        finding: Annotated[list[FindingKind] | None, Parameter(description="with any of these findings")] = None,
        severity: Annotated[list[Severity] | None, Parameter(description="with a finding of any of these")] = None,
        has_findings: FromQuery[bool | None] = None,
        organization_id: Annotated[list[UUID] | None, Parameter(description="client practices")] = None,
        as_of: Annotated[date | None, Parameter(description="reference date of date-based findings; today")] = None,
        snapshot: SnapshotParameter = None,
    ) -> AccessAuditPage:
        """Per practice: its primary user, its POSC user accounts and their functions, and the findings a compliance
        auditor looks for (access held after a departure, overdue access reviews, a departed primary user with no
        approved POSC-DC-PM, ...), each with its severity and since-date. Filtered, sorted, paged."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, SORTABLE, "organization_id")
        async with read_views(read_pool, principal, snapshot) as con:
            as_of = as_of or await reference_day(con)  # a snapshot's own date, or today
            rows = await queries.audit_page(
                con,
                keyset,
                as_of=as_of,
                visible=principal.organizations,
                organization_ids=organization_id,
                kinds=finding,
                severities=severity,
                has_findings=has_findings,
                limit=limit,
            )
        items = [queries.audit_of(r, as_of) for r in rows[:limit]]
        return AccessAuditPage(items=items, next_cursor=keyset.next_cursor(rows, limit))

    @get(
        "/access-audit/{organization_id:uuid}",
        operation_id="getAccessAudit",
        guards=[may_read],
        **read_docs("Read one practice's access audit"),
    )
    async def access_audit_one(
        self,
        request: Request,
        read_pool: ReadPool,
        organization_id: FromPath[UUID],
        as_of: Annotated[date | None, Parameter(description="reference date of date-based findings; today")] = None,
        snapshot: SnapshotParameter = None,
    ) -> AccessAudit:
        """The access-audit row of one practice, with findings as of a reference date."""
        principal: Principal = request.user
        rows: list[asyncpg.Record] = []
        if principal.may_see(organization_id):
            async with read_views(read_pool, principal, snapshot) as con:
                as_of = as_of or await reference_day(con)
                rows = await queries.audit_page(
                    con,
                    Keyset.parse("legal_name", None, SORTABLE, "organization_id"),
                    as_of=as_of,
                    visible=principal.organizations,
                    organization_ids=[organization_id],
                    kinds=None,
                    severities=None,
                    has_findings=None,
                    limit=1,
                )
        if not rows:
            raise NotFound(f"No access audit for organization {organization_id}.")
        return queries.audit_of(rows[0], as_of)  # type: ignore[arg-type]

    @get(
        "/access-audit/{organization_id:uuid}/access",
        operation_id="getAccessOnDate",
        guards=[may_read],
        **read_docs("Who held which POSC access on a day"),
    )
    async def access_on(
        self,
        request: Request,
        read_pool: ReadPool,
        organization_id: FromPath[UUID],
        on: Annotated[str, Parameter(description="a day (YYYY-MM-DD, UTC) or an ISO 8601 instant")],
        function: FromQuery[PoscFunction | None] = None,
        snapshot: SnapshotParameter = None,
    ) -> AccessOnDate:
        """Who held which POSC access to the organization on a past day or at a past instant."""
        principal: Principal = request.user
        label, start, end = _window(on)
        found = None
        if principal.may_see(organization_id):
            async with read_views(read_pool, principal, snapshot) as con:
                found = await queries.access_on(con, organization_id, label, start, end, function)
        if found is None:
            raise NotFound(f"No access audit for organization {organization_id}.")
        return found


def _window(on: str) -> tuple[str, datetime, datetime]:
    """``on`` as a Massachusetts day (every grant held at some moment of it) or an instant (held at that
    moment)."""
    try:
        if len(on) == 10:
            day = date.fromisoformat(on)
            instant = None
        else:
            instant = datetime.fromisoformat(on.replace("Z", "+00:00"))
            day = instant.date()
    except ValueError as error:
        raise invalid("on", "a date (YYYY-MM-DD) or an ISO 8601 timestamp", "Invalid date.") from error
    if not 1 < day.year < 9999:  # the window's edges must stay inside the calendar
        raise invalid("on", "a year from 2 to 9998", "Date out of range.")
    if instant is None:
        # Midnight to midnight there: 23 or 25 hours on the days the clocks change.
        start = datetime.combine(day, time(), tzinfo=MASSACHUSETTS)
        return day.isoformat(), start, datetime.combine(day + timedelta(days=1), time(), tzinfo=MASSACHUSETTS)
    if instant.tzinfo is None:
        raise invalid("on", "a timestamp needs its UTC offset", "Invalid timestamp.")
    instant = instant.astimezone(UTC)
    # Half-open periods: held at t when granted_at <= t < ended_at (timestamps have microsecond precision).
    return instant.isoformat().replace("+00:00", "Z"), instant, instant + timedelta(microseconds=1)
