"""The access-audit view's routes: each request's parameters go to the view's queries
(projections/access_audit/queries.py, where the findings are derived), run as a role under row-level security,
and come back as a page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, Parameter

from domain.user_account import PoscFunction
from projections.access_audit import queries
from projections.access_audit.queries import SORTABLE, AccessAudit, AccessAuditPage, AccessOnDate, Severity
from projections.access_audit.sql import FindingKind
from services.api.auth import Principal, may_read
from services.api.dependencies import ReadPool
from services.api.history import business_day
from services.api.openapi_docs import read_docs
from services.api.paging import Keyset, SnapshotParameter, ViewFilters
from services.api.view_reads import read_views, reference_day
from services.app import NotFound

AuditDay = Annotated[
    date | None,
    Parameter(
        description="The business day the audit is of (YYYY-MM-DD, Massachusetts): the practices registered by then, "
        "their primary users, accounts, grants, deactivations and reviews on that day, whenever they were recorded, "
        "and the date-based findings against it. Default: today (in a snapshot, the snapshot's day)."
    ),
]


@dataclass(frozen=True)
class AuditFilters(ViewFilters):
    """The list's filters (the access-findings report takes the same)."""

    renamed: ClassVar[dict[str, str]] = {"finding": "kinds", "severity": "severities"}
    finding: Annotated[list[FindingKind] | None, Parameter(description="with any of these findings")] = None
    severity: Annotated[list[Severity] | None, Parameter(description="with a finding of any of these")] = None
    has_findings: FromQuery[bool | None] = None
    organization_id: Annotated[list[UUID] | None, Parameter(description="client practices")] = None


AUDIT_FILTERS = {"filters": Provide(AuditFilters, sync_to_thread=False)}


class AccessAuditViewController(Controller):
    path = "/v1/views"
    tags = ("views",)

    @get(
        "/access-audit",
        operation_id="listAccessAudit",
        guards=[may_read],
        dependencies=AUDIT_FILTERS,
        **read_docs("List the access-audit findings"),
    )
    async def access_audit(
        self,
        request: Request,
        read_pool: ReadPool,
        filters: NamedDependency[AuditFilters],
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: FromQuery[str | None] = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(SORTABLE)}; prefix with - to reverse")
        ] = "legal_name",
        as_of: AuditDay = None,
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
                limit=limit,
                **filters.arguments(),
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
        as_of: AuditDay = None,
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
        on: Annotated[
            str,
            Parameter(
                description="A business day (YYYY-MM-DD, Massachusetts): the access held at any moment of it, by "
                "the days grants took effect and ended, whenever they were recorded. An ISO 8601 instant with its "
                "offset stands for its Massachusetts day."
            ),
        ],
        function: FromQuery[PoscFunction | None] = None,
        snapshot: SnapshotParameter = None,
    ) -> AccessOnDate:
        """Who held which POSC access to the organization on a past day."""
        principal: Principal = request.user
        day = business_day(on, "on")
        found = None
        if principal.may_see(organization_id):
            async with read_views(read_pool, principal, snapshot) as con:
                found = await queries.access_on(con, organization_id, day, function)
        if found is None:
            raise NotFound(f"No access audit for organization {organization_id}.")
        return found
