"""The rules on POSC user accounts that read another aggregate: the organization, its POSC-DC-PM application,
or its primary user's account.

An aggregate checks only its own state, so these rules cannot live on UserAccount; they are pure functions
over the aggregates (already loaded by the use case) instead, so that every rule stays in the domain and is
tested without a store. Each raises RuleViolation naming its rule, or returns what the command needs.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.application import Application
from domain.application_values import ApplicationKind, ApplicationStatus
from domain.business_time import check_effective_day
from domain.errors import RuleViolation
from domain.organization import Organization
from domain.user_account import AccountRole, ChecklistStep, UserAccount


def check_primary_user_modification(
    modification: Application, organization_id: UUID, on: date, service_location: str = "A"
) -> None:
    """Replacing the primary user of a service location needs this organization's approved POSC-DC-PM for that
    location (MassHealth Primary User Policy: one primary user per PID/SL): an application of another kind, of
    another organization or location, or not (yet) approved does not do; nor does a replacement dated before the
    approval."""
    if (
        modification.kind is not ApplicationKind.PRIMARY_USER_MODIFICATION
        or modification.organization_id != organization_id
        or modification.service_location != service_location
        or modification.status is not ApplicationStatus.APPROVED
    ):
        raise RuleViolation(
            "approved-modification-required",
            f"Replacing the primary user of location {service_location} needs this organization's approved "
            "POSC-DC-PM application for that location.",
        )
    assert modification.decided_on is not None  # approved
    check_effective_day(on, "primary user replaced", (modification.decided_on, "POSC-DC-PM approved"))


def check_location_primary_account(account: UserAccount, organization_id: UUID, on: date) -> None:
    """A service location's primary user is one of the practice's own staff, active and with it on day ``on``
    (``account`` as it stood that day, when the naming is recorded late): a business partner administers nobody's
    access, and a person who left cannot (one ID per person, the policy)."""
    if account.organization_id != organization_id:
        raise RuleViolation("account-of-another-organization", "The account is not one of this organization's.")
    if account.role is AccountRole.BUSINESS_PARTNER:
        raise RuleViolation("primary-user-not-staff", "A business partner cannot be a location's primary user.")
    account.check_active()
    if account.departed_on is not None and account.departed_on <= on:
        raise RuleViolation("person-departed", "The person has left the practice; name someone still with it.")
    check_effective_day(on, "location primary user named", (account.opened_on, "its user account opened"))


def needs_pin_letter(step: ChecklistStep | str) -> bool:
    """Whether the checklist step needs the organization's PIN letter (only registering with the PIN does):
    the use case loads the organization only then."""
    return ChecklistStep(step) is ChecklistStep.REGISTERED_WITH_PIN


def check_pin_letter(step: ChecklistStep | str, organization: Organization) -> None:
    """The primary user registers in POSC with the PIN that MassHealth mails in the PIN letter: that step
    waits for the letter to be recorded on the organization."""
    if needs_pin_letter(step) and organization.pin_received_on is None:
        raise RuleViolation("pin-letter-missing", "Registering in POSC needs the PIN from the MassHealth PIN letter.")


def granting_primary_user(
    account: UserAccount, organization: Organization, primary: UserAccount | None, on: date
) -> UUID | None:
    """Who grants the account a POSC function on day ``on``: the organization's primary user, which must be active,
    still with the practice and registered in POSC by then. The primary user grants itself (None: no granter).

    ``primary`` is the account ``organization.primary_user_account_id`` names (None when there is none).
    """
    primary_id = organization.primary_user_account_id
    if account.id == primary_id:
        check_registered(account, on)
        return None
    if primary is None or primary.id != primary_id or not primary.active or primary.departed_on is not None:
        raise RuleViolation(
            "no-active-primary-user", "Only an active primary user grants access; this organization has none."
        )
    check_registered(primary, on)
    return primary.id


def check_registered(primary: UserAccount, on: date) -> None:
    """The registration checklist (the POSC pages): the primary user registers with the PIN (step 3), changes the
    Virtual Gateway password and answers the authentication questions (step 4), and only then grants access
    (step 5). Steps complete in order, so the last one dated by ``on`` says all were."""
    done = primary.checklist.get(ChecklistStep.AUTHENTICATION_QUESTIONS_ANSWERED)
    if done is None or done > on:
        raise RuleViolation(
            "primary-user-not-registered",
            f"The primary user grants access once registered in POSC (checklist steps 3 and 4: registered with the "
            f"PIN, password changed, authentication questions answered), not yet done on {on}.",
        )


def check_reactivation(account: UserAccount, organization: Organization) -> None:
    """A primary account comes back only while it is still the organization's primary user: once a POSC-DC-PM
    named another, the organization has one already (one active primary user per organization)."""
    if account.role is AccountRole.PRIMARY and organization.primary_user_account_id != account.id:
        raise RuleViolation("primary-user-exists", "Another account is now the organization's primary user.")
