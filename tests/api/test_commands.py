"""The first commands end to end: stored events, ETags, conflicts, and the view they feed."""

from __future__ import annotations

from tests.api.helpers import (
    NPI,
    ORG,
    account_body,
    assert_problem,
    events_of,
    match_nppes,
    open_application,
    register,
    register_in_posc,
    wait_for_view,
)
from tests.support import Stack


def test_registration_is_stored_with_tenant_actor_and_reason(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0], user="specialist-7", role="specialist")
    response = client.post(
        "/v1/organizations", json={**ORG, "legal_name": "Cape Ann Pediatrics", "reason": "new client"}
    )
    assert response.status_code == 201
    org = response.json()["id"]
    assert response.headers["location"] == f"/v1/organizations/{org}"
    assert response.headers["etag"] == '"1"'
    rows = stack.sql("SELECT tenant_id, topic, state FROM credledger_events WHERE originator_id = %s", org)
    assert len(rows) == 1
    tenant, topic, state = rows[0]
    assert (tenant, topic) == (tenants[0], "domain.organization:Organization.Registered")
    assert b'"actor":"specialist-7"' in state and b'"reason":"new client"' in state
    assert b"043219876" not in state and b"04-3219876" not in state  # the TIN is sealed
    body = client.get(f"/v1/organizations/{org}").json()
    assert (body["id"], body["version"], body["legal_name"], body["npi"]) == (org, 1, "Cape Ann Pediatrics", NPI)
    assert body["practice_address"]["city"] == "Pittsfield"
    assert body["nppes_mismatches"] == [{"field": "nppes", "detail": "No NPPES snapshot is recorded."}]
    assert "tin" not in body  # PII only in the dedicated response
    assert (
        client.get(f"/v1/organizations/{org}/pii", params={"purpose": "credentialing check"}).json()["tin"]
        == "043219876"
    )


def test_application_lifecycle_drives_the_affiliation_view(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    match_nppes(client, org)
    assert wait_for_view(client, org)["posc_registration"] == "not_started"
    application = open_application(client, org, "posc_registration")
    wait_for_view(client, org, posc_registration="opened")
    submitted = client.post(f"/v1/applications/{application}/submit", json={"submitted_on": "2026-04-17"})
    assert submitted.status_code == 200 and submitted.headers["etag"] == '"2"'
    wait_for_view(client, org, posc_registration="submitted", enrollment="not_started")
    decided = client.post(f"/v1/applications/{application}/approve", json={"decided_on": "2026-04-28"})
    assert decided.status_code == 200
    wait_for_view(client, org, posc_registration="approved")
    open_application(client, org, "enrollment")
    row = wait_for_view(client, org, enrollment="opened")
    assert row["posc_registration"] == "approved"
    # A decided application is closed.
    assert_problem(
        client.post(f"/v1/applications/{application}/deny", json={"decided_on": "2026-05-02", "reason": "late"}),
        422,
        "application-closed",
    )


def test_if_match_detects_a_stale_version(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    match_nppes(client, org)
    application = open_application(client, org)
    stale = client.post(
        f"/v1/applications/{application}/submit", json={"submitted_on": "2026-04-17"}, headers={"If-Match": '"2"'}
    )
    assert_problem(stale, 409, "version-conflict")
    assert stale.headers["etag"] == '"1"'  # the current version, to re-read and retry
    assert client.get(f"/v1/applications/{application}").json()["status"] == "open"
    fresh = client.post(
        f"/v1/applications/{application}/submit", json={"submitted_on": "2026-04-17"}, headers={"If-Match": '"1"'}
    )
    assert fresh.status_code == 200 and fresh.json()["version"] == 2


def test_user_account_grants_and_deactivation(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    opened = client.post(
        "/v1/user-accounts",
        json=account_body(org, "Dana Reyes", "primary", date_of_birth="1980-02-29"),
    )
    account = opened.json()["id"]
    register_in_posc(client, org, account)  # four checklist steps: versions 2-5; she grants once registered
    assert (
        client.post(f"/v1/user-accounts/{account}/access-grants", json={"function": "claims_batch"}).status_code == 200
    )
    assert_problem(
        client.post(f"/v1/user-accounts/{account}/access-grants", json={"function": "claims_batch"}),
        422,
        "access-already-granted",
    )
    assert (
        client.post(f"/v1/user-accounts/{account}/deactivate", json={"reason": "left the practice"}).status_code == 200
    )
    before = events_of(stack, tenants[0])
    assert_problem(
        client.post(f"/v1/user-accounts/{account}/access-grants", json={"function": "eligibility_verification"}),
        422,
        "account-not-active",
    )
    assert events_of(stack, tenants[0]) == before
    body = client.get(f"/v1/user-accounts/{account}").json()
    # Deactivation ends every grant with the ID.
    assert body["status"] == "deactivated" and body["grants"] == [] and body["version"] == 7


def test_events_are_published_on_tenant_subjects_with_stable_ids(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    wait_for_view(client, org)  # the views read the stream: what they include is published
    (message,) = [m for m in stack.stream_messages() if m.headers.get("Credledger-Originator-Id") == org]
    assert message.subject == f"{stack.namespace}.{tenants[0]}.organization.registered"
    assert message.headers["Nats-Msg-Id"] == f"{org}:1"


def test_view_pagination(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    ids = [register(client, legal_name=f"Practice {i:02d}") for i in range(5)]
    for org in ids:
        wait_for_view(client, org)
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/views/affiliation-status", params=params).json()
        seen += [i["legal_name"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"Practice {i:02d}" for i in range(5)]
    assert_problem(client.get("/v1/views/affiliation-status", params={"limit": 0}), 400, "invalid-request")
    assert_problem(client.get("/v1/views/affiliation-status", params={"cursor": "garbage"}), 400, "invalid-request")
