"""A second office's history recorded out of order or corrected: its enrollment ends on the earlier of its closing
and the practice's disenrollment, whichever was recorded first; its primary user is listed only while it is enrolled;
a naming's day is corrected only where its account and its POSC-DC-PM still agree; the affiliation-status view keeps
a closed office closed."""

from __future__ import annotations

from tests.api.helpers import assert_problem, open_account, open_application, wait_for_view
from tests.api.test_location_primary_users import NUMBER, VIEW, _audit, _enrolled_practice, _ok, _primary_findings
from tests.support import Stack


def test_a_closing_recorded_late_ends_the_enrollment_on_its_own_day(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org, dana, app = _enrolled_practice(client)
    _ok(client, f"/v1/applications/{app}/approve", decided_on="2026-05-20", provider_number=NUMBER)
    _ok(client, f"/v1/organizations/{org}/service-locations/B/primary-user", account_id=dana, on="2026-05-26")
    _ok(client, f"/v1/organizations/{org}/disenrollment", cause="voluntary", on="2026-07-01", reason="Closed")
    _ok(client, f"/v1/organizations/{org}/service-locations/B/close", on="2026-06-10", reason="Lease ended")
    # Dana departs on 2026-06-15: B was closed by then, so only A's primary user is missing.
    _ok(client, f"/v1/user-accounts/{dana}/departure", on="2026-06-15")
    gone = "primary_user_departed_without_modification"
    assert _primary_findings(_audit(client, org, as_of="2026-06-20")) == [(gone, "A", "critical")]
    for day, expected in (("2026-06-09", ["A", "B"]), ("2026-06-10", ["A"])):
        access = client.get(f"{VIEW}/{org}/access", params={"on": day}).json()
        assert [p["service_location"] for p in access["primary_users"]] == expected, day


def test_a_location_naming_is_corrected_only_where_it_still_holds(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org, _, app = _enrolled_practice(client)
    _ok(client, f"/v1/applications/{app}/approve", decided_on="2026-05-20", provider_number=NUMBER)
    carla = open_account(client, org, "Carla Diaz", "subordinate", opened_on="2026-05-25")
    _ok(client, f"/v1/organizations/{org}/service-locations/B/primary-user", account_id=carla, on="2026-05-27")
    naming = client.get(f"/v1/organizations/{org}").json()["version"]
    path = f"/v1/organizations/{org}/effective-date-corrections"
    early = {"version": naming, "on": "2026-05-22", "reason": "named before her ID existed"}
    assert_problem(client.post(path, json=early), 422, "effective-date-before-dependency")
    assert_problem(stack.client(tenants[1]).post(path, json=early), 404, "not-found")
    # A successor rests on its POSC-DC-PM for the location: its approval may not move past the naming.
    pm = open_application(client, org, "primary_user_modification", service_location="B", opened_on="2026-05-28")
    _ok(client, f"/v1/applications/{pm}/submit", submitted_on="2026-05-29")
    _ok(client, f"/v1/applications/{pm}/approve", decided_on="2026-06-02")
    sam = open_account(client, org, "Sam Ortiz", "subordinate", opened_on="2026-05-25")
    _ok(client, f"/v1/organizations/{org}/service-locations/B/primary-user", account_id=sam, modification_id=pm,
        on="2026-06-03")  # fmt: skip
    approval = client.get(f"/v1/applications/{pm}").json()["version"]
    late = {"version": approval, "on": "2026-06-04", "reason": "approved on the 4th"}
    problem = assert_problem(client.post(f"/v1/applications/{pm}/effective-date-corrections", json=late), 422,
                             "effective-date-before-dependency")  # fmt: skip
    assert "2026-06-03" in problem["detail"] and "2026-06-04" in problem["detail"]


def test_a_closed_office_stays_closed_in_the_affiliation_view(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org, _, app = _enrolled_practice(client)
    _ok(client, f"/v1/organizations/{org}/service-locations/B/close", on="2026-04-20", reason="Lease ended")
    _ok(client, f"/v1/applications/{app}/withdraw", withdrawn_on="2026-04-21", reason="The office closed")
    wait_for_view(client, org, locations={"B": {"enrollment": "closed", "application_id": app}})


def test_a_naming_recorded_late_judges_the_account_as_it_stood_that_day(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org, _, app = _enrolled_practice(client)
    _ok(client, f"/v1/applications/{app}/approve", decided_on="2026-05-20", provider_number=NUMBER)
    carla = open_account(client, org, "Carla Diaz", "subordinate", opened_on="2026-05-25")
    _ok(client, f"/v1/user-accounts/{carla}/deactivate", on="2026-06-10", reason="ID unused")
    path = f"/v1/organizations/{org}/service-locations/B/primary-user"
    # Named after the ID was deactivated: refused; named (recorded now) on a day it was active: stands.
    assert_problem(client.post(path, json={"account_id": carla, "on": "2026-06-12"}), 422, "account-not-active")
    _ok(client, path, account_id=carla, on="2026-05-27")
    # From the deactivation on, the audit knows B's primary user is gone.
    gone = ("primary_user_departed_without_modification", "B", "critical")
    assert gone in _primary_findings(_audit(client, org, as_of="2026-06-15"))
    assert gone not in _primary_findings(_audit(client, org, as_of="2026-06-01"))
