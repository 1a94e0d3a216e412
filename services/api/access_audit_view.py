"""The access-audit view, queried with asyncpg as a role under row-level security.

The projection (projections/access_audit.py) stores facts; the findings are derived here, in SQL, on every read:
whether a review is overdue depends on the reference date and on the tenant's review interval (tenant_settings),
which may change at any time without a rebuild.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get
from litestar.params import Parameter

from domain.user_account import PoscFunction
from services.api.access_audit_queries import (
    _SORTABLE,
    AccessAudit,
    AccessAuditPage,
    AccessOnDate,
    FindingKind,
    HeldFunction,
    Holder,
    PrimaryTerm,
    Severity,
    _audit_page,
    _item,
    _window,
)
from services.api.auth import Principal, may_read
from services.api.openapi_docs import read_docs
from services.api.paging import Keyset, SnapshotParameter, reference_day, tenant_transaction
from services.app import NotFound


class AccessAuditViewController(Controller):
    path = "/v1/views"
    tags = ["views"]

    @get(
        "/access-audit",
        operation_id="listAccessAudit",
        guards=[may_read],
        **read_docs("List the access-audit findings"),
    )
    async def access_audit(
        self,
        request: Request,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: str | None = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(_SORTABLE)}; prefix with - to reverse")
        ] = "legal_name",
        finding: Annotated[list[FindingKind] | None, Parameter(description="with any of these findings")] = None,
        severity: Annotated[list[Severity] | None, Parameter(description="with a finding of any of these")] = None,
        has_findings: bool | None = None,
        organization_id: Annotated[list[UUID] | None, Parameter(description="client practices")] = None,
        as_of: Annotated[date | None, Parameter(description="reference date of date-based findings; today")] = None,
        snapshot: SnapshotParameter = None,
    ) -> AccessAuditPage:
        """Per practice: its primary user, its POSC user accounts and their functions, and the findings a compliance
        auditor looks for (access held after a departure, overdue access reviews, a departed primary user with no
        approved POSC-DC-PM, ...), each with its severity and since-date. Filtered, sorted, paged."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, _SORTABLE, "organization_id")
        async with tenant_transaction(request.app.state.read_pool, principal, snapshot) as con:
            as_of = as_of or await reference_day(con)  # a snapshot's own date, or today
            rows = await _audit_page(
                con,
                keyset,
                as_of=as_of,
                principal=principal,
                organization_ids=organization_id,
                kinds=finding,
                severities=severity,
                has_findings=has_findings,
                limit=limit,
            )
        items = [_item(r, as_of) for r in rows[:limit]]
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
        organization_id: UUID,
        as_of: Annotated[date | None, Parameter(description="reference date of date-based findings; today")] = None,
        snapshot: SnapshotParameter = None,
    ) -> AccessAudit:
        """The access-audit row of one practice, with findings as of a reference date."""
        principal: Principal = request.user
        rows: list[asyncpg.Record] = []
        if principal.may_see(organization_id):
            async with tenant_transaction(request.app.state.read_pool, principal, snapshot) as con:
                as_of = as_of or await reference_day(con)
                rows = await _audit_page(
                    con,
                    Keyset.parse("legal_name", None, _SORTABLE, "organization_id"),
                    as_of=as_of,
                    principal=principal,
                    organization_ids=[organization_id],
                    kinds=None,
                    severities=None,
                    has_findings=None,
                    limit=1,
                )
        if not rows:
            raise NotFound(f"No access audit for organization {organization_id}.")
        return _item(rows[0], as_of)  # type: ignore[arg-type]

    @get(
        "/access-audit/{organization_id:uuid}/access",
        operation_id="getAccessOnDate",
        guards=[may_read],
        **read_docs("Who held which POSC access on a day"),
    )
    async def access_on(
        self,
        request: Request,
        organization_id: UUID,
        on: Annotated[str, Parameter(description="a day (YYYY-MM-DD, UTC) or an ISO 8601 instant")],
        function: PoscFunction | None = None,
        snapshot: SnapshotParameter = None,
    ) -> AccessOnDate:
        """Who held which POSC access to the organization on a past day or at a past instant."""
        principal: Principal = request.user
        label, start, end = _window(on)
        found = None
        if principal.may_see(organization_id):
            async with tenant_transaction(request.app.state.read_pool, principal, snapshot) as con:
                found = await _access_on(con, organization_id, label, start, end, function)
        if found is None:
            raise NotFound(f"No access audit for organization {organization_id}.")
        return found


async def _access_on(
    con: asyncpg.Connection,
    organization_id: UUID,
    label: str,
    start: datetime,
    end: datetime,
    function: PoscFunction | None,
) -> AccessOnDate | None:
    if not await con.fetchval("SELECT 1 FROM access_audit_organizations WHERE organization_id = $1", organization_id):
        return None
    # Periods overlapping [start, end): the day, or the instant.
    terms = await con.fetch(
        "SELECT t.account_id, a.person_name, t.started_at, t.ended_at, t.modification_id "
        "FROM access_audit_primary_terms t LEFT JOIN access_audit_accounts a USING (tenant_id, account_id) "
        "WHERE t.organization_id = $1 AND t.started_at < $3 AND (t.ended_at IS NULL OR t.ended_at > $2) "
        "ORDER BY t.started_at, t.started_version",
        organization_id,
        start,
        end,
    )
    grants = await con.fetch(
        "SELECT g.account_id, a.person_name, a.role, a.partner_firm, a.departed_on, g.function, g.granted_at, "
        "g.ended_at, g.ended_by FROM access_audit_grants g JOIN access_audit_accounts a USING (tenant_id, account_id) "
        "WHERE g.organization_id = $1 AND g.granted_at < $3 AND (g.ended_at IS NULL OR g.ended_at > $2) "
        "AND ($4::text IS NULL OR g.function = $4) "
        "ORDER BY array_position(ARRAY['primary', 'subordinate', 'business_partner'], a.role), a.person_name, "
        "g.account_id, g.function, g.granted_at",
        organization_id,
        start,
        end,
        str(function) if function else None,
    )
    holders: dict[UUID, Holder] = {}
    for g in grants:
        holder = holders.get(g["account_id"])
        if holder is None:
            holder = holders[g["account_id"]] = Holder(
                account_id=g["account_id"],
                person_name=g["person_name"],
                role=g["role"],
                partner_firm=g["partner_firm"],
                departed_on=g["departed_on"],
                functions=[],
            )
        holder.functions.append(
            HeldFunction(
                function=g["function"], granted_at=g["granted_at"], ended_at=g["ended_at"], ended_by=g["ended_by"]
            )
        )
    return AccessOnDate(
        organization_id=organization_id,
        on=label,
        primary_users=[PrimaryTerm(**dict(t)) for t in terms],
        holders=list(holders.values()),
    )
