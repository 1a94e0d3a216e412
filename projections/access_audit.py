"""Access audit: per organization, its POSC primary user (and every term as one), every user account with its
role, grants, status, departure and last review, every period a POSC function was held, and its POSC-DC-PM
applications. Only facts are stored (access_audit.sql); the findings are derived from them when the view is
read (services/api/access_audit_view.py), since "review overdue" depends on the date and the tenant's settings.

Events of different aggregates commute here: each one writes rows of its own aggregate, plus the organization's
``updated_at`` through GREATEST, so the live view and a rebuild in store order end up with the same rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from domain.application import Application, ApplicationKind
from domain.organization import Organization
from domain.user_account import ReviewOutcome, UserAccount
from projections.tracking import OutOfOrder

name = "access_audit"
aggregates = ("organization", "user_account", "application")


def review_cutoff(recorded_at: datetime, on: date) -> datetime:
    """When a review that revokes access ends it. The review carries its business date: access ends with that
    day, or when the review was recorded if that is sooner (the apply clamps it to each grant's start)."""
    return min(recorded_at, datetime.combine(on + timedelta(days=1), time(), tzinfo=UTC))


async def apply(con: asyncpg.Connection, event: Any, position: int) -> UUID | None:
    match event:
        case Organization.Registered():
            await con.execute(
                "INSERT INTO access_audit_organizations (tenant_id, organization_id, legal_name, npi, "
                "registered_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
                event.tenant_id,
                event.originator_id,
                event.legal_name,
                event.npi,
                event.timestamp,
            )
            return event.originator_id
        case Organization.ProfileCorrected() if event.legal_name is not None:
            await con.execute(
                "UPDATE access_audit_organizations SET legal_name = $2, updated_at = GREATEST(updated_at, $3) "
                "WHERE organization_id = $1",
                event.originator_id,
                event.legal_name,
                event.timestamp,
            )
            return event.originator_id
        case Organization.PrimaryUserDesignated() | Organization.PrimaryUserReplaced():
            return await _primary_user(con, event)
        case UserAccount.Opened():
            await _require_organization(con, event.organization_id)
            await con.execute(
                "INSERT INTO access_audit_accounts (tenant_id, account_id, organization_id, person_name, role, "
                "partner_firm, partner_function, opened_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                event.tenant_id,
                event.originator_id,
                event.organization_id,
                event.person_name,
                str(event.role),
                event.partner_firm,
                event.partner_function,
                event.timestamp,
            )
            return await _touch(con, event.organization_id, event)
        case UserAccount.Event():
            return await _account_event(con, event)
        case Application.Opened() if ApplicationKind(event.kind) is ApplicationKind.PRIMARY_USER_MODIFICATION:
            await _require_organization(con, event.organization_id)
            await con.execute(
                "INSERT INTO access_audit_modifications (tenant_id, application_id, organization_id, opened_at) "
                "VALUES ($1, $2, $3, $4)",
                event.tenant_id,
                event.originator_id,
                event.organization_id,
                event.timestamp,
            )
            return await _touch(con, event.organization_id, event)
        case Application.Approved():
            # Only POSC-DC-PM applications have a row (their Opened came first: same aggregate).
            organization_id = await con.fetchval(
                "UPDATE access_audit_modifications SET approved_on = $2 WHERE application_id = $1 "
                "RETURNING organization_id",
                event.originator_id,
                event.decided_on,
            )
            return await _touch(con, organization_id, event) if organization_id else None
    return None


async def _primary_user(con: asyncpg.Connection, event: Any) -> UUID:
    """A first primary user (POSC-DC-PE) or a replacement on an approved POSC-DC-PM: the previous term ends."""
    modification_id = getattr(event, "modification_id", None)
    await con.execute(
        "UPDATE access_audit_primary_terms SET ended_at = $2 WHERE organization_id = $1 AND ended_at IS NULL",
        event.originator_id,
        event.timestamp,
    )
    await con.execute(
        "INSERT INTO access_audit_primary_terms (tenant_id, organization_id, started_version, account_id, "
        "started_at, modification_id) SELECT tenant_id, organization_id, $2, $3, $4, $5 "
        "FROM access_audit_organizations WHERE organization_id = $1",
        event.originator_id,
        event.originator_version,
        event.account_id,
        event.timestamp,
        modification_id,
    )
    await con.execute(
        "UPDATE access_audit_organizations SET primary_user_account_id = $2, primary_user_since = $3, "
        "updated_at = GREATEST(updated_at, $3) WHERE organization_id = $1",
        event.originator_id,
        event.account_id,
        event.timestamp,
    )
    return event.originator_id


async def _account_event(con: asyncpg.Connection, event: Any) -> UUID | None:
    account_id, at = event.originator_id, event.timestamp
    match event:
        case UserAccount.AccessGranted():
            await con.execute(
                "INSERT INTO access_audit_grants (tenant_id, account_id, organization_id, function, "
                "granted_version, granted_at, granted_by) "
                "SELECT tenant_id, account_id, organization_id, $2, $3, $4, $5 "
                "FROM access_audit_accounts WHERE account_id = $1",
                account_id,
                str(event.function),
                event.originator_version,
                at,
                event.granted_by,
            )
            # SET reads the old row: access starts now if nothing was held before.
            sets = (
                "grants = ARRAY(SELECT unnest(grants || $2::text) ORDER BY 1), "
                "access_since = CASE WHEN cardinality(grants) = 0 THEN $3 ELSE access_since END"
            )
            args: list[Any] = [str(event.function), at]
        case UserAccount.AccessRevoked():
            await _end_grants(con, account_id, at, "revoked", str(event.function))
            sets = (
                "grants = array_remove(grants, $2::text), "
                "access_since = CASE WHEN grants = ARRAY[$2::text] THEN NULL ELSE access_since END"
            )
            args = [str(event.function), at]
        case UserAccount.AccessReviewed():
            revoked = ReviewOutcome(event.outcome) is ReviewOutcome.REVOKED
            if revoked:
                await _end_grants(con, account_id, review_cutoff(at, event.on), "review")
            sets = (
                "last_review_on = $2, last_review_outcome = $3, last_reviewer = $4, "
                "grants = CASE WHEN $5 THEN '{}' ELSE grants END, "
                "access_since = CASE WHEN $5 THEN NULL ELSE access_since END"
            )
            args = [event.on, str(event.outcome), event.reviewer, revoked, at]
        case UserAccount.PersonDeparted():
            sets, args = "departed_on = $2", [event.on, at]
        case UserAccount.Deactivated():
            # The domain ends an inactive ID's access with it.
            await _end_grants(con, account_id, at, "deactivated")
            sets, args = "status = 'deactivated', deactivated_at = $2, grants = '{}', access_since = NULL", [at, at]
        case UserAccount.Reactivated():
            sets, args = "status = 'active', deactivated_at = NULL", [at]
        case _:
            return None  # checklist steps and password resets: nothing the audit shows
    # The event's timestamp is always the last parameter.
    organization_id = await con.fetchval(
        f"UPDATE access_audit_accounts SET {sets}, updated_at = ${len(args) + 1} "
        "WHERE account_id = $1 RETURNING organization_id",
        account_id,
        *args,
    )
    return await _touch(con, organization_id, event)


async def _end_grants(
    con: asyncpg.Connection, account_id: UUID, at: datetime, ended_by: str, function: str | None = None
) -> None:
    """End the account's open grant periods (one function's, or all); never before a period began."""
    await con.execute(
        "UPDATE access_audit_grants SET ended_at = GREATEST(granted_at, $2), ended_by = $3 "
        "WHERE account_id = $1 AND ended_at IS NULL AND ($4::text IS NULL OR function = $4)",
        account_id,
        at,
        ended_by,
        function,
    )


async def _touch(con: asyncpg.Connection, organization_id: UUID, event: Any) -> UUID:
    await con.execute(
        "UPDATE access_audit_organizations SET updated_at = GREATEST(updated_at, $2) WHERE organization_id = $1",
        organization_id,
        event.timestamp,
    )
    return organization_id


async def _require_organization(con: asyncpg.Connection, organization_id: UUID) -> None:
    """Another aggregate's events may arrive before the organization's registration (a redelivery, a NAK)."""
    if not await con.fetchval("SELECT 1 FROM access_audit_organizations WHERE organization_id = $1", organization_id):
        raise OutOfOrder(f"organization {organization_id} not registered in this view yet")
