"""The access audit's handlers of the service locations other than A (MassHealth's PID/SL): the periods each was
enrolled, and its primary users' terms, from which the audit finds a location enrolled with no primary user, or
whose primary user left. Location A is the practice's own (its enrollment, its primary user: handlers.py). The
table that dispatches to them is in handlers.py."""

from __future__ import annotations

from uuid import UUID

from domain.organization import Organization
from projections.access_audit.checks import touch
from projections.access_audit.rows import LocationEnrollmentRow, LocationPrimaryRow, OrganizationRow
from projections.engine.rows import ViewRows


async def location_enrolled(rows: ViewRows, event: Organization.ServiceLocationEnrolled, position: int) -> UUID:
    organization = await rows.get(OrganizationRow, event.originator_id)  # registered first: the same aggregate
    if organization is not None:
        rows.add(
            LocationEnrollmentRow(
                tenant_id=organization.tenant_id,
                organization_id=event.originator_id,
                code=event.code,
                enrolled_version=event.originator_version,
                enrolled_on=event.on,
            )
        )
    return await touch(rows, event.originator_id, event)


async def enrollment_ended(
    rows: ViewRows, event: Organization.ServiceLocationClosed | Organization.Disenrolled, position: int
) -> UUID:
    """A location's closing ends its enrollment; the practice's disenrollment ends every location's. The two may be
    recorded in either order of their days (they touch different parts of the record): the earlier day ends it."""
    code = event.code if isinstance(event, Organization.ServiceLocationClosed) else None
    for period in await rows.of_organization(LocationEnrollmentRow, event.originator_id):
        if code in (None, period.code) and period.enrolled_on <= event.on:
            ended = event.on if period.ended_on is None else min(period.ended_on, event.on)
            rows.update(period, ended_on=ended)
    return await touch(rows, event.originator_id, event)


async def location_primary_user(rows: ViewRows, event: Organization.LocationPrimaryUserNamed, position: int) -> UUID:
    """A location's first primary user, or a successor on an approved POSC-DC-PM: the previous term ends."""
    for term in await rows.of_organization(LocationPrimaryRow, event.originator_id):
        if term.code == event.code and term.ended_on is None:
            rows.update(term, ended_on=max(term.started_on, event.on))
    organization = await rows.get(OrganizationRow, event.originator_id)
    if organization is not None:
        rows.add(
            LocationPrimaryRow(
                tenant_id=organization.tenant_id,
                organization_id=event.originator_id,
                code=event.code,
                started_version=event.originator_version,
                account_id=event.account_id,
                started_on=event.on,
                modification_id=event.modification_id,
            )
        )
    return await touch(rows, event.originator_id, event)
