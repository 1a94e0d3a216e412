"""The rules on user accounts that read another aggregate (domain/account_rules.py), on real aggregates and
without a store: the use cases in services/app/user_accounts.py only load the aggregates and call these."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.account_rules import (
    check_pin_letter,
    check_primary_user_modification,
    check_reactivation,
    granting_primary_user,
    needs_pin_letter,
)
from domain.application import Application
from domain.application_values import ApplicationKind
from domain.errors import RuleViolation
from domain.organization import Organization
from domain.user_account import AccountRole, ChecklistStep, UserAccount
from tests.domain.builders import LATER, open_account, open_application, register_peach, submitted_application

K = ApplicationKind
DESIGNATED_ON = date(2026, 2, 2)


def refused(rule: str, check: Callable[..., object], *args: Any) -> RuleViolation:
    """``check(*args)`` raises RuleViolation naming ``rule``."""
    with pytest.raises(RuleViolation) as caught:
        check(*args)
    assert type(caught.value) is RuleViolation
    assert caught.value.rule == rule, caught.value.message
    return caught.value


def organization_with_primary(registered_on: date | None = DESIGNATED_ON) -> tuple[Organization, UserAccount]:
    """A practice and its primary user, registered in POSC on ``registered_on`` (checklist steps 1-4; None: not)."""
    organization = register_peach()
    primary = open_account(AccountRole.PRIMARY, organization_id=organization.id)
    organization.designate_primary_user(account_id=primary.id, on=DESIGNATED_ON, actor="user-1")
    if registered_on is not None:
        for step in ChecklistStep:
            primary.complete_step(step, on=registered_on, actor="user-1")
    return organization, primary


def approved(kind: ApplicationKind, organization: Organization) -> Application:
    application = submitted_application(kind, organization_id=organization.id)
    application.approve(decided_on=LATER, actor="user-1")
    return application


# --- replacing the primary user: the organization's approved POSC-DC-PM -------------------------------------


def test_the_organizations_approved_modification_replaces_the_primary_user() -> None:
    organization = register_peach()
    check_primary_user_modification(approved(K.PRIMARY_USER_MODIFICATION, organization), organization.id, LATER)


def test_a_replacement_is_not_dated_before_the_approval() -> None:
    organization = register_peach()
    modification = approved(K.PRIMARY_USER_MODIFICATION, organization)
    before = date(2026, 4, 14)
    error = refused(
        "effective-date-before-dependency", check_primary_user_modification, modification, organization.id, before
    )
    assert str(before) in error.message and str(LATER) in error.message
    check_primary_user_modification(modification, organization.id, date(2026, 5, 1))


def test_a_modification_not_yet_approved_does_not() -> None:
    organization = register_peach()
    for modification in (
        open_application(K.PRIMARY_USER_MODIFICATION, organization_id=organization.id),
        submitted_application(K.PRIMARY_USER_MODIFICATION, organization_id=organization.id),
    ):
        error = refused(
            "approved-modification-required", check_primary_user_modification, modification, organization.id, LATER
        )
        assert error.message == (
            "Replacing the primary user of location A needs this organization's approved POSC-DC-PM application for "
            "that location."
        )


def test_another_organizations_modification_does_not() -> None:
    organization = register_peach()
    refused(
        "approved-modification-required",
        check_primary_user_modification,
        approved(K.PRIMARY_USER_MODIFICATION, organization),
        uuid4(),
        LATER,
    )


def test_an_approved_application_of_another_kind_does_not() -> None:
    organization = register_peach()
    refused(
        "approved-modification-required",
        check_primary_user_modification,
        approved(K.POSC_REGISTRATION, organization),
        organization.id,
        LATER,
    )


# --- the registration checklist: registering with the PIN needs the PIN letter ------------------------------


def test_only_registering_with_the_pin_needs_the_pin_letter() -> None:
    assert needs_pin_letter(ChecklistStep.REGISTERED_WITH_PIN)
    assert needs_pin_letter("registered_with_pin")
    assert [step for step in ChecklistStep if needs_pin_letter(step)] == [ChecklistStep.REGISTERED_WITH_PIN]
    with pytest.raises(ValueError):
        needs_pin_letter("launch_missiles")


def test_registering_with_the_pin_waits_for_the_pin_letter() -> None:
    organization = register_peach()
    error = refused("pin-letter-missing", check_pin_letter, ChecklistStep.REGISTERED_WITH_PIN, organization)
    assert error.message == "Registering in POSC needs the PIN from the MassHealth PIN letter."
    for step in ChecklistStep:
        if step is not ChecklistStep.REGISTERED_WITH_PIN:
            check_pin_letter(step, organization)  # the other steps do not need it
    organization.receive_pin_letter(pin="A1B2C3", received_on=date(2026, 3, 1), actor="user-1")
    check_pin_letter(ChecklistStep.REGISTERED_WITH_PIN, organization)


# --- granting access: by the organization's active primary user ---------------------------------------------


def test_the_primary_user_grants_access_to_others() -> None:
    organization, primary = organization_with_primary()
    account = open_account(organization_id=organization.id)
    assert granting_primary_user(account, organization, primary, LATER) == primary.id


def test_the_primary_user_grants_itself_with_no_granter() -> None:
    organization, primary = organization_with_primary()
    assert granting_primary_user(primary, organization, None, LATER) is None


def test_the_primary_user_grants_only_once_registered_in_posc() -> None:
    """The registration checklist (the POSC pages): the primary user registers with the PIN (step 3), changes the
    password and answers the authentication questions (step 4), then grants access (step 5)."""
    organization, primary = organization_with_primary(registered_on=None)
    account = open_account(organization_id=organization.id)
    for granted_to in (account, primary):
        error = refused("primary-user-not-registered", granting_primary_user, granted_to, organization, primary, LATER)
        assert "steps 3 and 4" in error.message and str(LATER) in error.message
    for step in list(ChecklistStep)[:-1]:  # short of the authentication questions
        primary.complete_step(step, on=DESIGNATED_ON, actor="user-1")
    refused("primary-user-not-registered", granting_primary_user, account, organization, primary, LATER)
    primary.complete_step(ChecklistStep.AUTHENTICATION_QUESTIONS_ANSWERED, on=LATER, actor="user-1")
    # Registered on LATER: a grant that day stands, one dated the day before does not.
    assert granting_primary_user(account, organization, primary, LATER) == primary.id
    day_before = date(2026, 4, 14)
    refused("primary-user-not-registered", granting_primary_user, account, organization, primary, day_before)


def test_no_access_without_a_primary_user() -> None:
    organization = register_peach()
    account = open_account(organization_id=organization.id)
    error = refused("no-active-primary-user", granting_primary_user, account, organization, None, LATER)
    assert error.message == "Only an active primary user grants access; this organization has none."


def test_no_access_from_a_deactivated_or_departed_primary_user() -> None:
    for end in ("deactivate", "depart"):
        organization, primary = organization_with_primary()
        account = open_account(organization_id=organization.id)
        if end == "deactivate":
            primary.deactivate(on=LATER, actor="user-1")
        else:
            primary.record_departure(on=LATER, actor="user-1")
        refused("no-active-primary-user", granting_primary_user, account, organization, primary, LATER)


def test_no_access_from_an_account_that_is_not_the_primary_user() -> None:
    organization, _ = organization_with_primary()
    account = open_account(organization_id=organization.id)
    other = open_account(AccountRole.PRIMARY, organization_id=organization.id)
    refused("no-active-primary-user", granting_primary_user, account, organization, other, LATER)


# --- reactivating: a primary account only while it is still the primary user --------------------------------


def test_the_primary_user_is_reactivated() -> None:
    organization, primary = organization_with_primary()
    primary.deactivate(on=LATER, actor="user-1")
    check_reactivation(primary, organization)


def test_a_replaced_primary_user_is_not_reactivated() -> None:
    organization, first = organization_with_primary()
    first.deactivate(on=LATER, actor="user-1")
    second = open_account(AccountRole.PRIMARY, organization_id=organization.id)
    organization.replace_primary_user(account_id=second.id, modification_id=uuid4(), on=LATER, actor="user-1")
    error = refused("primary-user-exists", check_reactivation, first, organization)
    assert error.message == "Another account is now the organization's primary user."


@pytest.mark.parametrize("role", [AccountRole.SUBORDINATE, AccountRole.BUSINESS_PARTNER])
def test_other_accounts_are_reactivated_whoever_the_primary_user_is(role: AccountRole) -> None:
    organization, _ = organization_with_primary()
    account = open_account(role, organization_id=organization.id)
    account.deactivate(on=LATER, actor="user-1")
    check_reactivation(account, organization)
    check_reactivation(account, register_peach())  # an organization with no primary user
