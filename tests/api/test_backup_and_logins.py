"""Two findings of MassHealth's Primary User Policy in the access audit (DESIGN §2): no back-up (alternate) primary
user ("a back-up primary user should exist"), and an active ID with no POSC login recorded for too long ("long-inactive
IDs are terminated by MassHealth"; the limit is the firm's, 90 days unless it set its own). Both as of any day, for
one tenant only."""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.helpers import OPENED, assert_problem, register
from tests.api.test_access_audit_view import _account, _act, _audit, _partner, _wait
from tests.support import Stack


def _day(text: str, days: int = 0) -> str:
    return (date.fromisoformat(text) + timedelta(days=days)).isoformat()


def _kinds(item: dict | None, kind: str) -> list[dict]:
    assert item is not None
    return [f for f in item["findings"] if f["kind"] == kind]


def test_no_back_up_primary_user_until_one_is_named_and_again_once_they_leave(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(client)
    _account(client, org, "primary", "Dana Reyes")
    sam = _account(client, org, "subordinate", "Sam Ortiz")
    partner = _partner(client, org)
    item = _wait(client, org, lambda i: i["primary_user"] is not None)
    [finding] = _kinds(item, "no_backup_primary_user")
    assert (finding["severity"], finding["since"], finding["account_id"]) == ("medium", OPENED, None)
    assert "back-up" in finding["detail"]
    # Only a staff member is a back-up; another tenant cannot name one.
    refused = client.post(f"/v1/user-accounts/{partner}/backup-primary-user", json={})
    assert_problem(refused, 422, "backup-only-for-staff")
    named = "2026-02-02"
    assert_problem(other.post(f"/v1/user-accounts/{sam}/backup-primary-user", json={"on": named}), 404, "not-found")

    _act(client, f"/v1/user-accounts/{sam}/backup-primary-user", on=named)
    item = _wait(client, org, lambda i: not _kinds(i, "no_backup_primary_user"))
    assert [a["backup"] for a in item["accounts"]] == [False, True, False]
    assert _kinds(_audit(client, org, as_of=_day(named, -1)), "no_backup_primary_user")
    assert client.get(f"/v1/user-accounts/{sam}").json()["backup_since"] == named
    left = "2026-03-02"
    _act(client, f"/v1/user-accounts/{sam}/departure", on=left)
    item = _wait(client, org, lambda i: _kinds(i, "no_backup_primary_user"))
    assert _kinds(item, "no_backup_primary_user")[0]["since"] == left  # a departed back-up no longer counts
    assert not _kinds(_audit(client, org, as_of=_day(left, -1)), "no_backup_primary_user")
    elsewhere = _wait(other, register(other), lambda i: True, as_of=left)
    assert not _kinds(elsewhere, "no_backup_primary_user")  # no primary user there: no_primary_user instead


def test_an_id_with_no_login_recorded_for_too_long(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(client)
    dana = _account(client, org, "primary", "Dana Reyes")
    _wait(client, org, lambda i: i["primary_user"] is not None)
    # Never logged in: from the opening, 90 days (the default limit).
    assert not _kinds(_audit(client, org, as_of=_day(OPENED, 90)), "login_inactive")
    [finding] = _kinds(_audit(client, org, as_of=_day(OPENED, 91)), "login_inactive")
    assert (finding["severity"], finding["since"], finding["account_id"]) == ("medium", _day(OPENED, 91), dana)
    assert "since the account was opened" in finding["detail"]

    login = "2026-03-16"
    assert_problem(other.post(f"/v1/user-accounts/{dana}/logins", json={"on": login}), 404, "not-found")
    _act(client, f"/v1/user-accounts/{dana}/logins", on=login)
    item = _wait(client, org, lambda i: i["accounts"][0]["last_login_on"] == login, as_of=_day(login, 90))
    assert not _kinds(item, "login_inactive")
    [finding] = _kinds(_audit(client, org, as_of=_day(login, 91)), "login_inactive")
    assert finding["since"] == _day(login, 91) and login in finding["detail"]
    # The firm's own limit, for its tenant only.
    assert client.put("/v1/settings", json={"login_inactivity_days": 30}).status_code == 200
    assert client.get("/v1/settings").json()["login_inactivity_days"] == 30
    assert other.get("/v1/settings").json()["login_inactivity_days"] == 90
    assert _kinds(_audit(client, org, as_of=_day(login, 31)), "login_inactive")
    assert_problem(client.put("/v1/settings", json={"login_inactivity_days": 0}), 400, "invalid-request")
    # A deactivated ID is no longer one to watch.
    _act(client, f"/v1/user-accounts/{dana}/deactivate", on="2026-04-01")
    item = _wait(client, org, lambda i: i["accounts"][0]["status"] == "deactivated", as_of="2026-06-01")
    assert not _kinds(item, "login_inactive")
