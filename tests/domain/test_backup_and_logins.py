"""The back-up primary user and logins (DESIGN §1, MassHealth's Primary User Policy: "a back-up (alternate) primary
user should exist"; "long-inactive IDs are terminated by MassHealth"). Only a current staff member's account can be
named the back-up, once at a time; a login is recorded only for an active ID. What the audit makes of them (no back-up,
no login for too long) is tested with the view (tests/api/test_backup_and_logins.py)."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidValue
from domain.user_account import ChecklistStep
from tests.domain.builders import assert_refused, open_account

D1, D2, D3 = date(2026, 3, 2), date(2026, 4, 1), date(2026, 5, 4)


def test_a_staff_member_is_named_back_up_once_and_the_naming_ends() -> None:
    account = open_account()
    account.name_backup(on=D1, actor="u")
    assert account.backup_since == D1
    assert_refused(account, lambda: account.name_backup(on=D2, actor="u"), "backup-already-named")
    account.end_backup(on=D2, actor="u", reason="Moved to the billing team")
    assert account.backup_since is None
    assert_refused(account, lambda: account.end_backup(on=D3, actor="u"), "not-backup")
    account.name_backup(on=D3, actor="u")  # named again later
    assert account.backup_since == D3


def test_only_a_current_staff_members_account_can_be_the_back_up() -> None:
    for role in ("primary", "business_partner"):
        other = open_account(role)
        assert_refused(other, lambda other=other: other.name_backup(on=D1, actor="u"), "backup-only-for-staff")
    departed = open_account()
    departed.record_departure(on=D1, actor="u")
    assert_refused(departed, lambda: departed.name_backup(on=D2, actor="u"), "backup-only-for-staff")
    inactive = open_account()
    inactive.deactivate(on=D1, actor="u")
    assert_refused(inactive, lambda: inactive.name_backup(on=D2, actor="u"), "account-not-active")


def test_a_login_is_recorded_for_an_active_id_in_day_order() -> None:
    account = open_account()
    account.record_login(on=D2, actor="u")
    assert account.last_login_on == D2
    assert_refused(account, lambda: account.record_login(on=D1, actor="u"), "effective-date-before-dependency")
    account.deactivate(on=D3, actor="u")
    assert_refused(account, lambda: account.record_login(on=D3, actor="u"), "account-not-active")


def test_registering_in_posc_needs_the_primary_users_date_of_birth() -> None:
    """The registration checklist, step 3: "Ensure that the primary user has key identifying data required to create
    his or her ID (such as the primary user's date of birth)"."""
    primary = open_account("primary", date_of_birth=None)
    step = ChecklistStep.REGISTERED_WITH_PIN
    assert_refused(primary, lambda: primary.complete_step(step, on=D1, actor="u"), "date-of-birth-missing")
    assert_refused(primary, lambda: primary.record_date_of_birth(date_of_birth=date(2999, 1, 1), actor="u"),
                   "invalid-value", InvalidValue)  # fmt: skip
    primary.record_date_of_birth(date_of_birth=date(1980, 2, 29), actor="u", reason="From the POSC-DC-PE")
    assert_refused(primary, lambda: primary.record_date_of_birth(date_of_birth=date(1980, 2, 29), actor="u"),
                   "nothing-to-correct")  # fmt: skip
    primary.complete_step(step, on=D1, actor="u")
    assert primary.checklist == {"registered_with_pin": D1}
