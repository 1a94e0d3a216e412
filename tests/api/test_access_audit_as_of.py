"""The live access audit as of a past business day: the practice, accounts, grants, deactivations, reviews and
findings of that day, from the facts' own days, whenever they were recorded (a departure and a review recorded
today, dated last month, change last month's audit, not only today's). Another tenant sees none of it."""

from __future__ import annotations

from datetime import date

from tests.api.helpers import assert_problem, register
from tests.api.test_access_audit_view import VIEW, _account, _account_row, _audit, _grant, _wait
from tests.support import Stack

REGISTERED, OPENED = date(2026, 1, 5), date(2026, 1, 6)


def _kinds(item: dict) -> list[str]:
    return [f["kind"] for f in item["findings"]]


def test_the_audit_of_a_past_day_is_that_days(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(a, registered_on=REGISTERED.isoformat())
    pat = _account(a, org, "primary", "Pat Primary", opened_on=OPENED.isoformat())
    _grant(a, pat, "eligibility_verification", date(2026, 1, 7))
    sam = _account(a, org, "subordinate", "Sam Ortiz", opened_on="2026-02-02")
    _grant(a, sam, "claims_direct_data_entry", date(2026, 2, 3))
    # Recorded now, dated in March: Sam left on March 2 still holding access, and was deactivated on March 20.
    assert a.post(f"/v1/user-accounts/{sam}/departure", json={"on": "2026-03-02"}).status_code == 200
    review = {"outcome": "confirmed", "on": "2026-03-05", "reviewer": "Pat Primary"}
    assert a.post(f"/v1/user-accounts/{pat}/access-reviews", json=review).status_code == 200
    assert a.post(f"/v1/user-accounts/{sam}/deactivate", json={"on": "2026-03-20"}).status_code == 200

    _wait(a, org, lambda item: _account_row(item, sam)["status"] == "deactivated")
    february = _audit(a, org, as_of="2026-02-15")
    assert february is not None and "departed_with_access" not in _kinds(february)
    then = _account_row(february, sam)
    assert then["grants"] == ["claims_direct_data_entry"] and then["status"] == "active"
    assert then["departed_on"] is None and then["access_since"] == "2026-02-03"
    assert _account_row(february, pat)["last_review"] is None  # reviewed only in March

    march = _audit(a, org, as_of="2026-03-10")
    assert march is not None
    [departed] = [f for f in march["findings"] if f["kind"] == "departed_with_access"]
    assert departed["since"] == "2026-03-02" and departed["account_id"] == sam
    assert _account_row(march, pat)["last_review"]["on"] == "2026-03-05"

    later = _audit(a, org, as_of="2026-03-25")
    assert later is not None and "departed_with_access" not in _kinds(later)
    assert _account_row(later, sam)["status"] == "deactivated" and _account_row(later, sam)["grants"] == []
    january = _audit(a, org, as_of="2026-01-20")
    assert january is not None and [acc["person_name"] for acc in january["accounts"]] == ["Pat Primary"]

    # Before its registration the practice is not in the audit, alone or in the list.
    assert_problem(a.get(f"{VIEW}/{org}", params={"as_of": "2026-01-04"}), 404, "not-found")
    listed = a.get(VIEW, params={"as_of": "2026-01-04", "organization_id": org}).json()["items"]
    assert listed == []
    # Another tenant sees none of it, on any day.
    for day in ("2026-02-15", "2026-03-10"):
        assert_problem(b.get(f"{VIEW}/{org}", params={"as_of": day}), 404, "not-found")
