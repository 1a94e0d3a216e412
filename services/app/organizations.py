"""Use cases for organizations: one method per use case (load, decide, save)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.address import Address
from domain.affiliation import AffiliationState, PlanKind
from domain.nppes import snapshot_from_api
from domain.organization import AccountType, EntityKind, Organization, RiskLevel
from domain.screening import ExclusionSource, ScreeningResult
from domain.taxonomy import TaxonomySelection
from domain.tin import TinKind
from services.app.base import Actor, Saved, TenantApplication
from services.app.details import OrganizationDetails, OrganizationPii, organization_details, organization_pii
from services.catalogs import check_taxonomies_known


class OrganizationUseCases(TenantApplication):
    def register_organization(
        self,
        actor: Actor,
        *,
        legal_name: str,
        tin: str,
        tin_kind: TinKind,
        npi: str,
        entity_kind: EntityKind,
        taxonomies: list[TaxonomySelection],
        taxonomy_version: str,
        practice_address: Address,
        mailing_address: Address | None,
        provider_type: str,
        risk_level: RiskLevel,
        reason: str | None = None,
    ) -> Saved:
        organization = Organization.register(
            tenant_id=actor.tenant_id,
            legal_name=legal_name,
            tin=tin,
            tin_kind=tin_kind,
            npi=npi,
            entity_kind=entity_kind,
            taxonomies=taxonomies,
            taxonomy_version=taxonomy_version,
            practice_address=practice_address,
            mailing_address=mailing_address,
            provider_type=provider_type,
            risk_level=risk_level,
            actor=actor.user_id,
            reason=reason,
        )
        check_taxonomies_known(organization.taxonomies, organization.taxonomy_version)
        return self.record(actor, organization)

    def correct_profile(
        self, actor: Actor, organization_id: UUID, *, expected_version: int | None = None, **changes: Any
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.correct_profile(actor=actor.user_id, **changes)
        check_taxonomies_known(organization.taxonomies, organization.taxonomy_version)
        return self.record(actor, organization)

    def record_nppes_snapshot(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        record: dict[str, Any],
        retrieved_on: date,
        tin: str | None = None,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        snapshot = snapshot_from_api(record, retrieved_on)
        organization.record_nppes_snapshot(snapshot, tin=tin, actor=actor.user_id, reason=reason)
        return self.record(actor, organization)

    def receive_pin_letter(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        pin: str,
        received_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.receive_pin_letter(pin=pin, received_on=received_on, actor=actor.user_id, reason=reason)
        return self.record(actor, organization)

    def issue_provider_number(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        provider_number: str,
        issued_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        """For a client onboarded already enrolled; an approved enrollment issues it too."""
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.issue_provider_number(
            provider_number=provider_number, issued_on=issued_on, actor=actor.user_id, reason=reason
        )
        return self.record(actor, organization)

    def link_rendering_provider(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        npi: str,
        name: str,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.link_rendering_provider(npi=npi, name=name, actor=actor.user_id, reason=reason)
        return self.record(actor, organization)

    def unlink_rendering_provider(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        npi: str,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.unlink_rendering_provider(npi=npi, actor=actor.user_id, reason=reason)
        return self.record(actor, organization)

    def record_eft_details(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        routing_number: str,
        account_number: str,
        account_type: AccountType,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.record_eft_details(
            routing_number=routing_number,
            account_number=account_number,
            account_type=account_type,
            actor=actor.user_id,
            reason=reason,
        )
        return self.record(actor, organization)

    def record_eft_validation(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        validated: bool,
        on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.record_eft_validation(validated=validated, on=on, actor=actor.user_id, reason=reason)
        return self.record(actor, organization)

    def request_affiliation(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        kind: PlanKind,
        plan: str,
        partner_mco: str | None,
        on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.request_affiliation(
            kind=kind, plan=plan, partner_mco=partner_mco, on=on, actor=actor.user_id, reason=reason
        )
        return self.record(actor, organization)

    def move_affiliation(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        plan: str,
        to: AffiliationState,
        on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.move_affiliation(plan=plan, to=to, on=on, actor=actor.user_id, reason=reason)
        return self.record(actor, organization)

    def record_exclusion_screening(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        source: ExclusionSource,
        result: ScreeningResult,
        list_version: str,
        list_date: date,
        screened_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.record_screening(
            source=source,
            result=result,
            list_version=list_version,
            list_date=list_date,
            screened_on=screened_on,
            actor=actor.user_id,
            reason=reason,
        )
        return self.record(actor, organization)

    def clear_exclusion_screening(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        source: ExclusionSource,
        on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.clear_screening(source=source, on=on, actor=actor.user_id, reason=reason)
        return self.record(actor, organization)

    def get_organization(self, actor: Actor, organization_id: UUID) -> OrganizationDetails:
        return organization_details(self.load(actor, Organization, organization_id))

    def get_organization_pii(self, actor: Actor, organization_id: UUID, purpose: str) -> OrganizationPii:
        """Read, and record the read (who, what, when, why) in the organization's access log."""
        pii = organization_pii(self.load(actor, Organization, organization_id))
        self.log_personal_data_read(actor, organization_id, ["tin", "pin", "eft_account_number"], purpose)
        return pii
