"""Business days through the API: every fact a command states takes a Massachusetts date, today when omitted;
one in the future, or before a fact it follows on the same part of the record, is refused with a problem naming
both dates, and nothing is stored. Another tenant neither dates facts on a record nor reads them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx

from domain.business_days import MASSACHUSETTS
from tests.api.helpers import ORG, account_body, assert_problem, events_of, open_account, register, register_in_posc
from tests.support import Stack

# The commands that state a fact, and the field holding its business day.
DATED = {
    "registerOrganization": "registered_on",
    "correctProfile": "on",
    "linkRenderingProvider": "on",
    "unlinkRenderingProvider": "on",
    "recordEftDetails": "on",
    "openUserAccount": "opened_on",
    "replacePrimaryUser": "on",
    "grantAccess": "on",
    "revokeAccess": "on",
    "deactivateUserAccount": "on",
    "reactivateUserAccount": "on",
    "openApplication": "opened_on",
    "submitApplication": "submitted_on",
    "approveApplication": "decided_on",
    "receivePinLetter": "received_on",
}


def _today() -> date:
    return datetime.now(MASSACHUSETTS).date()


def _history(stack: Stack, tenant: str, path: str, kind: str) -> list[dict[str, Any]]:
    response = stack.client(tenant, role="auditor").get(f"{path}/history", params={"event": kind})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _primary(client: httpx.Client, org: str, on: str | None = None) -> str:
    """Dana, the practice's primary user, registered in POSC (on ``on``, else her opening day) so that she grants."""
    account = open_account(client, org, "Dana Reyes", "primary", date_of_birth="1980-02-29")
    register_in_posc(client, org, account, **({"on": on} if on else {}))
    return account


def _grant(client: httpx.Client, account: str, function: str, **dated: str) -> httpx.Response:
    return client.post(f"/v1/user-accounts/{account}/access-grants", json={"function": function, **dated})


def _both(stack: Stack, tenants: tuple[str, str]) -> tuple[int, int]:
    return events_of(stack, tenants[0]), events_of(stack, tenants[1])


def test_a_grant_dated_in_the_past_is_stored_and_shown_with_its_day(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(a)
    account = _primary(a, org)
    path = f"/v1/user-accounts/{account}"
    before = _both(stack, tenants)
    # Tenant B can neither date a fact on tenant A's record nor read it.
    assert_problem(_grant(b, account, "claims_batch", on="2026-03-10"), 404, "not-found")
    assert_problem(b.get(path, params={"as_of": "2026-03-10"}), 404, "not-found")
    assert_problem(stack.client(tenants[1], role="auditor").get(f"{path}/history"), 404, "not-found")
    assert _both(stack, tenants) == before

    response = _grant(a, account, "claims_batch", on="2026-03-10", reason="granted in POSC last March")
    assert response.status_code == 200, response.text
    [entry] = _history(stack, tenants[0], path, "AccessGranted")
    assert (entry["data"]["function"], entry["data"]["on"]) == ("claims_batch", "2026-03-10")
    [(state,)] = stack.sql(
        "SELECT state FROM credledger_events WHERE originator_id = %s AND topic LIKE %s", account, "%AccessGranted"
    )
    assert b'"on":"2026-03-10"' in bytes(state)
    # The record as of a business day: the grant from its own day on, though it was recorded today.
    assert a.get(path, params={"as_of": "2026-03-09"}).json()["grants"] == []
    assert a.get(path, params={"as_of": "2026-03-10"}).json()["grants"] == ["claims_batch"]
    assert a.get(path).json()["grants"] == ["claims_batch"]
    assert _both(stack, tenants) == (before[0] + 1, before[1])


def test_an_undated_fact_takes_today_in_massachusetts(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    first = _today()
    org = client.post("/v1/organizations", json={k: v for k, v in ORG.items() if k != "registered_on"}).json()["id"]
    body = {"organization_id": org, "person_name": "Sam", "role": "primary", "date_of_birth": "1980-02-29"}
    account = client.post("/v1/user-accounts", json=body).json()["id"]
    register_in_posc(client, org, account, on=first.isoformat())
    assert _grant(client, account, "eligibility_verification").status_code == 200
    assert client.post(f"/v1/user-accounts/{account}/deactivate", json={}).status_code == 200
    days = {first.isoformat(), _today().isoformat()}  # the same day, unless the test ran over midnight there
    path = f"/v1/user-accounts/{account}"
    [registered] = _history(stack, tenants[0], f"/v1/organizations/{org}", "Registered")
    assert registered["data"]["registered_on"] in days
    [opened_entry] = _history(stack, tenants[0], path, "Opened")
    assert opened_entry["data"]["opened_on"] in days
    [granted] = _history(stack, tenants[0], path, "AccessGranted")
    [deactivated] = _history(stack, tenants[0], path, "Deactivated")
    assert granted["data"]["on"] in days and deactivated["data"]["on"] in days
    # Another tenant reads none of it.
    assert_problem(stack.client(tenants[1], role="auditor").get(f"{path}/history"), 404, "not-found")


def test_a_future_date_is_refused_naming_both_dates(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(a)
    account = _primary(a, org)
    path = f"/v1/user-accounts/{account}"
    version, before = a.get(path).json()["version"], _both(stack, tenants)
    today = _today()
    tomorrow = (today + timedelta(days=1)).isoformat()

    problem = assert_problem(_grant(a, account, "claims_batch", on=tomorrow), 422, "effective-date-in-future")
    assert tomorrow in problem["detail"] and today.isoformat() in problem["detail"], problem["detail"]
    assert a.get(path).json()["version"] == version and a.get(path).json()["grants"] == []
    assert_problem(_grant(b, account, "claims_batch", on=tomorrow), 404, "not-found")  # not a rule of B's
    future_org = {**ORG, "legal_name": "Not Yet Clinic", "registered_on": tomorrow}
    problem = assert_problem(a.post("/v1/organizations", json=future_org), 422, "effective-date-in-future")
    assert tomorrow in problem["detail"] and today.isoformat() in problem["detail"]
    assert _both(stack, tenants) == before  # nothing stored, for either tenant


def test_a_revocation_dated_before_its_grant_is_refused(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    account = _primary(client, org)
    path = f"/v1/user-accounts/{account}"
    assert _grant(client, account, "claims_batch", on="2026-03-10").status_code == 200
    version, before = client.get(path).json()["version"], _both(stack, tenants)

    early = {"function": "claims_batch", "on": "2026-03-01"}
    problem = assert_problem(
        client.post(f"{path}/access-revocations", json=early), 422, "effective-date-before-dependency"
    )
    assert "2026-03-01" in problem["detail"] and "2026-03-10" in problem["detail"], problem["detail"]
    assert client.get(path).json()["version"] == version and _both(stack, tenants) == before
    # Grants and revocations are ordered per POSC function: another function may be granted earlier.
    assert _grant(client, account, "prior_authorization", on="2026-03-01").status_code == 200
    same_day = client.post(f"{path}/access-revocations", json={**early, "on": "2026-03-10"})
    assert same_day.status_code == 200, same_day.text
    assert client.get(path).json()["grants"] == ["prior_authorization"]


def test_nothing_opens_before_its_organization_was_registered(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client, registered_on="2026-02-02")
    before = _both(stack, tenants)
    early = account_body(org, "Dana Reyes", "primary", opened_on="2026-01-15")
    problem = assert_problem(client.post("/v1/user-accounts", json=early), 422, "effective-date-before-dependency")
    assert "2026-01-15" in problem["detail"] and "2026-02-02" in problem["detail"], problem["detail"]
    application = {"organization_id": org, "kind": "enrollment", "channel": "portal", "opened_on": "2026-02-01"}
    problem = assert_problem(client.post("/v1/applications", json=application), 422, "effective-date-before-dependency")
    assert "2026-02-01" in problem["detail"] and "2026-02-02" in problem["detail"], problem["detail"]
    organization = client.get(f"/v1/organizations/{org}").json()
    assert organization["version"] == 1 and organization["primary_user_account_id"] is None
    assert _both(stack, tenants) == before
    # The day of the registration itself is not before it.
    assert open_account(client, org, "Dana Reyes", "primary", opened_on="2026-02-02")


def test_the_openapi_document_declares_each_business_day_optional(stack: Stack) -> None:
    document = httpx.get(stack.base_url + "/schema/openapi.json").json()
    operations = {op["operationId"]: op for ops in document["paths"].values() for op in ops.values()}
    for operation_id, field in DATED.items():
        ref = operations[operation_id]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.split("/")[-1]]
        described = schema["properties"][field]
        assert field not in schema.get("required", []), operation_id
        assert described["format"] == "date", (operation_id, described)
        assert "A Massachusetts date; today when omitted." in described["description"], (operation_id, described)
        assert "Never in the future" in described["description"] and described["examples"], operation_id
