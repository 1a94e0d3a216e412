"""Organization: one client practice or facility that the firm enrolls."""

from __future__ import annotations

from enum import StrEnum

from eventsourcing.domain import event

from domain.base import TenantAggregate, check_tenant_id, check_text
from domain.npi import parse_npi


class EntityKind(StrEnum):
    SOLO_PRACTITIONER = "solo_practitioner"  # Type 1 NPI
    GROUP = "group"  # Type 2 NPI
    FACILITY = "facility"  # Type 2 NPI
    OUT_OF_STATE_TELEHEALTH = "out_of_state_telehealth"


class Organization(TenantAggregate):
    @classmethod
    def register(
        cls,
        *,
        tenant_id: str,
        legal_name: str,
        npi: str,
        entity_kind: EntityKind,
        actor: str,
        reason: str | None = None,
    ) -> Organization:
        return cls(
            tenant_id=check_tenant_id(tenant_id),
            legal_name=check_text(legal_name, field="legal_name"),
            npi=parse_npi(npi),
            entity_kind=EntityKind(entity_kind),
            actor=actor,
            reason=reason,
        )

    @event("Registered")
    def __init__(
        self,
        tenant_id: str,
        legal_name: str,
        npi: str,
        entity_kind: EntityKind,
        actor: str,
        reason: str | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.legal_name = legal_name
        self.npi = npi
        self.entity_kind = entity_kind
