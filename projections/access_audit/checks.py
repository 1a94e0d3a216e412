"""The access audit's handlers of what it checks beyond accounts and grants: the exclusion screenings of the
organization, of the owners and managing employees it disclosed and of its clinicians, the back-up primary user,
the logins. The table that dispatches to them is in handlers.py."""

from __future__ import annotations

from typing import TypeAlias
from uuid import UUID

from domain.base import TenantAggregate
from domain.business_time import effective_day
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.screening import ScreeningResult
from domain.user_account import UserAccount
from projections.access_audit.rows import (
    AccountRow,
    BackupRow,
    ClinicianRow,
    DisclosureRow,
    LoginRow,
    OrganizationRow,
    RenderingRow,
    ScreenedRow,
    ScreeningRow,
)
from projections.engine.rows import ViewRows

Screened: TypeAlias = (
    Organization.ScreeningRecorded
    | Organization.ScreeningCleared
    | Organization.PersonScreeningRecorded
    | Organization.PersonScreeningCleared
    | Practitioner.ScreeningRecorded
    | Practitioner.ScreeningCleared
)
_MATCHES = frozenset({ScreeningResult.SUSPECTED_MATCH, ScreeningResult.CONFIRMED_MATCH})


async def screening(rows: ViewRows, event: Screened, position: int) -> UUID | None:
    """A list's new screening of a subject (the organization, a person it disclosed, a clinician on its roster), or
    the clearing of its match, ends the match that stood for that subject; a new match starts one. Every screening
    is kept with its day, whatever it found, for the screened-within-the-interval check; so is a clearing, the
    reviewer's own check of the subject against the list's entry (the monthly run counts its interval from it)."""
    day = effective_day(event)
    clinician = None
    if isinstance(event, (Practitioner.ScreeningRecorded, Practitioner.ScreeningCleared)):
        clinician = await rows.get(ClinicianRow, event.originator_id)
        if clinician is None:
            return None  # its Registered comes first (the same aggregate): nothing of it is stored
        organization_id, subject_id = clinician.organization_id, clinician.practitioner_id
    else:
        person = (Organization.PersonScreeningRecorded, Organization.PersonScreeningCleared)
        organization_id = event.originator_id
        subject_id = event.person_id if isinstance(event, person) else event.originator_id
    for standing in await rows.of_organization(ScreeningRow, organization_id):
        if standing.subject_id == subject_id and standing.source == event.source and standing.ended_on is None:
            rows.update(standing, ended_on=max(standing.screened_on, day))
    organization = await rows.get(OrganizationRow, organization_id)  # registered before its clinicians or screenings
    if organization is None:
        return organization_id
    tenant_id, source, version = organization.tenant_id, str(event.source), event.originator_version
    rows.add(ScreenedRow(tenant_id=tenant_id, organization_id=organization_id, subject_id=subject_id, source=source,
                         screened_version=version, screened_on=day))  # fmt: skip
    found = (Organization.ScreeningRecorded, Organization.PersonScreeningRecorded, Practitioner.ScreeningRecorded)
    if isinstance(event, found) and event.result in _MATCHES:
        rows.add(
            ScreeningRow(
                tenant_id=tenant_id,
                organization_id=organization_id,
                subject_id=subject_id,
                source=source,
                screened_version=version,
                result=str(event.result),
                list_version=event.list_version,
                list_date=event.list_date,
                screened_on=event.screened_on,
            )
        )
    if clinician is not None:
        await touch_where_it_renders(rows, organization_id, subject_id, event)
    return await touch(rows, organization_id, event)


async def disclosure(
    rows: ViewRows, event: Organization.PersonDisclosed | Organization.DisclosureEnded, position: int
) -> UUID:
    organization = await rows.get(OrganizationRow, event.originator_id)
    if isinstance(event, Organization.PersonDisclosed):
        if organization is not None:
            rows.add(
                DisclosureRow(
                    tenant_id=organization.tenant_id,
                    organization_id=event.originator_id,
                    person_id=event.person_id,
                    role=str(event.role),
                    name=event.name,
                    disclosed_on=event.on,
                )
            )
    else:
        for disclosure in await rows.of_organization(DisclosureRow, event.originator_id):
            if disclosure.person_id == event.person_id:
                rows.update(disclosure, ended_on=event.on)
    return await touch(rows, event.originator_id, event)


async def backup(
    rows: ViewRows, event: UserAccount.BackupNamed | UserAccount.BackupEnded, position: int
) -> UUID | None:
    """A period the account was the organization's back-up (alternate) primary user."""
    account = await rows.get(AccountRow, event.originator_id)
    if account is None:
        return None  # its Opened comes first (the same aggregate): nothing of it is stored
    if isinstance(event, UserAccount.BackupNamed):
        rows.add(
            BackupRow(
                tenant_id=account.tenant_id,
                organization_id=account.organization_id,
                account_id=account.account_id,
                named_version=event.originator_version,
                named_on=event.on,
            )
        )
    else:
        for period in await rows.of_organization(BackupRow, account.organization_id):
            if period.account_id == account.account_id and period.ended_on is None:
                rows.update(period, ended_on=max(period.named_on, event.on))
    return await touch(rows, account.organization_id, event)


async def login(rows: ViewRows, event: UserAccount.LoginRecorded, position: int) -> UUID | None:
    account = await rows.get(AccountRow, event.originator_id)
    if account is None:
        return None
    rows.add(
        LoginRow(
            tenant_id=account.tenant_id,
            organization_id=account.organization_id,
            account_id=account.account_id,
            version=event.originator_version,
            logged_in_on=event.on,
        )
    )
    return await touch(rows, account.organization_id, event)


async def touch_where_it_renders(
    rows: ViewRows, roster_id: UUID, practitioner_id: UUID, event: TenantAggregate.Event
) -> None:
    """The practices where a clinician renders show its findings: each one's ``updated_at`` moves with its facts.
    (The change feed names one organization per event: its roster's.)"""
    for period in await rows.of_organization(RenderingRow, roster_id):
        if period.practitioner_id == practitioner_id and period.ended_on is None:
            await touch(rows, period.linked_organization_id, event)


async def touch(rows: ViewRows, organization_id: UUID, event: TenantAggregate.Event) -> UUID:
    organization = await rows.get(OrganizationRow, organization_id)
    if organization is not None:
        rows.update(organization, updated_at=max(organization.updated_at, event.timestamp))
    return organization_id
