"""What an operator has: /metrics in the Prometheus format (requests per route, command outcomes, group-commit
batches, lags, workers, webhook deliveries), and a request id that goes from the client's X-Request-ID to the
events recorded and the stream's messages."""

from __future__ import annotations

import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.api.helpers import ORG, register
from tests.support import Stack, eventually, fresh

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def scrape(stack: Stack) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(stack.base_url + "/metrics")  # no token: scraped from inside the deployment
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_by_route_and_commands_by_outcome(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    before = scrape(stack)
    org = register(client)
    assert client.get(f"/v1/organizations/{org}").status_code == 200
    refused = client.post("/v1/organizations", json={**ORG, "npi": "1234567890"})  # a wrong check digit
    assert refused.status_code == 422
    assert httpx.get(f"{stack.base_url}/no/such/{org}").status_code == 404
    fresh(client)
    # The gauges read from the database are read at most every 5 s: wait for a read that saw these commands.
    position = value(before, "credledger_store_position")
    after = eventually(lambda: (s := scrape(stack)) and value(s, "credledger_store_position") > position and s, 15)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("credledger_commands_total", operation="registerOrganization", outcome="ok") >= 1
    assert grew("credledger_commands_total", operation="registerOrganization", outcome="refused") >= 1
    route = "/v1/organizations/{organization_id}"
    assert grew("credledger_http_request_duration_seconds_count", method="GET", route=route, status="200") >= 1
    assert (
        grew("credledger_http_request_duration_seconds_count", method="POST", route="/v1/organizations", status="201")
        >= 1
    )
    assert grew("credledger_group_commit_batch_size_count") >= 1
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}  # one series for every path no route has
    assert grew("credledger_http_request_duration_seconds_count", **unmatched) >= 1
    # A series per route, never per record: no label carries an id (nor a tenant).
    for _, labels in after:
        for _, text in labels:
            assert not UUID.search(text) and tenants[0] not in text, labels
    assert value(after, "credledger_store_position") >= value(before, "credledger_store_position") + 1
    for worker in ("relay", "access_audit", "affiliation_status", "turnaround", "expirables", "work_queue", "webhooks"):
        assert value(after, "credledger_worker_up", worker=worker) == 1, worker
    assert value(after, "credledger_projection_lag_events", view="affiliation_status") == 0
    assert value(after, "credledger_relay_lag_events") == 0
    assert (("credledger_webhook_deliveries", (("status", "failed"),))) in after
    assert value(after, "credledger_parked_events") == 0


def test_a_request_id_reaches_the_events_it_recorded(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    # Ours, whatever the caller sent: a caller's own id is only logged (tests/test_logs.py), never stored.
    for sent in ({}, {"X-Request-ID": "ticket-4711.a"}, {"X-Request-ID": "not a token"}):
        answer = client.post("/v1/organizations", json=ORG, headers=sent)
        assert answer.status_code == 201
        made = answer.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made), made
        (entry,) = client.get(f"/v1/organizations/{answer.json()['id']}/history").json()["items"]
        assert entry["request_id"] == made
    ids = {client.get("/v1/settings").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3  # one per request
    # Every answer, those no route serves included.
    for path in ("/health/live", "/no/such/route"):
        assert re.fullmatch(r"[0-9a-f]{32}", httpx.get(stack.base_url + path).headers["x-request-id"])
    # The stream's message carries it too, for the consumers beyond the views.
    fresh(client)
    org = answer.json()["id"]
    messages = [m for m in stack.stream_messages() if m.headers.get("Credledger-Originator-Id") == org]
    assert [(m.headers["Credledger-Request-Id"], m.headers["Credledger-Actor-Role"]) for m in messages] == [
        (made, "firm_admin")
    ]
