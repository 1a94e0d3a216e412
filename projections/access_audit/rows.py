"""The access audit's rows: the tables' columns (schema.sql), which the handlers (handlers.py) fill from events and
the queries (queries.py) read."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from projections.engine.rows import Row


class OrganizationRow(Row, kw_only=True):
    """The organization and its current POSC primary user."""

    table: ClassVar[str] = "access_audit_organizations"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id")
    legal_name: str
    npi: str
    primary_user_account_id: UUID | None = None
    primary_user_since: date | None = None
    registered_on: date
    updated_at: datetime


class AccountRow(Row, kw_only=True):
    table: ClassVar[str] = "access_audit_accounts"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "account_id")
    sorted_arrays: ClassVar[tuple[str, ...]] = ("grants",)
    account_id: UUID
    person_name: str
    role: str
    partner_firm: str | None = None
    partner_function: str | None = None
    status: str = "active"
    deactivated_on: date | None = None
    departed_on: date | None = None
    engagement_ended_on: date | None = None
    grants: list[str] = msgspec.field(default_factory=list)
    access_since: date | None = None
    last_review_on: date | None = None
    last_review_outcome: str | None = None
    last_reviewer: str | None = None
    opened_on: date
    updated_at: datetime


class GrantRow(Row, kw_only=True):
    """A period a POSC function was held."""

    table: ClassVar[str] = "access_audit_grants"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "account_id", "function", "granted_version")
    account_id: UUID
    function: str
    granted_version: int
    granted_on: date
    granted_by: UUID | None = None
    ended_on: date | None = None
    ended_by: str | None = None


class PrimaryTermRow(Row, kw_only=True):
    table: ClassVar[str] = "access_audit_primary_terms"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "started_version")
    started_version: int
    account_id: UUID
    started_on: date
    ended_on: date | None = None
    modification_id: UUID | None = None


class ReviewRow(Row, kw_only=True):
    """Every access review: the audit as of a past day reads the last one on or before it."""

    table: ClassVar[str] = "access_audit_reviews"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "account_id", "version")
    account_id: UUID
    version: int
    reviewed_on: date
    outcome: str
    reviewer: str


class DeactivationRow(Row, kw_only=True):
    """A period an account was deactivated: the audit as of a past day reads whether one covered it."""

    table: ClassVar[str] = "access_audit_deactivations"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "account_id", "deactivated_version")
    account_id: UUID
    deactivated_version: int
    deactivated_on: date
    reactivated_on: date | None = None


class ModificationRow(Row, kw_only=True):
    """A POSC-DC-PM application."""

    table: ClassVar[str] = "access_audit_modifications"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "application_id")
    application_id: UUID
    opened_on: date
    approved_on: date | None = None
    service_location: str = "A"  # the PID/SL's letter whose primary user it replaces


class SubmissionRow(Row, kw_only=True):
    """A period a POSC-DC-PM was with MassHealth: from a submission to the payer's answer (approval, denial,
    rejection) or the withdrawal. While one covers a day, a primary user gone without a replacement is being
    handled, which the audit of that day says."""

    table: ClassVar[str] = "access_audit_modification_submissions"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "application_id", "submitted_version")
    application_id: UUID
    submitted_version: int
    submitted_on: date
    ended_on: date | None = None  # the answer's day; NULL: still with MassHealth


class ScreeningRow(Row, kw_only=True):
    """A period an exclusion list's match stood against the organization or one of the people it disclosed: from the
    screening that found it (suspected or confirmed) to the next screening of that list for them, or the clearing."""

    table: ClassVar[str] = "access_audit_screenings"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "subject_id", "source", "screened_version")
    subject_id: UUID  # the organization's own id, or the disclosure's (an owner's or managing employee's)
    source: str  # oig_leie, sam, state
    screened_version: int
    result: str  # suspected_match, confirmed_match
    list_version: str
    list_date: date
    screened_on: date
    ended_on: date | None = None  # the next screening of the list, or the clearing; NULL: still standing


class ScreenedRow(Row, kw_only=True):
    """A screening of a subject against a list, whatever it found: the last one by a day says whether the subject was
    screened within the firm's interval (42 CFR 455.436)."""

    table: ClassVar[str] = "access_audit_screened"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "subject_id", "source", "screened_version")
    subject_id: UUID  # the organization's id, a disclosure's (person_id), or a clinician's (practitioner_id)
    source: str
    screened_version: int
    screened_on: date


class ClinicianRow(Row, kw_only=True):
    """A clinician, under the practice whose roster it is on (its registration's): its screenings are rows of that
    practice's, and count against every practice where it renders (RenderingRow) on the days it does."""

    table: ClassVar[str] = "access_audit_clinicians"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "practitioner_id")
    practitioner_id: UUID
    name: str  # "Ana M. Reyes, MD"
    registered_on: date


class RenderingRow(Row, kw_only=True):
    """A period a clinician rendered at a service location of a practice (its own or another client's)."""

    table: ClassVar[str] = "access_audit_renderings"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "practitioner_id", "linked_version")
    practitioner_id: UUID
    linked_version: int
    linked_organization_id: UUID  # where it renders; organization_id is its roster's practice
    service_location: str
    linked_on: date
    ended_on: date | None = None  # the link's end; NULL: still rendering there


class DisclosureRow(Row, kw_only=True):
    """An owner or managing employee, from the day disclosed to the day the disclosure ended (no SSN, no birth
    date): their screenings count against the organization on the days it covers."""

    table: ClassVar[str] = "access_audit_disclosures"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "person_id")
    person_id: UUID
    role: str  # owner, managing_employee
    name: str
    disclosed_on: date
    ended_on: date | None = None


class BackupRow(Row, kw_only=True):
    """A period an account was named the organization's back-up (alternate) primary user."""

    table: ClassVar[str] = "access_audit_backups"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "account_id", "named_version")
    account_id: UUID
    named_version: int
    named_on: date
    ended_on: date | None = None  # NULL: still named (a departure or deactivation also ends what it counts for)


class LoginRow(Row, kw_only=True):
    """A login to POSC as recorded (from POSC's user report): the audit as of a day reads the last one by then."""

    table: ClassVar[str] = "access_audit_logins"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "account_id", "version")
    account_id: UUID
    version: int
    logged_in_on: date


class LocationEnrollmentRow(Row, kw_only=True):
    """A period a service location other than A was enrolled (its own PID/SL): to its closing or the practice's
    disenrollment. Location A's enrollment is the practice's."""

    table: ClassVar[str] = "access_audit_location_enrollments"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "code", "enrolled_version")
    code: str
    enrolled_version: int
    enrolled_on: date
    ended_on: date | None = None  # NULL: still enrolled


class LocationPrimaryRow(Row, kw_only=True):
    """A term as the primary user of a service location other than A (A's terms are PrimaryTermRow)."""

    table: ClassVar[str] = "access_audit_location_primaries"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "code", "started_version")
    code: str
    started_version: int
    account_id: UUID
    started_on: date
    ended_on: date | None = None  # the day the next one took over
    modification_id: UUID | None = None  # the approved POSC-DC-PM for the location it rests on


def holding_since(periods: list[GrantRow]) -> date | None:
    """Where the account's unbroken holding of some access, still open, began: the earliest start of an open period,
    moved back while an earlier period still covered it (ended on or after it). Derived from the periods rather than
    kept step by step, since grants and revocations of different functions may be recorded in any order of their
    days (a revocation recorded before an earlier-dated grant of another function). The same rule as the ``since``
    SQL in sql.py. None when nothing is held."""
    open_starts = [p.granted_on for p in periods if p.ended_on is None]
    if not open_starts:
        return None
    start = min(open_starts)
    for period in sorted(periods, key=lambda p: p.granted_on, reverse=True):
        if period.granted_on < start and period.ended_on is not None and period.ended_on >= start:
            start = period.granted_on
    return start
