"""Correcting a fact's business day (domain/date_corrections.py), with the rules that span records: a record's
start and the other records that may not predate it, and a grant judged by the primary user of its day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.account_rules import granting_primary_user
from domain.application import Application, ApplicationKind
from domain.base import TenantAggregate
from domain.business_time import check_effective_day, effective_day, state_on
from domain.date_corrections import (
    check_correction,
    check_not_after,
    check_registration_before,
    check_same_granter,
)
from domain.errors import RuleViolation
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.rendering import check_link_correction
from domain.user_account import UserAccount
from services.app.base import Actor
from services.app.commands import CorrectEffectiveDate
from services.app.compliance import ComplianceUseCases, sealed_mapper
from services.store.idempotency import Saved
from services.store.recorder import EVENTS_TABLE

A = TypeVar("A", bound=TenantAggregate)


class DateCorrectionUseCases(ComplianceUseCases):
    def correct_organization_date(
        self, actor: Actor, organization_id: UUID, command: CorrectEffectiveDate, expected_version: int | None = None
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id, expected_version)
        target = check_correction(organization.history, command.version, command.on)  # its own rules first
        if isinstance(target, Organization.Registered) and command.on > target.registered_on:
            self._check_started_after(actor, organization_id, command.on)
        modification_id = getattr(target, "modification_id", None) if isinstance(target, _NAMING) else None
        if modification_id is not None:
            approved = self.load(actor, Application, modification_id).decided_on
            if approved is not None:  # a replacement rests on an approved POSC-DC-PM
                check_effective_day(command.on, "primary user replaced", (approved, "POSC-DC-PM approved"))
        if isinstance(target, _NAMING):
            named = effective_day(self.load(actor, UserAccount, target.account_id).history[0])
            check_effective_day(command.on, "primary user named", (named, "its user account opened"))
        if isinstance(target, _NAMING) and not isinstance(target, Organization.LocationPrimaryUserNamed):
            was = effective_day(target)  # location A's primary user: the one who grants
            return self._correct(
                actor, organization, command, lambda: self._check_grants_between(actor, organization, was, command.on)
            )
        return self._correct(actor, organization, command)

    def correct_account_date(
        self, actor: Actor, account_id: UUID, command: CorrectEffectiveDate, expected_version: int | None = None
    ) -> Saved:
        account = self.load(actor, UserAccount, account_id, expected_version)
        target = check_correction(account.history, command.version, command.on)
        if isinstance(target, UserAccount.Opened):
            organization = self.load(actor, Organization, account.organization_id)
            check_effective_day(command.on, "user account opened", organization.registration)
            for named in organization.history:  # named primary user: not before it was opened
                if isinstance(named, _NAMING) and named.account_id == account_id:
                    check_not_after(command.on, "user account opened", (effective_day(named), "its naming as primary"))
        if isinstance(target, UserAccount.AccessGranted):
            self._check_granter(actor, account, target, command.on)
        if isinstance(target, UserAccount.ChecklistStepCompleted) and command.on > target.on:
            self._check_registered_before_grants(actor, account, command.on)
        return self._correct(actor, account, command)

    def correct_application_date(
        self, actor: Actor, application_id: UUID, command: CorrectEffectiveDate, expected_version: int | None = None
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        target = check_correction(application.history, command.version, command.on)
        if isinstance(target, Application.Opened):
            organization = self.load(actor, Organization, application.organization_id)
            check_effective_day(command.on, "application opened", organization.registration)
        if isinstance(target, Application.Approved) and application.kind is ApplicationKind.PRIMARY_USER_MODIFICATION:
            organization = self.load(actor, Organization, application.organization_id)
            for event in organization.history:
                if isinstance(event, _NAMING) and getattr(event, "modification_id", None) == application_id:
                    check_effective_day(event.on, "primary user replaced", (command.on, "POSC-DC-PM approved"))
        return self._correct(actor, application, command)

    def correct_practitioner_date(
        self, actor: Actor, practitioner_id: UUID, command: CorrectEffectiveDate, expected_version: int | None = None
    ) -> Saved:
        practitioner = self.load(actor, Practitioner, practitioner_id, expected_version)
        target = check_correction(practitioner.history, command.version, command.on)
        check_link_correction(target)
        if isinstance(target, Practitioner.Registered):
            organization = self.load(actor, Organization, practitioner.organization_id)
            check_effective_day(command.on, "practitioner registered", organization.registration)
        return self._correct(actor, practitioner, command)

    def _correct(
        self, actor: Actor, record: A, command: CorrectEffectiveDate, then: Callable[[], None] | None = None
    ) -> Saved:
        """Correct the day in memory; ``then`` checks rules that judge the corrected record before it is stored."""
        record.correct_effective_date(
            version=command.version, on=command.on, actor=actor.user_id, reason=command.reason
        )
        if then is not None:
            then()
        return self.record(actor, record)

    def _check_started_after(self, actor: Actor, organization_id: UUID, on: date) -> None:
        """A registration moved later may not pass the opening of one of the organization's accounts, applications
        or practitioners, each as now dated: its own corrections included (one corrected to an earlier day than it
        was recorded with counts by that day, so every one is loaded; registrations are corrected rarely)."""
        for kind in (UserAccount, Application, Practitioner):
            for opened in self._opened(actor, organization_id, kind):
                day = effective_day(self.load(actor, kind, opened.originator_id).history[0])
                check_registration_before(on, day, f"{_NAMES[kind]} {opened.originator_id}")

    def _check_granter(
        self,
        actor: Actor,
        account: UserAccount,
        grant: UserAccount.AccessGranted,
        on: date,
        organization: Organization | None = None,
    ) -> None:
        """A grant on day ``on`` must have been made by the primary user of that day, as recorded. ``organization``:
        as it stood that day, when it is not what the store says (a correction not stored yet)."""
        if organization is None:
            now, then = self.on_day(actor, Organization, account.organization_id, on)
            organization = then or now
        primary_id = organization.primary_user_account_id
        primary = None
        if primary_id and primary_id != account.id:
            primary = self.on_day(actor, UserAccount, primary_id, on)[1]
        try:
            granter = granting_primary_user(account, organization, primary, on)
        except RuleViolation as refused:  # nobody could grant that day: not the granter recorded
            if refused.rule == "primary-user-not-registered":
                raise  # the primary user's POSC registration is not recorded by then: say so
            granter = _NOBODY
        check_same_granter(on, grant.granted_by, granter)

    def _check_grants_between(self, actor: Actor, organization: Organization, was: date, on: date) -> None:
        """A primary user named on ``was`` is now named on ``on`` (in ``organization``, not stored yet): every grant
        of the practice's accounts dated between the two days must still be the primary user's of its day."""
        first, last = sorted((was, on))
        for opened in self._opened(actor, organization.id, UserAccount):
            account = self.load(actor, UserAccount, opened.originator_id)
            for grant in account.history:  # each on its corrected day
                if isinstance(grant, UserAccount.AccessGranted) and first <= grant.on <= last:
                    self._check_granter(actor, account, grant, grant.on, state_on(organization.history, grant.on))

    def _check_registered_before_grants(self, actor: Actor, primary: UserAccount, on: date) -> None:
        """A primary user's POSC registration moved later to ``on`` may not pass a grant it made (it grants once
        registered: domain/account_rules.py check_registered)."""
        for opened in self._opened(actor, primary.organization_id, UserAccount):
            account = (
                primary if opened.originator_id == primary.id else self.load(actor, UserAccount, opened.originator_id)
            )
            grants = [g for g in account.history if isinstance(g, UserAccount.AccessGranted)]
            for grant in grants:  # each on its corrected day; the primary user's own have no granter
                if grant.granted_by == (None if account is primary else primary.id):
                    check_not_after(on, "checklist step completed", (grant.on, "a grant it made"))

    def _opened(self, actor: Actor, organization_id: UUID, kind: type[TenantAggregate]) -> list[Any]:
        """The creation events of the organization's accounts, applications or practitioners, as recorded."""
        rows = self.fetch(
            f"SELECT originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
            "WHERE tenant_id = %s AND originator_version = 1 AND topic = %s",
            actor.tenant_id,
            _OPENED_TOPICS[kind],
        )
        events = [
            sealed_mapper.to_domain_event(
                StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
            )
            for row in rows
        ]
        return [opened for opened in events if opened.organization_id == organization_id]


_OPENED_TOPICS: dict[type[TenantAggregate], str] = {kind: get_topic(kind.Opened) for kind in (UserAccount, Application)}
_OPENED_TOPICS[Practitioner] = get_topic(Practitioner.Registered)
# A primary user named: the practice's (location A's) or another location's (a PID/SL's).
_NAMING = (Organization.PrimaryUserDesignated, Organization.PrimaryUserReplaced, Organization.LocationPrimaryUserNamed)
_NOBODY = UUID(int=0)  # the granter of a day without an active primary user: matches no recorded one
_NAMES = {UserAccount: "user account", Application: "application", Practitioner: "practitioner"}
