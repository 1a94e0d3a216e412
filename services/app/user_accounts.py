"""Use cases for POSC user accounts."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.organization import Organization
from domain.user_account import AccountRole, AccountStatus, PoscFunction, UserAccount
from services.app.base import Actor, Saved, TenantApplication


class UserAccountView(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    organization_id: UUID
    person_name: str
    role: AccountRole
    status: AccountStatus
    grants: list[PoscFunction]


class UserAccountUseCases(TenantApplication):
    def open_user_account(
        self,
        actor: Actor,
        *,
        organization_id: UUID,
        person_name: str,
        role: AccountRole,
        reason: str | None = None,
    ) -> Saved:
        self.load(actor, Organization, organization_id)  # the tenant's own organization, or NotFound
        account = UserAccount.open(
            tenant_id=actor.tenant_id,
            organization_id=organization_id,
            person_name=person_name,
            role=role,
            actor=actor.user_id,
            reason=reason,
        )
        return self.record(actor, account)

    def grant_access(
        self,
        actor: Actor,
        account_id: UUID,
        *,
        function: PoscFunction,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.grant_access(function, actor=actor.user_id, reason=reason)
        return self.record(actor, account)

    def deactivate_account(
        self, actor: Actor, account_id: UUID, *, expected_version: int | None = None, reason: str | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.deactivate(actor=actor.user_id, reason=reason)
        return self.record(actor, account)

    def get_user_account(self, actor: Actor, account_id: UUID) -> UserAccountView:
        a = self.load(actor, UserAccount, account_id)
        return UserAccountView(
            id=a.id,
            version=a.version,
            organization_id=a.organization_id,
            person_name=a.person_name,
            role=a.role,
            status=a.status,
            grants=list(a.grants),
        )
