"""A clinician's dated credentials: state licenses, DEA registrations, board certifications, malpractice coverage.

Enrollment and plan credentialing depend on each (the enrollment guide's dossier: "State License", "DEA
certificate with a Massachusetts address", liability coverage of at least $1M/$3M), and each expires. A credential
is keyed by what makes it one (a license per state and type, a DEA registration per state, a certification per
board and specialty): recording it again renews or corrects it, ending it says it is no longer held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.address import US_STATES
from domain.base import check_text
from domain.errors import InvalidValue

MALPRACTICE = "malpractice"  # one policy in force at a time
CAQH = "caqh"  # the CAQH ProView attestation


class LicenseStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    PROBATION = "probation"  # active, with conditions a plan's committee reviews
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


# A license in these states lets the clinician practise; the others do not.
PRACTISING = frozenset({LicenseStatus.ACTIVE, LicenseStatus.PROBATION})

DEA_SCHEDULES = ("2", "2N", "3", "3N", "4", "5")  # the controlled-substance schedules a registration lists

# DEA registration number: two letters (the registrant type, then the initial of the registrant's last name, or 9
# for a business) and seven digits, the last a check digit.
_DEA = re.compile(r"[A-Z][A-Z9][0-9]{7}")


def _state(value: str, field: str) -> str:
    if value not in US_STATES:
        raise InvalidValue(f"{value!r} is not a two-letter USPS state code.", field=field, rule="invalid-state")
    return value


def _key_part(value: str, field: str, max_length: int) -> str:
    """Text that becomes part of a credential's key (``board:<board>:<specialty>``): no colon, which separates them."""
    value = check_text(value, field=field, max_length=max_length)
    if ":" in value:
        raise InvalidValue(f"{field} may not contain ':'.", field=field)
    return value


def _expiry_after(start: date, expires_on: date | None, field: str) -> None:
    if expires_on is not None and expires_on <= start:
        raise InvalidValue("It cannot expire before it starts.", field=field, rule="expiry-before-start")


def parse_dea_number(value: str, *, field: str = "number") -> str:
    """The DEA number if it has the registration format and its check digit is right: the first, third and fifth
    digits summed, plus twice the sum of the second, fourth and sixth, end in the seventh."""
    if not isinstance(value, str) or not _DEA.fullmatch(value):
        raise InvalidValue("A DEA number is two letters and seven digits.", field=field, rule="invalid-dea-number")
    digits = [int(c) for c in value[2:]]
    total = digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])
    if total % 10 != digits[6]:
        raise InvalidValue("The DEA number's check digit is wrong.", field=field, rule="invalid-dea-number")
    return value


@dataclass(frozen=True)
class License:
    state: str
    license_type: str  # the board's credential: MD, DO, NP, PA, LICSW...
    number: str
    issued_on: date
    expires_on: date
    status: LicenseStatus

    @property
    def key(self) -> str:
        return f"license:{self.state}:{self.license_type}"

    def checked(self) -> License:
        _state(self.state, "state")
        _expiry_after(self.issued_on, self.expires_on, "expires_on")
        return License(
            state=self.state,
            license_type=_key_part(self.license_type, "license_type", 20),
            number=check_text(self.number, field="number", max_length=40),
            issued_on=self.issued_on,
            expires_on=self.expires_on,
            status=LicenseStatus(self.status),
        )


@dataclass(frozen=True)
class DeaRegistration:
    number: str
    state: str  # a registration is per state: MassHealth wants one with a Massachusetts address
    schedules: tuple[str, ...]
    expires_on: date

    @property
    def key(self) -> str:
        return f"dea:{self.state}"

    def checked(self) -> DeaRegistration:
        _state(self.state, "state")
        unknown = [s for s in self.schedules if s not in DEA_SCHEDULES]
        if unknown or not self.schedules:
            raise InvalidValue(
                f"Schedules are some of {', '.join(DEA_SCHEDULES)}.", field="schedules", rule="invalid-dea-schedule"
            )
        ordered = tuple(s for s in DEA_SCHEDULES if s in self.schedules)
        return DeaRegistration(parse_dea_number(self.number), self.state, ordered, self.expires_on)


@dataclass(frozen=True)
class BoardCertification:
    board: str  # ABIM, ABFM, ANCC...
    specialty: str
    certified_on: date
    expires_on: date | None  # lifetime ("grandfathered") certificates do not expire

    @property
    def key(self) -> str:
        return f"board:{self.board}:{self.specialty}"

    def checked(self) -> BoardCertification:
        _expiry_after(self.certified_on, self.expires_on, "expires_on")
        return BoardCertification(
            board=_key_part(self.board, "board", 40),
            specialty=_key_part(self.specialty, "specialty", 120),
            certified_on=self.certified_on,
            expires_on=self.expires_on,
        )


@dataclass(frozen=True)
class MalpracticeCoverage:
    carrier: str
    policy_number: str
    per_claim_limit: int  # dollars
    aggregate_limit: int
    effective_on: date
    expires_on: date

    key = MALPRACTICE

    def checked(self) -> MalpracticeCoverage:
        _expiry_after(self.effective_on, self.expires_on, "expires_on")
        if not 0 < self.per_claim_limit <= self.aggregate_limit:
            raise InvalidValue(
                "The per-claim limit is positive and at most the aggregate limit.",
                field="per_claim_limit",
                rule="malpractice-limits",
            )
        return MalpracticeCoverage(
            carrier=check_text(self.carrier, field="carrier", max_length=120),
            policy_number=check_text(self.policy_number, field="policy_number", max_length=60),
            per_claim_limit=self.per_claim_limit,
            aggregate_limit=self.aggregate_limit,
            effective_on=self.effective_on,
            expires_on=self.expires_on,
        )


_CAQH_ID = re.compile(r"[0-9]{5,10}")


def parse_caqh_id(value: str, *, field: str = "caqh_id") -> str:
    """A CAQH ProView provider ID: digits (CAQH issues 8; older ones are shorter)."""
    if not isinstance(value, str) or not _CAQH_ID.fullmatch(value):
        raise InvalidValue("A CAQH ProView ID is 5-10 digits.", field=field, rule="invalid-caqh-id")
    return value
