"""Practitioners through the API: the record, its credentials and CAQH attestation, its NPPES comparison, its links
to a group's service locations (the group's rendering NPIs follow), as-of reads, personal data sealed, history, and
two tenants that never see each other's clinicians."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import assert_problem, register
from tests.support import Stack

CLINICIAN_NPI = "1987654328"
CLINICIAN = {
    "npi": CLINICIAN_NPI,
    "first_name": "Ana",
    "middle_name": "Maria",
    "last_name": "Reyes",
    "degree": "MD",
    "taxonomy_code": "207Q00000X",
    "date_of_birth": "1979-03-14",
    "registered_on": "2026-01-12",
}
LICENSE = {
    "state": "MA",
    "license_type": "MD",
    "number": "265123",
    "issued_on": "2024-06-30",
    "expires_on": "2026-06-30",
    "on": "2026-01-13",
}


def _ok(client: httpx.Client, path: str, **body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def register_practitioner(client: httpx.Client, organization_id: str, **overrides: Any) -> str:
    return _ok(client, "/v1/practitioners", organization_id=organization_id, **{**CLINICIAN, **overrides})["id"]


def test_a_clinician_record_with_its_credentials(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    doc = register_practitioner(client, org)
    path = f"/v1/practitioners/{doc}"
    _ok(client, f"{path}/licenses", **LICENSE)
    _ok(client, f"{path}/dea-registrations", number="AR1234563", state="MA", schedules=["5", "2"],
        expires_on="2027-03-31", on="2026-01-13")  # fmt: skip
    _ok(client, f"{path}/board-certifications", board="ABIM", specialty="Internal Medicine",
        certified_on="2019-08-15", expires_on="2029-12-31", on="2026-01-13")  # fmt: skip
    _ok(client, f"{path}/malpractice-coverage", carrier="CRICO", policy_number="PL-44871", per_claim_limit=1_000_000,
        aggregate_limit=3_000_000, effective_on="2026-01-01", expires_on="2027-01-01", on="2026-01-13")  # fmt: skip
    _ok(client, f"{path}/caqh-attestations", caqh_id="16789012", attested_on="2026-01-20")
    record = client.get(path).json()
    assert record["name"] == "Ana M. Reyes, MD"
    assert [c["credential"] for c in record["licenses"]] == ["license:MA:MD"]
    assert record["dea_registrations"][0]["schedules"] == ["2", "5"]
    assert record["board_certifications"][0]["credential"] == "board:ABIM:Internal Medicine"
    assert record["malpractice"]["aggregate_limit"] == 3_000_000
    assert (record["caqh_id"], record["caqh_attested_on"]) == ("16789012", "2026-01-20")
    assert "date_of_birth" not in record
    # A renewal records the same license with a later expiry; as of before it, the old expiry stands.
    _ok(client, f"{path}/licenses", **{**LICENSE, "issued_on": "2026-05-01", "expires_on": "2028-06-30",
                                       "on": "2026-05-04"})  # fmt: skip
    assert client.get(path).json()["licenses"][0]["expires_on"] == "2028-06-30"
    then = client.get(path, params={"as_of": "2026-05-01"}).json()
    assert then["licenses"][0]["expires_on"] == "2026-06-30"
    # Recording it again unchanged, ending what is not held: refused, nothing stored.
    renewed = {**LICENSE, "issued_on": "2026-05-01", "expires_on": "2028-06-30", "on": "2026-05-04"}
    assert_problem(client.post(f"{path}/licenses", json=renewed), 422, "credential-unchanged")
    ending = {"credential": "license:NH:MD", "on": "2026-05-05", "reason": "moved"}
    assert_problem(client.post(f"{path}/credential-ends", json=ending), 422, "credential-not-held")
    assert_problem(client.post(f"{path}/credential-ends", json={**ending, "credential": "dea:MA", "reason": None}),
                   422, "reason-required")  # fmt: skip
    _ok(client, f"{path}/credential-ends", **{**ending, "credential": "dea:MA", "reason": "Surrendered"})
    ended = client.get(path).json()
    assert ended["dea_registrations"] == [] and ended["ended_credentials"] == {"dea:MA": "2026-05-05"}


def test_bad_credentials_are_refused_with_the_field(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    doc = register_practitioner(client, register(client))
    path = f"/v1/practitioners/{doc}"
    assert_problem(client.post(f"{path}/dea-registrations", json={"number": "AR1234564", "state": "MA",
                   "schedules": ["2"], "expires_on": "2027-03-31"}), 422, "invalid-dea-number")  # fmt: skip
    assert_problem(client.post(f"{path}/licenses", json={**LICENSE, "state": "XX"}), 422, "invalid-state")
    assert_problem(client.post(f"{path}/licenses", json={**LICENSE, "expires_on": "2024-01-01"}), 422,
                   "expiry-before-start")  # fmt: skip
    assert_problem(client.post(f"{path}/malpractice-coverage", json={"carrier": "CRICO", "policy_number": "P",
                   "per_claim_limit": 3_000_000, "aggregate_limit": 1_000_000, "effective_on": "2026-01-01",
                   "expires_on": "2027-01-01"}), 422, "malpractice-limits")  # fmt: skip
    assert_problem(client.post(f"{path}/caqh-attestations", json={"caqh_id": "12a"}), 422, "invalid-caqh-id")
    assert_problem(client.post("/v1/practitioners", json={**CLINICIAN, "organization_id": register(client),
                   "npi": "1987654320"}), 422, "invalid-npi")  # fmt: skip
    assert client.get(path).json()["version"] == 1


def test_rendering_links_move_the_groups_rendering_npis(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    doc = register_practitioner(client, org)
    path = f"/v1/practitioners/{doc}"
    _ok(client, f"/v1/organizations/{org}/service-locations", code="B", name="Lenox office", on="2026-02-02",
        address={"line1": "5 Main St", "city": "Lenox", "state": "MA", "postal_code": "01240"})  # fmt: skip
    _ok(client, f"{path}/rendering-links", organization_id=org, service_location="A", on="2026-02-03")
    _ok(client, f"{path}/rendering-links", organization_id=org, service_location="B", on="2026-02-04")
    assert client.get(f"/v1/organizations/{org}").json()["rendering_providers"] == {CLINICIAN_NPI: "Ana M. Reyes, MD"}
    again = {"organization_id": org, "service_location": "B", "on": "2026-02-05"}
    assert_problem(client.post(f"{path}/rendering-links", json=again), 422, "rendering-already-linked")
    assert_problem(client.post(f"{path}/rendering-links", json={**again, "service_location": "C"}), 422,
                   "service-location-unknown")  # fmt: skip
    before = {**again, "service_location": "A", "on": "2026-01-02"}
    assert_problem(client.post(f"{path}/rendering-link-ends", json=before), 422, "effective-date-before-dependency")
    _ok(client, f"{path}/rendering-link-ends", organization_id=org, service_location="A", on="2026-03-02")
    assert CLINICIAN_NPI in client.get(f"/v1/organizations/{org}").json()["rendering_providers"]  # still at B
    _ok(client, f"{path}/rendering-link-ends", organization_id=org, service_location="B", on="2026-03-03")
    assert client.get(f"/v1/organizations/{org}").json()["rendering_providers"] == {}
    links = client.get(path).json()["rendering_links"]
    assert [(k["service_location"], k["since"], k["until"]) for k in links] == [
        ("A", "2026-02-03", "2026-03-02"),
        ("B", "2026-02-04", "2026-03-03"),
    ]
    # A solo practitioner's practice has no rendering clinicians of its own.
    solo = register(client, entity_kind="solo_practitioner", tin_kind="ssn", tin="123-45-6789", npi="1456789019")
    body = {"organization_id": solo, "on": "2026-02-03"}
    assert_problem(client.post(f"{path}/rendering-links", json=body), 422, "rendering-link-needs-group")


def test_nppes_comparison_names_each_difference(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    doc = register_practitioner(client, register(client))
    record = {
        "number": CLINICIAN_NPI,
        "enumeration_type": "NPI-1",
        "basic": {"first_name": "ANA", "last_name": "REYES-DIAZ", "status": "A"},
        "taxonomies": [{"code": "207R00000X", "primary": True}],
        "addresses": [],
    }
    _ok(client, f"/v1/practitioners/{doc}/nppes-snapshots", record=record, retrieved_on="2026-01-14")
    mismatches = client.get(f"/v1/practitioners/{doc}").json()["nppes_mismatches"]
    assert [m["field"] for m in mismatches] == ["name", "taxonomy"]
    matching = {**record, "basic": {"first_name": "Ana", "last_name": "Reyes"},
                "taxonomies": [{"code": "207Q00000X", "primary": True}]}  # fmt: skip
    _ok(client, f"/v1/practitioners/{doc}/nppes-snapshots", record=matching, retrieved_on="2026-01-15")
    assert client.get(f"/v1/practitioners/{doc}").json()["nppes_mismatches"] == []


def test_personal_data_history_and_two_tenants(stack: Stack, tenants: tuple[str, str]) -> None:
    ours, theirs = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(ours)
    doc = register_practitioner(ours, org)
    sealed = stack.sql("SELECT state FROM credledger_events WHERE originator_id = %s", doc)[0][0]
    assert b"1979-03-14" not in bytes(sealed)
    pii = ours.get(f"/v1/practitioners/{doc}/pii", params={"purpose": "CAQH profile check"})
    assert pii.status_code == 200 and pii.json()["date_of_birth"] == "1979-03-14"
    kinds = [e["kind"] for e in ours.get(f"/v1/practitioners/{doc}/history").json()["items"]]
    assert kinds == ["Registered", "PersonalDataRead"]
    # The other tenant: not its practitioner, not its organization to register one for.
    assert theirs.get(f"/v1/practitioners/{doc}").status_code == 404
    assert_problem(theirs.post(f"/v1/practitioners/{doc}/licenses", json=LICENSE), 404, "not-found")
    assert_problem(theirs.post("/v1/practitioners", json={**CLINICIAN, "organization_id": org}), 404, "not-found")
    # One record per clinician in a firm (another firm may have its own).
    again = ours.post("/v1/practitioners", json={**CLINICIAN, "organization_id": register(ours)})
    assert_problem(again, 422, "practitioner-already-registered")
    assert theirs.post("/v1/practitioners", json={**CLINICIAN, "organization_id": register(theirs)}).status_code == 201
    link = {"organization_id": register(theirs), "on": "2026-02-03"}
    assert_problem(ours.post(f"/v1/practitioners/{doc}/rendering-links", json=link), 404, "not-found")
    # A client viewer sees its own practice's clinicians only; a viewer never sees personal data.
    assert stack.client(tenants[0], role="client_viewer", orgs=[org]).get(f"/v1/practitioners/{doc}").status_code == 200
    other = stack.client(tenants[0], role="client_viewer", orgs=[register(ours)])
    assert other.get(f"/v1/practitioners/{doc}").status_code == 404
    viewer = stack.client(tenants[0], role="viewer")
    assert viewer.get(f"/v1/practitioners/{doc}/pii", params={"purpose": "curious"}).status_code == 403


def test_the_groups_listing_follows_the_links_business_days(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    doc = register_practitioner(client, org)
    path = f"/v1/practitioners/{doc}"
    _ok(client, f"/v1/organizations/{org}/service-locations", code="B", name="Lenox office", on="2026-01-20",
        address={"line1": "5 Main St", "city": "Lenox", "state": "MA", "postal_code": "01240"})  # fmt: skip
    # Recorded out of business order: the link at B (March 10), then the one at A (February 3).
    _ok(client, f"{path}/rendering-links", organization_id=org, service_location="B", on="2026-03-10")
    _ok(client, f"{path}/rendering-links", organization_id=org, service_location="A", on="2026-02-03")
    listed = client.get(f"/v1/organizations/{org}", params={"as_of": "2026-02-15"}).json()["rendering_providers"]
    assert listed == {CLINICIAN_NPI: "Ana M. Reyes, MD"}
    # The end at A (March 20) recorded before the end at B (March 2): unlisted with the last, on March 20.
    _ok(client, f"{path}/rendering-link-ends", organization_id=org, service_location="A", on="2026-03-20")
    _ok(client, f"{path}/rendering-link-ends", organization_id=org, service_location="B", on="2026-03-12")
    for day, expected in (("2026-03-15", {CLINICIAN_NPI: "Ana M. Reyes, MD"}), ("2026-03-20", {})):
        shown = client.get(f"/v1/organizations/{org}", params={"as_of": day}).json()["rendering_providers"]
        assert shown == expected, day


def test_a_practitioners_day_is_corrected_within_its_practice(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)  # registered 2026-01-05
    doc = register_practitioner(client, org)  # 2026-01-12
    path = f"/v1/practitioners/{doc}/effective-date-corrections"
    _ok(client, f"/v1/practitioners/{doc}/rendering-links", organization_id=org, on="2026-01-20")
    before = {"version": 1, "on": "2026-01-02", "reason": "before the practice itself"}
    assert_problem(client.post(path, json=before), 422, "effective-date-before-dependency")
    link = {"version": 2, "on": "2026-01-19", "reason": "a day earlier"}
    assert_problem(client.post(path, json=link), 422, "correction-of-a-rendering-link")
    assert_problem(stack.client(tenants[1]).post(path, json={**before, "on": "2026-01-09"}), 404, "not-found")
    _ok(client, path, version=1, on="2026-01-09", reason="Taken on the Friday before")
    assert client.get(f"/v1/practitioners/{doc}").json()["registered_on"] == "2026-01-09"
    # The practice's registration may not move past its practitioner's.
    late = {"version": 1, "on": "2026-01-10", "reason": "signed later"}
    assert_problem(client.post(f"/v1/organizations/{org}/effective-date-corrections", json=late), 422,
                   "effective-date-after-dependent")  # fmt: skip
