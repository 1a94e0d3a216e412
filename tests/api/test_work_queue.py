"""The work queue through the API: tasks derived from the records with their due dates in Massachusetts business
days, closed by themselves when their cause goes away; a specialist takes, assigns, snoozes, completes or dismisses
them (events, with history); "my work", "unassigned" and the counts; two tenants and a client viewer."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import assert_problem, open_application
from tests.api.test_endpoints import DOCS
from tests.api.test_practitioners import LICENSE, _ok, register_practitioner
from tests.api.test_turnaround_view import deficiency, posc, post, practice
from tests.support import Stack, fresh

VIEW = "/v1/views/work-queue"


def _tasks(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    fresh(client)
    response = client.get(VIEW, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _due(client: httpx.Client, **params: Any) -> list[tuple[str, str | None]]:
    return [(t["kind"], t["due_on"]) for t in _tasks(client, **params)]


def test_tasks_follow_their_causes_in_business_days(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    mailed = open_application(client, org, "posc_registration", channel="mail")  # opened 2026-01-06
    app = posc(client, org, submitted="2026-03-02")  # by fax: the payer's clock starts the same day
    deficiency(client, app, noticed="2026-03-04")
    assert _due(client, as_of="2026-03-05", organization_id=org) == [
        ("mail_form", "2026-01-08"),  # two business days to mail it: late
        ("application_follow_up", "2026-03-11"),  # POSC-DC-PE: 7 business days
        ("deficiency_answer", "2026-03-18"),  # the firm's 10 business days
    ]
    late = _tasks(client, as_of="2026-03-05", organization_id=org)[0]
    # 40 weekdays from January 8 to March 5, less Martin Luther King Jr. Day and Presidents' Day.
    assert (late["late"], late["business_days_left"], late["organization_name"]) == (
        True,
        -38,
        "Berkshire Family Health",
    )
    # The firm answers deficiencies within 5 business days: the due date moves at once.
    assert client.put("/v1/settings", json={"deficiency_answer_days": 5}).status_code == 200
    assert ("deficiency_answer", "2026-03-11") in _due(client, as_of="2026-03-05", organization_id=org)
    # Causes that go away close their tasks from that day; before it, they were open.
    post(client, f"/v1/applications/{app}/deficiencies/d-1/resolve", {"resolved_on": "2026-03-06"})
    post(client, f"/v1/applications/{mailed}/withdraw", {"withdrawn_on": "2026-03-06", "reason": "Sent by fax"})
    assert _due(client, as_of="2026-03-09", organization_id=org) == [("application_follow_up", "2026-03-11")]
    assert len(_tasks(client, as_of="2026-03-05", organization_id=org)) == 3
    post(client, f"/v1/applications/{app}/approve", {"decided_on": "2026-03-10"})
    assert _tasks(client, as_of="2026-03-10", organization_id=org) == []


def test_renewals_and_exclusion_reviews(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    doc = register_practitioner(client, org)
    _ok(client, f"/v1/practitioners/{doc}/licenses", **LICENSE)  # expires 2026-06-30: in the queue from April 1
    assert _tasks(client, as_of="2026-03-31", organization_id=org) == []
    [renewal] = _tasks(client, as_of="2026-04-01", organization_id=org)
    assert (renewal["kind"], renewal["due_on"], renewal["label"]) == (
        "credential_renewal", "2026-06-30", "Renew Ana Reyes, MD's license"
    )  # fmt: skip
    _ok(client, f"/v1/practitioners/{doc}/licenses", **{**LICENSE, "expires_on": "2028-06-30", "on": "2026-05-04"})
    assert _tasks(client, as_of="2026-05-04", organization_id=org, kind="credential_renewal") == []
    body = {
        "source": "oig_leie",
        "result": "suspected_match",
        "list_version": "LEIE 2026-03",
        "list_date": "2026-03-01",
    }
    _ok(client, f"/v1/organizations/{org}/exclusion-screenings", **body, screened_on="2026-03-09")
    review = _tasks(client, as_of="2026-03-10", organization_id=org, kind="exclusion_review")
    assert [(t["priority"], t["due_on"]) for t in review] == [("high", "2026-03-16")]
    _ok(client, f"/v1/organizations/{org}/exclusion-screenings/oig_leie/clear", on="2026-03-11", reason="Other DOB")
    assert _tasks(client, as_of="2026-03-11", organization_id=org, kind="exclusion_review") == []


def test_a_specialist_works_the_queue(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org = practice(client)
    app = posc(client, org, submitted="2026-03-02")
    deficiency(client, app, noticed="2026-03-04")
    day = {"as_of": "2026-03-05", "organization_id": org}
    answer, follow_up = (t["task_id"] for t in sorted(_tasks(client, **day), key=lambda t: t["kind"]))
    path = f"/v1/tasks/{answer}"
    assert_problem(other.post(f"{path}/take", json={"on": "2026-03-05"}), 404, "not-found")
    assert stack.client(tenants[0], role="viewer").post(f"{path}/take", json={}).status_code == 403
    taken = client.post(f"{path}/take", json={"on": "2026-03-05"})
    assert taken.status_code == 200 and taken.json() == {"id": answer, "version": 2}
    assert [t["task_id"] for t in _tasks(client, mine="true", **day)] == [answer]
    assert [t["task_id"] for t in _tasks(client, unassigned="true", **day)] == [follow_up]
    counts = client.get(f"{VIEW}/counts", params=day).json()
    assert counts["by_assignee"] == {"alice": 1, "": 1} and counts["by_organization"] == {org: 2}
    stale = client.post(f"{path}/assignment", json={"assignee": "kim", "on": "2026-03-05"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 409, "version-conflict")
    assert client.post(f"{path}/assignment", json={"assignee": "kim", "on": "2026-03-05"}).status_code == 200
    assert _tasks(client, assignee="kim", **day)[0]["task_id"] == answer
    # Snoozed: out of the open lists until the day it comes back.
    _ok(client, f"{path}/snooze", until="2026-03-09", on="2026-03-05", reason="Client promised the W-9 Monday")
    assert [t["task_id"] for t in _tasks(client, **day)] == [follow_up]
    assert len(_tasks(client, include_snoozed="true", **day)) == 2
    assert_problem(client.post(f"{path}/snooze", json={"until": "2026-03-05", "on": "2026-03-05"}), 422,
                   "snooze-not-after")  # fmt: skip
    _ok(client, f"{path}/completion", on="2026-03-05", reason="W-9 sent")
    assert_problem(client.post(f"{path}/completion", json={"on": "2026-03-05"}), 422, "task-closed")
    assert_problem(client.post(f"/v1/tasks/{follow_up}/dismissal", json={"on": "2026-03-05"}), 422, "reason-required")
    kinds = [e["kind"] for e in client.get(f"{path}/history").json()["items"]]
    assert kinds == ["Opened", "Assigned", "Assigned", "Snoozed", "Resolved"]
    # The other firm and another practice's client viewer see none of it.
    assert _tasks(other, as_of="2026-03-05") == []
    stranger = stack.client(tenants[0], role="client_viewer", orgs=[practice(client)])
    assert _tasks(stranger, as_of="2026-03-05") == []
    own = stack.client(tenants[0], role="client_viewer", orgs=[org])
    assert [t["task_id"] for t in _tasks(own, as_of="2026-03-05")] == [follow_up]


def test_decisions_keep_their_days(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    app = posc(client, org, submitted="2026-03-02")
    deficiency(client, app, noticed="2026-03-04")
    day = {"organization_id": org, "kind": "deficiency_answer"}
    [task] = _tasks(client, as_of="2026-03-05", **day)
    path = f"/v1/tasks/{task['task_id']}"
    # Nobody acts on a task before its cause arose; If-Match names version 0 until someone does.
    assert_problem(client.post(f"{path}/take", json={"on": "2026-03-03"}), 422, "effective-date-before-dependency")
    stale = client.post(f"{path}/take", json={"on": "2026-03-05"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 409, "version-conflict")
    _ok(client, f"{path}/take", on="2026-03-05")
    _ok(client, f"{path}/snooze", until="2026-03-12", on="2026-03-09")
    # As of a day, the decisions made by then: taken on the 5th, snoozed from the 9th.
    assert [t["assignee"] for t in _tasks(client, as_of="2026-03-04", **day)] == [None]
    assert [(t["assignee"], t["snoozed_until"]) for t in _tasks(client, as_of="2026-03-06", **day)] == [("alice", None)]
    assert _tasks(client, as_of="2026-03-10", **day) == []
    assert [t["snoozed_until"] for t in _tasks(client, as_of="2026-03-12", **day)] == ["2026-03-12"]


def test_a_revalidation_letter_waits_for_the_revalidation(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = practice(client)
    _ok(client, f"/v1/organizations/{org}/provider-number", provider_number="1234567", issued_on="2026-03-02")
    _ok(client, f"/v1/organizations/{org}/revalidation-letters", received_on="2026-03-09")
    day = {"organization_id": org, "kind": "revalidation_letter"}
    assert [(t["due_on"], t["priority"]) for t in _tasks(client, as_of="2026-03-10", **day)] == [("2026-04-23", "high")]
    due = client.get("/v1/views/expirables", params={"as_of": "2026-03-10", "organization_id": org,
                                                    "kind": "revalidation_response"}).json()["items"]  # fmt: skip
    assert [(i["due_on"], i["window"]) for i in due] == [("2026-04-23", "60")]
    revalidation = open_application(client, org, "revalidation", channel="portal", opened_on="2026-03-10")
    for doc_type in ("w9", "license", "liability_coi", "provider_agreement"):
        body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-03-10", **DOCS[doc_type]}
        post(client, f"/v1/applications/{revalidation}/documents", body)
    post(client, f"/v1/applications/{revalidation}/submit", {"submitted_on": "2026-03-12"})
    assert _tasks(client, as_of="2026-03-12", **day) == []
    assert [t["kind"] for t in _tasks(client, as_of="2026-03-12", organization_id=org)] == ["application_follow_up"]
    after = client.get("/v1/views/expirables", params={"as_of": "2026-03-12", "organization_id": org}).json()["items"]
    assert "masshealth_revalidation" in {i["kind"] for i in after} and "revalidation_response" not in {
        i["kind"] for i in after
    }
