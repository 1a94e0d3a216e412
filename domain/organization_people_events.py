"""Organization's events about its places and people: its service locations (PID/SL) and their enrollment and
primary users, its owners and managing employees, and its POSC primary user. Declared as in organization_events.py
(read its docstring), and apart from it only for size."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from domain.address import Address
from domain.base import TenantAggregate
from domain.business_time import dated_upcast
from domain.disclosure import DisclosureRole, PartyKind
from domain.pii import PII
from domain.screening import ExclusionSource, ScreeningResult

# --- service locations (domain/service_locations.py) --------------------------------------------------------


class ServiceLocationAdded(TenantAggregate.Event):
    effective_field = "on"
    touches = ("location:{code}",)
    code: str
    name: str
    address: Address
    on: date
    actor: str
    reason: str | None


class ServiceLocationClosed(TenantAggregate.Event):
    effective_field = "on"
    touches = ("location:{code}",)
    code: str
    on: date
    actor: str
    reason: str | None


class ServiceLocationEnrolled(TenantAggregate.Event):
    """MassHealth enrolled the location under the organization's provider number (its PID/SL: the number and the
    location's letter), on an approved enrollment application for it. Location A enrolls with the number itself."""

    effective_field = "on"
    touches = ("location:{code}",)
    reads = ("provider_number",)  # under the number issued, and not before it
    code: str
    application_id: UUID
    on: date
    actor: str
    reason: str | None


class LocationPrimaryUserNamed(TenantAggregate.Event):
    """The primary user of a service location other than A (MassHealth's Primary User Policy: one per PID/SL): a
    staff account of the practice, possibly the one administering other locations. A successor needs an approved
    POSC-DC-PM for that location (``modification_id``)."""

    effective_field = "on"
    touches = ("location:{code}:primary_user",)
    reads = ("location:{code}", "provider_number")  # an enrolled location: not before its enrollment's end
    code: str
    account_id: UUID
    modification_id: UUID | None
    on: date
    actor: str
    reason: str | None


# --- ownership and control disclosures (domain/disclosure.py) ------------------------------------


class PersonDisclosed(TenantAggregate.Event):
    effective_field = "on"
    touches = ("disclosure:{person_id}",)
    person_id: UUID
    role: DisclosureRole
    party: PartyKind
    name: str
    tin: Annotated[str, PII]  # an individual's SSN, an owning entity's EIN
    birth_date: Annotated[date | None, PII]
    ownership_percent: Decimal | None
    on: date
    actor: str
    reason: str | None


class DisclosureEnded(TenantAggregate.Event):
    effective_field = "on"
    touches = ("disclosure:{person_id}",)
    person_id: UUID
    on: date
    actor: str
    reason: str | None


class PersonScreeningRecorded(TenantAggregate.Event):
    effective_field = "screened_on"
    touches = ("screening:{person_id}:{source}",)
    person_id: UUID
    source: ExclusionSource
    result: ScreeningResult
    list_version: str
    list_date: date
    screened_on: date
    actor: str
    reason: str | None


class PersonScreeningCleared(TenantAggregate.Event):
    effective_field = "on"
    touches = ("screening:{person_id}:{source}",)
    person_id: UUID
    source: ExclusionSource
    on: date
    actor: str
    reason: str | None


# --- the POSC primary user --------------------------------------------------------------------


class PrimaryUserDesignated(TenantAggregate.Event):
    class_version = 2
    effective_field = "on"
    touches = ("primary_user",)
    upcast_v1_v2 = dated_upcast("on")
    account_id: UUID
    on: date
    actor: str
    reason: str | None


class PrimaryUserReplaced(TenantAggregate.Event):
    class_version = 2
    effective_field = "on"
    touches = ("primary_user",)
    upcast_v1_v2 = dated_upcast("on")
    account_id: UUID
    previous_account_id: UUID
    modification_id: UUID  # the id of the approved POSC-DC-PM, an Application
    on: date
    actor: str
    reason: str | None
