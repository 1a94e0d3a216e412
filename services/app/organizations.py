"""Use cases for organizations: one method per use case (load, decide, save), each taking its command."""

from __future__ import annotations

from uuid import UUID

from domain.nppes import snapshot_from_api
from domain.organization import Organization
from domain.screening import ExclusionSource
from domain.taxonomy import check_taxonomies_known
from services.app.base import Actor
from services.app.compliance import ComplianceUseCases
from services.app.details import OrganizationDetails, OrganizationPii, organization_details, organization_pii
from services.app.organization_commands import (
    AddServiceLocation,
    ChangeProviderNumber,
    ClearExclusionScreening,
    CorrectProfile,
    Disenroll,
    IssueProviderNumber,
    LinkRenderingProvider,
    MoveAffiliation,
    ReceivePinLetter,
    ReceiveRevalidationLetter,
    RecordEftDetails,
    RecordEftValidation,
    RecordExclusionScreening,
    RecordNppesSnapshot,
    RegisterOrganization,
    RequestAffiliation,
    UnlinkRenderingProvider,
)
from services.app.user_account_commands import OnDate
from services.catalogs import nucc_code_sets
from services.store.idempotency import Saved


class OrganizationUseCases(ComplianceUseCases):
    def register_organization(self, actor: Actor, command: RegisterOrganization) -> Saved:
        organization = Organization.register(
            tenant_id=actor.tenant_id,
            legal_name=command.legal_name,
            tin=command.tin,
            tin_kind=command.tin_kind,
            npi=command.npi,
            entity_kind=command.entity_kind,
            taxonomies=[taxonomy.parse() for taxonomy in command.taxonomies],
            taxonomy_version=command.taxonomy_version,
            practice_address=command.practice_address.parse("practice_address"),
            mailing_address=command.mailing_address.parse("mailing_address") if command.mailing_address else None,
            provider_type=command.provider_type,
            risk_level=command.risk_level,
            registered_on=command.registered_on,
            actor=actor.user_id,
            reason=command.reason,
        )
        check_taxonomies_known(organization.taxonomies, organization.taxonomy_version, nucc_code_sets())
        return self.record(actor, organization)

    def correct_profile(
        self, actor: Actor, organization_id: UUID, command: CorrectProfile, expected_version: int | None = None
    ) -> Saved:
        changes = command.changes()  # parsed first: a bad address is a 422 whatever the organization's state
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.correct_profile(on=command.on, actor=actor.user_id, reason=command.reason, **changes)
        check_taxonomies_known(organization.taxonomies, organization.taxonomy_version, nucc_code_sets())
        return self.record(actor, organization)

    def record_nppes_snapshot(
        self, actor: Actor, organization_id: UUID, command: RecordNppesSnapshot, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        snapshot = snapshot_from_api(command.record, command.retrieved_on)
        organization.record_nppes_snapshot(snapshot, tin=command.tin, actor=actor.user_id, reason=command.reason)
        return self.record(actor, organization)

    def receive_pin_letter(
        self, actor: Actor, organization_id: UUID, command: ReceivePinLetter, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.receive_pin_letter(
            pin=command.pin, received_on=command.received_on, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, organization)

    def issue_provider_number(
        self, actor: Actor, organization_id: UUID, command: IssueProviderNumber, expected_version: int | None = None
    ) -> Saved:
        """For a client onboarded already enrolled; an approved enrollment issues it too."""
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.issue_provider_number(
            provider_number=command.provider_number,
            issued_on=command.issued_on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, organization)

    def change_provider_number(
        self, actor: Actor, organization_id: UUID, command: ChangeProviderNumber, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.change_provider_number(
            provider_number=command.provider_number, on=command.on, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, organization)

    def receive_revalidation_letter(
        self,
        actor: Actor,
        organization_id: UUID,
        command: ReceiveRevalidationLetter,
        expected_version: int | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.receive_revalidation_letter(
            received_on=command.received_on, respond_by=command.respond_by, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, organization)

    def disenroll(
        self, actor: Actor, organization_id: UUID, command: Disenroll, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.disenroll(cause=command.cause, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, organization)

    def add_service_location(
        self, actor: Actor, organization_id: UUID, command: AddServiceLocation, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.add_service_location(
            code=command.code,
            name=command.name,
            address=command.address.parse("address"),
            on=command.on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, organization)

    def close_service_location(
        self, actor: Actor, organization_id: UUID, code: str, command: OnDate, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.close_service_location(code=code, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, organization)

    def link_rendering_provider(
        self, actor: Actor, organization_id: UUID, command: LinkRenderingProvider, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.link_rendering_provider(
            npi=command.npi, name=command.name, on=command.on, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, organization)

    def unlink_rendering_provider(
        self,
        actor: Actor,
        organization_id: UUID,
        npi: str,
        command: UnlinkRenderingProvider,
        expected_version: int | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.unlink_rendering_provider(npi=npi, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, organization)

    def record_eft_details(
        self, actor: Actor, organization_id: UUID, command: RecordEftDetails, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.record_eft_details(
            routing_number=command.routing_number,
            account_number=command.account_number,
            account_type=command.account_type,
            on=command.on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, organization)

    def record_eft_validation(
        self, actor: Actor, organization_id: UUID, command: RecordEftValidation, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.record_eft_validation(
            validated=command.validated, on=command.on, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, organization)

    def request_affiliation(
        self, actor: Actor, organization_id: UUID, command: RequestAffiliation, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.request_affiliation(
            kind=command.kind,
            plan=command.plan,
            partner_mco=command.partner_mco,
            on=command.on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, organization)

    def move_affiliation(
        self, actor: Actor, organization_id: UUID, command: MoveAffiliation, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.move_affiliation(
            plan=command.plan, to=command.to, on=command.on, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, organization)

    def record_exclusion_screening(
        self,
        actor: Actor,
        organization_id: UUID,
        command: RecordExclusionScreening,
        expected_version: int | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.record_screening(
            source=command.source,
            result=command.result,
            list_version=command.list_version,
            list_date=command.list_date,
            screened_on=command.screened_on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, organization)

    def clear_exclusion_screening(
        self,
        actor: Actor,
        organization_id: UUID,
        source: ExclusionSource,
        command: ClearExclusionScreening,
        expected_version: int | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.clear_screening(source=source, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, organization)

    def get_organization(self, actor: Actor, organization_id: UUID) -> OrganizationDetails:
        return organization_details(self.load(actor, Organization, organization_id))

    def get_organization_pii(self, actor: Actor, organization_id: UUID, purpose: str) -> OrganizationPii:
        """Read, and record the read (who, what, when, why) in the organization's access log."""
        pii = organization_pii(self.load(actor, Organization, organization_id))
        fields = ["tin", "pin", "eft_account_number"] + (["disclosures"] if pii.disclosures else [])
        self.log_personal_data_read(actor, organization_id, fields, purpose)
        return pii
