"""Organization: one client practice or facility that the firm enrolls."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Annotated, Unpack
from uuid import UUID

from eventsourcing.domain import event

from domain import organization_events
from domain import organization_people_events as people_events
from domain.address import Address
from domain.affiliation import Affiliation, AffiliationState, PlanKind
from domain.base import TenantAggregate
from domain.disclosure import Disclosure, DisclosureCommands, DisclosureRole, PartyKind
from domain.nppes import NO_SNAPSHOT, Mismatch, NppesSnapshot
from domain.organization_commands import OrganizationCommands
from domain.organization_profile import OrganizationProfile, Registration, registration
from domain.organization_values import AccountType, DisenrollmentCause, EftStatus, EntityKind, RiskLevel
from domain.pii import PII
from domain.screening import ExclusionSource, Screening, ScreeningResult
from domain.service_locations import ServiceLocation, ServiceLocationCommands
from domain.taxonomy import TaxonomySelection
from domain.tin import TinKind

# Imported from here elsewhere: the aggregate, and value types re-exported (explicitly, for mypy --strict).
__all__ = ["AccountType", "EftStatus", "EntityKind", "Organization", "RiskLevel"]


class Organization(
    OrganizationProfile, OrganizationCommands, ServiceLocationCommands, DisclosureCommands, TenantAggregate
):
    """The aggregate: its registration here; the commands of its profile and NPPES in OrganizationProfile
    (organization_profile.py), of its enrollment details (plan affiliations among them) in OrganizationCommands
    (organization_commands.py), of its owners and managing employees in DisclosureCommands (disclosure.py). Every
    event method is declared here."""

    # Its events, their fields declared in organization_events.py and organization_people_events.py (for size; read
    # why each is subclassed here, and what eventsourcing records, in organization_events.py's docstring).
    class Registered(organization_events.Registered): ...

    class ProfileCorrected(organization_events.ProfileCorrected): ...

    class NppesSnapshotRecorded(organization_events.NppesSnapshotRecorded): ...

    class NppesComparisonChanged(organization_events.NppesComparisonChanged): ...

    class PinLetterReceived(organization_events.PinLetterReceived): ...

    class ProviderNumberIssued(organization_events.ProviderNumberIssued): ...

    class ProviderNumberChanged(organization_events.ProviderNumberChanged): ...

    class Disenrolled(organization_events.Disenrolled): ...

    class RevalidationLetterReceived(organization_events.RevalidationLetterReceived): ...

    class RenderingProviderLinked(organization_events.RenderingProviderLinked): ...

    class RenderingProviderUnlinked(organization_events.RenderingProviderUnlinked): ...

    class EftDetailsRecorded(organization_events.EftDetailsRecorded): ...

    class EftValidationRecorded(organization_events.EftValidationRecorded): ...

    class AffiliationRequested(organization_events.AffiliationRequested): ...

    class AffiliationCredentialingStarted(organization_events.AffiliationCredentialingStarted): ...

    class AffiliationContracted(organization_events.AffiliationContracted): ...

    class AffiliationActivated(organization_events.AffiliationActivated): ...

    class AffiliationDenied(organization_events.AffiliationDenied): ...

    class AffiliationWithdrawn(organization_events.AffiliationWithdrawn): ...

    class AffiliationTerminated(organization_events.AffiliationTerminated): ...

    class ScreeningRecorded(organization_events.ScreeningRecorded): ...

    class ScreeningCleared(organization_events.ScreeningCleared): ...

    class ServiceLocationAdded(people_events.ServiceLocationAdded): ...

    class ServiceLocationClosed(people_events.ServiceLocationClosed): ...

    class ServiceLocationEnrolled(people_events.ServiceLocationEnrolled): ...

    class LocationPrimaryUserNamed(people_events.LocationPrimaryUserNamed): ...

    class PersonDisclosed(people_events.PersonDisclosed): ...

    class DisclosureEnded(people_events.DisclosureEnded): ...

    class PersonScreeningRecorded(people_events.PersonScreeningRecorded): ...

    class PersonScreeningCleared(people_events.PersonScreeningCleared): ...

    class PrimaryUserDesignated(people_events.PrimaryUserDesignated): ...

    class PrimaryUserReplaced(people_events.PrimaryUserReplaced): ...

    class EffectiveDateCorrected(TenantAggregate.EffectiveDateCorrected): ...  # domain/date_corrections.py

    # --- registration and profile -------------------------------------------------------------

    @classmethod
    def register(cls, **fields: Unpack[Registration]) -> Organization:
        """A client practice signed: ``fields`` as ``registration`` (organization_profile.py) names and checks them."""
        return cls(**registration(fields))

    @event(Registered)
    def __init__(
        self,
        tenant_id: str,
        legal_name: str,
        tin: Annotated[str, PII],
        tin_kind: TinKind,
        npi: str,
        entity_kind: EntityKind,
        taxonomies: list[TaxonomySelection],
        taxonomy_version: str,
        practice_address: Address,
        mailing_address: Address | None,
        provider_type: str,
        risk_level: RiskLevel,
        registered_on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.registered_on = registered_on
        self.legal_name = legal_name
        self.tin = tin
        self.tin_kind = tin_kind
        self.npi = npi
        self.entity_kind = entity_kind
        self.taxonomies = taxonomies
        self.taxonomy_version = taxonomy_version
        self.practice_address = practice_address
        self.mailing_address = mailing_address
        self.provider_type = provider_type
        self.risk_level = risk_level
        self.nppes: NppesSnapshot | None = None
        self.nppes_comparison: list[Mismatch] = [NO_SNAPSHOT]  # as last recorded
        self.nppes_tin: str | None = None
        self.pin_received_on: date | None = None
        self.pin: str | None = None
        self.provider_number: str | None = None
        self.enrolled_on: date | None = None  # the day the provider number was issued
        self.disenrolled: tuple[date, DisenrollmentCause] | None = None  # MassHealth enrollment ended: on, why
        self.rendering_providers: dict[str, str] = {}  # Type 1 NPI -> name
        self.eft_status = EftStatus.NONE
        self.eft_routing_number: str | None = None
        self.eft_account_number: str | None = None
        self.affiliations: dict[str, Affiliation] = {}
        self.screenings: dict[ExclusionSource, Screening] = {}
        self.service_locations: dict[str, ServiceLocation] = {}  # B-Z; A is the practice address
        self.disclosures: dict[UUID, Disclosure] = {}  # owners and managing employees (domain/disclosure.py)
        # Their SSN (an entity's EIN) and date of birth: personal data, never in a Disclosure.
        self.disclosure_identities: dict[UUID, tuple[str, date | None]] = {}
        self.person_screenings: dict[UUID, dict[ExclusionSource, Screening]] = {}
        self.primary_user_account_id: UUID | None = None
        self.used_modifications: list[UUID] = []

    @event(ProfileCorrected)
    def _profile_corrected(
        self,
        legal_name: str | None,
        tin: Annotated[str | None, PII],
        practice_address: Address | None,
        mailing_address: Address | None,
        taxonomies: list[TaxonomySelection] | None,
        taxonomy_version: str | None,
        provider_type: str | None,
        risk_level: RiskLevel | None,
        on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        given = {"legal_name": legal_name, "tin": tin, "practice_address": practice_address, "taxonomies": taxonomies}
        given |= {"mailing_address": mailing_address, "taxonomy_version": taxonomy_version}
        given |= {"provider_type": provider_type, "risk_level": risk_level}
        self.__dict__.update({name: value for name, value in given.items() if value is not None})

    # --- NPPES ---------------------------------------------------------------------------------

    @event(NppesSnapshotRecorded)
    def _nppes_snapshot_recorded(
        self, snapshot: NppesSnapshot, nppes_tin: Annotated[str | None, PII], actor: str, reason: str | None
    ) -> None:
        self.nppes = snapshot
        self.nppes_tin = nppes_tin

    @event(NppesComparisonChanged)
    def _nppes_comparison_changed(self, mismatches: list[Mismatch], on: date, actor: str, reason: str | None) -> None:
        self.nppes_comparison = mismatches

    # --- MassHealth PIN letter and provider number -----------------------------------------------

    @event(PinLetterReceived)
    def _pin_letter_received(self, pin: Annotated[str, PII], received_on: date, actor: str, reason: str | None) -> None:
        self.pin = pin
        self.pin_received_on = received_on

    @event(ProviderNumberIssued)
    def _provider_number_issued(self, provider_number: str, issued_on: date, actor: str, reason: str | None) -> None:
        self.provider_number = provider_number
        self.enrolled_on = issued_on
        self.disenrolled = None  # enrolled again

    @event(ProviderNumberChanged)
    def _provider_number_changed(
        self, provider_number: str, previous: str, on: date, actor: str, reason: str | None
    ) -> None:
        self.provider_number = provider_number

    @event(Disenrolled)
    def _disenrolled(self, cause: DisenrollmentCause, on: date, actor: str, reason: str | None) -> None:
        self.disenrolled = (on, cause)  # and every location's enrollment with it
        self.service_locations = {code: replace(s, enrolled_on=None) for code, s in self.service_locations.items()}

    @event(RevalidationLetterReceived)
    def _revalidation_letter(self, received_on: date, respond_by: date, actor: str, reason: str | None) -> None:
        """Nothing of the record changes: the letter is the views' (expirables, work queue) until it is answered."""

    # --- rendering providers ------------------------------------------------------------------------

    @event(RenderingProviderLinked)
    def _rendering_provider_linked(self, npi: str, name: str, on: date, actor: str, reason: str | None) -> None:
        self.rendering_providers[npi] = name

    @event(RenderingProviderUnlinked)
    def _rendering_provider_unlinked(self, npi: str, on: date, actor: str, reason: str | None) -> None:
        del self.rendering_providers[npi]

    # --- EFT -------------------------------------------------------------------------------------

    @event(EftDetailsRecorded)
    def _eft_details_recorded(
        self,
        routing_number: str,
        account_number: Annotated[str, PII],
        account_type: AccountType,
        on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        self.eft_routing_number = routing_number
        self.eft_account_number = account_number
        self.eft_status = EftStatus.PENDING_VALIDATION

    @event(EftValidationRecorded)
    def _eft_validation_recorded(self, validated: bool, on: date, actor: str, reason: str | None) -> None:
        self.eft_status = EftStatus.VALIDATED if validated else EftStatus.FAILED

    # --- plan affiliations ------------------------------------------------------------------------

    @event(AffiliationRequested)
    def _affiliation_requested(
        self, kind: PlanKind, plan: str, partner_mco: str | None, on: date, actor: str, reason: str | None
    ) -> None:
        self.affiliations[plan] = Affiliation(
            plan=plan, kind=kind, partner_mco=partner_mco, state=AffiliationState.REQUESTED, dates={"requested": on}
        )

    @event(AffiliationCredentialingStarted)
    def _affiliation_credentialing_started(self, plan: str, on: date, actor: str, reason: str | None) -> None:
        self.affiliations[plan] = self.affiliations[plan].moved(AffiliationState.IN_CREDENTIALING, on)

    @event(AffiliationContracted)
    def _affiliation_contracted(self, plan: str, on: date, actor: str, reason: str | None) -> None:
        self.affiliations[plan] = self.affiliations[plan].moved(AffiliationState.CONTRACTED, on)

    @event(AffiliationActivated)
    def _affiliation_activated(self, plan: str, on: date, actor: str, reason: str | None) -> None:
        self.affiliations[plan] = self.affiliations[plan].moved(AffiliationState.ACTIVE, on)

    @event(AffiliationDenied)
    def _affiliation_denied(self, plan: str, on: date, actor: str, reason: str | None) -> None:
        self.affiliations[plan] = self.affiliations[plan].moved(AffiliationState.DENIED, on)

    @event(AffiliationWithdrawn)
    def _affiliation_withdrawn(self, plan: str, on: date, actor: str, reason: str | None) -> None:
        self.affiliations[plan] = self.affiliations[plan].moved(AffiliationState.WITHDRAWN, on)

    @event(AffiliationTerminated)
    def _affiliation_terminated(self, plan: str, on: date, actor: str, reason: str | None) -> None:
        self.affiliations[plan] = self.affiliations[plan].moved(AffiliationState.TERMINATED, on)

    # --- exclusion screening ---------------------------------------------------------------------

    @event(ScreeningRecorded)
    def _screening_recorded(
        self,
        source: ExclusionSource,
        result: ScreeningResult,
        list_version: str,
        list_date: date,
        screened_on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        self.screenings[source] = Screening(source, result, list_version, list_date, screened_on)

    @event(ScreeningCleared)
    def _screening_cleared(self, source: ExclusionSource, on: date, actor: str, reason: str | None) -> None:
        self.screenings[source] = replace(self.screenings[source], result=ScreeningResult.CLEARED, screened_on=on)

    @event(ServiceLocationAdded)
    def _service_location_added(
        self, code: str, name: str, address: Address, on: date, actor: str, reason: str | None
    ) -> None:
        self.service_locations[code] = ServiceLocation(code, name, address, on)

    @event(ServiceLocationClosed)
    def _service_location_closed(self, code: str, on: date, actor: str, reason: str | None) -> None:
        self.service_locations[code] = replace(self.service_locations[code], closed_on=on)

    @event(ServiceLocationEnrolled)
    def _service_location_enrolled(
        self, code: str, application_id: UUID, on: date, actor: str, reason: str | None
    ) -> None:
        self.service_locations[code] = replace(self.service_locations[code], enrolled_on=on)

    @event(LocationPrimaryUserNamed)
    def _location_primary_user_named(
        self, code: str, account_id: UUID, modification_id: UUID | None, on: date, actor: str, reason: str | None
    ) -> None:
        self.service_locations[code] = replace(self.service_locations[code], primary_user_account_id=account_id)
        self.used_modifications += [modification_id] if modification_id else []

    # --- owners and managing employees ---------------------------------------------------------------

    @event(PersonDisclosed)
    def _person_disclosed(
        self,
        person_id: UUID,
        role: DisclosureRole,
        party: PartyKind,
        name: str,
        tin: Annotated[str, PII],
        birth_date: Annotated[date | None, PII],
        ownership_percent: Decimal | None,
        on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        self.disclosures[person_id] = Disclosure(person_id, role, party, name, ownership_percent, on)
        self.disclosure_identities[person_id] = (tin, birth_date)

    @event(DisclosureEnded)
    def _disclosure_ended(self, person_id: UUID, on: date, actor: str, reason: str | None) -> None:
        self.disclosures[person_id] = replace(self.disclosures[person_id], ended_on=on)

    @event(PersonScreeningRecorded)
    def _person_screening_recorded(
        self,
        person_id: UUID,
        source: ExclusionSource,
        result: ScreeningResult,
        list_version: str,
        list_date: date,
        screened_on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        # Kept apart from the disclosures: a screening dated before its disclosure's day replays before it.
        screening = Screening(source, result, list_version, list_date, screened_on)
        self.person_screenings.setdefault(person_id, {})[source] = screening

    @event(PersonScreeningCleared)
    def _person_screening_cleared(
        self, person_id: UUID, source: ExclusionSource, on: date, actor: str, reason: str | None
    ) -> None:
        current = self.person_screenings[person_id][source]
        self.person_screenings[person_id][source] = replace(current, result=ScreeningResult.CLEARED, screened_on=on)

    # --- the POSC primary user --------------------------------------------------------------------

    @event(PrimaryUserDesignated)
    def _primary_user_designated(self, account_id: UUID, on: date, actor: str, reason: str | None) -> None:
        self.primary_user_account_id = account_id

    @event(PrimaryUserReplaced)
    def _primary_user_replaced(
        self,
        account_id: UUID,
        previous_account_id: UUID,
        modification_id: UUID,
        on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        self.primary_user_account_id = account_id
        self.used_modifications.append(modification_id)
