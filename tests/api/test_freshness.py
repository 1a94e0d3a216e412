"""Read-your-writes: a command's Credledger-Position, and GET /v1/views/freshness waiting for the views."""

from __future__ import annotations

from tests.api.helpers import ORG, assert_problem, register
from tests.support import POSITION_HEADER, Stack, eventually, fresh


def test_each_command_answers_the_position_of_its_last_event(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    created = client.post("/v1/organizations", json=ORG)
    assert created.status_code == 201, created.text
    org = created.json()["id"]
    stored = stack.sql(
        "SELECT notification_id FROM credledger_events WHERE originator_id = %s AND originator_version = 1", org
    )
    assert int(created.headers[POSITION_HEADER]) == stored[0][0]

    # A command saving two aggregates (the primary user's account and its organization) answers the later one.
    opened = client.post("/v1/user-accounts", json={"organization_id": org, "person_name": "Dana", "role": "primary"})
    assert opened.status_code == 201, opened.text
    last = stack.sql(
        "SELECT max(notification_id) FROM credledger_events WHERE originator_id IN (%s, %s) "
        "AND topic NOT LIKE 'domain.access_log:%%'",
        org,
        opened.json()["id"],
    )[0][0]
    assert int(opened.headers[POSITION_HEADER]) == last


def test_a_retry_with_its_idempotency_key_answers_the_first_position(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    headers = {"Idempotency-Key": "register-once"}
    first = client.post("/v1/organizations", json=ORG, headers=headers)
    again = client.post("/v1/organizations", json=ORG, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers[POSITION_HEADER] == first.headers[POSITION_HEADER]
    # The other tenant's same key is its own: a new command, a later position.
    other = stack.client(tenants[1]).post("/v1/organizations", json=ORG, headers=headers)
    assert "Idempotent-Replayed" not in other.headers
    assert int(other.headers[POSITION_HEADER]) > int(first.headers[POSITION_HEADER])


def test_freshness_waits_until_every_view_includes_the_command(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client, legal_name="Quincy Family Care")
    position = stack.positions.last
    body = client.get("/v1/views/freshness", params={"position": position, "wait": 30}).json()
    assert body["position"] == position and body["fresh"] is True
    assert sorted(v["view"] for v in body["views"]) == [
        "access_audit",
        "affiliation_status",
        "expirables",
        "participation",
        "turnaround",
        "work_queue",
    ]
    assert all(v["fresh"] for v in body["views"])
    # With no position: everything stored when asked.
    now = client.get("/v1/views/freshness", params={"wait": 30}).json()
    assert now["position"] >= position and now["fresh"] is True
    # Fresh means readable at once, by the other roles too, and never across tenants.
    assert client.get(f"/v1/views/affiliation-status/{org}").json()["legal_name"] == "Quincy Family Care"
    viewer = stack.client(tenants[0], role="viewer")
    assert viewer.get("/v1/views/freshness", params={"position": position}).json()["fresh"] is True
    assert stack.client(tenants[1]).get(f"/v1/views/affiliation-status/{org}").status_code == 404


def test_a_position_not_stored_yet_is_not_fresh_after_the_wait(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    register(client)
    fresh(client)
    # No such event yet: events committed later may still take ids up to it, so no view can have taken them in.
    ahead = stack.sql("SELECT max(notification_id) FROM credledger_events")[0][0] + 1
    body = client.get("/v1/views/freshness", params={"position": ahead, "wait": 0.2}).json()
    assert body["fresh"] is False and not any(v["fresh"] for v in body["views"])


def test_bad_positions_and_waits_are_refused(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    for params in ({"position": "-1"}, {"position": str(2**63)}, {"position": "x"}, {"position": "1", "wait": "31"}):
        assert_problem(client.get("/v1/views/freshness", params=params), 400, "invalid-request")
    assert client.get("/v1/views/freshness", params={"position": "1"}, headers={"Authorization": ""}).status_code == 401


def test_a_view_idle_at_the_head_moves_its_position_past_events_it_does_not_consume(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    """A personal-data read stores an access-log event, which no view consumes. Each view, with nothing to take
    in, moves its position to the stream's last event anyway: checking freshness or lag never has to scan such
    events in the store."""
    client = stack.client(tenants[0])
    org = register(client)
    fresh(client)
    for n in range(3):
        assert client.get(f"/v1/organizations/{org}/pii", params={"purpose": f"check {n}"}).status_code == 200
    (head,) = stack.sql("SELECT max(notification_id) FROM credledger_events")[0]
    (kind,) = stack.sql("SELECT topic FROM credledger_events WHERE notification_id = %s", head)[0]
    assert kind.startswith("domain.access_log:")

    def positions() -> list[int]:
        return [row[0] for row in stack.sql("SELECT notification_id FROM projection_tracking ORDER BY projection")]

    assert eventually(lambda: len(positions()) == 6 and all(p >= head for p in positions()) and True, timeout=30)
    assert client.get("/v1/views/freshness", params={"position": head}).json()["fresh"] is True
