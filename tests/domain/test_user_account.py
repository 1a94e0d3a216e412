"""UserAccount: open, grant POSC access, deactivate; refused commands leave no trace."""

from __future__ import annotations

import copy
from uuid import uuid4

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.user_account import AccountRole, AccountStatus, PoscFunction, UserAccount

ORG_ID = uuid4()


def open_account(role=AccountRole.PRIMARY, **overrides):
    kwargs = dict(
        tenant_id="firm-a",
        organization_id=ORG_ID,
        person_name="Josephine Dunn",
        role=role,
        actor="user-1",
        reason="POSC-DC-PE filed",
    )
    kwargs.update(overrides)
    return UserAccount.open(**kwargs)


def assert_refused(account, command, rule):
    """The command raises RuleViolation(rule) and changes nothing: version, state, pending events."""
    version = account.version
    state = copy.deepcopy(vars(account))
    pending = list(account.pending_events)
    with pytest.raises(RuleViolation) as caught:
        command()
    assert caught.value.rule == rule
    assert account.version == version
    assert vars(account) == state
    assert account.pending_events == pending


@pytest.mark.parametrize(
    "role, expected",
    [
        ("primary", AccountRole.PRIMARY),
        ("subordinate", AccountRole.SUBORDINATE),
        ("business_partner", AccountRole.BUSINESS_PARTNER),
        (AccountRole.BUSINESS_PARTNER, AccountRole.BUSINESS_PARTNER),
    ],
)
def test_open_with_each_role(role, expected):
    account = open_account(role=role)
    assert account.role is expected
    assert account.status is AccountStatus.ACTIVE
    assert account.grants == []
    assert account.organization_id == ORG_ID
    assert account.person_name == "Josephine Dunn"
    assert account.tenant_id == "firm-a"
    assert account.version == 1
    (opened,) = account.collect_events()
    assert type(opened) is UserAccount.Opened
    assert opened.role is expected
    assert opened.actor == "user-1"
    assert opened.reason == "POSC-DC-PE filed"
    assert opened.tenant_id == "firm-a"
    assert opened.organization_id == ORG_ID


def test_open_refuses_unknown_role():
    with pytest.raises(ValueError):
        open_account(role="administrator")


def test_open_refuses_bad_tenant_and_empty_name():
    with pytest.raises(InvalidValue) as caught:
        open_account(tenant_id="firm.a")
    assert (caught.value.field, caught.value.rule) == ("tenant", "invalid-tenant")
    with pytest.raises(InvalidValue) as caught:
        open_account(person_name="  ")
    assert (caught.value.field, caught.value.rule) == ("person_name", "invalid-value")


def test_grant_access_adds_grants_in_order_and_emits_access_granted():
    account = open_account()
    account.collect_events()
    account.grant_access(PoscFunction.ELIGIBILITY_VERIFICATION, actor="user-2", reason="needs eligibility")
    account.grant_access("claims_batch", actor="user-3")
    assert account.grants == [PoscFunction.ELIGIBILITY_VERIFICATION, PoscFunction.CLAIMS_BATCH]
    assert account.version == 3

    first, second = account.collect_events()
    assert type(first) is type(second) is UserAccount.AccessGranted
    assert (first.originator_id, first.originator_version) == (account.id, 2)
    assert first.function is PoscFunction.ELIGIBILITY_VERIFICATION
    assert first.actor == "user-2"
    assert first.reason == "needs eligibility"
    assert (second.originator_id, second.originator_version) == (account.id, 3)
    assert second.function is PoscFunction.CLAIMS_BATCH
    assert second.actor == "user-3"
    assert second.reason is None


def test_every_posc_function_can_be_granted_once():
    account = open_account(role="subordinate")
    for function in PoscFunction:
        account.grant_access(function.value, actor="user-1")
    assert account.grants == list(PoscFunction)
    assert len(account.collect_events()) == 1 + len(PoscFunction)


@pytest.mark.parametrize("again", [PoscFunction.PRIOR_AUTHORIZATION, "prior_authorization"])
def test_granting_the_same_function_twice_is_refused(again):
    account = open_account()
    account.grant_access(PoscFunction.PRIOR_AUTHORIZATION, actor="user-1")
    assert_refused(account, lambda: account.grant_access(again, actor="user-1"), "access-already-granted")
    assert account.grants == [PoscFunction.PRIOR_AUTHORIZATION]
    assert len(account.collect_events()) == 2


def test_unknown_function_is_refused_with_value_error_and_changes_nothing():
    account = open_account()
    version, state = account.version, copy.deepcopy(vars(account))
    with pytest.raises(ValueError):
        account.grant_access("fax_machine", actor="user-1")
    assert account.version == version
    assert vars(account) == state


def test_deactivate():
    account = open_account()
    account.grant_access("letters_reports", actor="user-1")
    account.collect_events()
    account.deactivate(actor="user-9", reason="left the practice")
    assert account.status is AccountStatus.DEACTIVATED
    assert account.version == 3
    assert account.grants == [PoscFunction.LETTERS_REPORTS]
    (deactivated,) = account.collect_events()
    assert type(deactivated) is UserAccount.Deactivated
    assert deactivated.originator_version == 3
    assert deactivated.actor == "user-9"
    assert deactivated.reason == "left the practice"


def test_no_grant_and_no_second_deactivate_after_deactivation():
    account = open_account()
    account.deactivate(actor="user-9")
    assert_refused(account, lambda: account.grant_access("claims_batch", actor="user-1"), "account-not-active")
    assert_refused(account, lambda: account.deactivate(actor="user-9"), "account-not-active")
    assert account.grants == []
    assert account.status is AccountStatus.DEACTIVATED
    assert [type(e) for e in account.collect_events()] == [UserAccount.Opened, UserAccount.Deactivated]
