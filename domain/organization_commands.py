"""The commands for an organization's enrollment details: the MassHealth PIN letter and provider number,
rendering providers, EFT, plan affiliations, exclusion screenings and the POSC primary user. Each checks its input
and the organization's state, then records its event through the event method of that name on Organization.

Why the event methods are not here too: eventsourcing names each event class after the class that declares
its method (``domain.organization:Organization.ScreeningRecorded``), and stored events, NATS subjects and the
views all carry that name; a method declared on this mixin would have no event class at all.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.affiliation import CLOSED, Affiliation, AffiliationState, PlanKind, check_plan, check_transition
from domain.base import check_text, require_reason
from domain.business_time import FactDays, business_today, state_on
from domain.errors import InvalidValue, RuleViolation
from domain.npi import parse_npi
from domain.organization_values import (
    ACCOUNT_NUMBER_FORM,
    PIN_FORM,
    PROVIDER_NUMBER_FORM,
    AccountType,
    DisenrollmentCause,
    EftStatus,
    EntityKind,
    check_routing_number,
)
from domain.screening import ScreenedRecord, Screening, ScreeningResult, check_not_excluded
from domain.text import clean_text

REVALIDATION_ANSWER_DAYS = 45  # calendar days from MassHealth's revalidation letter


def check_provider_number(provider_number: str) -> None:
    if not isinstance(provider_number, str) or not PROVIDER_NUMBER_FORM.fullmatch(provider_number):
        raise InvalidValue(
            "A MassHealth provider number is seven digits.", field="provider_number", rule="invalid-provider-number"
        )


class OrganizationCommands(ScreenedRecord):
    """Mixed into Organization, whose state (set by its event methods) these read."""

    if TYPE_CHECKING:
        # For the type checker only: the state these commands read and the event methods they call, all defined
        # by Organization (which mypy checks against these declarations).
        npi: str
        entity_kind: EntityKind
        provider_number: str | None
        disenrolled: tuple[date, DisenrollmentCause] | None
        rendering_providers: dict[str, str]
        eft_status: EftStatus
        affiliations: dict[str, Affiliation]
        primary_user_account_id: UUID | None
        used_modifications: list[UUID]
        fact_days: FactDays
        history: list[Any]

        def exclusion_screenings(self) -> list[tuple[str, Screening]]: ...

        def _pin_letter_received(self, pin: str, received_on: date, actor: str, reason: str | None) -> None: ...
        def _provider_number_issued(
            self, provider_number: str, issued_on: date, actor: str, reason: str | None
        ) -> None: ...
        def _provider_number_changed(
            self, provider_number: str, previous: str, on: date, actor: str, reason: str | None
        ) -> None: ...
        def _disenrolled(self, cause: DisenrollmentCause, on: date, actor: str, reason: str | None) -> None: ...
        def _revalidation_letter(self, received_on: date, respond_by: date, actor: str, reason: str | None) -> None: ...
        def _rendering_provider_linked(self, npi: str, name: str, on: date, actor: str, reason: str | None) -> None: ...
        def _rendering_provider_unlinked(self, npi: str, on: date, actor: str, reason: str | None) -> None: ...
        def _eft_details_recorded(
            self,
            routing_number: str,
            account_number: str,
            account_type: AccountType,
            on: date,
            actor: str,
            reason: str | None,
        ) -> None: ...
        def _eft_validation_recorded(self, validated: bool, on: date, actor: str, reason: str | None) -> None: ...
        def _affiliation_requested(
            self, kind: PlanKind, plan: str, partner_mco: str | None, on: date, actor: str, reason: str | None
        ) -> None: ...
        def _primary_user_designated(self, account_id: UUID, on: date, actor: str, reason: str | None) -> None: ...
        def _primary_user_replaced(
            self,
            account_id: UUID,
            previous_account_id: UUID,
            modification_id: UUID,
            on: date,
            actor: str,
            reason: str | None,
        ) -> None: ...

    def receive_pin_letter(self, *, pin: str, received_on: date, actor: str, reason: str | None = None) -> None:
        if not isinstance(pin, str) or not PIN_FORM.fullmatch(pin):
            raise InvalidValue("A PIN is 4-16 letters or digits.", field="pin", rule="invalid-pin")
        self._pin_letter_received(pin=pin, received_on=received_on, actor=actor, reason=reason)

    def issue_provider_number(
        self, *, provider_number: str, issued_on: date, actor: str, reason: str | None = None
    ) -> None:
        check_provider_number(provider_number)
        if self.enrolled:
            raise RuleViolation(
                "provider-number-already-issued",
                f"Provider number {self.provider_number} is already issued; a reissued number is a change.",
            )
        self._provider_number_issued(provider_number=provider_number, issued_on=issued_on, actor=actor, reason=reason)

    @property
    def enrolled(self) -> bool:
        """Enrolled with MassHealth: a provider number issued, and the enrollment not ended since."""
        return self.provider_number is not None and self.disenrolled is None

    def receive_revalidation_letter(
        self, *, received_on: date, respond_by: date | None = None, actor: str, reason: str | None = None
    ) -> None:
        """MassHealth revalidates every five years and expects the answer within 45 days of its letter (DESIGN),
        unless the letter names its own date."""
        if not self.enrolled:
            raise RuleViolation("not-enrolled", "Only an enrolled provider is asked to revalidate.")
        respond_by = respond_by or received_on + timedelta(days=REVALIDATION_ANSWER_DAYS)
        if respond_by <= received_on:
            raise RuleViolation("respond-by-not-after", f"The answer is due after the letter of {received_on}.")
        self._revalidation_letter(received_on=received_on, respond_by=respond_by, actor=actor, reason=reason)

    def check_revalidable(self) -> None:
        """A revalidation is approved only while the enrollment it renews has not ended."""
        if self.disenrolled is not None:
            raise RuleViolation("not-enrolled", "The enrollment ended: there is nothing to revalidate; enroll again.")

    def change_provider_number(self, *, provider_number: str, on: date, actor: str, reason: str | None = None) -> None:
        """MassHealth reissued the provider number (a change of ownership, a new TIN): the reason says why."""
        check_provider_number(provider_number)
        if not self.enrolled or self.provider_number is None:
            raise RuleViolation("not-enrolled", "Only an enrolled provider's number can change; issue one first.")
        if provider_number == self.provider_number:
            raise RuleViolation("provider-number-unchanged", f"The provider number is already {provider_number}.")
        require_reason(reason, "A provider number change needs the reason MassHealth reissued it.")
        previous = self.provider_number
        self._provider_number_changed(
            provider_number=provider_number, previous=previous, on=on, actor=actor, reason=reason
        )

    def disenroll(self, *, cause: DisenrollmentCause, on: date, actor: str, reason: str | None = None) -> None:
        """The MassHealth enrollment ended, at the provider's request or by MassHealth. Nothing more is contracted or
        activated with a plan until the provider is enrolled again (a new enrollment's provider number)."""
        if not self.enrolled:
            raise RuleViolation("not-enrolled", "The organization is not enrolled with MassHealth.")
        require_reason(reason, "A disenrollment needs its reason (the provider's request, MassHealth's notice).")
        self._disenrolled(cause=DisenrollmentCause(cause), on=on, actor=actor, reason=reason)

    def link_rendering_provider(self, *, npi: str, name: str, on: date, actor: str, reason: str | None = None) -> None:
        npi = parse_npi(npi)
        if self.entity_kind.enumeration_type != "NPI-2":
            raise RuleViolation("rendering-link-needs-group", "Only a Type 2 group or facility links rendering NPIs.")
        if npi == self.npi:
            raise RuleViolation("rendering-link-self", "The group's own NPI is not a rendering provider.")
        if npi in self.rendering_providers:
            raise RuleViolation("rendering-already-linked", f"NPI {npi} is already linked.")
        self._rendering_provider_linked(npi=npi, name=check_text(name, field="name"), on=on, actor=actor, reason=reason)

    def unlink_rendering_provider(self, *, npi: str, on: date, actor: str, reason: str | None = None) -> None:
        if clean_text(npi, field="npi") not in self.rendering_providers:
            raise RuleViolation("rendering-not-linked", f"NPI {npi} is not linked to this group.")
        self._rendering_provider_unlinked(npi=npi, on=on, actor=actor, reason=reason)

    def record_eft_details(
        self,
        *,
        routing_number: str,
        account_number: str,
        account_type: AccountType,
        on: date,
        actor: str,
        reason: str | None = None,
    ) -> None:
        if not isinstance(account_number, str) or not ACCOUNT_NUMBER_FORM.fullmatch(account_number):
            raise InvalidValue(
                "An account number is 4-17 digits.", field="account_number", rule="invalid-account-number"
            )
        self._eft_details_recorded(
            routing_number=check_routing_number(routing_number),
            account_number=account_number,
            account_type=AccountType(account_type),
            on=on,
            actor=actor,
            reason=reason,
        )

    def record_eft_validation(self, *, validated: bool, on: date, actor: str, reason: str | None = None) -> None:
        if self.eft_status is not EftStatus.PENDING_VALIDATION:
            raise RuleViolation("eft-not-pending", f"No EFT details await validation (status {self.eft_status}).")
        self._eft_validation_recorded(validated=validated, on=on, actor=actor, reason=reason)

    # --- plan affiliations ------------------------------------------------------------------------

    def request_affiliation(
        self, *, kind: PlanKind, plan: str, partner_mco: str | None, on: date, actor: str, reason: str | None = None
    ) -> None:
        kind = PlanKind(kind)
        check_plan(kind, plan, partner_mco)
        current = self.affiliations.get(plan.strip())
        if current is not None and current.state not in CLOSED:
            raise RuleViolation("affiliation-open", f"An affiliation with {plan} is already {current.state}.")
        if current is not None and on < max(current.dates.values()):
            raise RuleViolation("affiliation-date-order", f"{on} is before the previous affiliation with {plan} ended.")
        self._affiliation_requested(
            kind=kind, plan=plan.strip(), partner_mco=partner_mco, on=on, actor=actor, reason=reason
        )

    def move_affiliation(
        self, *, plan: str, to: AffiliationState, on: date, actor: str, reason: str | None = None
    ) -> None:
        """Credentialing started, contracted, active, denied or terminated: one event each."""
        to = AffiliationState(to)
        current = self.affiliations.get(clean_text(plan, field="plan"))
        if current is None:
            raise RuleViolation("affiliation-unknown", f"No affiliation with {plan} was requested.")
        if to is AffiliationState.REQUESTED:
            raise RuleViolation("affiliation-transition", "Request a new affiliation instead.")
        check_transition(current, to, on, enrolled=self.enrolled)
        if to is AffiliationState.ACTIVE:  # judged by the screenings of the activation's own day
            check_not_excluded(self._screenings_on(on), "activating the affiliation")
        getattr(self, _AFFILIATION_ACTS[to])(plan=plan, on=on, actor=actor, reason=reason)

    def follow_credentialing(
        self, *, plan: str, to: AffiliationState, on: date, actor: str, active_on: date | None = None
    ) -> None:
        """The plan's affiliation follows its credentialing application (one of an affiliation kind naming the plan):
        submitted -> in credentialing; denied -> denied; withdrawn -> withdrawn; approved with the contract's
        effective date (``active_on``) -> contracted, and active from that date if it has come. Only an affiliation
        still on its way (requested or in credentialing) and not changed after ``on`` follows, and only as far as its
        own rules allow: no contract before MassHealth enrollment, no activation while an exclusion stands that day, no
        activation on a day still to come (each is recorded by hand when it happens). The payer's decision itself is
        never held back by the affiliation."""
        current = self.affiliations.get(plan)
        on_its_way = (AffiliationState.REQUESTED, AffiliationState.IN_CREDENTIALING)
        if current is None or current.state not in on_its_way or max(current.dates.values()) > on:
            return
        reason = "Follows its credentialing application"
        steps = [to]
        if to is AffiliationState.CONTRACTED:
            steps = [AffiliationState.IN_CREDENTIALING] + ([to] if self.enrolled else [])
            active_day = max(on, active_on) if active_on is not None else None
            if steps[-1] is to and self._may_activate(active_day):
                steps.append(AffiliationState.ACTIVE)
        for step in steps:
            if step is not self.affiliations[plan].state:
                day = active_day if step is AffiliationState.ACTIVE and active_day is not None else on
                self.move_affiliation(plan=plan, to=step, on=day, actor=actor, reason=reason)

    def _may_activate(self, day: date | None) -> bool:
        """A contract's effective day that has come, with no exclusion confirmed on it."""
        if day is None or day > business_today():
            return False
        return not any(s.result is ScreeningResult.CONFIRMED_MATCH for _, s in self._screenings_on(day))

    def _screenings_on(self, day: date) -> list[tuple[str, Screening]]:
        """The exclusion screenings of the organization and of the people it disclosed, as they stood on ``day``
        (the current ones unless a fact took effect after it)."""
        latest = self.fact_days.latest_day()
        then = self if latest is None or latest <= day else state_on(self.history, day)
        return then.exclusion_screenings()

    # --- exclusion screening: record_screening and clear_screening (domain/screening.py: ScreenedRecord) ---------

    @property
    def excluded(self) -> bool:
        return any(s.result is ScreeningResult.CONFIRMED_MATCH for _, s in self.exclusion_screenings())

    def designate_primary_user(self, *, account_id: UUID, on: date, actor: str, reason: str | None = None) -> None:
        """The first primary user, named on the POSC registration form (POSC-DC-PE)."""
        if self.primary_user_account_id is not None:
            raise RuleViolation(
                "primary-user-exists",
                "The organization has a primary user; replacing one needs an approved POSC-DC-PM.",
            )
        self._primary_user_designated(account_id=account_id, on=on, actor=actor, reason=reason)

    def replace_primary_user(
        self, *, account_id: UUID, modification_id: UUID, on: date, actor: str, reason: str | None = None
    ) -> None:
        """A new primary user, on the strength of an approved POSC-DC-PM (checked by the caller)."""
        if self.primary_user_account_id is None:
            raise RuleViolation("no-primary-user", "There is no primary user to replace; designate one.")
        if account_id == self.primary_user_account_id:
            raise RuleViolation("primary-user-unchanged", "That account is already the primary user.")
        if modification_id in self.used_modifications:
            raise RuleViolation("modification-already-used", "That POSC-DC-PM has already been applied.")
        self._primary_user_replaced(
            account_id=account_id,
            previous_account_id=self.primary_user_account_id,
            modification_id=modification_id,
            on=on,
            actor=actor,
            reason=reason,
        )


_AFFILIATION_ACTS = {
    AffiliationState.IN_CREDENTIALING: "_affiliation_credentialing_started",
    AffiliationState.CONTRACTED: "_affiliation_contracted",
    AffiliationState.ACTIVE: "_affiliation_activated",
    AffiliationState.DENIED: "_affiliation_denied",
    AffiliationState.TERMINATED: "_affiliation_terminated",
    AffiliationState.WITHDRAWN: "_affiliation_withdrawn",
}
