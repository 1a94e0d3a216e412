"""An organization's value types: entity kinds, risk levels, EFT account types and statuses, a profile correction,
and the checks of a routing number, a PIN and a provider number's form."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypedDict

from domain.address import Address
from domain.errors import InvalidValue
from domain.taxonomy import TaxonomySelection


class EntityKind(StrEnum):
    SOLO_PRACTITIONER = "solo_practitioner"  # Type 1 NPI
    GROUP = "group"  # Type 2 NPI
    FACILITY = "facility"  # Type 2 NPI
    OUT_OF_STATE_TELEHEALTH = "out_of_state_telehealth"  # an entity: Type 2 NPI

    @property
    def enumeration_type(self) -> str:
        return "NPI-1" if self is EntityKind.SOLO_PRACTITIONER else "NPI-2"


class RiskLevel(StrEnum):
    """Screening risk level under 42 CFR 455.450."""

    LIMITED = "limited"
    MODERATE = "moderate"
    HIGH = "high"


class DisenrollmentCause(StrEnum):
    VOLUNTARY = "voluntary"  # the provider asked MassHealth to end its enrollment (closed, sold, moved away)
    TERMINATED = "terminated"  # MassHealth ended it: a sanction, an exclusion, a revalidation not answered


class AccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"


class EftStatus(StrEnum):
    NONE = "none"
    PENDING_VALIDATION = "pending_validation"
    VALIDATED = "validated"
    FAILED = "failed"


class ProfileCorrection(TypedDict):
    """What Organization.correct_profile changes, each field None if unchanged: the ProfileCorrected event's
    fields but actor and reason (a TypedDict, so that the type checker checks both its values and the event
    method's call with them)."""

    legal_name: str | None
    tin: str | None
    practice_address: Address | None
    mailing_address: Address | None
    taxonomies: list[TaxonomySelection] | None
    taxonomy_version: str | None
    provider_type: str | None
    risk_level: RiskLevel | None


PROVIDER_NUMBER_FORM = re.compile(r"[0-9]{7}")
PIN_FORM = re.compile(r"[A-Za-z0-9]{4,16}")
ACCOUNT_NUMBER_FORM = re.compile(r"[0-9]{4,17}")


def check_routing_number(value: str) -> str:
    """An ABA routing number: nine digits with the 3-7-1 checksum."""
    if not re.fullmatch(r"[0-9]{9}", value or ""):
        raise InvalidValue("A routing number is nine digits.", field="routing_number", rule="invalid-routing-number")
    d = [int(c) for c in value]
    if (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10:
        raise InvalidValue(
            "The routing number's checksum is wrong.", field="routing_number", rule="invalid-routing-number"
        )
    return value
