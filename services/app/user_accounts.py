"""Use cases for POSC user accounts. The rules that span the account and its organization are the domain's
(domain/account_rules.py); a use case loads what they read and calls them."""

from __future__ import annotations

from uuid import UUID

from domain.account_rules import (
    check_location_primary_account,
    check_pin_letter,
    check_primary_user_modification,
    check_reactivation,
    granting_primary_user,
    needs_pin_letter,
)
from domain.application import Application
from domain.business_time import check_effective_day
from domain.organization import Organization
from domain.user_account import AccountRole, UserAccount
from services.app.base import Actor
from services.app.compliance import ComplianceUseCases
from services.app.details import UserAccountDetails, UserAccountPii, user_account_details
from services.app.organization_commands import NameLocationPrimaryUser
from services.app.user_account_commands import (
    ChangeAccess,
    CompleteChecklistStep,
    OnDate,
    OpenUserAccount,
    RecordDateOfBirth,
    RecordLogin,
    ReplacePrimaryUser,
    ReviewAccess,
)
from services.store.idempotency import Saved


class UserAccountUseCases(ComplianceUseCases):
    def open_user_account(self, actor: Actor, command: OpenUserAccount) -> Saved:
        """A primary account becomes the organization's primary user in the same transaction:
        one active primary user per organization; the next one comes through POSC-DC-PM."""
        organization = self.load(actor, Organization, command.organization_id)
        check_effective_day(command.opened_on, "user account opened", organization.registration)
        account = UserAccount.open(
            tenant_id=actor.tenant_id,
            organization_id=command.organization_id,
            person_name=command.person_name,
            role=command.role,
            partner_firm=command.partner_firm,
            partner_function=command.partner_function,
            date_of_birth=command.date_of_birth,
            opened_on=command.opened_on,
            actor=actor.user_id,
            reason=command.reason,
        )
        if account.role is AccountRole.PRIMARY:
            organization.designate_primary_user(
                account_id=account.id, on=command.opened_on, actor=actor.user_id, reason=command.reason
            )
            return self.record(actor, account, organization)
        return self.record(actor, account)

    def name_location_primary_user(
        self,
        actor: Actor,
        organization_id: UUID,
        code: str,
        command: NameLocationPrimaryUser,
        expected_version: int | None = None,
    ) -> Saved:
        """One of the practice's staff becomes the primary user of its location ``code`` (B-Z); a successor on an
        approved POSC-DC-PM for that location."""
        organization = self.load(actor, Organization, organization_id, expected_version)
        account, then = self.on_day(actor, UserAccount, command.account_id, command.on)
        check_location_primary_account(then or account, organization_id, command.on)  # as it stood that day
        if command.modification_id is not None:
            modification = self.load(actor, Application, command.modification_id)
            check_primary_user_modification(modification, organization_id, command.on, code)
        organization.name_location_primary_user(
            code=code,
            account_id=account.id,
            modification_id=command.modification_id,
            on=command.on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, organization)

    def replace_primary_user(
        self, actor: Actor, organization_id: UUID, command: ReplacePrimaryUser, expected_version: int | None = None
    ) -> Saved:
        """Open the new primary user's account on an approved POSC-DC-PM; the previous primary
        account is deactivated in the same transaction. Returns the new account."""
        organization = self.load(actor, Organization, organization_id, expected_version)
        modification = self.load(actor, Application, command.modification_id)
        check_primary_user_modification(modification, organization_id, command.on)
        account = UserAccount.open(
            tenant_id=actor.tenant_id,
            organization_id=organization_id,
            person_name=command.person_name,
            role=AccountRole.PRIMARY,
            date_of_birth=command.date_of_birth,
            opened_on=command.on,
            actor=actor.user_id,
            reason=command.reason,
        )
        previous = (
            self.load(actor, UserAccount, organization.primary_user_account_id)
            if organization.primary_user_account_id
            else None
        )
        organization.replace_primary_user(
            account_id=account.id,
            modification_id=command.modification_id,
            on=command.on,
            actor=actor.user_id,
            reason=command.reason,
        )
        if previous is not None and previous.active:
            previous.deactivate(
                on=command.on,
                actor=actor.user_id,
                reason=f"replaced as primary user (POSC-DC-PM {command.modification_id})",
            )
            return self.record(actor, account, organization, previous)
        return self.record(actor, account, organization)

    def complete_checklist_step(
        self, actor: Actor, account_id: UUID, command: CompleteChecklistStep, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        if needs_pin_letter(command.step):  # the organization is read only for the step that needs it
            check_pin_letter(command.step, self.load(actor, Organization, account.organization_id))
        account.complete_step(command.step, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def grant_access(
        self, actor: Actor, account_id: UUID, command: ChangeAccess, expected_version: int | None = None
    ) -> Saved:
        """Access is granted by the organization's primary user (to others, or to itself), active on the day of
        the grant: a grant recorded late is judged by the primary user of its day, not of today."""
        account = self.load(actor, UserAccount, account_id, expected_version)
        now, then = self.on_day(actor, Organization, account.organization_id, command.on)
        organization = then or now  # registered after that day: the grant's own date check names both days
        primary_id = organization.primary_user_account_id
        primary = None
        if primary_id and primary_id != account.id:
            primary = self.on_day(actor, UserAccount, primary_id, command.on)[1]  # None: not opened yet that day
        granted_by = granting_primary_user(account, organization, primary, command.on)
        account.grant_access(
            command.function, granted_by=granted_by, on=command.on, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, account)

    def revoke_access(
        self, actor: Actor, account_id: UUID, command: ChangeAccess, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.revoke_access(command.function, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def review_access(
        self, actor: Actor, account_id: UUID, command: ReviewAccess, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.review_access(
            outcome=command.outcome,
            on=command.on,
            reviewer=command.reviewer,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, account)

    def record_departure(
        self, actor: Actor, account_id: UUID, command: OnDate, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.record_departure(on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def end_engagement(
        self, actor: Actor, account_id: UUID, command: OnDate, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.end_engagement(on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def name_backup_primary_user(
        self, actor: Actor, account_id: UUID, command: OnDate, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.name_backup(on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def end_backup_primary_user(
        self, actor: Actor, account_id: UUID, command: OnDate, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.end_backup(on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def record_date_of_birth(
        self, actor: Actor, account_id: UUID, command: RecordDateOfBirth, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.record_date_of_birth(date_of_birth=command.date_of_birth, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def record_login(
        self, actor: Actor, account_id: UUID, command: RecordLogin, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.record_login(on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def deactivate_account(
        self, actor: Actor, account_id: UUID, command: OnDate, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.deactivate(on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def reactivate_account(
        self, actor: Actor, account_id: UUID, command: OnDate, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        if account.role is AccountRole.PRIMARY:  # only a primary account's reactivation reads the organization
            check_reactivation(account, self.load(actor, Organization, account.organization_id))
        account.reactivate(on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def reset_password(
        self, actor: Actor, account_id: UUID, command: OnDate, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        account.reset_password(on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, account)

    def get_user_account(self, actor: Actor, account_id: UUID) -> UserAccountDetails:
        return user_account_details(self.load(actor, UserAccount, account_id))

    def get_user_account_pii(self, actor: Actor, account_id: UUID, purpose: str) -> UserAccountPii:
        """Read, and record the read (who, what, when, why) in the account's access log."""
        account = self.load(actor, UserAccount, account_id)
        self.log_personal_data_read(actor, account_id, ["date_of_birth"], purpose)
        return UserAccountPii(id=account.id, date_of_birth=account.date_of_birth)
