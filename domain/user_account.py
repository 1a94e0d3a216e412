"""UserAccount: one person's POSC access for one Organization."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.base import TenantAggregate, check_tenant_id, check_text
from domain.errors import RuleViolation


class AccountRole(StrEnum):
    PRIMARY = "primary"  # the account administrator named on POSC-DC-PE / POSC-DC-PM
    SUBORDINATE = "subordinate"
    BUSINESS_PARTNER = "business_partner"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class PoscFunction(StrEnum):
    """The POSC functions access is granted for (MassHealth Primary User Policy)."""

    ELIGIBILITY_VERIFICATION = "eligibility_verification"
    CLAIMS_DIRECT_DATA_ENTRY = "claims_direct_data_entry"
    CLAIMS_BATCH = "claims_batch"
    CLAIM_STATUS_REMITTANCE = "claim_status_remittance"
    PRIOR_AUTHORIZATION = "prior_authorization"
    LETTERS_REPORTS = "letters_reports"
    PROVIDER_DATA_MAINTENANCE = "provider_data_maintenance"


class UserAccount(TenantAggregate):
    @classmethod
    def open(
        cls,
        *,
        tenant_id: str,
        organization_id: UUID,
        person_name: str,
        role: AccountRole,
        actor: str,
        reason: str | None = None,
    ) -> UserAccount:
        return cls(
            tenant_id=check_tenant_id(tenant_id),
            organization_id=organization_id,
            person_name=check_text(person_name, field="person_name"),
            role=AccountRole(role),
            actor=actor,
            reason=reason,
        )

    @event("Opened")
    def __init__(
        self,
        tenant_id: str,
        organization_id: UUID,
        person_name: str,
        role: AccountRole,
        actor: str,
        reason: str | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.organization_id = organization_id
        self.person_name = person_name
        self.role = role
        self.status = AccountStatus.ACTIVE
        self.grants: list[PoscFunction] = []

    def check_active(self) -> None:
        if self.status != AccountStatus.ACTIVE:
            raise RuleViolation("account-not-active", "The account is deactivated.")

    def grant_access(self, function: PoscFunction, *, actor: str, reason: str | None = None) -> None:
        self.check_active()
        function = PoscFunction(function)
        if function in self.grants:
            raise RuleViolation("access-already-granted", f"Access to {function} is already granted.")
        self._access_granted(function=function, actor=actor, reason=reason)

    @event("AccessGranted")
    def _access_granted(self, function: PoscFunction, actor: str, reason: str | None) -> None:
        self.grants.append(function)

    def deactivate(self, *, actor: str, reason: str | None = None) -> None:
        self.check_active()
        self._deactivated(actor=actor, reason=reason)

    @event("Deactivated")
    def _deactivated(self, actor: str, reason: str | None) -> None:
        self.status = AccountStatus.DEACTIVATED
