"""Practitioner's events, field by field. Declared as Organization's are (read organization_events.py's docstring):
Practitioner's body subclasses each one, and eventsourcing records ``Practitioner.<Name>``."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from domain.base import TenantAggregate
from domain.credentials import BoardCertification, DeaRegistration, License, MalpracticeCoverage
from domain.nppes import Mismatch, NppesSnapshot
from domain.pii import PII
from domain.screening import ExclusionSource, ScreeningResult

# The annotations are evaluated at run time (by the store's transcoder), in this module: every name they use must
# be imported here for real.


class Registered(TenantAggregate.Created):
    """A clinician the firm credentials, for its client practice ``organization_id`` (whose client viewers see it)."""

    effective_field = "registered_on"
    tenant_id: str
    organization_id: UUID
    npi: str
    first_name: str
    middle_name: str | None
    last_name: str
    degree: str  # MD, DO, NP, PA, LICSW...
    taxonomy_code: str | None  # the primary NUCC taxonomy, compared with NPPES's
    date_of_birth: Annotated[date | None, PII]
    registered_on: date
    actor: str
    reason: str | None


class NppesSnapshotRecorded(TenantAggregate.Event):
    """What NPPES said on a day, and every difference from the record then (none: it matches)."""

    effective_field = "snapshot.retrieved_on"
    touches = ("nppes",)
    snapshot: NppesSnapshot
    mismatches: list[Mismatch]
    actor: str
    reason: str | None


class LicenseRecorded(TenantAggregate.Event):
    """A state license as verified on ``on`` (a renewal records it again with its new expiry)."""

    effective_field = "on"
    touches = ("license:{license.state}:{license.license_type}",)
    license: License
    on: date
    actor: str
    reason: str | None


class DeaRegistrationRecorded(TenantAggregate.Event):
    effective_field = "on"
    touches = ("dea:{registration.state}",)
    registration: DeaRegistration
    on: date
    actor: str
    reason: str | None


class BoardCertificationRecorded(TenantAggregate.Event):
    effective_field = "on"
    touches = ("board:{certification.board}:{certification.specialty}",)
    certification: BoardCertification
    on: date
    actor: str
    reason: str | None


class MalpracticeCoverageRecorded(TenantAggregate.Event):
    effective_field = "on"
    touches = ("malpractice",)
    coverage: MalpracticeCoverage
    on: date
    actor: str
    reason: str | None


class CredentialEnded(TenantAggregate.Event):
    """A license, DEA registration, certification or policy no longer held (not renewed, surrendered, moved away):
    from ``on`` nothing expects it renewed. ``credential`` is its key (``license:MA:MD``, ``dea:MA``, ...)."""

    effective_field = "on"
    touches = ("{credential}",)
    credential: str
    on: date
    actor: str
    reason: str | None


class CaqhAttested(TenantAggregate.Event):
    """The clinician attested their CAQH ProView profile (CAQH asks again every 120 days)."""

    effective_field = "attested_on"
    touches = ("caqh",)
    caqh_id: str
    attested_on: date
    actor: str
    reason: str | None


class LinkedToOrganization(TenantAggregate.Event):
    """The clinician renders services at a service location of a group or facility from ``on``."""

    effective_field = "on"
    touches = ("link:{linked_organization_id}:{service_location}",)
    linked_organization_id: UUID
    service_location: str
    on: date
    actor: str
    reason: str | None


class LinkEnded(TenantAggregate.Event):
    effective_field = "on"
    touches = ("link:{linked_organization_id}:{service_location}",)
    linked_organization_id: UUID
    service_location: str
    on: date
    actor: str
    reason: str | None


class ScreeningRecorded(TenantAggregate.Event):
    """The clinician checked against an exclusion list's edition (42 CFR 455.436): the result, and which list."""

    effective_field = "screened_on"
    touches = ("screening:{source}",)
    source: ExclusionSource
    result: ScreeningResult
    list_version: str
    list_date: date
    screened_on: date
    actor: str
    reason: str | None


class ScreeningCleared(TenantAggregate.Event):
    """A match that no longer stands: a suspected one found not to be this clinician, a confirmed one wrong or
    lifted; the reviewer's reason is required."""

    effective_field = "on"
    touches = ("screening:{source}",)
    source: ExclusionSource
    on: date
    actor: str
    reason: str | None
