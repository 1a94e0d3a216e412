"""Rules that span aggregates, through the API: primary users, grants, NPPES, the PIN, enrollment."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import (
    account_body,
    assert_problem,
    events_of,
    match_nppes,
    nppes_record,
    open_application,
    register,
    register_in_posc,
)
from tests.api.test_endpoints import DOCS
from tests.support import Stack


def _account(client: httpx.Client, org: str, role: str, name: str = "Pat", **extra: Any) -> httpx.Response:
    return client.post("/v1/user-accounts", json=account_body(org, name, role, **extra))


def _approved_modification(client: httpx.Client, org: str) -> str:
    pm = open_application(client, org, "primary_user_modification")
    assert client.post(f"/v1/applications/{pm}/submit", json={"submitted_on": "2026-06-01"}).status_code == 200
    assert client.post(f"/v1/applications/{pm}/approve", json={"decided_on": "2026-06-08"}).status_code == 200
    return pm


def test_one_primary_user_and_its_replacement_through_posc_dc_pm(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    first = _account(client, org, "primary", "Dana").json()["id"]
    assert client.get(f"/v1/organizations/{org}").json()["primary_user_account_id"] == first
    before = events_of(stack, tenants[0])
    assert_problem(_account(client, org, "primary", "Eve"), 422, "primary-user-exists")

    # Replacing needs an approved POSC-DC-PM of this organization.
    pending = open_application(client, org, "primary_user_modification")
    replace = f"/v1/organizations/{org}/primary-user/replace"
    body = {"person_name": "Eve", "modification_id": pending}
    assert_problem(client.post(replace, json=body), 422, "approved-modification-required")
    other_org = register(client, legal_name="Other Practice")
    foreign = _approved_modification(client, other_org)
    assert_problem(
        client.post(replace, json={**body, "modification_id": foreign}), 422, "approved-modification-required"
    )
    assert events_of(stack, tenants[0]) == before + 1 + 1 + 3  # only the two applications and the other org

    pm = _approved_modification(client, org)
    response = client.post(replace, json={**body, "modification_id": pm})
    assert response.status_code == 201, response.text
    second = response.json()["id"]
    assert response.headers["location"] == f"/v1/user-accounts/{second}"
    assert client.get(f"/v1/organizations/{org}").json()["primary_user_account_id"] == second
    assert client.get(f"/v1/user-accounts/{first}").json()["status"] == "deactivated"
    assert client.get(f"/v1/user-accounts/{second}").json()["role"] == "primary"
    # The same POSC-DC-PM cannot be applied twice, and the old primary cannot come back.
    assert_problem(
        client.post(replace, json={"person_name": "Zed", "modification_id": pm}), 422, "modification-already-used"
    )
    assert_problem(client.post(f"/v1/user-accounts/{first}/reactivate", json={}), 422, "primary-user-exists")


def test_access_is_granted_only_under_an_active_primary_user(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    partner = _account(
        client, org, "business_partner", "Billing Co", partner_firm="Acme Billing", partner_function="claims"
    )
    partner_id = partner.json()["id"]
    grant = f"/v1/user-accounts/{partner_id}/access-grants"
    assert_problem(client.post(grant, json={"function": "claims_batch"}), 422, "no-active-primary-user")
    primary = _account(client, org, "primary", "Dana", date_of_birth="1980-02-29").json()["id"]
    # Not before the primary user registered in POSC (the checklist's steps 3 and 4), then under her.
    assert_problem(client.post(grant, json={"function": "claims_batch"}), 422, "primary-user-not-registered")
    register_in_posc(client, org, primary)
    assert client.post(grant, json={"function": "claims_batch"}).status_code == 200
    assert client.post(f"/v1/user-accounts/{primary}/departure", json={"on": "2026-05-01"}).status_code == 200
    assert_problem(client.post(grant, json={"function": "eligibility_verification"}), 422, "no-active-primary-user")
    assert client.get(f"/v1/user-accounts/{partner_id}").json()["grants"] == ["claims_batch"]


def test_nppes_mismatch_blocks_submission_unless_overridden(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    posc = open_application(client, org, "posc_registration")
    submit = f"/v1/applications/{posc}/submit"
    # No snapshot yet counts as a mismatch: the profile was never checked.
    assert_problem(client.post(submit, json={"submitted_on": "2026-03-02"}), 422, "nppes-mismatch")
    record = nppes_record(taxonomies=[{"code": "193200000X", "primary": True}])
    client.post(f"/v1/organizations/{org}/nppes-snapshots", json={"record": record, "retrieved_on": "2026-03-01"})
    mismatches = client.get(f"/v1/organizations/{org}").json()["nppes_mismatches"]
    assert [m["field"] for m in mismatches] == ["taxonomies"]
    problem = assert_problem(client.post(submit, json={"submitted_on": "2026-03-02"}), 422, "nppes-mismatch")
    assert "taxonomies" in problem["detail"]
    assert client.get(f"/v1/applications/{posc}").json()["status"] == "open"
    overridden = client.post(
        submit, json={"submitted_on": "2026-03-02", "override_reason": "NPPES update filed 2026-02-27"}
    )
    assert overridden.status_code == 200
    # Correcting the profile to match NPPES clears the mismatch.
    client.post(
        f"/v1/organizations/{org}/profile-corrections",
        json={"taxonomies": [{"code": "193200000X", "primary": True}]},
    )
    assert client.get(f"/v1/organizations/{org}").json()["nppes_mismatches"] == []


def test_registering_the_primary_user_needs_the_pin_letter(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    primary = _account(client, org, "primary").json()["id"]
    step = {"step": "registered_with_pin", "on": "2026-03-04"}
    assert_problem(client.post(f"/v1/user-accounts/{primary}/checklist", json=step), 422, "pin-letter-missing")
    client.post(f"/v1/organizations/{org}/pin-letter", json={"pin": "K3Y9", "received_on": "2026-03-03"})
    # The checklist's step 3 also needs the primary user's date of birth, recorded sealed.
    assert_problem(client.post(f"/v1/user-accounts/{primary}/checklist", json=step), 422, "date-of-birth-missing")
    other = stack.client(tenants[1])
    born = {"date_of_birth": "1980-02-29"}
    assert_problem(other.post(f"/v1/user-accounts/{primary}/date-of-birth", json=born), 404, "not-found")
    assert client.post(f"/v1/user-accounts/{primary}/date-of-birth", json=born).status_code == 200
    assert "1980-02-29" not in client.get(f"/v1/user-accounts/{primary}/history").text
    assert client.post(f"/v1/user-accounts/{primary}/checklist", json=step).status_code == 200


def test_approved_enrollment_issues_the_provider_number(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client, risk_level="moderate")
    match_nppes(client, org)
    enrollment = open_application(client, org, "enrollment")
    assert client.get(f"/v1/applications/{enrollment}").json()["risk_level"] == "moderate"
    assert_problem(
        client.post(f"/v1/applications/{enrollment}/submit", json={"submitted_on": "2026-03-02"}),
        422,
        "documents-missing",
    )
    for doc_type, extra in DOCS.items():
        body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-03-01", **extra}
        client.post(f"/v1/applications/{enrollment}/documents", json=body)
    assert client.post(f"/v1/applications/{enrollment}/submit", json={"submitted_on": "2026-03-02"}).status_code == 200
    approve = f"/v1/applications/{enrollment}/approve"
    body = {"decided_on": "2026-05-20", "provider_number": "1112223"}
    client.post(
        f"/v1/applications/{enrollment}/screenings",
        json={"screening": "exclusion_lists", "passed": True, "completed_on": "2026-03-09"},
    )
    problem = assert_problem(client.post(approve, json=body), 422, "screenings-required")
    assert "fingerprint_cori" in problem["detail"] and "site_visit" in problem["detail"]
    for screening in ("fingerprint_cori", "site_visit"):
        client.post(
            f"/v1/applications/{enrollment}/screenings",
            json={"screening": screening, "passed": True, "completed_on": "2026-04-01"},
        )
    assert client.post(approve, json=body).status_code == 200
    assert client.get(f"/v1/organizations/{org}").json()["provider_number"] == "1112223"
    # A decided application is closed to every command.
    assert_problem(
        client.post(f"/v1/applications/{enrollment}/withdraw", json={"withdrawn_on": "2026-06-01"}),
        422,
        "application-closed",
    )
    # Plans may contract only now that the organization is enrolled.
    client.post(
        f"/v1/organizations/{org}/affiliations",
        json={"kind": "aco_b", "plan": "Community Care ACO", "on": "2026-05-21"},
    )
    move = f"/v1/organizations/{org}/affiliations/transitions"
    for state in ("in_credentialing", "contracted", "active"):
        assert (
            client.post(move, json={"plan": "Community Care ACO", "to": state, "on": "2026-06-01"}).status_code == 200
        )
    (affiliation,) = client.get(f"/v1/organizations/{org}").json()["affiliations"]
    assert affiliation["state"] == "active" and affiliation["dates"]["requested"] == "2026-05-21"
