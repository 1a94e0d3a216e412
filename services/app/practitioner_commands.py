"""The commands on practitioners (clinicians), as typed values: the API's request bodies and the use cases'
arguments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.credentials import DEA_SCHEDULES, BoardCertification, DeaRegistration, License, LicenseStatus
from domain.credentials import MalpracticeCoverage as Coverage
from services.app.commands import Command, Day, doc, effective_day, record_id, today

Dollars = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000, description="US dollars", examples=[1_000_000])]


class RegisterPractitioner(Command, frozen=True, kw_only=True):
    """A clinician (Type 1 NPI) the firm credentials for one of its client practices."""

    organization_id: Annotated[
        UUID,
        record_id("The client practice the firm credentials the clinician for; its client viewers see the record."),
    ]
    npi: Annotated[str, doc("The clinician's own (Type 1) NPI: ten digits with a valid check digit.", "1234567893")]
    first_name: Annotated[str, doc("As on the NPPES record.", "Ana")]
    middle_name: Annotated[str | None, doc("As on the NPPES record, if any.", "Maria")] = None
    last_name: Annotated[str, doc("As on the NPPES record.", "Reyes")]
    degree: Annotated[str, doc("The professional degree or credential shown after the name.", "MD")]
    taxonomy_code: Annotated[
        str | None, doc("The clinician's primary NUCC taxonomy code, compared with NPPES's.", "207Q00000X")
    ] = None
    date_of_birth: Annotated[date | None, doc("Stored sealed (personal data).", "1979-03-14")] = None
    registered_on: Annotated[
        date, effective_day("The day the firm took the clinician on (YYYY-MM-DD).", "2026-04-20")
    ] = today()


class RecordPractitionerNppes(Command, frozen=True, kw_only=True):
    """What the NPPES registry said about the clinician on a day; every difference is an open mismatch."""

    record: Annotated[
        dict[str, Any],
        doc(
            "One element of the NPPES API's (version 2.1) \"results\" for the clinician's NPI, as returned.",
            {"number": "1234567893", "enumeration_type": "NPI-1", "basic": {"first_name": "ANA", "last_name": "REYES"}},
        ),
    ]
    retrieved_on: Annotated[
        date, effective_day("The day the record was read from NPPES (YYYY-MM-DD).", "2026-04-20")
    ] = today()


class RecordLicense(Command, frozen=True, kw_only=True):
    """A state license as verified with the board (primary source); recording the same state and type again
    renews or corrects it."""

    state: Annotated[str, doc("The licensing state (two-letter USPS code).", "MA")]
    license_type: Annotated[str, doc("The board's credential: MD, DO, NP, PA, LICSW...", "MD")]
    number: Annotated[str, doc("The license number.", "265123")]
    issued_on: Annotated[date, doc("Issued (or last renewed) on.", "2024-06-30")]
    expires_on: Annotated[date, doc("Expires on: the expirables view counts down to it.", "2026-06-30")]
    status: Annotated[LicenseStatus, doc("As the board shows it.", "active")] = LicenseStatus.ACTIVE
    on: Day = today()

    def value(self) -> License:
        return License(self.state, self.license_type, self.number, self.issued_on, self.expires_on, self.status)


class RecordDeaRegistration(Command, frozen=True, kw_only=True):
    """A DEA controlled-substance registration, per state (MassHealth wants one with a Massachusetts address)."""

    number: Annotated[str, doc("Two letters and seven digits, the last a check digit.", "AR1234563")]
    state: Annotated[str, doc("The registration's state (two-letter USPS code).", "MA")]
    schedules: Annotated[
        list[str], doc(f"The schedules it covers, some of {', '.join(DEA_SCHEDULES)}.", ["2", "2N", "3", "4", "5"])
    ]
    expires_on: Annotated[date, doc("Expires on (DEA registrations run three years).", "2027-03-31")]
    on: Day = today()

    def value(self) -> DeaRegistration:
        return DeaRegistration(self.number, self.state, tuple(self.schedules), self.expires_on)


class RecordBoardCertification(Command, frozen=True, kw_only=True):
    board: Annotated[str, doc("The certifying board.", "ABIM")]
    specialty: Annotated[str, doc("The specialty certified.", "Internal Medicine")]
    certified_on: Annotated[date, doc("Certified (or last recertified) on.", "2019-08-15")]
    expires_on: Annotated[date | None, doc("Expires on; omitted for a lifetime certificate.", "2029-12-31")] = None
    on: Day = today()

    def value(self) -> BoardCertification:
        return BoardCertification(self.board, self.specialty, self.certified_on, self.expires_on)


class RecordMalpracticeCoverage(Command, frozen=True, kw_only=True):
    """The clinician's professional liability policy (its certificate of insurance); a new one replaces it."""

    carrier: Annotated[str, doc("The insurer.", "CRICO")]
    policy_number: Annotated[str, doc("The policy number.", "PL-44871")]
    per_claim_limit: Annotated[Dollars, doc("Limit per claim, in dollars.", 1_000_000)]
    aggregate_limit: Annotated[Dollars, doc("Aggregate limit, in dollars.", 3_000_000)]
    effective_on: Annotated[date, doc("The policy period's first day.", "2026-01-01")]
    expires_on: Annotated[date, doc("The policy period's end.", "2027-01-01")]
    on: Day = today()

    def value(self) -> Coverage:
        return Coverage(
            self.carrier,
            self.policy_number,
            self.per_claim_limit,
            self.aggregate_limit,
            self.effective_on,
            self.expires_on,
        )


class EndCredential(Command, frozen=True, kw_only=True):
    """A credential no longer held: from ``on`` nothing expects it renewed. A reason is required."""

    credential: Annotated[
        str,
        doc(
            "Its key, as the practitioner's record lists it: license:<state>:<type>, dea:<state>, "
            "board:<board>:<specialty>, malpractice, or caqh (no more re-attestations expected).",
            "license:MA:MD",
        ),
    ]
    on: Day = today()


class AttestCaqh(Command, frozen=True, kw_only=True):
    """The clinician attested their CAQH ProView profile; CAQH asks again every 120 days."""

    caqh_id: Annotated[str, doc("The CAQH ProView provider ID.", "16789012")]
    attested_on: Annotated[date, effective_day("The day of the attestation (YYYY-MM-DD).", "2026-04-02")] = today()


class LinkRendering(Command, frozen=True, kw_only=True):
    """The clinician renders at a service location of a group or facility from ``on``; the group's list of
    rendering NPIs follows."""

    organization_id: Annotated[UUID, record_id("The group or facility (Type 2 NPI) of one of the firm's clients.")]
    service_location: Annotated[str, doc("Its service location's letter (A: the practice address).", "A")] = "A"
    on: Day = today()


class EndRendering(Command, frozen=True, kw_only=True):
    """The clinician no longer renders at that service location from ``on``."""

    organization_id: Annotated[UUID, record_id("The group or facility.")]
    service_location: Annotated[str, doc("Its service location's letter.", "A")] = "A"
    on: Day = today()
