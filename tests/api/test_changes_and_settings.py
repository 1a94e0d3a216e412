"""The server-sent-events stream of view changes, and the tenant settings the views' queries read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from services.api.auth import issue_token
from tests.api.helpers import assert_problem, register
from tests.support import JWT_SECRET, Stack


def read_events(
    client: httpx.Client, until: Callable[[list[dict[str, Any]]], bool], headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Read the stream until ``until(events)`` holds; each event as {id, event, data}."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    with client.stream("GET", "/v1/views/changes", headers=headers or {}, timeout=30) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line:
                if "data" in current:
                    events.append(current)
                    if until(events):
                        return events
                current = {}
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "id":
                current["id"] = int(value)
            elif field == "event":
                current["event"] = value
            elif field == "data":
                current["data"] = json.loads(value)
    raise AssertionError(f"the stream ended; read {events}")


def about(events: list[dict[str, Any]], organization_id: str, view: str = "affiliation_status") -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == view and e["data"]["organization_id"] == organization_id]


def test_stream_resumes_from_last_event_id_and_shows_only_the_tenants_changes(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    first = register(a, legal_name="Stream Practice One")
    other_tenant = register(b, legal_name="Other Firm Practice")
    events = read_events(a, lambda seen: bool(about(seen, first)), headers={"Last-Event-ID": "0"})
    (registered,) = about(events, first)
    assert registered["data"]["subject_id"] == first and registered["data"]["position"] > 0
    assert not any(e["data"]["organization_id"] == other_tenant for e in events)
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)

    second = register(a, legal_name="Stream Practice Two")
    resumed = read_events(a, lambda seen: bool(about(seen, second)), headers={"Last-Event-ID": str(registered["id"])})
    assert all(e["id"] > registered["id"] for e in resumed)
    assert not about(resumed, first)  # nothing before the id is repeated
    # The other tenant's stream never carries this tenant's organizations.
    b_events = read_events(b, lambda seen: bool(about(seen, other_tenant)), headers={"Last-Event-ID": "0"})
    assert {e["data"]["organization_id"] for e in b_events} == {other_tenant}


def test_a_client_viewer_streams_only_its_organizations(stack: Stack, tenants: tuple[str, str]) -> None:
    admin = stack.client(tenants[0])
    mine = register(admin, legal_name="Client Viewer Practice")
    not_mine = register(admin, legal_name="Someone Else's Practice")
    viewer = stack.client(tenants[0], role="client_viewer", orgs=[mine])
    # Wait on the admin's stream until both changes are committed, then read the viewer's from the start.
    read_events(admin, lambda seen: bool(about(seen, mine)) and bool(about(seen, not_mine)), {"Last-Event-ID": "0"})
    seen = read_events(viewer, lambda events: bool(about(events, mine)), {"Last-Event-ID": "0"})
    assert {e["data"]["organization_id"] for e in seen} == {mine}

    # A rebuild's change names no organization ("reload the whole view"): client viewers hear it too.
    import psycopg

    with psycopg.connect(stack.database_url) as con:
        con.execute("SELECT set_config('app.tenant_id', %s, true)", (tenants[0],))
        con.execute(
            "INSERT INTO view_changes (tenant_id, view, position) VALUES (%s, 'affiliation_status', 0)", (tenants[0],)
        )
    after = {"Last-Event-ID": str(seen[-1]["id"])}
    reloads = read_events(viewer, lambda events: any(e["data"]["organization_id"] is None for e in events), after)
    assert all(e["data"]["organization_id"] in (None, mine) for e in reloads)


def test_bad_stream_requests_are_refused(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    assert_problem(client.get("/v1/views/changes", params={"view": "no_such_view"}), 400, "invalid-request")
    assert_problem(client.get("/v1/views/changes", headers={"Last-Event-ID": "x"}), 400, "invalid-request")
    for too_far in ("-1", str(2**63)):  # past a bigint: refused before the stream starts, not a broken stream
        assert_problem(client.get("/v1/views/changes", headers={"Last-Event-ID": too_far}), 400, "invalid-request")
    assert_problem(client.get("/v1/views/changes", params={"after": str(2**63)}), 400, "invalid-request")


def test_a_stream_ends_when_its_token_expires(stack: Stack, tenants: tuple[str, str]) -> None:
    """Through the API (the stream's own test with a test clock is in test_change_stream_wakeups.py): the stream
    ends by itself, and the expired token cannot reconnect."""
    token = issue_token(JWT_SECRET, tenant=tenants[0], role="viewer", user="val", ttl_seconds=2)
    client = httpx.Client(base_url=stack.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    with client.stream("GET", "/v1/views/changes") as response:
        assert response.status_code == 200
        lines = list(response.iter_lines())  # returns only when the server ends the stream
    assert lines[0].startswith("retry:") or lines[0].startswith(":")
    # Reconnecting with the expired token is refused like any request.
    assert client.get("/v1/views/changes").status_code == 401


def test_settings_default_change_and_stay_per_tenant(stack: Stack, tenants: tuple[str, str]) -> None:
    admin, other = stack.client(tenants[0]), stack.client(tenants[1])
    body = admin.get("/v1/settings").json()
    assert body["access_review_interval_days"] == 90 and body["sla_targets"] == {}

    changed = admin.put("/v1/settings", json={"access_review_interval_days": 30})
    assert changed.status_code == 200, changed.text
    changed = admin.put("/v1/settings", json={"sla_targets": {"posc_registration": 5}})
    assert changed.json()["access_review_interval_days"] == 30  # a field left out keeps its value
    assert changed.json()["sla_targets"] == {"posc_registration": 5}
    assert changed.json()["updated_by"] == "alice"
    assert other.get("/v1/settings").json()["access_review_interval_days"] == 90


def test_settings_refuse_bad_input_and_non_admins_and_change_nothing(stack: Stack, tenants: tuple[str, str]) -> None:
    admin = stack.client(tenants[0])
    admin.put("/v1/settings", json={"access_review_interval_days": 60})
    for bad in (
        {"access_review_interval_days": 0},
        {"access_review_interval_days": "ninety"},
        {"sla_targets": {"no_such_kind": 5}},
        {"sla_targets": {"enrollment": 0}},
        {"surprise": 1},
    ):
        assert_problem(admin.put("/v1/settings", json=bad), 400, "invalid-request")
    for role in ("specialist", "viewer", "auditor"):
        assert (
            stack.client(tenants[0], role=role).put("/v1/settings", json={"access_review_interval_days": 7}).status_code
            == 403
        )
    after = admin.get("/v1/settings").json()
    assert after["access_review_interval_days"] == 60 and after["sla_targets"] == {}
    assert stack.client(tenants[0], role="viewer").get("/v1/settings").json()["access_review_interval_days"] == 60
