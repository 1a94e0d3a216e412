"""Service locations through the API (DESIGN §1: MassHealth enrolls and numbers per provider ID and service location;
the enrollment guide: "details of all physical practice locations"): added under a letter, listed with the
registered practice address as A, closed; another tenant sees and changes none of them."""

from __future__ import annotations

from tests.api.helpers import assert_problem, events_of, register
from tests.support import Stack

WORCESTER = {"line1": "20 Front St", "city": "Worcester", "state": "MA", "postal_code": "01608"}


def test_a_location_is_added_listed_and_closed(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(client)
    path = f"/v1/organizations/{org}/service-locations"
    body = {"code": "B", "name": "Worcester office", "address": WORCESTER, "on": "2026-04-01"}
    before = events_of(stack, tenants[0]), events_of(stack, tenants[1])
    assert_problem(other.post(path, json=body), 404, "not-found")
    assert_problem(client.post(path, json={**body, "code": "A"}), 422, "invalid-value")
    assert (events_of(stack, tenants[0]), events_of(stack, tenants[1])) == before
    assert client.post(path, json=body).status_code == 200
    assert_problem(client.post(path, json=body), 422, "service-location-exists")
    record = client.get(f"/v1/organizations/{org}").json()
    locations = record["service_locations"]
    assert [(s["code"], s["name"], s["closed_on"]) for s in locations] == [
        ("A", record["legal_name"], None),
        ("B", "Worcester office", None),
    ]
    assert locations[0]["address"] == record["practice_address"]
    assert locations[1]["address"]["city"] == "Worcester" and locations[1]["opened_on"] == "2026-04-01"
    closing = {"on": "2026-06-01", "reason": "Lease ended"}
    assert_problem(other.post(f"{path}/B/close", json=closing), 404, "not-found")
    assert client.post(f"{path}/B/close", json=closing).status_code == 200
    closed = client.get(f"/v1/organizations/{org}").json()["service_locations"][1]
    assert closed["closed_on"] == "2026-06-01"
    # As of a day before it opened, the record has only its practice address.
    then = client.get(f"/v1/organizations/{org}", params={"as_of": "2026-03-31"}).json()["service_locations"]
    assert [s["code"] for s in then] == ["A"]
