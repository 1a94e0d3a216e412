"""UserAccount: roles and partner fields, the POSC registration checklist, grants and revokes, access reviews,
departures, deactivation and reactivation, password resets. Refused commands leave no trace."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.user_account import (
    AccountRole,
    AccountStatus,
    ChecklistStep,
    PoscFunction,
    ReviewOutcome,
    UserAccount,
)
from tests.domain.builders import OPENED_ON, ORG_ID, assert_refused, assert_value_error, open_account

D1, D2, D3 = date(2026, 1, 5), date(2026, 4, 6), date(2026, 7, 6)
STEPS = list(ChecklistStep)
NON_PRIMARY_STEPS = [s for s in STEPS if s is not ChecklistStep.REGISTERED_WITH_PIN]


@pytest.fixture
def create_calls(monkeypatch):
    calls = []
    original = UserAccount._create.__func__

    def spy(cls, *args, **kwargs):
        calls.append(kwargs)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(UserAccount, "_create", classmethod(spy))
    return calls


def fresh(role=AccountRole.SUBORDINATE, **overrides) -> UserAccount:
    account = open_account(role, **overrides)
    account.collect_events()
    return account


# --- opening --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["primary", "subordinate", AccountRole.PRIMARY, AccountRole.SUBORDINATE])
def test_open_staff_accounts(role):
    account = open_account(role, person_name="  Josephine Dunn ", date_of_birth=date(1980, 2, 29), reason="hired")
    assert account.role is AccountRole(role)
    assert (account.person_name, account.organization_id, account.tenant_id) == ("Josephine Dunn", ORG_ID, "firm-a")
    assert (account.partner_firm, account.partner_function) == (None, None)
    assert account.date_of_birth == date(1980, 2, 29)
    assert account.status is AccountStatus.ACTIVE and account.active
    assert account.grants == [] and account.checklist == {}
    assert (account.departed_on, account.last_review, account.password_resets) == (None, None, 0)
    assert account.version == 1
    (opened,) = account.collect_events()
    assert type(opened) is UserAccount.Opened
    assert (opened.actor, opened.reason, opened.date_of_birth) == ("user-1", "hired", date(1980, 2, 29))
    assert opened.opened_on == account.opened_on == OPENED_ON
    assert isinstance(account.id, UUID)


def test_open_business_partner_names_the_firm_and_function():
    account = open_account(
        "business_partner", partner_firm="  Acme Billing LLC ", partner_function=" claims submission "
    )
    assert account.role is AccountRole.BUSINESS_PARTNER
    assert (account.partner_firm, account.partner_function) == ("Acme Billing LLC", "claims submission")


@pytest.mark.parametrize(
    "partner_firm, partner_function, field",
    [
        (None, "claims", "partner_firm"),
        ("   ", "claims", "partner_firm"),
        ("Acme", None, "partner_function"),
        ("Acme", "", "partner_function"),
        ("A" * 201, "claims", "partner_firm"),
    ],
)
def test_business_partner_needs_firm_and_function(partner_firm, partner_function, field, create_calls):
    with pytest.raises(InvalidValue) as caught:
        open_account("business_partner", partner_firm=partner_firm, partner_function=partner_function)
    assert (caught.value.rule, caught.value.field) == ("invalid-value", field)
    assert create_calls == []


@pytest.mark.parametrize("role", [AccountRole.PRIMARY, AccountRole.SUBORDINATE])
@pytest.mark.parametrize(
    "fields",
    [dict(partner_firm="Acme"), dict(partner_function="billing"), dict(partner_firm="A", partner_function="B")],
)
def test_only_partners_name_a_partner_firm(role, fields, create_calls):
    with pytest.raises(RuleViolation) as caught:
        open_account(role, **fields)
    assert caught.value.rule == "partner-fields-for-partners"
    assert create_calls == []


@pytest.mark.parametrize(
    "overrides, rule, field",
    [
        (dict(person_name=""), "invalid-value", "person_name"),
        (dict(person_name="   "), "invalid-value", "person_name"),
        (dict(person_name="N" * 201), "invalid-value", "person_name"),
        (dict(tenant_id="firm a"), "invalid-tenant", "tenant"),
    ],
)
def test_open_refuses_invalid_values(overrides, rule, field, create_calls):
    with pytest.raises(InvalidValue) as caught:
        open_account("subordinate", **overrides)
    assert (caught.value.rule, caught.value.field) == (rule, field)
    assert create_calls == []


def test_open_refuses_unknown_role(create_calls):
    with pytest.raises(ValueError):
        open_account("superuser")
    assert create_calls == []


# --- the registration checklist ------------------------------------------------------------------------------


def test_primary_user_completes_the_checklist_in_order():
    account = fresh("primary")
    for index, step in enumerate(STEPS):
        account.complete_step(step.value, on=date(2026, 2, 2 + index), actor="user-1", reason="done")
        assert account.checklist[step.value] == date(2026, 2, 2 + index)
        (event,) = account.collect_events()
        assert type(event) is UserAccount.ChecklistStepCompleted
        assert (event.step, event.on, event.reason) == (step, date(2026, 2, 2 + index), "done")
    assert list(account.checklist) == [s.value for s in STEPS]
    assert account.version == 1 + len(STEPS)


@pytest.mark.parametrize("role", [AccountRole.SUBORDINATE, AccountRole.BUSINESS_PARTNER])
def test_others_complete_the_checklist_without_the_pin_step(role):
    account = fresh(role)
    for step in NON_PRIMARY_STEPS:
        account.complete_step(step, on=D1, actor="user-1")
    assert list(account.checklist) == [s.value for s in NON_PRIMARY_STEPS]


@pytest.mark.parametrize("role", [AccountRole.SUBORDINATE, AccountRole.BUSINESS_PARTNER])
def test_only_the_primary_user_registers_with_the_pin(role):
    account = fresh(role)
    assert_refused(account, lambda: account.complete_step("registered_with_pin", on=D1, actor="u"), "step-not-for-role")
    account.complete_step("new_user_email_received", on=D1, actor="u")
    assert_refused(account, lambda: account.complete_step("registered_with_pin", on=D1, actor="u"), "step-not-for-role")


@pytest.mark.parametrize("role", list(AccountRole))
@pytest.mark.parametrize("done", [0, 1, 2])
def test_steps_out_of_order(role, done):
    account = fresh(role)
    steps = STEPS if role is AccountRole.PRIMARY else NON_PRIMARY_STEPS
    for step in steps[:done]:
        account.complete_step(step, on=D1, actor="u")
    for later in steps[done + 1 :]:
        error = assert_refused(
            account, lambda later=later: account.complete_step(later, on=D1, actor="u"), "step-out-of-order"
        )
        assert steps[done].value in error.message


@pytest.mark.parametrize("role", list(AccountRole))
def test_a_step_is_recorded_once(role):
    account = fresh(role)
    steps = STEPS if role is AccountRole.PRIMARY else NON_PRIMARY_STEPS
    for step in steps:
        account.complete_step(step, on=D1, actor="u")
        assert_refused(account, lambda step=step: account.complete_step(step, on=D2, actor="u"), "step-already-done")
    assert all(on == D1 for on in account.checklist.values())


def test_a_deactivated_account_is_refused_before_the_role_is_checked():
    account = fresh("subordinate")
    account.deactivate(on=D2, actor="u")
    assert_refused(
        account, lambda: account.complete_step("registered_with_pin", on=D3, actor="u"), "account-not-active"
    )


def test_checklist_needs_an_active_account():
    account = fresh("primary")
    account.deactivate(on=D2, actor="u")
    assert_refused(
        account, lambda: account.complete_step("registered_with_pin", on=D3, actor="u"), "account-not-active"
    )


def test_unknown_step():
    account = fresh("primary")
    assert_value_error(account, lambda: account.complete_step("fax_sent", on=D1, actor="u"))


def test_a_step_is_not_done_before_the_previous_one():
    """Was a bug (found by these tests): checklist dates could go back in time."""
    account = fresh("primary")
    account.complete_step("registered_with_pin", on=D2, actor="u")
    assert_refused(
        account, lambda: account.complete_step("new_user_email_received", on=D1, actor="u"), "step-date-order"
    )
    account.complete_step("new_user_email_received", on=D2, actor="u")  # the same day is fine
    account.complete_step("password_changed", on=D3, actor="u")
    assert_refused(
        account,
        lambda: account.complete_step("authentication_questions_answered", on=D2, actor="u"),
        "step-date-order",
    )


def test_the_first_step_may_have_any_date():
    """Any date on or after the account's opening (domain/business_time.py)."""
    account = fresh("subordinate", opened_on=date(2019, 6, 3))
    account.complete_step("new_user_email_received", on=date(2020, 1, 1), actor="u")
    assert account.checklist == {"new_user_email_received": date(2020, 1, 1)}


def test_step_order_is_checked_before_step_dates():
    account = fresh("primary")
    account.complete_step("registered_with_pin", on=D2, actor="u")
    assert_refused(account, lambda: account.complete_step("password_changed", on=D1, actor="u"), "step-out-of-order")


# --- grants and revokes --------------------------------------------------------------------------------------


def test_grant_access_in_order():
    account = fresh()
    primary = uuid4()
    account.grant_access("claims_batch", granted_by=primary, on=D1, actor="user-1", reason="billing staff")
    account.grant_access(PoscFunction.ELIGIBILITY_VERIFICATION, granted_by=primary, on=D1, actor="user-1")
    assert account.grants == [PoscFunction.CLAIMS_BATCH, PoscFunction.ELIGIBILITY_VERIFICATION]
    first, second = account.collect_events()
    assert type(first) is UserAccount.AccessGranted
    assert (first.function, first.granted_by, first.on, first.reason) == (
        PoscFunction.CLAIMS_BATCH,
        primary,
        D1,
        "billing staff",
    )
    assert second.originator_version == 3


def test_the_primary_user_grants_itself_with_no_granter():
    account = fresh("primary")
    account.grant_access("provider_data_maintenance", granted_by=None, on=D1, actor="user-1")
    (event,) = account.collect_events()
    assert event.granted_by is None


def test_every_function_can_be_granted_once():
    account = fresh("business_partner")
    for function in PoscFunction:
        account.grant_access(function, granted_by=uuid4(), on=D1, actor="u")
        assert_refused(
            account,
            lambda function=function: account.grant_access(function.value, granted_by=uuid4(), on=D1, actor="u"),
            "access-already-granted",
        )
    assert account.grants == list(PoscFunction)
    assert account.version == 1 + len(PoscFunction)


def test_unknown_function():
    account = fresh()
    assert_value_error(account, lambda: account.grant_access("launch_missiles", granted_by=None, on=D1, actor="u"))
    account.grant_access("letters_reports", granted_by=None, on=D1, actor="u")
    assert_value_error(account, lambda: account.revoke_access("launch_missiles", on=D2, actor="u"))


def test_revoke_access():
    account = fresh()
    account.grant_access("claims_batch", granted_by=None, on=D1, actor="u")
    account.grant_access("letters_reports", granted_by=None, on=D1, actor="u")
    account.collect_events()
    account.revoke_access("claims_batch", on=D2, actor="user-2", reason="moved team")
    assert account.grants == [PoscFunction.LETTERS_REPORTS]
    (event,) = account.collect_events()
    assert type(event) is UserAccount.AccessRevoked
    assert (event.function, event.on, event.reason) == (PoscFunction.CLAIMS_BATCH, D2, "moved team")
    assert_refused(account, lambda: account.revoke_access("claims_batch", on=D2, actor="u"), "access-not-granted")
    # granted again after a revoke
    account.grant_access("claims_batch", granted_by=None, on=D3, actor="u")
    assert account.grants == [PoscFunction.LETTERS_REPORTS, PoscFunction.CLAIMS_BATCH]


def test_revoke_what_was_never_granted():
    account = fresh()
    assert_refused(
        account, lambda: account.revoke_access("prior_authorization", on=D2, actor="u"), "access-not-granted"
    )


def test_no_grant_to_a_deactivated_account():
    account = fresh()
    account.deactivate(on=D2, actor="u")
    assert_refused(
        account, lambda: account.grant_access("claims_batch", granted_by=None, on=D3, actor="u"), "account-not-active"
    )


# --- access reviews -------------------------------------------------------------------------------------------


def test_confirmed_review_keeps_grants():
    account = fresh()
    account.grant_access("claims_batch", granted_by=None, on=D1, actor="u")
    account.collect_events()
    account.review_access(outcome="confirmed", on=D1, reviewer=" Q1 compliance ", actor="user-2", reason="quarterly")
    assert account.last_review == (D1, ReviewOutcome.CONFIRMED, "Q1 compliance")
    assert account.grants == [PoscFunction.CLAIMS_BATCH]
    (event,) = account.collect_events()
    assert type(event) is UserAccount.AccessReviewed
    assert (event.outcome, event.on, event.reviewer) == (ReviewOutcome.CONFIRMED, D1, "Q1 compliance")


def test_revoked_review_clears_every_grant():
    account = fresh()
    for function in ("claims_batch", "letters_reports", "eligibility_verification"):
        account.grant_access(function, granted_by=None, on=D1, actor="u")
    account.review_access(outcome=ReviewOutcome.REVOKED, on=D1, reviewer="Q1", actor="u")
    assert account.grants == []
    assert account.last_review == (D1, ReviewOutcome.REVOKED, "Q1")
    assert account.active  # a revoked review withdraws access, not the account
    account.grant_access("claims_batch", granted_by=None, on=D2, actor="u")
    assert account.grants == [PoscFunction.CLAIMS_BATCH]


def test_reviews_may_not_go_back_in_time():
    account = fresh()
    account.review_access(outcome="confirmed", on=D2, reviewer="Q2", actor="u")
    account.review_access(outcome="confirmed", on=D2, reviewer="Q2 again", actor="u")  # the same day is fine
    assert_refused(
        account,
        lambda: account.review_access(outcome="revoked", on=D1, reviewer="Q1", actor="u"),
        "review-date-order",
    )
    account.review_access(outcome="revoked", on=D3, reviewer="Q3", actor="u")
    assert account.last_review == (D3, ReviewOutcome.REVOKED, "Q3")


@pytest.mark.parametrize("reviewer", ["", "   ", "R" * 201])
def test_a_review_names_the_reviewer(reviewer):
    account = fresh()
    assert_refused(
        account,
        lambda: account.review_access(outcome="confirmed", on=D1, reviewer=reviewer, actor="u"),
        "invalid-value",
        InvalidValue,
    )


def test_review_of_a_deactivated_account():
    account = fresh()
    account.deactivate(on=D2, actor="u")
    assert_refused(
        account,
        lambda: account.review_access(outcome="confirmed", on=D3, reviewer="Q", actor="u"),
        "account-not-active",
    )


def test_unknown_review_outcome():
    account = fresh()
    assert_value_error(account, lambda: account.review_access(outcome="maybe", on=D1, reviewer="Q", actor="u"))


# --- departure, deactivation, reactivation, passwords ------------------------------------------------------------


def test_departure_blocks_new_grants():
    account = fresh()
    account.grant_access("claims_batch", granted_by=None, on=D1, actor="u")
    account.record_departure(on=D2, actor="u", reason="resigned")
    assert account.departed_on == D2
    (_, event) = account.collect_events()
    assert type(event) is UserAccount.PersonDeparted and (event.on, event.reason) == (D2, "resigned")
    assert_refused(
        account, lambda: account.grant_access("letters_reports", granted_by=None, on=D3, actor="u"), "person-departed"
    )
    # what was granted can still be taken away
    account.revoke_access("claims_batch", on=D3, actor="u")
    assert account.grants == []


def test_departure_is_recorded_once():
    account = fresh()
    account.record_departure(on=D2, actor="u")
    assert_refused(account, lambda: account.record_departure(on=D3, actor="u"), "person-departed")


def test_departure_may_be_recorded_after_deactivation():
    account = fresh()
    account.deactivate(on=D2, actor="u")
    account.record_departure(on=D2, actor="u")
    assert (account.status, account.departed_on) == (AccountStatus.DEACTIVATED, D2)


def test_deactivate_clears_grants():
    account = fresh()
    account.grant_access("claims_batch", granted_by=None, on=D1, actor="u")
    account.grant_access("claim_status_remittance", granted_by=None, on=D1, actor="u")
    account.collect_events()
    account.deactivate(on=D2, actor="user-2", reason="long inactive")
    assert account.status is AccountStatus.DEACTIVATED and not account.active
    assert account.grants == []
    (event,) = account.collect_events()
    assert type(event) is UserAccount.Deactivated and (event.on, event.reason) == (D2, "long inactive")
    assert_refused(account, lambda: account.deactivate(on=D2, actor="u"), "account-not-active")


def test_reactivate():
    account = fresh()
    account.grant_access("claims_batch", granted_by=None, on=D1, actor="u")
    account.deactivate(on=D2, actor="u")
    account.collect_events()
    account.reactivate(on=D3, actor="user-2", reason="back from leave")
    assert account.status is AccountStatus.ACTIVE
    assert account.grants == []  # access does not come back by itself
    (event,) = account.collect_events()
    assert type(event) is UserAccount.Reactivated and event.on == D3
    account.grant_access("claims_batch", granted_by=None, on=D3, actor="u")


def test_reactivating_an_active_account():
    account = fresh()
    assert_refused(account, lambda: account.reactivate(on=D3, actor="u"), "account-active")


def test_a_departed_persons_account_is_not_reactivated():
    account = fresh()
    account.record_departure(on=D2, actor="u")
    account.deactivate(on=D2, actor="u")
    assert_refused(account, lambda: account.reactivate(on=D3, actor="u"), "person-departed")


def test_rule_order_active_before_departed_on_reactivate():
    account = fresh()
    account.record_departure(on=D2, actor="u")
    assert_refused(account, lambda: account.reactivate(on=D3, actor="u"), "account-active")


def test_password_reset_counts():
    account = fresh()
    account.reset_password(on=D1, actor="primary-user", reason="locked out")
    account.reset_password(on=D2, actor="primary-user")
    assert account.password_resets == 2
    first, second = account.collect_events()
    assert type(first) is UserAccount.PasswordReset
    assert (first.on, first.reason, second.on) == (D1, "locked out", D2)


def test_no_password_reset_for_a_deactivated_account():
    account = fresh()
    account.deactivate(on=D2, actor="u")
    assert_refused(account, lambda: account.reset_password(on=D3, actor="u"), "account-not-active")
