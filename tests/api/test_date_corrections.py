"""Correcting a fact's business day through the API: the fact stays as recorded and a correction event, with its
reason, follows it in the history; the record as of a day, the live access audit and the live views all read the
corrected day (and equal a rebuild), while the record as known before the correction still reads the old one.
Refusals name the days and change nothing; a stale version is a 409; another tenant can neither correct nor see."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from projections.engine.rebuild import rebuild_views
from projections.engine.registry import projection_modules
from tests.api.helpers import assert_problem, events_of, open_account, register, register_in_posc
from tests.api.test_access_audit_view import VIEW, _account, _grant, _wait
from tests.support import Stack
from tests.view_state import view_rows

TYPED, REAL = date(2026, 2, 10), date(2026, 2, 3)  # the grant was typed as Feb 10; POSC shows Feb 3
# The grant's version on Pat's account: after its opening (1) and its POSC registration (checklist steps, 2-5), which
# the primary user completes before it grants access (``_account`` registers a primary user the day it opens).
GRANTED = 6


def _held(client, org: str, on: date) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"{VIEW}/{org}/access", params={"on": on.isoformat()})
    assert response.status_code == 200, response.text
    return [f["function"] for h in response.json()["holders"] for f in h["functions"]]


def test_a_corrected_day_is_read_everywhere_and_the_old_one_stays_known(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(a, registered_on="2026-01-05")
    pat = _account(a, org, "primary", "Pat Primary", opened_on="2026-01-06")
    _grant(a, pat, "claims_batch", TYPED)
    _wait(a, org, lambda item: item["accounts"][0]["grants"] == ["claims_batch"])
    assert _held(a, org, REAL) == []
    before = a.get(f"/v1/user-accounts/{pat}", params={"as_of": REAL.isoformat()}).json()
    path = f"/v1/user-accounts/{pat}/effective-date-corrections"
    body = {"version": GRANTED, "on": REAL.isoformat(), "reason": "POSC shows the grant on Feb 3"}

    # Another tenant can neither correct the record nor learn it exists; nothing is stored.
    stored = events_of(stack, tenants[0])
    assert_problem(b.post(path, json=body), 404, "not-found")
    # A day that would come before the account's opening is refused, naming both days.
    refused = a.post(path, json={**body, "on": "2026-01-05"})
    assert_problem(refused, 422, "effective-date-before-dependency")
    assert "2026-01-05" in refused.json()["detail"] and "2026-01-06" in refused.json()["detail"]
    assert_problem(a.post(path, json={**body, "on": TYPED.isoformat()}), 422, "effective-date-unchanged")
    assert_problem(a.post(path, json={**body, "reason": ""}), 400, "invalid-request")
    # A stale version: someone changed the record since it was read.
    assert_problem(a.post(path, json=body, headers={"If-Match": '"1"'}), 409, "version-conflict")
    assert events_of(stack, tenants[0]) == stored

    corrected = a.post(path, json=body)
    assert corrected.status_code == 200, corrected.text
    assert corrected.headers["ETag"] == f'"{GRANTED + 1}"'

    # The history keeps the fact as recorded, then the correction with its reason.
    items = a.get(f"/v1/user-accounts/{pat}/history").json()["items"]
    kinds = [item["kind"] for item in items]
    assert kinds[-2:] == ["AccessGranted", "EffectiveDateCorrected"], kinds
    assert items[-2]["data"]["on"] == TYPED.isoformat()
    assert items[-1]["reason"] == "POSC shows the grant on Feb 3"
    assert {k: items[-1]["data"][k] for k in ("corrected_version", "fact", "was", "on")} == {
        "corrected_version": GRANTED,
        "fact": "AccessGranted",
        "was": TYPED.isoformat(),
        "on": REAL.isoformat(),
    }
    # As of the real day the grant is held; as known before the correction, it was not yet.
    after = a.get(f"/v1/user-accounts/{pat}", params={"as_of": REAL.isoformat()}).json()
    assert "claims_batch" in str(after) and "claims_batch" not in str(before)
    known = a.get(
        f"/v1/user-accounts/{pat}",
        params={"as_of": REAL.isoformat(), "known_at": items[-2]["recorded_at"]},
    ).json()
    assert "claims_batch" not in str(known)
    # The live views follow the correction: who held access on Feb 3, and the grant's day.
    _wait(a, org, lambda item: _held(a, org, REAL) == ["claims_batch"])
    assert _held(a, org, REAL - timedelta(days=1)) == []
    # Another tenant sees none of it.
    assert_problem(b.get(f"{VIEW}/{org}/access", params={"on": REAL.isoformat()}), 404, "not-found")

    # The live views equal a rebuild from the store (the correction folded the organization's rows again).
    live = view_rows(stack.database_url, tenant=tenants[0])
    asyncio.run(rebuild_views(stack.database_url, projection_modules()))
    assert view_rows(stack.database_url, tenant=tenants[0]) == live


def _version_of(client, path: str, kind: str) -> int:  # type: ignore[no-untyped-def]
    (version,) = [i["version"] for i in client.get(f"{path}/history").json()["items"] if i["kind"] == kind]
    return int(version)


def test_a_primary_users_day_moves_only_where_its_grants_and_its_account_still_agree(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    a = stack.client(tenants[0])
    org = register(a, registered_on="2026-01-05")
    # Named primary the day it opened; registered in POSC on Jan 9 (after Jan 8, so that the only fact moving its
    # opening to Jan 8 would pass is its naming as primary, below), before the grant it makes on Jan 10.
    pat = open_account(a, org, "Pat Primary", "primary", opened_on="2026-01-06", date_of_birth="1980-02-29")
    register_in_posc(a, org, pat, on="2026-01-09")
    sam = _account(a, org, "subordinate", "Sam Subordinate", opened_on="2026-01-07")
    _grant(a, sam, "claims_batch", date(2026, 1, 10))  # granted by Pat, the primary user of Jan 10
    named = f"/v1/organizations/{org}/effective-date-corrections"
    body = {"version": _version_of(a, f"/v1/organizations/{org}", "PrimaryUserDesignated"), "reason": "POSC says"}
    stored = events_of(stack, tenants[0])

    # Named after Sam's grant: on Jan 10 nobody would have been the primary user who granted it.
    refused = a.post(named, json={**body, "on": "2026-01-12"})
    assert_problem(refused, 422, "correction-changes-granter")
    assert "2026-01-10" in refused.json()["detail"]
    # Named before Pat's account was opened.
    refused = a.post(named, json={**body, "on": "2026-01-05"})
    assert_problem(refused, 422, "effective-date-before-dependency")
    assert "2026-01-06" in refused.json()["detail"]
    # Pat's account opened after the day it was named primary.
    opened = {"version": 1, "on": "2026-01-08", "reason": "POSC says"}
    refused = a.post(f"/v1/user-accounts/{pat}/effective-date-corrections", json=opened)
    assert_problem(refused, 422, "effective-date-after-dependent")
    assert "2026-01-06" in refused.json()["detail"] and "its naming as primary" in refused.json()["detail"]
    assert events_of(stack, tenants[0]) == stored

    # Still before the grant: accepted, and read as of the days around it.
    assert a.post(named, json={**body, "on": "2026-01-09"}).status_code == 200
    before = a.get(f"/v1/organizations/{org}", params={"as_of": "2026-01-08"}).json()
    after = a.get(f"/v1/organizations/{org}", params={"as_of": "2026-01-09"}).json()
    assert pat not in str(before) and pat in str(after)
    # Another tenant can not move it.
    assert_problem(stack.client(tenants[1]).post(named, json={**body, "on": "2026-01-08"}), 404, "not-found")
