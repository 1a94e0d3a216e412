"""Plain read types for one aggregate's current state (the API's GET responses).

PII never appears here except in the dedicated ``*Pii`` types, which the API
serves only to roles allowed to see it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.address import Address
from domain.application import Application, ApplicationKind, ApplicationStatus, Channel
from domain.disclosure import DisclosureRole, PartyKind
from domain.dossier import Document
from domain.nppes import Mismatch
from domain.organization import EftStatus, EntityKind, Organization, RiskLevel
from domain.organization_values import DisenrollmentCause
from domain.screening import Screening
from domain.taxonomy import TaxonomySelection
from domain.tin import TinKind
from domain.user_account import AccountRole, AccountStatus, PoscFunction, UserAccount


class AffiliationOut(msgspec.Struct, kw_only=True):
    plan: str
    kind: str
    partner_mco: str | None
    state: str
    dates: dict[str, date]


class ScreeningOut(msgspec.Struct, kw_only=True):
    source: str
    result: str
    list_version: str
    list_date: date
    screened_on: date


class DisclosureOut(msgspec.Struct, kw_only=True):
    """An owner or managing employee, without their SSN or date of birth (GET .../pii has them)."""

    id: UUID  # the disclosure's, which its commands are addressed by
    organization_id: UUID
    version: int  # the organization's: If-Match on the disclosure's commands names it
    role: DisclosureRole
    party: PartyKind
    name: str
    ownership_percent: Decimal | None
    disclosed_on: date
    ended_on: date | None
    exclusion_screenings: list[ScreeningOut]


class DisclosurePii(msgspec.Struct, kw_only=True):
    id: UUID
    tin: str  # a person's SSN, an owning entity's EIN
    birth_date: date | None


class ServiceLocationOut(msgspec.Struct, kw_only=True):
    code: str  # A: the registered practice address; B-Z: added
    name: str
    address: Address
    opened_on: date
    closed_on: date | None
    enrolled_on: date | None  # MassHealth enrolled it (None: not, or its enrollment ended)
    pid_sl: str | None  # while enrolled: the provider number and the location's letter
    primary_user_account_id: UUID | None  # its POSC primary user (A's is the organization's)


class OrganizationDetails(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    registered_on: date  # the business day its record starts (Massachusetts)
    legal_name: str
    tin_kind: TinKind
    npi: str
    entity_kind: EntityKind
    taxonomies: list[TaxonomySelection]
    taxonomy_version: str
    practice_address: Address
    mailing_address: Address | None
    provider_type: str
    risk_level: RiskLevel
    nppes_retrieved_on: date | None
    nppes_mismatches: list[Mismatch]
    pin_received_on: date | None
    provider_number: str | None
    disenrolled_on: date | None  # the MassHealth enrollment ended that day (None: enrolled, or never was)
    disenrollment_cause: DisenrollmentCause | None
    rendering_providers: dict[str, str]
    eft_status: EftStatus
    eft_routing_number: str | None
    affiliations: list[AffiliationOut]
    exclusion_screenings: list[ScreeningOut]
    disclosures: list[DisclosureOut]  # owners and managing employees, current and ended
    service_locations: list[ServiceLocationOut]  # A (the practice address) first
    primary_user_account_id: UUID | None


class OrganizationPii(msgspec.Struct, kw_only=True):
    id: UUID
    tin: str
    pin: str | None
    eft_account_number: str | None
    disclosures: list[DisclosurePii]  # each owner's and managing employee's SSN (EIN) and date of birth


def organization_details(o: Organization) -> OrganizationDetails:
    return OrganizationDetails(
        id=o.id,
        version=o.version,
        registered_on=o.registered_on,
        legal_name=o.legal_name,
        tin_kind=o.tin_kind,
        npi=o.npi,
        entity_kind=o.entity_kind,
        taxonomies=o.taxonomies,
        taxonomy_version=o.taxonomy_version,
        practice_address=o.practice_address,
        mailing_address=o.mailing_address,
        provider_type=o.provider_type,
        risk_level=o.risk_level,
        nppes_retrieved_on=o.nppes.retrieved_on if o.nppes else None,
        nppes_mismatches=o.nppes_mismatches,
        pin_received_on=o.pin_received_on,
        provider_number=o.provider_number,
        disenrolled_on=o.disenrolled[0] if o.disenrolled else None,
        disenrollment_cause=o.disenrolled[1] if o.disenrolled else None,
        rendering_providers=dict(o.rendering_providers),
        eft_status=o.eft_status,
        eft_routing_number=o.eft_routing_number,
        affiliations=[
            AffiliationOut(plan=a.plan, kind=a.kind, partner_mco=a.partner_mco, state=a.state, dates=dict(a.dates))
            for a in o.affiliations.values()
        ],
        exclusion_screenings=[screening_out(s) for s in o.screenings.values()],
        disclosures=[disclosure_out(o, person_id) for person_id in o.disclosures],
        service_locations=[
            ServiceLocationOut(
                code=s.code,
                name=s.name,
                address=s.address,
                opened_on=s.opened_on,
                closed_on=s.closed_on,
                enrolled_on=s.enrolled_on if s.enrolled else None,
                pid_sl=o.pid_sl(s.code),
                primary_user_account_id=s.primary_user_account_id,
            )
            for s in o.locations()
        ],
        primary_user_account_id=o.primary_user_account_id,
    )


def screening_out(s: Screening) -> ScreeningOut:
    return ScreeningOut(
        source=s.source, result=s.result, list_version=s.list_version, list_date=s.list_date, screened_on=s.screened_on
    )


def disclosure_out(o: Organization, person_id: UUID) -> DisclosureOut:
    d = o.disclosures[person_id]
    return DisclosureOut(
        id=person_id,
        organization_id=o.id,
        version=o.version,
        role=d.role,
        party=d.party,
        name=d.name,
        ownership_percent=d.ownership_percent,
        disclosed_on=d.disclosed_on,
        ended_on=d.ended_on,
        exclusion_screenings=[screening_out(s) for s in o.person_screenings.get(person_id, {}).values()],
    )


def organization_pii(o: Organization) -> OrganizationPii:
    return OrganizationPii(
        id=o.id,
        tin=o.tin,
        pin=o.pin,
        eft_account_number=o.eft_account_number,
        disclosures=[
            DisclosurePii(id=person_id, tin=tin, birth_date=born)
            for person_id, (tin, born) in o.disclosure_identities.items()
        ],
    )


class UserAccountDetails(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    opened_on: date  # the business day the POSC account was opened
    organization_id: UUID
    person_name: str
    role: AccountRole
    partner_firm: str | None
    partner_function: str | None
    status: AccountStatus
    grants: list[PoscFunction]
    checklist: dict[str, date]
    departed_on: date | None
    engagement_ended_on: date | None  # a business partner's engagement with the practice
    last_reviewed_on: date | None
    last_review_outcome: str | None
    last_reviewed_by: str | None
    backup_since: date | None  # named the back-up (alternate) primary user that day; None: not the back-up
    last_login_on: date | None  # the last POSC login recorded


class UserAccountPii(msgspec.Struct, kw_only=True):
    id: UUID
    date_of_birth: date | None


def user_account_details(a: UserAccount) -> UserAccountDetails:
    review = a.last_review
    return UserAccountDetails(
        id=a.id,
        version=a.version,
        opened_on=a.opened_on,
        organization_id=a.organization_id,
        person_name=a.person_name,
        role=a.role,
        partner_firm=a.partner_firm,
        partner_function=a.partner_function,
        status=a.status,
        grants=list(a.grants),
        checklist=dict(a.checklist),
        departed_on=a.departed_on,
        engagement_ended_on=a.engagement_ended_on,
        last_reviewed_on=review[0] if review else None,
        last_review_outcome=str(review[1]) if review else None,
        last_reviewed_by=review[2] if review else None,
        backup_since=a.backup_since,
        last_login_on=a.last_login_on,
    )


class DeficiencyOut(msgspec.Struct, kw_only=True):
    deficiency_id: str
    missing_items: list[str]
    noticed_on: date
    resolved_on: date | None


class ApplicationDetails(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    opened_on: date  # the business day the firm started it
    organization_id: UUID
    practitioner_id: UUID | None  # a clinician's own application, made through the practice (null: the practice's)
    kind: ApplicationKind
    channel: Channel
    plan: str | None
    service_location: str  # the PID/SL's letter it is for (A: the practice address, or the provider as a whole)
    risk_level: RiskLevel
    status: ApplicationStatus
    documents: list[Document]
    superseded_documents: dict[str, str]
    submitted_on: date | None
    received_on: date | None  # the payer's receipt, where its clock starts (null: a mailed form not confirmed yet)
    submissions: int
    deficiencies: list[DeficiencyOut]
    screenings: dict[str, bool]
    decided_on: date | None
    provider_number: str | None
    effective_date: date | None


def application_details(a: Application) -> ApplicationDetails:
    return ApplicationDetails(
        id=a.id,
        version=a.version,
        opened_on=a.opened_on,
        organization_id=a.organization_id,
        practitioner_id=a.practitioner_id,
        kind=a.kind,
        channel=a.channel,
        plan=a.plan,
        service_location=a.service_location,
        risk_level=a.risk_level,
        status=a.status,
        documents=list(a.documents.values()),
        superseded_documents=dict(a.superseded),
        submitted_on=a.submitted_on,
        received_on=a.received_on,
        submissions=a.submissions,
        deficiencies=[
            DeficiencyOut(deficiency_id=k, missing_items=items, noticed_on=noticed, resolved_on=resolved)
            for k, (items, noticed, resolved) in a.deficiencies.items()
        ],
        screenings={k.value: passed for k, (_, passed) in a.screenings.items()},
        decided_on=a.decided_on,
        provider_number=a.provider_number,
        effective_date=a.effective_date,
    )
