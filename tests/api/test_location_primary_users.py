"""Service locations enrolled on their own (PID/SL) and their primary users, through the API and the access audit.

DESIGN §1, MassHealth's Primary User Policy: "access is managed per Provider ID / Service Location (PID/SL), so an
organization with several service locations has a primary user per PID/SL". A second office is enrolled through
an enrollment application for it, under the practice's provider number; the audit then holds it to a primary user of
its own, and a successor only on an approved POSC-DC-PM for that location. Another tenant sees and changes none of it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx

from domain.business_days import MASSACHUSETTS
from tests.api.helpers import (
    ENROLLMENT_DOCS,
    assert_problem,
    events_of,
    match_nppes,
    open_account,
    open_application,
    register,
    wait_for_view,
)
from tests.support import Stack, fresh

VIEW = "/v1/views/access-audit"
NUMBER = "1234567"
WORCESTER = {"line1": "20 Front St", "city": "Worcester", "state": "MA", "postal_code": "01608"}
DOCS = ENROLLMENT_DOCS


def _ok(client: httpx.Client, path: str, **body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


def _enrolled_practice(client: httpx.Client) -> tuple[str, str, str]:
    """A practice enrolled with MassHealth, its primary user Dana, and its second office B with a submitted
    enrollment application of its own (screened): (organization, Dana's account, B's application)."""
    org = register(client)
    match_nppes(client, org)
    dana = open_account(client, org, "Dana Reyes", "primary", date_of_birth="1980-02-29")
    _ok(client, f"/v1/organizations/{org}/provider-number", provider_number=NUMBER, issued_on="2026-03-20")
    location = {"code": "B", "name": "Worcester office", "address": WORCESTER, "on": "2026-04-01"}
    _ok(client, f"/v1/organizations/{org}/service-locations", **location)
    app = open_application(client, org, "enrollment", channel="portal", service_location="B", opened_on="2026-04-02")
    for doc_type, extra in DOCS.items():
        _ok(client, f"/v1/applications/{app}/documents", document_id=doc_type, type=doc_type, received_on="2026-04-02",
            **extra)  # fmt: skip
    _ok(client, f"/v1/applications/{app}/submit", submitted_on="2026-04-03")
    _ok(
        client,
        f"/v1/applications/{app}/screenings",
        screening="exclusion_lists",
        passed=True,
        completed_on="2026-04-10",
    )
    return org, dana, app


def _audit(client: httpx.Client, org: str, **params: Any) -> dict[str, Any]:
    fresh(client)
    response = client.get(f"{VIEW}/{org}", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _primary_findings(item: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """(kind, location, severity) of the findings about a location's primary user."""
    return sorted(
        (f["kind"], f["service_location"], f["severity"])
        for f in item["findings"]
        if f["kind"].startswith(("no_primary_user", "primary_user_"))
    )


def test_a_second_office_is_enrolled_under_the_practices_number(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org, _, app = _enrolled_practice(client)
    # Refused, storing nothing: another number; an unknown location; a kind that is the provider's as a whole.
    before = events_of(stack, tenants[0]), events_of(stack, tenants[1])
    wrong = {"decided_on": "2026-05-20", "provider_number": "7654321"}
    assert_problem(client.post(f"/v1/applications/{app}/approve", json=wrong), 422, "provider-number-mismatch")
    body = {"organization_id": org, "kind": "enrollment", "channel": "portal", "opened_on": "2026-04-02"}
    assert_problem(client.post("/v1/applications", json={**body, "service_location": "C"}), 422,
                   "service-location-unknown")  # fmt: skip
    assert_problem(client.post("/v1/applications", json={**body, "service_location": "B", "opened_on": "2026-03-31"}),
                   422, "service-location-not-open")  # fmt: skip
    revalidation = {**body, "kind": "revalidation", "service_location": "B"}
    assert_problem(client.post("/v1/applications", json=revalidation), 422, "service-location-not-applicable")
    assert (events_of(stack, tenants[0]), events_of(stack, tenants[1])) == before

    _ok(client, f"/v1/applications/{app}/approve", decided_on="2026-05-20", provider_number=NUMBER)
    assert client.get(f"/v1/applications/{app}").json()["service_location"] == "B"
    record = client.get(f"/v1/organizations/{org}").json()
    located = {s["code"]: (s["pid_sl"], s["enrolled_on"]) for s in record["service_locations"]}
    assert located == {"A": (f"{NUMBER}A", "2026-03-20"), "B": (f"{NUMBER}B", "2026-05-20")}
    # As of a day before its approval, B was open but not enrolled.
    then = client.get(f"/v1/organizations/{org}", params={"as_of": "2026-05-19"}).json()["service_locations"]
    assert [(s["code"], s["pid_sl"]) for s in then] == [("A", f"{NUMBER}A"), ("B", None)]
    assert other.get(f"/v1/organizations/{org}").status_code == 404
    # The affiliation-status view: B's enrollment in its own entry; the practice's enrollment (no application of
    # its own here: the number was recorded directly) is not moved by it.
    b = {"enrollment": "approved", "application_id": app}
    wait_for_view(client, org, enrollment="not_started", provider_number=NUMBER, locations={"B": b})
    assert other.get(f"/v1/views/affiliation-status/{org}").status_code == 404
    # A disenrollment ends every location's PID/SL.
    _ok(client, f"/v1/organizations/{org}/disenrollment", cause="voluntary", on="2026-06-30", reason="Practice closed")
    ended = client.get(f"/v1/organizations/{org}").json()["service_locations"]
    assert [(s["code"], s["pid_sl"], s["enrolled_on"]) for s in ended] == [("A", None, None), ("B", None, None)]
    wait_for_view(client, org, enrollment="disenrolled", locations={"B": {**b, "enrollment": "disenrolled"}})
    _ok(client, f"/v1/organizations/{org}/service-locations/B/close", on="2026-07-01", reason="Lease ended")
    wait_for_view(client, org, locations={"B": {**b, "enrollment": "closed"}})


def test_each_enrolled_location_needs_its_own_primary_user(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org, dana, app = _enrolled_practice(client)
    _ok(client, f"/v1/applications/{app}/approve", decided_on="2026-05-20", provider_number=NUMBER)
    item = _audit(client, org)
    assert _primary_findings(item) == [("no_primary_user", "B", "critical")]
    [missing] = [f for f in item["findings"] if f["kind"] == "no_primary_user"]
    assert missing["since"] == "2026-05-20" and "Service location B" in missing["detail"]
    # The other tenant's audit knows nothing of it.
    assert other.get(f"{VIEW}/{org}").status_code == 404

    path = f"/v1/organizations/{org}/service-locations/B/primary-user"
    _ok(client, path, account_id=dana, on="2026-05-26")
    assert _primary_findings(_audit(client, org)) == []
    assert _primary_findings(_audit(client, org, as_of="2026-05-22")) == [("no_primary_user", "B", "critical")]
    record = client.get(f"/v1/organizations/{org}").json()
    assert [s["primary_user_account_id"] for s in record["service_locations"]] == [dana, dana]
    # Who could administer which PID/SL on a day: A's primary user, and B's from its naming.
    for day, expected in (("2026-05-25", [("A", dana)]), ("2026-05-26", [("A", dana), ("B", dana)])):
        access = client.get(f"{VIEW}/{org}/access", params={"on": day}).json()
        assert [(p["service_location"], p["account_id"]) for p in access["primary_users"]] == expected

    # Dana leaves: both PID/SLs she administered have nobody.
    departed = datetime.now(MASSACHUSETTS).date() - timedelta(days=7)
    _ok(client, f"/v1/user-accounts/{dana}/departure", on=departed.isoformat())
    gone = "primary_user_departed_without_modification"
    assert _primary_findings(_audit(client, org)) == [(gone, "A", "critical"), (gone, "B", "critical")]
    _replace_at_b(client, org, dana, departed)


def _replace_at_b(client: httpx.Client, org: str, dana: str, departed: date) -> None:
    """A POSC-DC-PM for location B names B's successor; it does nothing for A, and is used once."""
    opened = departed.isoformat()
    pm = open_application(client, org, "primary_user_modification", service_location="B", opened_on=opened)
    _ok(client, f"/v1/applications/{pm}/submit", submitted_on=(departed + timedelta(days=1)).isoformat())
    _ok(client, f"/v1/applications/{pm}/approve", decided_on=(departed + timedelta(days=2)).isoformat())
    gone = "primary_user_departed_without_modification"
    pending = ("primary_user_replacement_pending", "B", "medium")
    assert _primary_findings(_audit(client, org)) == [(gone, "A", "critical"), pending]
    replacing_a = {"person_name": "Eve Tran", "modification_id": pm}
    assert_problem(client.post(f"/v1/organizations/{org}/primary-user/replace", json=replacing_a), 422,
                   "approved-modification-required")  # fmt: skip
    sam = open_account(client, org, "Sam Ortiz", "subordinate")
    path = f"/v1/organizations/{org}/service-locations/B/primary-user"
    assert_problem(client.post(path, json={"account_id": sam}), 422, "primary-user-exists")
    _ok(client, path, account_id=sam, modification_id=pm)
    assert _primary_findings(_audit(client, org)) == [(gone, "A", "critical")]
    assert_problem(client.post(path, json={"account_id": dana, "modification_id": pm}), 422, "person-departed")
