from __future__ import annotations

from typing import Any

import httpx

from tests.support import Stack, fresh

NPI = "1234567893"  # valid check digit
# Business days (a Massachusetts date per fact): a record starts early in the year, so the facts the tests date in
# the spring do not predate it, whatever today is. A fact left undated takes today.
REGISTERED = "2026-01-05"  # the organization's registration
OPENED = "2026-01-06"  # a user account's or an application's opening
TIN = "04-3219876"
ORG = {
    "legal_name": "Berkshire Family Health",
    "tin": TIN,
    "tin_kind": "ein",
    "npi": NPI,
    "entity_kind": "group",
    "taxonomies": [{"code": "193200000X", "primary": True}, {"code": "207Q00000X", "primary": False}],
    "taxonomy_version": "25.1",
    "practice_address": {"line1": "100 North St", "city": "Pittsfield", "state": "MA", "postal_code": "01201"},
    "provider_type": "physician group",
    "risk_level": "limited",
    "registered_on": REGISTERED,
}


def register(client: httpx.Client, **overrides: Any) -> str:
    response = client.post("/v1/organizations", json={**ORG, **overrides})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def open_application(client: httpx.Client, organization_id: str, kind: str = "posc_registration", **extra: Any) -> str:
    body = {"organization_id": organization_id, "kind": kind, "channel": "fax", "opened_on": OPENED, **extra}
    response = client.post("/v1/applications", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def account_body(organization_id: str, person_name: str, role: str, **extra: Any) -> dict[str, Any]:
    """The body of POST /v1/user-accounts, opened on OPENED unless ``extra`` says otherwise."""
    return {"organization_id": organization_id, "person_name": person_name, "role": role, "opened_on": OPENED, **extra}


def open_account(client: httpx.Client, organization_id: str, person_name: str, role: str, **extra: Any) -> str:
    response = client.post("/v1/user-accounts", json=account_body(organization_id, person_name, role, **extra))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def view_row(client: httpx.Client, organization_id: str) -> dict[str, Any] | None:
    response = client.get(f"/v1/views/affiliation-status/{organization_id}")
    return response.json() if response.status_code == 200 else None


def wait_for_view(client: httpx.Client, organization_id: str, **expected: Any) -> dict[str, Any]:
    """The organization's affiliation-status row once the views include every command sent so far."""
    fresh(client)
    row = view_row(client, organization_id)
    assert row is not None, f"no affiliation-status row for {organization_id}"
    assert {k: row[k] for k in expected} == expected, row
    return row


def events_of(stack: Stack, tenant: str) -> int:
    """The tenant's business events: its access log (reads and refusals recorded) is left out."""
    return stack.sql(
        "SELECT count(*) FROM credledger_events WHERE tenant_id = %s AND topic NOT LIKE 'domain.access_log:%%'", tenant
    )[0][0]


def refusals_of(stack: Stack, tenant: str) -> int:
    return stack.sql(
        "SELECT count(*) FROM credledger_events WHERE tenant_id = %s AND topic LIKE '%%AccessLog.AccessRefused'", tenant
    )[0][0]


def assert_problem(response: httpx.Response, status: int, rule: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"] == f"urn:credledger:problem:{rule}", body
    assert body["title"] and body["detail"] and body["instance"] == response.request.url.path
    assert isinstance(body["errors"], list)
    return body


def nppes_record(**overrides: Any) -> dict[str, Any]:
    """An NPPES API (v2.1) record that matches ORG exactly."""
    record = {
        "number": NPI,
        "enumeration_type": "NPI-2",
        "basic": {"organization_name": "BERKSHIRE FAMILY HEALTH", "status": "A", "last_updated": "2026-01-05"},
        "addresses": [
            {
                "address_purpose": "LOCATION",
                "address_1": "100 NORTH ST",
                "city": "PITTSFIELD",
                "state": "MA",
                "postal_code": "012015555",
                "country_code": "US",
            }
        ],
        "taxonomies": [{"code": "193200000X", "primary": True}, {"code": "207Q00000X", "primary": False}],
    }
    record.update(overrides)
    return record


def match_nppes(client: httpx.Client, organization_id: str) -> None:
    response = client.post(
        f"/v1/organizations/{organization_id}/nppes-snapshots",
        json={"record": nppes_record(), "retrieved_on": "2026-04-01"},
    )
    assert response.status_code == 200, response.text


# A complete enrollment dossier: each document type's extra fields (a license and an insurance certificate expire).
ENROLLMENT_DOCS: dict[str, dict[str, Any]] = {
    "w9": {},
    "irs_147c": {},
    "voided_check": {},
    "provider_agreement": {},
    "license": {"expires_on": "2027-12-31"},
    "liability_coi": {"expires_on": "2027-12-31", "per_occurrence_limit": 1_000_000, "aggregate_limit": 3_000_000},
}


POSC_STEPS = ("registered_with_pin", "new_user_email_received", "password_changed", "authentication_questions_answered")


def register_in_posc(client: httpx.Client, organization_id: str, primary: str, on: str = OPENED) -> None:
    """The primary user's POSC registration, done on ``on`` (checklist steps 1-4, with the PIN letter and the date
    of birth they need when not recorded yet): only then does it grant access (the POSC registration checklist)."""
    if client.get(f"/v1/organizations/{organization_id}").json()["pin_received_on"] is None:
        letter = client.post(
            f"/v1/organizations/{organization_id}/pin-letter", json={"pin": "A1B2C3", "received_on": on}
        )
        assert letter.status_code == 200, letter.text
    born = client.post(f"/v1/user-accounts/{primary}/date-of-birth", json={"date_of_birth": "1980-02-29"})
    assert born.status_code == 200 or born.json()["type"].endswith(":nothing-to-correct"), born.text
    for step in POSC_STEPS:
        done = client.post(f"/v1/user-accounts/{primary}/checklist", json={"step": step, "on": on})
        assert done.status_code == 200, done.text


def screen_clean(client: httpx.Client, path: str, on: str) -> None:
    """Record a clean screening against both federal lists on ``on`` for the subject at ``path`` (an organization,
    a disclosed person or a practitioner): the access audit then has no screening_overdue for it until the interval
    has passed."""
    for source in ("oig_leie", "sam"):
        body = {"source": source, "result": "no_match", "list_version": on, "list_date": on, "screened_on": on}
        response = client.post(f"{path}/exclusion-screenings", json=body)
        assert response.status_code == 200, response.text
