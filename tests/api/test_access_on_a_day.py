"""Who held which POSC access on a past business day (GET /v1/views/access-audit/{id}/access): by the days grants
took effect and ended, whenever they were recorded; a period's first and last days both count."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.api.helpers import OPENED, REGISTERED, assert_problem, register
from tests.api.test_access_audit_view import VIEW, _account, _account_row, _audit, _grant, _revoke, _today, _wait
from tests.support import Stack


def test_who_held_which_access_on_a_past_day(stack: Stack, tenants: tuple[str, str]) -> None:
    client, today = stack.client(tenants[0]), _today()
    org = register(client)
    dana = _account(client, org, "primary", "Dana Reyes")  # opened on OPENED
    sam = _account(client, org, "subordinate", "Sam Ortiz")
    granted, revoked, again = (today - timedelta(days=days) for days in (20, 10, 5))
    _grant(client, sam, "claims_batch", on=granted)
    _revoke(client, sam, "claims_batch", on=revoked)
    _grant(client, sam, "claims_batch", on=again)
    _grant(client, sam, "prior_authorization", on=again)
    late = granted - timedelta(days=5)
    _grant(client, dana, "eligibility_verification", on=late)  # recorded last, effective first
    _wait(client, org, lambda i: len(_account_row(i, sam)["grants"]) == 2 and _account_row(i, dana)["grants"])

    def access(on: date | str, **params: Any) -> dict[str, Any]:
        response = client.get(f"{VIEW}/{org}/access", params={"on": str(on), **params})
        assert response.status_code == 200, response.text
        return response.json()

    def held(on: date | str, **params: Any) -> list[tuple[str, str]]:
        return [(h["person_name"], f["function"]) for h in access(on, **params)["holders"] for f in h["functions"]]

    dana_ev = ("Dana Reyes", "eligibility_verification")
    assert held(late - timedelta(days=1)) == []
    assert held(late) == [dana_ev]  # a grant recorded late shows from the day it took effect
    assert held(granted) == [dana_ev, ("Sam Ortiz", "claims_batch")]  # its first day counts
    assert held(revoked) == [dana_ev, ("Sam Ortiz", "claims_batch")]  # and its last day
    assert held(revoked + timedelta(days=1)) == [dana_ev]
    # An instant stands for its Massachusetts day: 03:00 UTC is still the evening before in Boston.
    evening = f"{revoked + timedelta(days=1)}T03:00:00Z"
    assert held(evening) == [dana_ev, ("Sam Ortiz", "claims_batch")]
    assert access(evening)["on"] == revoked.isoformat()
    assert held(f"{revoked + timedelta(days=1)}T03:00:00-05:00") == [dana_ev]

    on_revoked = access(revoked)
    [sam_then] = [h for h in on_revoked["holders"] if h["account_id"] == sam]
    period = {"function": "claims_batch", "granted_on": str(granted), "ended_on": str(revoked), "ended_by": "revoked"}
    assert sam_then["functions"] == [period]
    assert [(p["account_id"], p["started_on"], p["ended_on"]) for p in on_revoked["primary_users"]] == [
        (dana, OPENED, None)
    ]
    # Access has been held without interruption since the second claims_batch grant.
    on_again = access(again)
    [sam_now] = [h for h in on_again["holders"] if h["account_id"] == sam]
    assert [(f["function"], f["granted_on"], f["ended_by"]) for f in sam_now["functions"]] == [
        ("claims_batch", again.isoformat(), None),
        ("prior_authorization", again.isoformat(), None),
    ]
    assert _account_row(_audit(client, org), sam)["access_since"] == again.isoformat()
    assert held(today, function="prior_authorization") == [("Sam Ortiz", "prior_authorization")]
    assert held(REGISTERED) == [] and access(REGISTERED)["primary_users"] == []  # its first day: nobody opened yet

    # A timestamp without its UTC offset; days at the calendar's very edges.
    for bad in ("yesterday", "2026-02-30", "2026-05-01T10:00:00", "0001-01-01T00:00:00+01:00"):
        assert_problem(client.get(f"{VIEW}/{org}/access", params={"on": bad}), 400, "invalid-request")
    assert_problem(client.get(f"{VIEW}/{org}/access"), 400, "invalid-request")
    assert_problem(
        client.get(f"{VIEW}/{org}/access", params={"on": today.isoformat(), "function": "x"}), 400, "invalid-request"
    )
