"""The affiliation-status view: provider number, plan affiliations, rendering providers, the sole-enrollment
risk, and its filters — for one tenant at a time."""

from __future__ import annotations

import base64
import json
import uuid

from tests.api.helpers import assert_problem, match_nppes, nppes_record, open_application, register, wait_for_view
from tests.api.test_endpoints import DOCS
from tests.support import Stack

TUFTS = "Tufts Health Together"


def test_sole_enrollment_risk_until_an_mco_affiliation_is_active(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client, legal_name="Lowell Pediatrics", risk_level="moderate")
    other = register(client, legal_name="Quincy Dental")
    base = f"/v1/organizations/{org}"
    client.post(f"{base}/provider-number", json={"provider_number": "1234567", "issued_on": "2026-05-01"})
    row = wait_for_view(client, org, provider_number="1234567")
    assert row["sole_enrollment_risk"] is True and row["risk_level"] == "moderate"

    client.post(f"{base}/affiliations", json={"kind": "mco", "plan": TUFTS, "on": "2026-05-02"})
    client.post(f"{base}/affiliations", json={"kind": "pcc", "plan": "PCC Plan", "on": "2026-05-02"})
    client.post(f"{base}/rendering-providers", json={"npi": "1720377294", "name": "Dr. Rendering"})
    for state, day in (("in_credentialing", "05-10"), ("contracted", "06-20"), ("active", "07-01")):
        client.post(f"{base}/affiliations/transitions", json={"plan": TUFTS, "to": state, "on": f"2026-{day}"})
    client.post(
        f"{base}/affiliations/transitions", json={"plan": "PCC Plan", "to": "in_credentialing", "on": "2026-05-03"}
    )
    row = wait_for_view(client, org, sole_enrollment_risk=False)
    assert row["affiliations"][TUFTS] == {
        "kind": "mco",
        "partner_mco": None,
        "state": "active",
        "dates": {
            "requested": "2026-05-02",
            "in_credentialing": "2026-05-10",
            "contracted": "2026-06-20",
            "active": "2026-07-01",
        },
    }
    # The PCC transition was the organization's last event: once it shows, everything before it does.
    row = wait_for_view(client, org)
    assert row["affiliations"]["PCC Plan"]["state"] == "in_credentialing"
    assert row["rendering_npis"] == ["1720377294"]

    # A PCC Plan registration alone would not have cleared the risk; terminating the MCO brings it back.
    client.post(f"{base}/affiliations/transitions", json={"plan": TUFTS, "to": "terminated", "on": "2026-09-30"})
    wait_for_view(client, org, sole_enrollment_risk=True)

    def names(**params: object) -> list[str]:
        return [i["legal_name"] for i in client.get("/v1/views/affiliation-status", params=params).json()["items"]]

    assert names(plan=TUFTS) == ["Lowell Pediatrics"]
    assert names(sole_enrollment_risk="true") == ["Lowell Pediatrics"]
    assert names(sole_enrollment_risk="false") == ["Quincy Dental"]
    assert names(risk_level="moderate") == ["Lowell Pediatrics"]
    assert names(organization_id=[other]) == ["Quincy Dental"]
    assert names(posc_registration="not_started") == ["Lowell Pediatrics", "Quincy Dental"]
    # The other tenant's filters find nothing of this one.
    b = stack.client(tenants[1])
    assert b.get("/v1/views/affiliation-status", params={"plan": TUFTS}).json()["items"] == []
    assert b.get("/v1/views/affiliation-status", params={"organization_id": [org]}).json()["items"] == []


def test_open_nppes_mismatches_show_until_the_profile_matches(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client, legal_name="Berkshire Family Health")
    row = wait_for_view(client, org, legal_name="Berkshire Family Health")
    assert row["nppes_mismatches"] == [{"field": "nppes", "detail": "No NPPES snapshot is recorded."}]
    # NPPES lists another practice location: MassHealth would reject the application.
    moved = nppes_record()
    moved["addresses"][0]["address_1"] = "200 SOUTH ST"
    response = client.post(
        f"/v1/organizations/{org}/nppes-snapshots", json={"record": moved, "retrieved_on": "2026-04-01"}
    )
    assert response.status_code == 200, response.text
    row = wait_for_view(client, org)
    assert [m["field"] for m in row["nppes_mismatches"]] == ["practice_address"]
    listed = client.get("/v1/views/affiliation-status", params={"nppes_mismatch": "true"}).json()["items"]
    assert [i["organization_id"] for i in listed] == [org]
    assert (
        stack.client(tenants[1]).get("/v1/views/affiliation-status", params={"nppes_mismatch": "true"}).json()["items"]
        == []
    )
    # The specialist corrects the profile to what NPPES says: the mismatch clears.
    address = {"line1": "200 South St", "city": "Pittsfield", "state": "MA", "postal_code": "01201"}
    response = client.post(f"/v1/organizations/{org}/profile-corrections", json={"practice_address": address})
    assert response.status_code == 200, response.text
    wait_for_view(client, org, nppes_mismatches=[])
    assert client.get("/v1/views/affiliation-status", params={"nppes_mismatch": "true"}).json()["items"] == []


def test_sorting_and_cursor_pagination(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    names = ["Amherst Clinic", "Brockton Pediatrics", "Chicopee Dental", "Dedham Therapy", "Everett Vision"]
    # Registered in this order, on successive business days.
    ids = {name: register(client, legal_name=name, registered_on=f"2026-01-0{i + 5}") for i, name in enumerate(names)}
    register(stack.client(tenants[1]), legal_name="Aaa Other Firm")
    for org in ids.values():
        wait_for_view(client, org, posc_registration="not_started")

    def walk(sort: str) -> list[str]:
        seen, cursor = [], None
        while True:
            params = {"sort": sort, "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = client.get("/v1/views/affiliation-status", params=params).json()
            assert len(page["items"]) <= 2
            seen += [i["legal_name"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return seen

    assert walk("legal_name") == names
    assert walk("-legal_name") == names[::-1]
    assert walk("registered_on") == names
    assert walk("-updated_at") == names[::-1]
    first = client.get("/v1/views/affiliation-status", params={"sort": "legal_name", "limit": 2}).json()
    wrong_sort = client.get(
        "/v1/views/affiliation-status", params={"sort": "-legal_name", "cursor": first["next_cursor"]}
    )
    assert_problem(wrong_sort, 400, "invalid-request")
    assert_problem(client.get("/v1/views/affiliation-status", params={"sort": "tin"}), 400, "invalid-request")
    assert_problem(client.get("/v1/views/affiliation-status", params={"cursor": "garbage"}), 400, "invalid-request")
    # A cursor edited by hand: well formed, but its value is not of its column's type.
    for sort, value in (("-updated_at", "yesterday"), ("registered_on", "2026-13-01")):
        edited = base64.urlsafe_b64encode(json.dumps([sort, value, str(uuid.uuid4())]).encode()).decode()
        response = client.get("/v1/views/affiliation-status", params={"sort": sort, "cursor": edited})
        assert_problem(response, 400, "invalid-request")


def test_a_plans_affiliation_follows_its_credentialing_application(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client, legal_name="Lowell Pediatrics")
    base = f"/v1/organizations/{org}"
    client.post(f"{base}/provider-number", json={"provider_number": "1234567", "issued_on": "2026-05-01"})
    apps = {}
    for plan in (TUFTS, "WellSense Health Plan", "Mass General Brigham Health Plan"):
        assert client.post(f"{base}/affiliations", json={"kind": "mco", "plan": plan, "on": "2026-05-02"}).is_success
        app = apps[plan] = open_application(client, org, "mco_affiliation", plan=plan)
        for doc_type in ("w9", "license", "liability_coi"):
            body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-05-02", **DOCS[doc_type]}
            assert client.post(f"/v1/applications/{app}/documents", json=body).is_success
        assert client.post(f"/v1/applications/{app}/submit", json={"submitted_on": "2026-05-04"}).is_success
    row = wait_for_view(client, org)
    assert {plan: a["state"] for plan, a in row["affiliations"].items()} == dict.fromkeys(apps, "in_credentialing")
    assert row["affiliations"][TUFTS]["dates"]["in_credentialing"] == "2026-05-04"

    # Approved with the contract's effective date: contracted that day, active from the date; the risk is gone.
    approval = {"decided_on": "2026-06-15", "effective_date": "2026-07-01"}
    assert client.post(f"/v1/applications/{apps[TUFTS]}/approve", json=approval).is_success
    denial = {"decided_on": "2026-06-16", "reason": "Panel closed"}
    assert client.post(f"/v1/applications/{apps['WellSense Health Plan']}/deny", json=denial).is_success
    withdrawal = {"withdrawn_on": "2026-06-17"}
    assert client.post(
        f"/v1/applications/{apps['Mass General Brigham Health Plan']}/withdraw", json=withdrawal
    ).is_success
    row = wait_for_view(client, org, sole_enrollment_risk=False)
    assert row["affiliations"][TUFTS]["dates"] == {
        "requested": "2026-05-02",
        "in_credentialing": "2026-05-04",
        "contracted": "2026-06-15",
        "active": "2026-07-01",
    }
    assert row["affiliations"]["WellSense Health Plan"]["state"] == "denied"
    assert row["affiliations"]["Mass General Brigham Health Plan"]["state"] == "withdrawn"
    # The other tenant sees none of it.
    assert stack.client(tenants[1]).get(f"/v1/views/affiliation-status/{org}").status_code == 404


def test_a_denied_revalidation_terminates_the_enrollment(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    outcomes = {}
    for name, decision in (("Lowell Pediatrics", "deny"), ("Quincy Dental", "approve")):
        org = register(client, legal_name=name)
        match_nppes(client, org)  # the record's name differs: the submission overrides it
        client.post(
            f"/v1/organizations/{org}/provider-number", json={"provider_number": "1234567", "issued_on": "2026-04-02"}
        )
        wait_for_view(client, org, enrollment="not_started", sole_enrollment_risk=True)
        app = open_application(client, org, "revalidation", channel="portal")
        for doc_type in ("w9", "license", "liability_coi", "provider_agreement"):
            body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-04-02", **DOCS[doc_type]}
            assert client.post(f"/v1/applications/{app}/documents", json=body).is_success
        body = {"submitted_on": "2026-04-03", "override_reason": "NPPES name update filed"}
        submitted = client.post(f"/v1/applications/{app}/submit", json=body)
        assert submitted.is_success, submitted.text
        screening = {"screening": "exclusion_lists", "passed": True, "completed_on": "2026-04-06"}
        assert client.post(f"/v1/applications/{app}/screenings", json=screening).is_success
        body = {"decided_on": "2026-05-20"} | ({"reason": "Revalidation incomplete"} if decision == "deny" else {})
        assert client.post(f"/v1/applications/{app}/{decision}", json=body).is_success
        outcomes[name] = org
    # MassHealth terminates a provider it does not revalidate: no longer enrolled, so no sole-enrollment risk either.
    wait_for_view(client, outcomes["Lowell Pediatrics"], enrollment="terminated", sole_enrollment_risk=False)
    record = client.get(f"/v1/organizations/{outcomes['Lowell Pediatrics']}").json()
    assert (record["disenrolled_on"], record["disenrollment_cause"]) == ("2026-05-20", "terminated")
    assert client.get(f"/v1/organizations/{outcomes['Quincy Dental']}").json()["disenrolled_on"] is None
    wait_for_view(client, outcomes["Quincy Dental"], enrollment="approved", sole_enrollment_risk=True)
    names = [
        i["legal_name"]
        for i in client.get("/v1/views/affiliation-status", params={"enrollment": "terminated"}).json()["items"]
    ]
    assert names == ["Lowell Pediatrics"]
    assert (
        stack.client(tenants[1])
        .get("/v1/views/affiliation-status", params={"enrollment": "terminated"})
        .json()["items"]
        == []
    )


def test_a_provider_number_reissued_and_a_voluntary_disenrollment(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(client)
    number = {"provider_number": "1234567", "issued_on": "2026-04-02"}
    assert client.post(f"/v1/organizations/{org}/provider-number", json=number).is_success
    change = {"provider_number": "7654321", "on": "2026-05-01", "reason": "Change of ownership, new TIN"}
    assert other.post(f"/v1/organizations/{org}/provider-number/change", json=change).status_code == 404
    assert client.post(f"/v1/organizations/{org}/provider-number/change", json=change).is_success
    wait_for_view(client, org, provider_number="7654321", sole_enrollment_risk=True)
    ended = {"cause": "voluntary", "on": "2026-06-30", "reason": "The practice left MassHealth"}
    assert client.post(f"/v1/organizations/{org}/disenrollment", json=ended).is_success
    wait_for_view(client, org, enrollment="disenrolled", sole_enrollment_risk=False)
    # An enrollment that ended is not revalidated (the view would say approved, the record not enrolled).
    revalidation = open_application(client, org, "revalidation", channel="portal")
    for doc_type in ("w9", "license", "liability_coi", "provider_agreement"):
        body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-04-02", **DOCS[doc_type]}
        assert client.post(f"/v1/applications/{revalidation}/documents", json=body).is_success
    body = {"submitted_on": "2026-07-01", "override_reason": "NPPES checked by phone"}
    assert client.post(f"/v1/applications/{revalidation}/submit", json=body).is_success
    screening = {"screening": "exclusion_lists", "passed": True, "completed_on": "2026-07-01"}
    assert client.post(f"/v1/applications/{revalidation}/screenings", json=screening).is_success
    refused = client.post(f"/v1/applications/{revalidation}/approve", json={"decided_on": "2026-07-02"})
    assert_problem(refused, 422, "not-enrolled")
    names = client.get("/v1/views/affiliation-status", params={"enrollment": "disenrolled"}).json()["items"]
    assert [i["organization_id"] for i in names] == [org]
    assert other.get("/v1/views/affiliation-status", params={"enrollment": "disenrolled"}).json()["items"] == []
    # Disenrolled, nothing is contracted; enrolled again (a new number), it is.
    plan = {"kind": "mco", "plan": "Tufts Health Together", "on": "2026-07-01"}
    assert client.post(f"/v1/organizations/{org}/affiliations", json=plan).is_success
    moves = f"/v1/organizations/{org}/affiliations/transitions"
    for step in ("in_credentialing", "contracted"):
        moved = client.post(moves, json={"plan": plan["plan"], "to": step, "on": "2026-07-02"})
        assert moved.is_success if step == "in_credentialing" else moved.status_code == 422, moved.text
    assert client.post(
        f"/v1/organizations/{org}/provider-number", json={**number, "issued_on": "2026-07-06"}
    ).is_success
    assert client.post(moves, json={"plan": plan["plan"], "to": "contracted", "on": "2026-07-07"}).is_success
