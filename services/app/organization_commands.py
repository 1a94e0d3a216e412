"""The commands on organizations, as typed values: the API's request bodies and the use cases' arguments.

The registration and the profile correction, then what MassHealth, NPPES and the bank say about the practice:
NPPES snapshots, the PIN letter, the provider number, rendering providers, EFT, plan affiliations, exclusion
screening. (Not to be confused with ``domain/organization_commands.py``, the aggregate's own command methods.)
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from domain.affiliation import AffiliationState, PlanKind
from domain.organization import AccountType, EntityKind, RiskLevel
from domain.organization_values import DisenrollmentCause
from domain.screening import ExclusionSource, ScreeningResult
from domain.tin import TinKind
from services.app.commands import (
    EXAMPLE_ID,
    AddressIn,
    Command,
    Day,
    TaxonomyIn,
    doc,
    effective_day,
    record_id,
    today,
)

LegalName = Annotated[
    str, doc("The practice's legal name, exactly as on its IRS letter and its NPPES record.", "Berkshire Family Health")
]
Tin = Annotated[
    str,
    doc(
        "Taxpayer Identification Number: an EIN (NN-NNNNNNN) for a group or facility, an SSN (NNN-NN-NNNN) for a "
        "solo practitioner. Stored sealed; read back only through GET .../pii.",
        "04-3219876",
    ),
]
Taxonomies = Annotated[
    list[TaxonomyIn],
    doc("The NUCC taxonomy codes the practice bills under, one marked primary; they must match NPPES exactly."),
]
TaxonomyVersion = Annotated[str, doc("The NUCC code set version the codes are checked against.", "25.1")]
ProviderType = Annotated[
    str,
    doc(
        "The MassHealth provider type, in MassHealth's words. Some are moderate risk or higher (42 CFR 424.518): DME "
        "supplier, home health agency, hospice, non-emergency medical transportation, ambulance service, (community) "
        "mental health center, behavioral health facility, substance use disorder clinic, opioid treatment program, "
        "independent diagnostic testing facility, comprehensive outpatient rehabilitation facility, portable x-ray "
        "supplier, physical therapist in private practice.",
        "physician group",
    ),
]
Risk = Annotated[
    RiskLevel,
    doc(
        "MassHealth's screening risk category: moderate and high need fingerprint CORI checks and a site visit; never "
        "below the provider type's (risk-below-provider-type-minimum).",
        "limited",
    ),
]
Plan = Annotated[str, doc("The plan's name as MassHealth lists it.", "WellSense Health Plan")]


class RegisterOrganization(Command, frozen=True, kw_only=True):
    """A client practice the firm enrolls with MassHealth: its identity as POSC and NPPES know it."""

    legal_name: LegalName
    tin: Tin
    tin_kind: Annotated[TinKind, doc("What the TIN is: ein (an employer number) or ssn (a person's).", "ein")]
    npi: Annotated[
        str,
        doc(
            "National Provider Identifier: 10 digits with a Luhn check digit; Type 2 for a group or facility, "
            "Type 1 for a solo practitioner.",
            "1234567893",
        ),
    ]
    entity_kind: Annotated[
        EntityKind,
        doc("solo_practitioner (Type 1 NPI), group, facility or out_of_state_telehealth (Type 2).", "group"),
    ]
    taxonomies: Taxonomies
    taxonomy_version: TaxonomyVersion
    practice_address: Annotated[AddressIn, doc("Where care is given (the NPPES location address).")]
    mailing_address: Annotated[AddressIn | None, doc("Where MassHealth sends letters, if not the practice.")] = None
    provider_type: ProviderType
    risk_level: Risk
    registered_on: Annotated[
        date,
        effective_day(
            "The day the firm took the practice on (YYYY-MM-DD); onboarding gives the real one.", "2026-01-05"
        ),
    ] = today()


class CorrectProfile(Command, frozen=True, kw_only=True):
    """A correction of the practice's profile: only the fields given change."""

    example: ClassVar[dict[str, Any]] = {
        "mailing_address": {"line1": "PO Box 1150", "city": "Pittsfield", "state": "MA", "postal_code": "01202"},
        "on": "2026-04-15",
    }

    legal_name: LegalName | msgspec.UnsetType = msgspec.UNSET
    tin: Tin | msgspec.UnsetType = msgspec.UNSET
    practice_address: Annotated[AddressIn, doc("The corrected practice (location) address.")] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    mailing_address: Annotated[AddressIn, doc("The corrected mailing address.")] | msgspec.UnsetType = msgspec.UNSET
    taxonomies: Taxonomies | msgspec.UnsetType = msgspec.UNSET
    taxonomy_version: TaxonomyVersion | msgspec.UnsetType = msgspec.UNSET
    provider_type: ProviderType | msgspec.UnsetType = msgspec.UNSET
    risk_level: Risk | msgspec.UnsetType = msgspec.UNSET
    on: Annotated[date, effective_day("The day the corrected facts took effect (YYYY-MM-DD).", "2026-04-15")] = today()

    def changes(self) -> dict[str, Any]:
        """The fields given, as ``Organization.correct_profile`` takes them: addresses and taxonomies parsed,
        unset ones (and the reason and the day) left out. Addresses are parsed in field order, so a 422 names the
        first bad one."""
        values = {name: getattr(self, name) for name in self.__struct_fields__ if name not in ("reason", "on")}
        changes = {name: value for name, value in values.items() if value is not msgspec.UNSET}
        for name in ("practice_address", "mailing_address"):
            if isinstance(changes.get(name), AddressIn):
                changes[name] = changes[name].parse(name)
        if isinstance(changes.get("taxonomies"), list):
            changes["taxonomies"] = [t.parse() for t in changes["taxonomies"]]
        return changes


class RecordNppesSnapshot(Command, frozen=True, kw_only=True):
    """What the NPPES registry said about the practice on a day; every difference from the profile is an open
    mismatch that blocks submission (POSC rejects any discrepancy)."""

    record: Annotated[
        dict[str, Any],
        doc(
            'One element of the NPPES API\'s (version 2.1) "results": number, enumeration_type, basic, addresses, '
            "taxonomies, as the registry returned it.",
            {"number": "1234567893", "enumeration_type": "NPI-2", "basic": {"organization_name": "BERKSHIRE"}},
        ),
    ]
    retrieved_on: Annotated[
        date, effective_day("The day the record was read from NPPES (YYYY-MM-DD).", "2026-04-01")
    ] = today()
    tin: Annotated[
        str | None, doc("The TIN on the NPPES record, when the specialist can see it (NN-NNNNNNN).", "04-3219876")
    ] = None


class ReceivePinLetter(Command, frozen=True, kw_only=True):
    """MassHealth's PIN letter arrived: the PIN lets the primary user register the practice in POSC."""

    pin: Annotated[str, doc("The personal identification number printed on the letter; stored sealed.", "12345")]
    received_on: Annotated[date, effective_day("The day the letter arrived (YYYY-MM-DD).", "2026-04-20")] = today()


class IssueProviderNumber(Command, frozen=True, kw_only=True):
    """MassHealth issued the practice's provider number (the enrollment was approved)."""

    provider_number: Annotated[str, doc("The MassHealth provider number (seven digits).", "1234567")]
    issued_on: Annotated[date, effective_day("The day MassHealth issued it (YYYY-MM-DD).", "2026-05-12")] = today()


class ChangeProviderNumber(Command, frozen=True, kw_only=True):
    """MassHealth reissued the practice's provider number (a change of ownership, a new TIN); the reason (required)
    says why."""

    provider_number: Annotated[str, doc("The new MassHealth provider number (seven digits).", "7654321")]
    on: Annotated[date, effective_day("The day the new number took effect (YYYY-MM-DD).", "2026-09-01")] = today()


class ReceiveRevalidationLetter(Command, frozen=True, kw_only=True):
    """MassHealth's revalidation letter reached the enrolled practice: the answer is due within 45 days."""

    received_on: Annotated[date, effective_day("The day the letter arrived (YYYY-MM-DD).", "2026-09-14")] = today()
    respond_by: Annotated[
        date | None,
        doc("The answer's due date, when the letter names one; otherwise 45 days after received_on.", "2026-10-29"),
    ] = None


class Disenroll(Command, frozen=True, kw_only=True):
    """The practice's MassHealth enrollment ended; the reason (required) gives the request or MassHealth's notice."""

    cause: Annotated[
        DisenrollmentCause,
        doc("voluntary (the provider asked) or terminated (MassHealth ended it: a sanction, a lapsed revalidation).",
            "voluntary"),
    ]  # fmt: skip
    on: Annotated[date, effective_day("The day the enrollment ended (YYYY-MM-DD).", "2026-10-31")] = today()


class AddServiceLocation(Command, frozen=True, kw_only=True):
    """Another physical practice location (MassHealth's service location, the SL of PID/SL); location A is the
    practice address the organization registered with."""

    code: Annotated[str, doc("The location's letter, B to Z, never reused.", "B")]
    name: Annotated[str, doc("What the practice calls the location.", "Worcester office")]
    address: Annotated[AddressIn, doc("The location's address.")]
    on: Annotated[date, effective_day("The day the location opened (YYYY-MM-DD).", "2026-04-01")] = today()


class NameLocationPrimaryUser(Command, frozen=True, kw_only=True):
    """The POSC primary user of an enrolled service location other than A (MassHealth's Primary User Policy: one per
    PID/SL): one of the practice's staff accounts, perhaps the one administering another location. A successor
    needs an approved POSC-DC-PM for that location. Location A's primary user is the organization's."""

    example: ClassVar[dict[str, Any]] = {"account_id": EXAMPLE_ID, "on": "2026-06-01"}

    account_id: Annotated[
        UUID, record_id("The staff account (primary or subordinate role) that administers the location.")
    ]
    modification_id: Annotated[
        UUID | None,
        record_id(
            "For a successor: the approved primary_user_modification application (POSC-DC-PM) for this location."
        ),
    ] = None
    on: Annotated[
        date, effective_day("The day they became the location's primary user in POSC (YYYY-MM-DD).", "2026-06-01")
    ] = today()


class LinkRenderingProvider(Command, frozen=True, kw_only=True):
    """A rendering clinician (Type 1 NPI) linked to the group's Type 2 NPI in the POSC dashboard."""

    npi: Annotated[str, doc("The clinician's Type 1 NPI (10 digits, Luhn check digit).", "1245319599")]
    name: Annotated[str, doc("The clinician's name as on NPPES.", "Dana Reyes, MD")]
    on: Annotated[date, effective_day("The day the link took effect in POSC (YYYY-MM-DD).", "2026-04-28")] = today()


class UnlinkRenderingProvider(Command, frozen=True, kw_only=True):
    """The clinician named in the path no longer renders care for the group."""

    on: Annotated[date, effective_day("The day the link ended (YYYY-MM-DD).", "2026-04-28")] = today()


class RecordEftDetails(Command, frozen=True, kw_only=True):
    """The bank account MassHealth pays by electronic funds transfer; it awaits validation in POSC."""

    routing_number: Annotated[str, doc("The bank's ABA routing number (nine digits, check digit).", "011000138")]
    account_number: Annotated[str, doc("The bank account number; stored sealed.", "000123456789")]
    account_type: Annotated[AccountType, doc("checking or savings.", "checking")]
    on: Annotated[date, effective_day("The day the details were entered in POSC (YYYY-MM-DD).", "2026-04-28")] = today()


class RecordEftValidation(Command, frozen=True, kw_only=True):
    """The outcome of POSC's validation of the EFT bank details."""

    validated: Annotated[bool, doc("true: the bank details were validated; false: validation failed.", True)]
    on: Day = today()


class RequestAffiliation(Command, frozen=True, kw_only=True):
    """A request to join an ACO, an MCO or the PCC Plan, which then credentials the practice."""

    example: ClassVar[dict[str, Any]] = {"kind": "mco", "plan": "WellSense Health Plan", "on": "2026-04-21"}

    kind: Annotated[
        PlanKind,
        doc("aco_a (Accountable Care Partnership Plan, with an MCO), aco_b (Primary Care ACO), mco or pcc.", "mco"),
    ]
    plan: Plan
    partner_mco: Annotated[str | None, doc("For an aco_a plan: the MCO it partners with.", "Tufts Health Together")] = (
        None
    )
    on: Day = today()


class MoveAffiliation(Command, frozen=True, kw_only=True):
    """An affiliation's next step: in_credentialing, contracted, active, denied, terminated or withdrawn (the practice
    withdrew before the plan answered). Contracted and active need MassHealth enrollment (a provider number); active
    is refused while an exclusion-list match is confirmed that day (provider-excluded). A plan's credentialing
    application moves its affiliation along by itself (submitted, denied, withdrawn, approved with an effective
    date)."""

    plan: Plan
    to: Annotated[AffiliationState, doc("The affiliation's new state.", "in_credentialing")]
    on: Day = today()


class RecordExclusionScreening(Command, frozen=True, kw_only=True):
    """A check of the practice against an exclusion list (OIG LEIE, SAM or MassHealth's own)."""

    source: Annotated[
        ExclusionSource, doc("oig_leie, sam, or state (MassHealth's suspended or excluded list).", "oig_leie")
    ]
    result: Annotated[
        ScreeningResult, doc("no_match, suspected_match (needs review), confirmed_match or cleared.", "no_match")
    ]
    list_version: Annotated[str, doc("The list's edition as its publisher names it.", "2026-04")]
    list_date: Annotated[date, doc("The day that edition was published (YYYY-MM-DD).", "2026-04-01")]
    screened_on: Annotated[
        date, effective_day("The day the practice was checked against it (YYYY-MM-DD).", "2026-04-10")
    ] = today()


class ClearExclusionScreening(Command, frozen=True, kw_only=True):
    """A match on the list in the path that no longer stands: a suspected one found not to be this practice, or a
    confirmed one wrong or lifted. The reason (required) says which and why."""

    on: Day = today()
