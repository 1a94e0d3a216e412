"""Use cases for POSC user accounts, with the rules that span the account and its organization."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.application import Application, ApplicationKind, ApplicationStatus
from domain.errors import RuleViolation
from domain.organization import Organization
from domain.user_account import AccountRole, ChecklistStep, PoscFunction, ReviewOutcome, UserAccount
from services.app.base import Actor, Saved, TenantApplication
from services.app.details import UserAccountDetails, UserAccountPii, user_account_details


class UserAccountUseCases(TenantApplication):
    def open_user_account(
        self,
        actor: Actor,
        *,
        organization_id: UUID,
        person_name: str,
        role: AccountRole,
        partner_firm: str | None = None,
        partner_function: str | None = None,
        date_of_birth: date | None = None,
        reason: str | None = None,
    ) -> Saved:
        """A primary account becomes the organization's primary user in the same transaction:
        one active primary user per organization; the next one comes through POSC-DC-PM."""
        organization = self.load(actor, Organization, organization_id)
        account = UserAccount.open(
            tenant_id=actor.tenant_id,
            organization_id=organization_id,
            person_name=person_name,
            role=role,
            partner_firm=partner_firm,
            partner_function=partner_function,
            date_of_birth=date_of_birth,
            actor=actor.user_id,
            reason=reason,
        )
        if account.role is AccountRole.PRIMARY:
            organization.designate_primary_user(account_id=account.id, actor=actor.user_id, reason=reason)
            return self.record(actor, account, organization)
        return self.record(actor, account)

    def replace_primary_user(
        self,
        actor: Actor,
        organization_id: UUID,
        *,
        person_name: str,
        modification_id: UUID,
        date_of_birth: date | None = None,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        """Open the new primary user's account on an approved POSC-DC-PM; the previous primary
        account is deactivated in the same transaction. Returns the new account."""
        organization = self.load(actor, Organization, organization_id, expected_version)
        modification = self.load(actor, Application, modification_id)
        if (
            modification.kind is not ApplicationKind.PRIMARY_USER_MODIFICATION
            or modification.organization_id != organization_id
            or modification.status is not ApplicationStatus.APPROVED
        ):
            raise RuleViolation(
                "approved-modification-required",
                "Replacing the primary user needs this organization's approved POSC-DC-PM application.",
            )
        account = UserAccount.open(
            tenant_id=actor.tenant_id,
            organization_id=organization_id,
            person_name=person_name,
            role=AccountRole.PRIMARY,
            date_of_birth=date_of_birth,
            actor=actor.user_id,
            reason=reason,
        )
        previous = (
            self.load(actor, UserAccount, organization.primary_user_account_id)
            if organization.primary_user_account_id
            else None
        )
        organization.replace_primary_user(
            account_id=account.id, modification_id=modification_id, actor=actor.user_id, reason=reason
        )
        if previous is not None and previous.active:
            previous.deactivate(actor=actor.user_id, reason=f"replaced as primary user (POSC-DC-PM {modification_id})")
            return self.record(actor, account, organization, previous)
        return self.record(actor, account, organization)

    def complete_checklist_step(
        self,
        actor: Actor,
        account_id: UUID,
        *,
        step: ChecklistStep,
        on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        if ChecklistStep(step) is ChecklistStep.REGISTERED_WITH_PIN:
            organization = self.load(actor, Organization, account.organization_id)
            if organization.pin_received_on is None:
                raise RuleViolation(
                    "pin-letter-missing", "Registering in POSC needs the PIN from the MassHealth PIN letter."
                )
        account.complete_step(step, on=on, actor=actor.user_id, reason=reason)
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
        """Access is granted by the organization's active primary user (to others, or to itself)."""
        account = self.load(actor, UserAccount, account_id, expected_version)
        organization = self.load(actor, Organization, account.organization_id)
        primary_id = organization.primary_user_account_id
        granted_by = None
        if account.id != primary_id:
            primary = self.load(actor, UserAccount, primary_id) if primary_id else None
            if primary is None or not primary.active or primary.departed_on is not None:
                raise RuleViolation(
                    "no-active-primary-user", "Only an active primary user grants access; this organization has none."
                )
            granted_by = primary.id
        account.grant_access(function, granted_by=granted_by, actor=actor.user_id, reason=reason)
        return self.record(actor, account)

    def revoke_access(
        self,
        actor: Actor,
        account_id: UUID,
        *,
        function: PoscFunction,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.revoke_access(function, actor=actor.user_id, reason=reason)
        return self.record(actor, account)

    def review_access(
        self,
        actor: Actor,
        account_id: UUID,
        *,
        outcome: ReviewOutcome,
        on: date,
        reviewer: str,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.review_access(outcome=outcome, on=on, reviewer=reviewer, actor=actor.user_id, reason=reason)
        return self.record(actor, account)

    def record_departure(
        self,
        actor: Actor,
        account_id: UUID,
        *,
        on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.record_departure(on=on, actor=actor.user_id, reason=reason)
        return self.record(actor, account)

    def deactivate_account(
        self, actor: Actor, account_id: UUID, *, expected_version: int | None = None, reason: str | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.deactivate(actor=actor.user_id, reason=reason)
        return self.record(actor, account)

    def reactivate_account(
        self, actor: Actor, account_id: UUID, *, expected_version: int | None = None, reason: str | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        if account.role is AccountRole.PRIMARY:
            organization = self.load(actor, Organization, account.organization_id)
            if organization.primary_user_account_id != account.id:
                raise RuleViolation("primary-user-exists", "Another account is now the organization's primary user.")
        account.reactivate(actor=actor.user_id, reason=reason)
        return self.record(actor, account)

    def reset_password(
        self,
        actor: Actor,
        account_id: UUID,
        *,
        on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.reset_password(on=on, actor=actor.user_id, reason=reason)
        return self.record(actor, account)

    def get_user_account(self, actor: Actor, account_id: UUID) -> UserAccountDetails:
        return user_account_details(self.load(actor, UserAccount, account_id))

    def get_user_account_pii(self, actor: Actor, account_id: UUID, purpose: str) -> UserAccountPii:
        """Read, and record the read (who, what, when, why) in the account's access log."""
        account = self.load(actor, UserAccount, account_id)
        self.log_personal_data_read(actor, account_id, ["date_of_birth"], purpose)
        return UserAccountPii(id=account.id, date_of_birth=account.date_of_birth)
