"""UserAccount: one person's POSC access for one Organization.

From the POSC pages and MassHealth's Primary User Policy: one primary user
(account administrator) per organization creates subordinate IDs and grants
access to business partners (billing agencies); every person has their own ID;
IDs end when people leave; access is reviewed periodically.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from eventsourcing.domain import event

from domain.account_values import AccountRole, AccountStatus, ChecklistStep, PoscFunction, ReviewOutcome
from domain.base import TenantAggregate, check_tenant_id, check_text
from domain.business_time import business_today, dated_upcast
from domain.errors import InvalidValue, RuleViolation
from domain.pii import PII

# Imported from here elsewhere: the aggregate, and its value types re-exported (explicitly, for mypy --strict).
__all__ = ["AccountRole", "AccountStatus", "ChecklistStep", "PoscFunction", "ReviewOutcome", "UserAccount"]


class UserAccount(TenantAggregate):
    class EffectiveDateCorrected(TenantAggregate.EffectiveDateCorrected): ...  # domain/date_corrections.py

    @classmethod
    def open(
        cls,
        *,
        tenant_id: str,
        organization_id: UUID,
        person_name: str,
        role: AccountRole,
        partner_firm: str | None = None,
        partner_function: str | None = None,
        date_of_birth: date | None = None,
        opened_on: date,
        actor: str,
        reason: str | None = None,
    ) -> UserAccount:
        role = AccountRole(role)
        if role is AccountRole.BUSINESS_PARTNER:
            partner_firm = check_text(partner_firm or "", field="partner_firm")
            partner_function = check_text(partner_function or "", field="partner_function")
        elif partner_firm or partner_function:
            raise RuleViolation("partner-fields-for-partners", "Only business partner accounts name a partner firm.")
        return cls(
            tenant_id=check_tenant_id(tenant_id),
            organization_id=organization_id,
            person_name=check_text(person_name, field="person_name"),
            role=role,
            partner_firm=partner_firm,
            partner_function=partner_function,
            date_of_birth=date_of_birth,
            opened_on=opened_on,
            actor=actor,
            reason=reason,
        )

    class Opened(TenantAggregate.Created):
        class_version = 2
        effective_field = "opened_on"
        upcast_v1_v2 = dated_upcast("opened_on")

        tenant_id: str
        organization_id: UUID
        person_name: str
        role: AccountRole
        partner_firm: str | None
        partner_function: str | None
        date_of_birth: Annotated[date | None, PII]
        opened_on: date
        actor: str
        reason: str | None

    @event(Opened)
    def __init__(
        self,
        tenant_id: str,
        organization_id: UUID,
        person_name: str,
        role: AccountRole,
        partner_firm: str | None,
        partner_function: str | None,
        date_of_birth: Annotated[date | None, PII],
        opened_on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.organization_id = organization_id
        self.person_name = person_name
        self.role = role
        self.partner_firm = partner_firm
        self.partner_function = partner_function
        self.date_of_birth = date_of_birth
        self.opened_on = opened_on
        self.status = AccountStatus.ACTIVE
        self.grants: list[PoscFunction] = []
        self.checklist: dict[str, date] = {}
        self.departed_on: date | None = None
        self.engagement_ended_on: date | None = None  # a business partner's engagement with the practice
        self.last_review: tuple[date, ReviewOutcome, str] | None = None  # (on, outcome, reviewer)
        self.password_resets = 0
        self.backup_since: date | None = None  # named the back-up (alternate) primary user on that day
        self.last_login_on: date | None = None

    @property
    def active(self) -> bool:
        return self.status is AccountStatus.ACTIVE

    def check_active(self) -> None:
        if not self.active:
            raise RuleViolation("account-not-active", "The account is deactivated.")

    # --- registration checklist ------------------------------------------------------------------

    def complete_step(self, step: ChecklistStep, *, on: date, actor: str, reason: str | None = None) -> None:
        step = ChecklistStep(step)
        self.check_active()
        steps = [
            s for s in ChecklistStep if self.role is AccountRole.PRIMARY or s is not ChecklistStep.REGISTERED_WITH_PIN
        ]
        if step not in steps:
            raise RuleViolation("step-not-for-role", "Only the primary user registers with the PIN.")
        if step.value in self.checklist:
            raise RuleViolation("step-already-done", f"{step} is already recorded.")
        if step is ChecklistStep.REGISTERED_WITH_PIN and self.date_of_birth is None:
            # The registration checklist, step 3: the primary user needs "key identifying data required to create
            # his or her ID (such as the primary user's date of birth)".
            raise RuleViolation("date-of-birth-missing", "Registering in POSC needs the primary user's date of birth.")
        earlier = steps[: steps.index(step)]
        missing = [s for s in earlier if s.value not in self.checklist]
        if missing:
            raise RuleViolation("step-out-of-order", f"{missing[0]} comes first.")
        if earlier and on < self.checklist[earlier[-1].value]:
            raise RuleViolation("step-date-order", f"{step} cannot be done before {earlier[-1]}.")
        self._step_completed(step=step, on=on, actor=actor, reason=reason)

    class ChecklistStepCompleted(TenantAggregate.Event):
        effective_field = "on"
        touches = ("checklist",)
        step: ChecklistStep
        on: date
        actor: str
        reason: str | None

    @event(ChecklistStepCompleted)
    def _step_completed(self, step: ChecklistStep, on: date, actor: str, reason: str | None) -> None:
        self.checklist[step.value] = on

    # --- access --------------------------------------------------------------------------------

    def grant_access(
        self, function: PoscFunction, *, granted_by: UUID | None, on: date, actor: str, reason: str | None = None
    ) -> None:
        """``granted_by``: the primary user's account, checked active by the caller (None for the primary itself)."""
        function = PoscFunction(function)
        self.check_active()
        if self.departed_on is not None:
            raise RuleViolation("person-departed", "The person has left; they may not be granted access.")
        if self.engagement_ended_on is not None:
            raise RuleViolation("engagement-ended", f"The partner's engagement ended on {self.engagement_ended_on}.")
        if function in self.grants:
            raise RuleViolation("access-already-granted", f"Access to {function} is already granted.")
        self._access_granted(function=function, granted_by=granted_by, on=on, actor=actor, reason=reason)

    class AccessGranted(TenantAggregate.Event):
        class_version = 2
        effective_field = "on"
        touches = ("access:{function}",)
        upcast_v1_v2 = dated_upcast("on")
        function: PoscFunction
        granted_by: UUID | None
        on: date
        actor: str
        reason: str | None

    @event(AccessGranted)
    def _access_granted(
        self, function: PoscFunction, granted_by: UUID | None, on: date, actor: str, reason: str | None
    ) -> None:
        self.grants.append(function)

    def revoke_access(self, function: PoscFunction, *, on: date, actor: str, reason: str | None = None) -> None:
        function = PoscFunction(function)
        if function not in self.grants:
            raise RuleViolation("access-not-granted", f"Access to {function} is not granted.")
        self._access_revoked(function=function, on=on, actor=actor, reason=reason)

    class AccessRevoked(TenantAggregate.Event):
        class_version = 2
        effective_field = "on"
        touches = ("access:{function}",)
        upcast_v1_v2 = dated_upcast("on")
        function: PoscFunction
        on: date
        actor: str
        reason: str | None

    @event(AccessRevoked)
    def _access_revoked(self, function: PoscFunction, on: date, actor: str, reason: str | None) -> None:
        self.grants.remove(function)

    def review_access(
        self, *, outcome: ReviewOutcome, on: date, reviewer: str, actor: str, reason: str | None = None
    ) -> None:
        """A periodic access review: confirmed as right, or revoked (every grant withdrawn)."""
        outcome = ReviewOutcome(outcome)
        self.check_active()
        if self.last_review is not None and on < self.last_review[0]:
            raise RuleViolation("review-date-order", "A review cannot predate the previous one.")
        self._access_reviewed(
            outcome=outcome, on=on, reviewer=check_text(reviewer, field="reviewer"), actor=actor, reason=reason
        )

    class AccessReviewed(TenantAggregate.Event):
        effective_field = "on"
        outcome: ReviewOutcome
        on: date
        reviewer: str
        actor: str
        reason: str | None

    @event(AccessReviewed)
    def _access_reviewed(self, outcome: ReviewOutcome, on: date, reviewer: str, actor: str, reason: str | None) -> None:
        self.last_review = (on, outcome, reviewer)
        if outcome is ReviewOutcome.REVOKED:
            self.grants = []

    # --- people leave, accounts end ---------------------------------------------------------------

    def record_departure(self, *, on: date, actor: str, reason: str | None = None) -> None:
        if self.departed_on is not None:
            raise RuleViolation("person-departed", "The person's departure is already recorded.")
        self._person_departed(on=on, actor=actor, reason=reason)

    class PersonDeparted(TenantAggregate.Event):
        effective_field = "on"
        on: date
        actor: str
        reason: str | None

    @event(PersonDeparted)
    def _person_departed(self, on: date, actor: str, reason: str | None) -> None:
        self.departed_on = on

    def end_engagement(self, *, on: date, actor: str, reason: str | None = None) -> None:
        """A business partner's engagement with the practice ended (a billing agency's contract is over): its IDs
        must end too (MassHealth's Primary User Policy); access it still holds is an access-audit finding."""
        if self.role is not AccountRole.BUSINESS_PARTNER:
            raise RuleViolation("engagement-only-for-partners", "Only a business partner's account has an engagement.")
        if self.engagement_ended_on is not None:
            raise RuleViolation("engagement-ended", f"The partner's engagement ended on {self.engagement_ended_on}.")
        self._engagement_ended(on=on, actor=actor, reason=reason)

    class EngagementEnded(TenantAggregate.Event):
        effective_field = "on"
        on: date
        actor: str
        reason: str | None

    @event(EngagementEnded)
    def _engagement_ended(self, on: date, actor: str, reason: str | None) -> None:
        self.engagement_ended_on = on

    def deactivate(self, *, on: date, actor: str, reason: str | None = None) -> None:
        self.check_active()
        self._deactivated(on=on, actor=actor, reason=reason)

    class Deactivated(TenantAggregate.Event):
        class_version = 2
        effective_field = "on"
        upcast_v1_v2 = dated_upcast("on")
        on: date
        actor: str
        reason: str | None

    @event(Deactivated)
    def _deactivated(self, on: date, actor: str, reason: str | None) -> None:
        self.status = AccountStatus.DEACTIVATED
        self.grants = []  # POSC ends an inactive ID's access with it

    def reactivate(self, *, on: date, actor: str, reason: str | None = None) -> None:
        if self.active:
            raise RuleViolation("account-active", "The account is already active.")
        if self.departed_on is not None:
            raise RuleViolation("person-departed", "A departed person's account is not reactivated; open a new one.")
        self._reactivated(on=on, actor=actor, reason=reason)

    class Reactivated(TenantAggregate.Event):
        class_version = 2
        effective_field = "on"
        upcast_v1_v2 = dated_upcast("on")
        on: date
        actor: str
        reason: str | None

    @event(Reactivated)
    def _reactivated(self, on: date, actor: str, reason: str | None) -> None:
        self.status = AccountStatus.ACTIVE

    def record_date_of_birth(self, *, date_of_birth: date, actor: str, reason: str | None = None) -> None:
        """The person's date of birth, which creating a POSC ID needs (sealed: personal data)."""
        if not isinstance(date_of_birth, date) or not date(1890, 1, 1) <= date_of_birth < business_today():
            raise InvalidValue("The date of birth is not plausible.", field="date_of_birth")
        if date_of_birth == self.date_of_birth:
            raise RuleViolation("nothing-to-correct", "That date of birth is already recorded.")
        self._date_of_birth_recorded(date_of_birth=date_of_birth, actor=actor, reason=reason)

    class DateOfBirthRecorded(TenantAggregate.Event):
        touches = ("identity",)
        date_of_birth: Annotated[date, PII]
        actor: str
        reason: str | None

    @event(DateOfBirthRecorded)
    def _date_of_birth_recorded(self, date_of_birth: Annotated[date, PII], actor: str, reason: str | None) -> None:
        self.date_of_birth = date_of_birth

    # --- the back-up primary user, and logins ----------------------------------------------------------

    def name_backup(self, *, on: date, actor: str, reason: str | None = None) -> None:
        """A staff member named back-up (alternate) primary user, who can administer the access when the primary user
        is away or gone (MassHealth's Primary User Policy: a back-up should exist)."""
        self.check_active()
        if self.role is not AccountRole.SUBORDINATE or self.departed_on is not None:
            raise RuleViolation("backup-only-for-staff", "Only a current staff member's account can be the back-up.")
        if self.backup_since is not None:
            raise RuleViolation("backup-already-named", f"The account is the back-up since {self.backup_since}.")
        self._backup_named(on=on, actor=actor, reason=reason)

    class BackupNamed(TenantAggregate.Event):
        effective_field = "on"
        touches = ("backup",)
        on: date
        actor: str
        reason: str | None

    @event(BackupNamed)
    def _backup_named(self, on: date, actor: str, reason: str | None) -> None:
        self.backup_since = on

    def end_backup(self, *, on: date, actor: str, reason: str | None = None) -> None:
        if self.backup_since is None:
            raise RuleViolation("not-backup", "The account is not the back-up primary user.")
        self._backup_ended(on=on, actor=actor, reason=reason)

    class BackupEnded(TenantAggregate.Event):
        effective_field = "on"
        touches = ("backup",)
        on: date
        actor: str
        reason: str | None

    @event(BackupEnded)
    def _backup_ended(self, on: date, actor: str, reason: str | None) -> None:
        self.backup_since = None

    def record_login(self, *, on: date, actor: str, reason: str | None = None) -> None:
        """The person's last login to POSC as of a day, as POSC's user report shows it: an ID with no login for too
        long is one MassHealth ends, and an access-audit finding before it does."""
        self.check_active()
        self._login_recorded(on=on, actor=actor, reason=reason)

    class LoginRecorded(TenantAggregate.Event):
        effective_field = "on"
        touches = ("login",)
        on: date
        actor: str
        reason: str | None

    @event(LoginRecorded)
    def _login_recorded(self, on: date, actor: str, reason: str | None) -> None:
        self.last_login_on = on

    def reset_password(self, *, on: date, actor: str, reason: str | None = None) -> None:
        self.check_active()
        self._password_reset(on=on, actor=actor, reason=reason)

    class PasswordReset(TenantAggregate.Event):
        effective_field = "on"
        touches = ("password",)
        on: date
        actor: str
        reason: str | None

    @event(PasswordReset)
    def _password_reset(self, on: date, actor: str, reason: str | None) -> None:
        self.password_resets += 1
