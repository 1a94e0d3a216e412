"""Access audit: per organization, its POSC primary user (and every term as one), every user account with its
role, grants, status, departure and last review, every period a POSC function was held, its POSC-DC-PM
applications, every exclusion screening of it, its people and its clinicians, and where those clinicians render.
Only facts are stored (schema.sql); the findings are derived from them when the view is read (queries.py), since
"review overdue" depends on the date and the tenant's settings.

Events of different aggregates commute here: each one writes rows of its own aggregate, plus the organization's
``updated_at`` as the latest of the two, so the live view and a rebuild in store order end up with the same rows.
The handlers fold each event into the rows in memory (projections/engine/rows.py); the rows are the tables'.

Every date shown is a business day (domain/business_time.py): the day a grant, a revocation, a deactivation or a
primary user's term took effect, whenever it was recorded. Only ``updated_at`` is a recording time.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeAlias, get_args
from uuid import UUID

from domain.application import Application, ApplicationKind
from domain.base import TenantAggregate
from domain.business_time import effective_day
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.user_account import ReviewOutcome, UserAccount
from projections.access_audit.checks import Screened, backup, disclosure, login, screening, touch
from projections.access_audit.clinicians import clinician_registered, rendering
from projections.access_audit.locations import enrollment_ended, location_enrolled, location_primary_user
from projections.access_audit.rows import (
    AccountRow,
    BackupRow,
    ClinicianRow,
    DeactivationRow,
    DisclosureRow,
    GrantRow,
    LocationEnrollmentRow,
    LocationPrimaryRow,
    LoginRow,
    ModificationRow,
    OrganizationRow,
    PrimaryTermRow,
    RenderingRow,
    ReviewRow,
    ScreenedRow,
    ScreeningRow,
    SubmissionRow,
    holding_since,
)
from projections.engine.dispatch import Handlers
from projections.engine.rows import ViewRows
from projections.engine.tracking import OutOfOrder

name = "access_audit"
# Bumped when what the handlers store of the same events changes (projections/engine/registry.py): 1, the start of
# an account's unbroken access derived from its grant periods, whatever order their days were recorded in; 2, every
# screening kept (ScreenedRow) and the clinicians, where they render and their screenings.
revision = 2
aggregates = ("organization", "user_account", "application", "practitioner")


row_types = (
    OrganizationRow,
    AccountRow,
    GrantRow,
    PrimaryTermRow,
    ReviewRow,
    DeactivationRow,
    ModificationRow,
    SubmissionRow,
    ScreeningRow,
    DisclosureRow,
    BackupRow,
    LoginRow,
    LocationEnrollmentRow,
    LocationPrimaryRow,
    ScreenedRow,
    ClinicianRow,
    RenderingRow,
)


async def _registered(rows: ViewRows, event: Organization.Registered, position: int) -> UUID:
    rows.add(
        OrganizationRow(
            tenant_id=event.tenant_id,
            organization_id=event.originator_id,
            legal_name=event.legal_name,
            npi=event.npi,
            registered_on=event.registered_on,
            updated_at=event.timestamp,
        )
    )
    return event.originator_id


async def _profile_corrected(rows: ViewRows, event: Organization.ProfileCorrected, position: int) -> UUID | None:
    if event.legal_name is None:
        return None  # only the name is shown
    organization = await rows.get(OrganizationRow, event.originator_id)
    if organization is not None:
        rows.update(organization, legal_name=event.legal_name, updated_at=max(organization.updated_at, event.timestamp))
    return event.originator_id


async def _account_opened(rows: ViewRows, event: UserAccount.Opened, position: int) -> UUID:
    await _require_organization(rows, event.organization_id)
    rows.add(
        AccountRow(
            tenant_id=event.tenant_id,
            account_id=event.originator_id,
            organization_id=event.organization_id,
            person_name=event.person_name,
            role=str(event.role),
            partner_firm=event.partner_firm,
            partner_function=event.partner_function,
            opened_on=event.opened_on,
            updated_at=event.timestamp,
        )
    )
    return await touch(rows, event.organization_id, event)


async def _application_opened(rows: ViewRows, event: Application.Opened, position: int) -> UUID | None:
    if ApplicationKind(event.kind) is not ApplicationKind.PRIMARY_USER_MODIFICATION:
        return None  # only POSC-DC-PM applications are shown
    await _require_organization(rows, event.organization_id)
    rows.add(
        ModificationRow(
            tenant_id=event.tenant_id,
            application_id=event.originator_id,
            organization_id=event.organization_id,
            opened_on=event.opened_on,
            service_location=event.service_location,
        )
    )
    return await touch(rows, event.organization_id, event)


async def _application_submitted(rows: ViewRows, event: Application.Submitted, position: int) -> UUID | None:
    # Only POSC-DC-PM applications have a row (their Opened came first: same aggregate).
    modification = await rows.get(ModificationRow, event.originator_id)
    if modification is None:
        return None
    rows.add(
        SubmissionRow(
            tenant_id=modification.tenant_id,
            organization_id=modification.organization_id,
            application_id=event.originator_id,
            submitted_version=event.originator_version,
            submitted_on=event.submitted_on,
        )
    )
    return await touch(rows, modification.organization_id, event)


Answered: TypeAlias = Application.Approved | Application.Denied | Application.Rejected | Application.Withdrawn


async def _application_answered(rows: ViewRows, event: Answered, position: int) -> UUID | None:
    """The payer's answer to a POSC-DC-PM (or its withdrawal) ends its time with MassHealth."""
    modification = await rows.get(ModificationRow, event.originator_id)
    if modification is None:
        return None
    day = effective_day(event)
    if isinstance(event, Application.Approved):
        rows.update(modification, approved_on=day)
    for submission in await rows.of_organization(SubmissionRow, modification.organization_id):
        if submission.application_id == event.originator_id and submission.ended_on is None:
            rows.update(submission, ended_on=max(submission.submitted_on, day))
    return await touch(rows, modification.organization_id, event)


async def _primary_user(
    rows: ViewRows, event: Organization.PrimaryUserDesignated | Organization.PrimaryUserReplaced, position: int
) -> UUID:
    """A first primary user (POSC-DC-PE) or a replacement on an approved POSC-DC-PM: the previous term ends."""
    for term in await rows.of_organization(PrimaryTermRow, event.originator_id):
        if term.ended_on is None:
            rows.update(term, ended_on=max(term.started_on, event.on))
    organization = await rows.get(OrganizationRow, event.originator_id)
    if organization is not None:
        rows.add(
            PrimaryTermRow(
                tenant_id=organization.tenant_id,
                organization_id=event.originator_id,
                started_version=event.originator_version,
                account_id=event.account_id,
                started_on=event.on,
                # Only a replacement (an approved POSC-DC-PM) names one.
                modification_id=event.modification_id if isinstance(event, Organization.PrimaryUserReplaced) else None,
            )
        )
        rows.update(
            organization,
            primary_user_account_id=event.account_id,
            primary_user_since=event.on,
            updated_at=max(organization.updated_at, event.timestamp),
        )
    return event.originator_id


# The account events the audit shows: each changes the account's row (the others have no handler).
AccountEvent: TypeAlias = (
    UserAccount.AccessGranted
    | UserAccount.AccessRevoked
    | UserAccount.AccessReviewed
    | UserAccount.PersonDeparted
    | UserAccount.EngagementEnded
    | UserAccount.Deactivated
    | UserAccount.Reactivated
)


async def _account_event(rows: ViewRows, event: AccountEvent, position: int) -> UUID | None:
    day = effective_day(event)
    account = await rows.get(AccountRow, event.originator_id)
    if account is None:
        return None  # nothing of it is stored: nothing to change (its Opened comes first: same aggregate)
    grants = account.grants
    match event:
        case UserAccount.AccessGranted():
            changes = _granted(rows, account, event, day)
            changes["access_since"] = await _holding_since(rows, account)
        case UserAccount.AccessRevoked():
            function = str(event.function)
            await _end_grants(rows, account, day, "revoked", function)
            changes = {
                "grants": [g for g in grants if g != function],
                "access_since": await _holding_since(rows, account),
            }
        case UserAccount.AccessReviewed():
            changes = await _reviewed(rows, account, event)
        case UserAccount.PersonDeparted():
            changes = {"departed_on": event.on}
        case UserAccount.EngagementEnded():
            changes = {"engagement_ended_on": event.on}
        case UserAccount.Deactivated():
            # The domain ends an inactive ID's access with it.
            await _end_grants(rows, account, day, "deactivated")
            rows.add(DeactivationRow(**_of(account), deactivated_version=event.originator_version, deactivated_on=day))
            changes = {"status": "deactivated", "deactivated_on": day, "grants": [], "access_since": None}
        case UserAccount.Reactivated():
            for period in await rows.of_organization(DeactivationRow, account.organization_id):
                if period.account_id == account.account_id and period.reactivated_on is None:
                    rows.update(period, reactivated_on=max(period.deactivated_on, day))
            changes = {"status": "active", "deactivated_on": None}
        case _:
            raise TypeError(f"{type(event).__qualname__} is not an account event this view shows")
    rows.update(account, **changes, updated_at=max(account.updated_at, event.timestamp))
    return await touch(rows, account.organization_id, event)


def _of(account: AccountRow) -> dict[str, Any]:
    """The key columns every row about an account starts with."""
    return {
        "tenant_id": account.tenant_id,
        "organization_id": account.organization_id,
        "account_id": account.account_id,
    }


def _granted(rows: ViewRows, account: AccountRow, event: UserAccount.AccessGranted, day: date) -> dict[str, Any]:
    function = str(event.function)
    rows.add(
        GrantRow(
            **_of(account),
            function=function,
            granted_version=event.originator_version,
            granted_on=day,
            granted_by=event.granted_by,
        )
    )
    return {"grants": sorted([*account.grants, function])}


async def _holding_since(rows: ViewRows, account: AccountRow) -> date | None:
    periods = [
        g for g in await rows.of_organization(GrantRow, account.organization_id) if g.account_id == account.account_id
    ]
    return holding_since(periods)


async def _reviewed(rows: ViewRows, account: AccountRow, event: UserAccount.AccessReviewed) -> dict[str, Any]:
    revoked = ReviewOutcome(event.outcome) is ReviewOutcome.REVOKED
    if revoked:
        await _end_grants(rows, account, event.on, "review")
    outcome = str(event.outcome)
    rows.add(
        ReviewRow(
            **_of(account),
            version=event.originator_version,
            reviewed_on=event.on,
            outcome=outcome,
            reviewer=event.reviewer,
        )
    )
    return {
        "last_review_on": event.on,
        "last_review_outcome": outcome,
        "last_reviewer": event.reviewer,
        "grants": [] if revoked else account.grants,
        "access_since": None if revoked else account.access_since,
    }


async def _end_grants(
    rows: ViewRows, account: AccountRow, day: date, ended_by: str, function: str | None = None
) -> None:
    """End the account's open grant periods (one function's, or all) on that day: the last day it was held."""
    for grant in await rows.of_organization(GrantRow, account.organization_id):
        if (
            grant.account_id == account.account_id
            and grant.ended_on is None
            and (function is None or grant.function == function)
        ):
            rows.update(grant, ended_on=max(grant.granted_on, day), ended_by=ended_by)


async def _date_corrected(rows: ViewRows, event: TenantAggregate.EffectiveDateCorrected, position: int) -> UUID:
    """The organization's rows were folded again with the corrected day (projections/engine/corrections.py)."""
    return await touch(rows, event.organization_id, event)


async def _require_organization(rows: ViewRows, organization_id: UUID) -> None:
    """Another aggregate's events may arrive before the organization's registration (a redelivery, a NAK)."""
    if await rows.get(OrganizationRow, organization_id) is None:
        raise OutOfOrder(f"organization {organization_id} not registered in this view yet")


# Checklist steps, password resets, the applications' other events, the organizations' other events: nothing
# the audit shows, so they have no handler.
handlers = Handlers(
    {
        Organization.Registered: _registered,
        Organization.ProfileCorrected: _profile_corrected,
        Organization.PrimaryUserDesignated: _primary_user,
        Organization.PrimaryUserReplaced: _primary_user,
        **dict.fromkeys(get_args(Screened), screening),
        Organization.ServiceLocationEnrolled: location_enrolled,
        Organization.ServiceLocationClosed: enrollment_ended,
        Organization.Disenrolled: enrollment_ended,
        Organization.LocationPrimaryUserNamed: location_primary_user,
        Organization.PersonDisclosed: disclosure,
        Organization.DisclosureEnded: disclosure,
        Practitioner.Registered: clinician_registered,
        Practitioner.LinkedToOrganization: rendering,
        Practitioner.LinkEnded: rendering,
        UserAccount.BackupNamed: backup,
        UserAccount.BackupEnded: backup,
        UserAccount.LoginRecorded: login,
        UserAccount.Opened: _account_opened,
        UserAccount.AccessGranted: _account_event,
        UserAccount.AccessRevoked: _account_event,
        UserAccount.AccessReviewed: _account_event,
        UserAccount.PersonDeparted: _account_event,
        UserAccount.EngagementEnded: _account_event,
        UserAccount.Deactivated: _account_event,
        UserAccount.Reactivated: _account_event,
        Application.Opened: _application_opened,
        Application.Submitted: _application_submitted,
        **dict.fromkeys(get_args(Answered), _application_answered),
        TenantAggregate.EffectiveDateCorrected: _date_corrected,
    }
)
apply = handlers.apply
