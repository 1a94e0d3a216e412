"""The access-audit view's answers, the SQL that finds them and the rules it applies: organizations with their
accounts, reviews and findings, and who held access on a day.

The projection (handlers.py) stores facts; the findings are derived here, in SQL, on every read, in the caller's
read-only transaction: whether a review is overdue depends on the reference date and on the tenant's review
interval (tenant_settings), which may change at any time without a rebuild. The API
(services/api/access_audit_view.py) parses the request and shapes the page.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

import asyncpg
import msgspec

from domain.user_account import PoscFunction
from projections.access_audit.sql import ACCOUNTS, FINDINGS, FindingKind
from projections.engine.paging import KeysetPage


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"


class Finding(msgspec.Struct, kw_only=True):
    kind: FindingKind
    severity: Severity
    since: date  # the first day the finding held
    account_id: UUID | None  # the account it concerns (None: the organization as a whole)
    person_name: str | None
    detail: str
    # The service location (PID/SL letter) whose primary user it concerns: A, the practice's own, or B-Z; None for
    # a finding about the organization as a whole or one account.
    service_location: str | None


class Review(msgspec.Struct, kw_only=True):
    on: date
    outcome: str
    reviewer: str


class Account(msgspec.Struct, kw_only=True):
    account_id: UUID
    person_name: str
    role: str
    partner_firm: str | None
    partner_function: str | None
    status: str
    departed_on: date | None
    engagement_ended_on: date | None  # a business partner's engagement with the practice ended
    deactivated_on: date | None
    grants: list[str]  # POSC functions held now
    access_since: date | None  # holding some access without interruption since
    last_review: Review | None
    review_due_on: date | None  # with the tenant's interval; None when the account holds no access
    opened_on: date
    last_login_on: date | None  # the last POSC login recorded by the day asked about
    backup: bool  # named the back-up (alternate) primary user that day


class PrimaryUser(msgspec.Struct, kw_only=True):
    account_id: UUID
    person_name: str | None  # None only while the account's own events are still on their way
    status: str | None
    departed_on: date | None
    since: date


class AccessAudit(msgspec.Struct, kw_only=True):
    organization_id: UUID
    legal_name: str
    npi: str
    primary_user: PrimaryUser | None
    accounts: list[Account]
    findings: list[Finding]  # worst first
    findings_count: int
    worst_severity: Severity | None
    as_of: date  # the reference date of the date-based findings
    registered_on: date
    updated_at: datetime  # when a fact it shows was last recorded


class AccessAuditPage(msgspec.Struct):
    items: list[AccessAudit]
    next_cursor: str | None


class HeldFunction(msgspec.Struct, kw_only=True):
    function: str
    granted_on: date
    ended_on: date | None  # the last day it was held; None: still held
    ended_by: str | None


class Holder(msgspec.Struct, kw_only=True):
    account_id: UUID
    person_name: str
    role: str
    partner_firm: str | None
    departed_on: date | None  # shown so a departed person who still held access stands out
    functions: list[HeldFunction]


class PrimaryTerm(msgspec.Struct, kw_only=True):
    service_location: str  # the PID/SL's letter it administers: A, the practice's own, or B-Z
    account_id: UUID
    person_name: str | None
    started_on: date
    ended_on: date | None  # the day the next primary user took over
    modification_id: UUID | None  # the approved POSC-DC-PM the term rests on


class AccessOnDate(msgspec.Struct, kw_only=True):
    organization_id: UUID
    on: date  # the Massachusetts day asked about
    primary_users: list[PrimaryTerm]  # by location; two on the day a location's primary user was replaced
    holders: list[Holder]


# The review interval of a tenant that set none: the column's default too (migration 007).
DEFAULT_ACCESS_REVIEW_INTERVAL_DAYS = 90
_SEVERITY_NAMES = {3: Severity.CRITICAL, 2: Severity.HIGH, 1: Severity.MEDIUM}
SORTABLE = {
    "legal_name": ("legal_name", "text"),
    "updated_at": ("updated_at", "timestamptz"),
    "registered_on": ("registered_on", "date"),
    "findings": ("findings_count", "integer"),
    "severity": ("worst_severity", "integer"),  # critical > high > medium > none
}


async def audit_page(
    con: asyncpg.Connection,
    page: KeysetPage,
    *,
    as_of: date,
    visible: Collection[UUID] | None,
    organization_ids: list[UUID] | None,
    kinds: list[FindingKind] | None,
    severities: list[Severity] | None,
    has_findings: bool | None,
    limit: int,
) -> list[asyncpg.Record]:
    """``limit`` + 1 organizations of the page (SORTABLE), with findings as of ``as_of``: the review interval is
    the tenant's (tenant_settings), else DEFAULT_ACCESS_REVIEW_INTERVAL_DAYS. ``visible``: the reader's organizations
    (None: all the tenant's). Each row makes an item with ``audit_of``."""
    order = page.order_by()
    rows: list[asyncpg.Record] = await con.fetch(
        f"{FINDINGS} SELECT page.*, COALESCE(({ACCOUNTS}), '[]') AS accounts FROM ("
        f"SELECT * FROM audit WHERE {page.where(9)} "
        "AND ($5::text[] IS NULL OR kinds && $5) AND ($6::text[] IS NULL OR severities && $6) "
        "AND ($7::boolean IS NULL OR (findings_count > 0) = $7) "
        f"ORDER BY {order} LIMIT $8) page ORDER BY {order}",
        as_of,
        DEFAULT_ACCESS_REVIEW_INTERVAL_DAYS,
        list(visible) if visible is not None else None,
        organization_ids,
        [str(k) for k in kinds] if kinds else None,
        [str(s) for s in severities] if severities else None,
        has_findings,
        limit + 1,
        *page.params(),
    )
    return rows


def audit_of(row: asyncpg.Record, as_of: date) -> AccessAudit:
    accounts = msgspec.json.decode(row["accounts"], type=list[Account])
    primary = None
    if row["primary_user_account_id"] is not None:
        account = next((a for a in accounts if a.account_id == row["primary_user_account_id"]), None)
        primary = PrimaryUser(
            account_id=row["primary_user_account_id"],
            person_name=account.person_name if account else None,
            status=account.status if account else None,
            departed_on=account.departed_on if account else None,
            since=row["primary_user_since"],
        )
    return AccessAudit(
        organization_id=row["organization_id"],
        legal_name=row["legal_name"],
        npi=row["npi"],
        primary_user=primary,
        accounts=accounts,
        findings=msgspec.json.decode(row["findings"], type=list[Finding]),
        findings_count=row["findings_count"],
        worst_severity=_SEVERITY_NAMES.get(row["worst_severity"]),
        as_of=as_of,
        registered_on=row["registered_on"],
        updated_at=row["updated_at"],
    )


_TERM = "tenant_id, organization_id, started_version, account_id, started_on, ended_on, modification_id"


async def access_on(
    con: asyncpg.Connection,
    organization_id: UUID,
    on: date,
    function: PoscFunction | None,
) -> AccessOnDate | None:
    """Who held which POSC access to the organization on a business day (at any moment of it: a period's first
    and last days both count); None: no such organization in this view."""
    if not await con.fetchval("SELECT 1 FROM access_audit_organizations WHERE organization_id = $1", organization_id):
        return None
    # The practice's primary user (location A's) and each other location's (one per PID/SL).
    terms = await con.fetch(
        "SELECT t.service_location, t.account_id, a.person_name, t.started_on, t.ended_on, t.modification_id FROM "
        f"(SELECT 'A' AS service_location, {_TERM} FROM access_audit_primary_terms "
        f"UNION ALL SELECT code, {_TERM} FROM access_audit_location_primaries) t "
        "LEFT JOIN access_audit_accounts a USING (tenant_id, account_id) "
        "WHERE t.organization_id = $1 AND t.started_on <= $2 AND (t.ended_on IS NULL OR t.ended_on >= $2) "
        # Another location's, while it was enrolled that day (not once it closed or the practice was disenrolled).
        "AND (t.service_location = 'A' OR EXISTS (SELECT 1 FROM access_audit_location_enrollments e "
        "WHERE e.organization_id = t.organization_id AND e.code = t.service_location AND e.enrolled_on <= $2 "
        "AND (e.ended_on IS NULL OR e.ended_on > $2))) "
        "ORDER BY t.service_location, t.started_on, t.started_version",
        organization_id,
        on,
    )
    grants = await con.fetch(
        "SELECT g.account_id, a.person_name, a.role, a.partner_firm, a.departed_on, g.function, g.granted_on, "
        "g.ended_on, g.ended_by FROM access_audit_grants g JOIN access_audit_accounts a USING (tenant_id, account_id) "
        "WHERE g.organization_id = $1 AND g.granted_on <= $2 AND (g.ended_on IS NULL OR g.ended_on >= $2) "
        "AND ($3::text IS NULL OR g.function = $3) "
        "ORDER BY array_position(ARRAY['primary', 'subordinate', 'business_partner'], a.role), a.person_name, "
        "g.account_id, g.function, g.granted_on",
        organization_id,
        on,
        str(function) if function else None,
    )
    return AccessOnDate(
        organization_id=organization_id,
        on=on,
        primary_users=[PrimaryTerm(**dict(t)) for t in terms],
        holders=_holders(grants),
    )


def _holders(grants: list[asyncpg.Record]) -> list[Holder]:
    """One holder per account, with the functions it held, in the grants' order."""
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
                function=g["function"], granted_on=g["granted_on"], ended_on=g["ended_on"], ended_by=g["ended_by"]
            )
        )
    return list(holders.values())
