"""Use cases for an organization's owners and managing employees: disclose, end, screen, clear, read."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID, uuid4

from domain.organization import Organization
from domain.screening import ExclusionSource
from services.app.base import Actor, NotFound
from services.app.compliance import ComplianceUseCases
from services.app.details import DisclosureOut, disclosure_out
from services.app.disclosure_commands import (
    ClearPersonScreening,
    DiscloseOwnerOrManagingEmployee,
    EndDisclosure,
    RecordPersonScreening,
)
from services.store.idempotency import Saved


class DisclosureUseCases(ComplianceUseCases):
    def disclose_owner_or_managing_employee(
        self,
        actor: Actor,
        organization_id: UUID,
        command: DiscloseOwnerOrManagingEmployee,
        expected_version: int | None = None,
    ) -> Saved:
        """Answers with the new disclosure's id (and the organization's version): its commands are addressed by it."""
        organization = self.load(actor, Organization, organization_id, expected_version)
        person_id = uuid4()
        organization.disclose(
            person_id=person_id,
            role=command.role,
            party=command.party,
            name=command.name,
            tin=command.tin,
            birth_date=command.birth_date,
            ownership_percent=command.ownership_percent,
            on=command.on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return replace(self.record(actor, organization), id=person_id)

    def end_disclosure(
        self,
        actor: Actor,
        organization_id: UUID,
        person_id: UUID,
        command: EndDisclosure,
        expected_version: int | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.end_disclosure(person_id=person_id, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, organization)

    def record_person_screening(
        self,
        actor: Actor,
        organization_id: UUID,
        person_id: UUID,
        command: RecordPersonScreening,
        expected_version: int | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.record_person_screening(
            person_id=person_id,
            source=command.source,
            result=command.result,
            list_version=command.list_version,
            list_date=command.list_date,
            screened_on=command.screened_on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, organization)

    def clear_person_screening(
        self,
        actor: Actor,
        organization_id: UUID,
        person_id: UUID,
        source: ExclusionSource,
        command: ClearPersonScreening,
        expected_version: int | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        organization.clear_person_screening(
            person_id=person_id, source=source, on=command.on, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, organization)

    def get_disclosure(self, actor: Actor, organization_id: UUID, person_id: UUID) -> DisclosureOut:
        organization = self.load(actor, Organization, organization_id)
        if person_id not in organization.disclosures:
            raise NotFound(f"No owner or managing employee {person_id} of organization {organization_id}.")
        return disclosure_out(organization, person_id)
