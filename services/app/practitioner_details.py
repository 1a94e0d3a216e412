"""Plain read types for a practitioner's state (the API's GET responses); its date of birth only in
``PractitionerPii``, which the API serves only to roles allowed to see personal data."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.credentials import BoardCertification, DeaRegistration, License, LicenseStatus, MalpracticeCoverage
from domain.nppes import Mismatch
from domain.practitioner import Practitioner, RenderingLink
from services.app.details import ScreeningOut, screening_out


class LicenseOut(msgspec.Struct, kw_only=True):
    credential: str  # its key, which EndCredential names: license:<state>:<type>
    state: str
    license_type: str
    number: str
    issued_on: date
    expires_on: date
    status: LicenseStatus


class DeaRegistrationOut(msgspec.Struct, kw_only=True):
    credential: str  # dea:<state>
    number: str
    state: str
    schedules: list[str]
    expires_on: date


class BoardCertificationOut(msgspec.Struct, kw_only=True):
    credential: str  # board:<board>:<specialty>
    board: str
    specialty: str
    certified_on: date
    expires_on: date | None  # None: a lifetime certificate


class MalpracticeOut(msgspec.Struct, kw_only=True):
    credential: str  # malpractice
    carrier: str
    policy_number: str
    per_claim_limit: int
    aggregate_limit: int
    effective_on: date
    expires_on: date


class RenderingLinkOut(msgspec.Struct, kw_only=True):
    organization_id: UUID
    service_location: str
    since: date
    until: date | None  # None: renders there still


class PractitionerDetails(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    organization_id: UUID  # the client practice the firm credentials the clinician for
    npi: str
    name: str  # "Ana M. Reyes, MD"
    first_name: str
    middle_name: str | None
    last_name: str
    degree: str
    taxonomy_code: str | None
    registered_on: date
    nppes_retrieved_on: date | None
    nppes_mismatches: list[Mismatch]  # none: NPPES matches the record
    licenses: list[LicenseOut]
    dea_registrations: list[DeaRegistrationOut]
    board_certifications: list[BoardCertificationOut]
    malpractice: MalpracticeOut | None
    ended_credentials: dict[str, date]  # key -> the day it stopped being held
    caqh_id: str | None
    caqh_attested_on: date | None
    rendering_links: list[RenderingLinkOut]  # current and ended, oldest first
    exclusion_screenings: list[ScreeningOut]  # the last of each list (42 CFR 455.436)


class PractitionerPii(msgspec.Struct, kw_only=True):
    id: UUID
    date_of_birth: date | None


def _link_out(link: RenderingLink) -> RenderingLinkOut:
    return RenderingLinkOut(
        organization_id=link.organization_id, service_location=link.service_location, since=link.since, until=link.until
    )


def practitioner_details(p: Practitioner) -> PractitionerDetails:
    held = sorted(p.credentials.items())
    return PractitionerDetails(
        id=p.id,
        version=p.version,
        organization_id=p.organization_id,
        npi=p.npi,
        name=p.name,
        first_name=p.first_name,
        middle_name=p.middle_name,
        last_name=p.last_name,
        degree=p.degree,
        taxonomy_code=p.taxonomy_code,
        registered_on=p.registered_on,
        nppes_retrieved_on=p.nppes.retrieved_on if p.nppes else None,
        nppes_mismatches=p.nppes_mismatches,
        licenses=[
            LicenseOut(
                credential=key,
                state=c.state,
                license_type=c.license_type,
                number=c.number,
                issued_on=c.issued_on,
                expires_on=c.expires_on,
                status=c.status,
            )
            for key, c in held
            if isinstance(c, License)
        ],
        dea_registrations=[
            DeaRegistrationOut(
                credential=key, number=c.number, state=c.state, schedules=list(c.schedules), expires_on=c.expires_on
            )
            for key, c in held
            if isinstance(c, DeaRegistration)
        ],
        board_certifications=[
            BoardCertificationOut(
                credential=key,
                board=c.board,
                specialty=c.specialty,
                certified_on=c.certified_on,
                expires_on=c.expires_on,
            )
            for key, c in held
            if isinstance(c, BoardCertification)
        ],
        malpractice=_malpractice_out(p.malpractice),
        ended_credentials=dict(sorted(p.ended_credentials.items())),
        caqh_id=p.caqh_id,
        caqh_attested_on=p.caqh_attested_on,
        rendering_links=[_link_out(link) for link in p.links],
        exclusion_screenings=[screening_out(s) for s in p.screenings.values()],
    )


def _malpractice_out(c: MalpracticeCoverage | None) -> MalpracticeOut | None:
    if c is None:
        return None
    return MalpracticeOut(
        credential=c.key,
        carrier=c.carrier,
        policy_number=c.policy_number,
        per_claim_limit=c.per_claim_limit,
        aggregate_limit=c.aggregate_limit,
        effective_on=c.effective_on,
        expires_on=c.expires_on,
    )
