"""Concurrent commands and retried commands: 200s and 409s only, nothing lost, nothing doubled."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.api.helpers import ORG, assert_problem, events_of, open_account, register
from tests.support import Stack


def test_racing_commands_on_one_aggregate(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    account = open_account(client, org, "Sam", "subordinate")
    path = f"/v1/user-accounts/{account}/password-resets"

    def reset(i: int) -> int:
        with stack.client(tenants[0]) as own:  # its own connection, truly concurrent
            return own.post(path, json={"on": "2026-03-09", "reason": f"attempt {i}"}).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(reset, range(64)))
    assert set(statuses) <= {200, 409}, statuses
    successes = statuses.count(200)
    assert successes >= 1
    assert client.get(f"/v1/user-accounts/{account}").json()["version"] == 1 + successes
    assert stack.sql("SELECT count(*) FROM credledger_events WHERE originator_id = %s", account)[0][0] == 1 + successes


def test_idempotency_key_returns_the_first_result(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    headers = {"Idempotency-Key": "register-berkshire-1"}
    first = client.post("/v1/organizations", json=ORG, headers=headers)
    assert first.status_code == 201
    before = events_of(stack, tenants[0])
    again = client.post("/v1/organizations", json=ORG, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert events_of(stack, tenants[0]) == before
    # The same key with another body is an error, and changes nothing.
    other = client.post("/v1/organizations", json={**ORG, "legal_name": "Another"}, headers=headers)
    assert_problem(other, 422, "idempotency-key-reused")
    assert events_of(stack, tenants[0]) == before
    # Keys belong to a tenant: another tenant may use the same key.
    assert stack.client(tenants[1]).post("/v1/organizations", json=ORG, headers=headers).json() != first.json()


def test_concurrent_retries_with_one_key_store_one_event(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    path = f"/v1/organizations/{org}/pin-letter"
    body = {"pin": "ABCD1234", "received_on": "2026-03-03"}

    def send(_: int) -> tuple[int, str]:
        with stack.client(tenants[0]) as own:
            response = own.post(path, json=body, headers={"Idempotency-Key": "pin-letter-once"})
            return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(8)))
    assert {status for status, _ in results} == {200}, results
    assert len({text for _, text in results}) == 1
    assert stack.sql("SELECT count(*) FROM credledger_events WHERE originator_id = %s", org)[0][0] == 2


def test_bad_idempotency_key_is_refused(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    response = client.post("/v1/organizations", json=ORG, headers={"Idempotency-Key": "has spaces"})
    assert_problem(response, 400, "invalid-request")
    assert events_of(stack, tenants[0]) == 0
