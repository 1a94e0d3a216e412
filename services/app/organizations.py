"""Use cases for organizations: one method per use case (load, decide, save)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.organization import EntityKind, Organization
from services.app.base import Actor, Saved, TenantApplication


class OrganizationView(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    legal_name: str
    npi: str
    entity_kind: EntityKind


class OrganizationUseCases(TenantApplication):
    def register_organization(
        self, actor: Actor, *, legal_name: str, npi: str, entity_kind: EntityKind, reason: str | None = None
    ) -> Saved:
        organization = Organization.register(
            tenant_id=actor.tenant_id,
            legal_name=legal_name,
            npi=npi,
            entity_kind=entity_kind,
            actor=actor.user_id,
            reason=reason,
        )
        return self.record(actor, organization)

    def get_organization(self, actor: Actor, organization_id: UUID) -> OrganizationView:
        org = self.load(actor, Organization, organization_id)
        return OrganizationView(
            id=org.id, version=org.version, legal_name=org.legal_name, npi=org.npi, entity_kind=org.entity_kind
        )
