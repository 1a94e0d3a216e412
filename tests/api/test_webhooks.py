"""Webhooks through the API: a firm's administrator registers endpoints, each receives the firm's messages that
follow, signed (Standard Webhooks), without personal data; a failing receiver is retried with the same
webhook-id; deliveries are recorded and can be sent again; another firm sees and receives none of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.helpers import ORG, assert_problem, register
from tests.support import Stack, eventually, fresh
from tests.webhook_receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def subscribe(client: httpx.Client, receiver: Receiver, *types: str) -> dict[str, Any]:
    response = client.post("/v1/webhooks", json={"url": receiver.url, "event_types": list(types)})
    assert response.status_code == 201, response.text
    endpoint = response.json()
    receiver.secret = endpoint["secret"]
    return endpoint


def deliveries(client: httpx.Client, endpoint: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/v1/webhooks/{endpoint['id']}/deliveries", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_an_endpoint_receives_the_firms_messages_signed_and_without_personal_data(
    stack: Stack, tenants: tuple[str, str], receiver: Receiver
) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    before = register(a)  # recorded before the endpoint: never sent to it
    fresh(a)
    endpoint = subscribe(a, receiver, "organization.*", "view.affiliation_status")
    assert endpoint["secret"].startswith("whsec_") and endpoint["enabled"] and endpoint["version"] == 1
    org = register(a)
    register(b)  # another firm's: never sent to A's endpoint
    fresh(a)

    (registered,) = eventually(lambda: receiver.of_type("organization.Registered"), timeout=20)
    assert registered.signed, "the webhook-signature verifies with the endpoint's secret"
    assert registered.body["data"]["record_id"] == org
    assert registered.body["data"]["data"]["legal_name"] == ORG["legal_name"]
    assert registered.body["data"]["data"]["tin"] == "[personal data]"
    assert ORG["tin"] not in str(registered.body) and ORG["tin"].replace("-", "") not in str(registered.body)
    changes = eventually(lambda: receiver.of_type("view.affiliation_status"), timeout=20)
    assert {change.body["data"]["organization_id"] for change in changes} == {org}
    assert all(change.signed for change in changes)
    assert before not in str([r.body for r in receiver.received])

    # The receiver answers before the sender records it: wait until every delivery it took is recorded as such.
    def recorded() -> list[dict[str, Any]]:
        done = [d for d in deliveries(a, endpoint) if d["status"] == "delivered"]
        return done if {d["id"] for d in done} == {r.webhook_id for r in receiver.delivered()} else []

    assert all(d["attempts"] == 1 and d["last_status_code"] == 204 for d in eventually(recorded, timeout=20))

    # B sees none of A's endpoints or deliveries.
    assert b.get("/v1/webhooks").json()["items"] == []
    for path in (f"/v1/webhooks/{endpoint['id']}", f"/v1/webhooks/{endpoint['id']}/deliveries"):
        assert_problem(b.get(path), 404, "not-found")
    assert_problem(b.put(f"/v1/webhooks/{endpoint['id']}", json={"enabled": False}), 404, "not-found")
    assert_problem(b.delete(f"/v1/webhooks/{endpoint['id']}"), 404, "not-found")
    listed = a.get("/v1/webhooks").json()["items"]
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]


def test_a_failing_receiver_is_retried_with_the_same_webhook_id(
    stack: Stack, tenants: tuple[str, str], receiver: Receiver
) -> None:
    a = stack.client(tenants[0])
    endpoint = subscribe(a, receiver, "organization.Registered")
    receiver.answers = [500, 503]  # down twice, then fine
    register(a)
    (delivery,) = eventually(lambda: [d for d in deliveries(a, endpoint) if d["status"] == "delivered"], timeout=30)
    assert delivery["attempts"] == 3 and delivery["last_error"] is None
    assert [r.answered for r in receiver.received] == [500, 503, 204]
    assert {r.webhook_id for r in receiver.received} == {delivery["id"]}
    assert len({r.headers["webhook-signature"] for r in receiver.received}) >= 1
    assert deliveries(a, endpoint, status="failed") == []


def test_a_disabled_endpoint_gets_nothing_until_an_administrator_sends_it_again(
    stack: Stack, tenants: tuple[str, str], receiver: Receiver
) -> None:
    a = stack.client(tenants[0])
    endpoint = subscribe(a, receiver, "organization.Registered")
    witness = Receiver().start()  # another endpoint of the firm: it shows when a message has been taken in
    try:
        subscribe(a, witness, "organization.Registered")
        receiver.answers = [500] * 10_000  # the receiver keeps failing
        first = register(a)
        eventually(lambda: [d for d in deliveries(a, endpoint) if d["attempts"] >= 1], timeout=20)
        stale = '"1"'
        disabled = a.put(f"/v1/webhooks/{endpoint['id']}", json={"enabled": False}, headers={"If-Match": stale})
        assert disabled.status_code == 200 and disabled.headers["ETag"] == '"2"' and not disabled.json()["enabled"]
        conflict = a.put(f"/v1/webhooks/{endpoint['id']}", json={"enabled": True}, headers={"If-Match": stale})
        assert_problem(conflict, 409, "version-conflict")
        assert conflict.headers["ETag"] == '"2"'
        (failed,) = eventually(lambda: deliveries(a, endpoint, status="failed"), timeout=20)
        assert failed["last_error"] == "the endpoint is disabled"
        assert failed["payload"]["data"]["record_id"] == first

        second = register(a)  # while disabled: queued for it as failed, to be sent once it is enabled again
        eventually(lambda: [r for r in witness.delivered() if r.body["data"]["record_id"] == second], timeout=20)
        held = eventually(lambda: [d for d in deliveries(a, endpoint) if d["id"] != failed["id"]], timeout=20)
        assert [(d["status"], d["attempts"], d["last_error"]) for d in held] == [
            ("failed", 0, "the endpoint was disabled when this was recorded")
        ]
        assert held[0]["payload"]["data"]["record_id"] == second
    finally:
        witness.stop()

    assert a.put(f"/v1/webhooks/{endpoint['id']}", json={"enabled": True}).status_code == 200
    receiver.answers = []
    since = failed["last_attempt_at"]
    requeued = a.post(f"/v1/webhooks/{endpoint['id']}/retries", json={"failed_since": since})
    assert requeued.status_code == 202 and requeued.json() == {"requeued": 2}
    eventually(lambda: len(receiver.delivered()) == 2, timeout=20)
    # Each with the same id as its every earlier attempt: nothing recorded while disabled was lost.
    assert sorted(r.webhook_id for r in receiver.delivered()) == sorted([failed["id"], held[0]["id"]])
    assert {r.webhook_id for r in receiver.received} == {failed["id"], held[0]["id"]}
    sent = eventually(
        lambda: (
            (found := {d["id"]: d for d in deliveries(a, endpoint)})[failed["id"]]["status"] == "delivered" and found
        ),
        timeout=20,
    )
    assert (sent[failed["id"]]["status"], sent[failed["id"]]["requeued_by"], sent[failed["id"]]["attempts"]) == (
        "delivered",
        "alice",
        3,  # refused by the receiver, refused as disabled, delivered
    )
    again = a.post(f"/v1/webhooks/{endpoint['id']}/retries", json={"failed_since": since})
    assert again.json() == {"requeued": 0}  # nothing failed any more

    # An administrator may send a delivered message again: the same id, which the receiver knows.
    retried = a.post(f"/v1/webhooks/{endpoint['id']}/deliveries/{failed['id']}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "pending"
    eventually(lambda: len(receiver.delivered()) == 3, timeout=20)
    assert [r.webhook_id for r in receiver.delivered()].count(failed["id"]) == 2
    assert_problem(a.post(f"/v1/webhooks/{endpoint['id']}/deliveries/{first}/retry"), 404, "not-found")


def test_bad_input_changes_nothing_and_only_firm_admins_manage_webhooks(
    stack: Stack, tenants: tuple[str, str], receiver: Receiver
) -> None:
    a = stack.client(tenants[0])
    good = {"url": receiver.url, "event_types": ["*"]}
    for body, status, rule in (
        ({**good, "event_types": ["organization.Nothing"]}, 422, "invalid-value"),
        ({**good, "event_types": []}, 400, "invalid-request"),
        ({**good, "url": "ftp://127.0.0.1/x"}, 422, "invalid-value"),
        ({**good, "url": "http://user:secret@127.0.0.1/x"}, 422, "invalid-value"),
        ({**good, "secret": "mine"}, 400, "invalid-request"),
    ):
        assert_problem(a.post("/v1/webhooks", json=body), status, rule)
    assert a.get("/v1/webhooks").json()["items"] == []
    endpoint = subscribe(a, receiver, "*")
    assert_problem(a.put(f"/v1/webhooks/{endpoint['id']}", json={"event_types": ["nope"]}), 422, "invalid-value")
    assert a.get(f"/v1/webhooks/{endpoint['id']}").json()["event_types"] == ["*"]
    assert_problem(
        a.post(f"/v1/webhooks/{endpoint['id']}/retries", json={"failed_since": "yesterday"}), 400, "invalid-request"
    )
    for role in ("specialist", "viewer", "auditor"):
        other = stack.client(tenants[0], role=role)
        assert_problem(other.get("/v1/webhooks"), 403, "forbidden")
        assert_problem(other.post("/v1/webhooks", json=good), 403, "forbidden")
    assert a.delete(f"/v1/webhooks/{endpoint['id']}").status_code == 204
    assert_problem(a.get(f"/v1/webhooks/{endpoint['id']}"), 404, "not-found")
