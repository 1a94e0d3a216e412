"""Compliance history, as-of state, recorded personal-data reads and recorded refusals — per tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.api.helpers import TIN, assert_problem, open_account, register, register_in_posc
from tests.support import Stack


def history(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{path}/history", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def now() -> str:
    return datetime.now(UTC).isoformat()


def test_history_shows_who_did_what_in_which_role_and_why(stack: Stack, tenants: tuple[str, str]) -> None:
    admin = stack.client(tenants[0], user="alice")
    specialist = stack.client(tenants[0], role="specialist", user="sam")
    auditor = stack.client(tenants[0], role="auditor", user="ava")
    org = register(admin, legal_name="History Clinic", reason="new client signed")
    path = f"/v1/organizations/{org}"
    response = specialist.post(
        f"{path}/profile-corrections", json={"legal_name": "History Clinic LLC", "reason": "W-9"}
    )
    assert response.status_code == 200, response.text

    items = history(auditor, path)
    assert [i["kind"] for i in items] == ["Registered", "ProfileCorrected"]
    registered, corrected = items
    assert (registered["actor"], registered["actor_role"], registered["reason"]) == (
        "alice",
        "firm_admin",
        "new client signed",
    )
    assert (corrected["actor"], corrected["actor_role"], corrected["reason"]) == ("sam", "specialist", "W-9")
    assert registered["summary"].startswith("Registered: legal name History Clinic")
    assert registered["data"]["tin"] == "[personal data]" and registered["version"] == 1
    assert corrected["data"]["legal_name"] == "History Clinic LLC" and corrected["sequence"] > registered["sequence"]
    raw = auditor.get(f"{path}/history").text
    assert TIN not in raw and TIN.replace("-", "") not in raw  # the TIN never appears, sealed or not

    assert [i["kind"] for i in history(auditor, path, event="ProfileCorrected")] == ["ProfileCorrected"]
    assert [i["kind"] for i in history(auditor, path, **{"from": corrected["recorded_at"]})] == ["ProfileCorrected"]
    assert [i["kind"] for i in history(auditor, path, to=registered["recorded_at"])] == ["Registered"]
    first = auditor.get(f"{path}/history", params={"limit": 1}).json()
    assert [i["kind"] for i in first["items"]] == ["Registered"] and first["next_cursor"]
    second = auditor.get(f"{path}/history", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [i["kind"] for i in second["items"]] == ["ProfileCorrected"] and second["next_cursor"] is None
    assert_problem(auditor.get(f"{path}/history", params={"from": "2026-01-01T00:00:00"}), 400, "invalid-request")

    # Another tenant, and the firm's clients, never read it.
    assert_problem(stack.client(tenants[1], role="auditor").get(f"{path}/history"), 404, "not-found")
    client_viewer = stack.client(tenants[0], role="client_viewer", orgs=[org])
    assert_problem(client_viewer.get(f"{path}/history"), 403, "forbidden")


def test_personal_data_reads_and_refused_attempts_are_recorded_in_the_history(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    admin = stack.client(tenants[0], user="alice")
    specialist = stack.client(tenants[0], role="specialist", user="sam")
    auditor = stack.client(tenants[0], role="auditor", user="ava")
    org = register(admin, legal_name="Read Log Clinic")
    path = f"/v1/organizations/{org}"
    assert_problem(specialist.get(f"{path}/pii"), 400, "invalid-request")  # no purpose, no read
    read = specialist.get(f"{path}/pii", params={"purpose": "W-9 verification"})
    assert read.status_code == 200 and read.json()["tin"] == TIN.replace("-", "")
    version = admin.get(path).headers["etag"]  # a read never changes the record's version

    # The auditor may neither write nor read personal data: refused, and the refusals recorded.
    assert_problem(auditor.post(f"{path}/profile-corrections", json={"legal_name": "Changed"}), 403, "forbidden")
    assert_problem(auditor.get(f"{path}/pii", params={"purpose": "curious"}), 403, "forbidden")
    assert admin.get(path).json()["legal_name"] == "Read Log Clinic" and admin.get(path).headers["etag"] == version

    items = history(auditor, path)
    assert [(i["record"], i["kind"]) for i in items] == [
        ("organization", "Registered"),
        ("access_log", "PersonalDataRead"),
        ("access_log", "AccessRefused"),
        ("access_log", "AccessRefused"),
    ]
    read_entry, write_refused, pii_refused = items[1:]
    assert (read_entry["actor"], read_entry["actor_role"], read_entry["reason"]) == (
        "sam",
        "specialist",
        "W-9 verification",
    )
    assert read_entry["data"]["fields"] == ["eft_account_number", "pin", "tin"]
    assert (write_refused["actor"], write_refused["actor_role"]) == ("ava", "auditor")
    assert write_refused["data"]["action"] == f"POST {path}/profile-corrections"
    assert pii_refused["data"]["action"] == f"GET {path}/pii"
    assert "may not read personal data" in pii_refused["reason"]
    assert TIN.replace("-", "") not in auditor.get(f"{path}/history").text
    # The other tenant's history is untouched by these.
    other = register(stack.client(tenants[1]), legal_name="Other Firm Clinic")
    assert [i["kind"] for i in history(stack.client(tenants[1], role="auditor"), f"/v1/organizations/{other}")] == [
        "Registered"
    ]


def test_as_of_state_equals_the_state_at_that_moment(stack: Stack, tenants: tuple[str, str]) -> None:
    """The record as the firm knew it at a moment (known_at; as_of, a business day, defaults to today). The
    moments asked about are the events' own recorded times (the store's clock), and a microsecond before them:
    nothing depends on the test's clock running apart from the API's."""
    admin = stack.client(tenants[0])
    auditor = stack.client(tenants[0], role="auditor")
    org = register(admin, legal_name="As Of Clinic")
    path = f"/v1/organizations/{org}"
    states = [admin.get(path).json()]
    for name in ("As Of Clinic Two", "As Of Clinic Three", "As Of Clinic Four"):
        assert admin.post(f"{path}/profile-corrections", json={"legal_name": name}).status_code == 200
        states.append(admin.get(path).json())
    entries = history(auditor, path)
    recorded = [datetime.fromisoformat(i["recorded_at"]) for i in entries if i["record"] == "organization"]
    assert len(recorded) == len(states) == 4
    for i, (moment, state) in enumerate(zip(recorded, states, strict=True)):
        response = auditor.get(path, params={"known_at": moment.isoformat()})
        assert response.status_code == 200, response.text
        assert response.json() == state
        assert response.headers["etag"] == f'"{state["version"]}"'
        if i:  # a microsecond before a change: the state before it
            earlier = auditor.get(path, params={"known_at": (moment - timedelta(microseconds=1)).isoformat()})
            assert earlier.json() == states[i - 1]
    before = (recorded[0] - timedelta(microseconds=1)).isoformat()
    assert_problem(auditor.get(path, params={"known_at": before}), 404, "not-found")  # it did not exist yet
    assert_problem(auditor.get(path, params={"as_of": "2026-05-01T12:00:00"}), 400, "invalid-request")
    assert_problem(auditor.get(path, params={"known_at": "2026-05-01T12:00:00"}), 400, "invalid-request")
    assert_problem(stack.client(tenants[1]).get(path, params={"as_of": now()}), 404, "not-found")
    assert_problem(stack.client(tenants[1]).get(path, params={"known_at": now()}), 404, "not-found")

    primary = open_account(admin, org, "Pat Primary", "primary", date_of_birth="1980-02-29")
    register_in_posc(admin, org, primary)  # the primary user grants access once registered in POSC
    account = open_account(admin, org, "Dana Reyes", "subordinate")
    granted = admin.post(f"/v1/user-accounts/{account}/access-grants", json={"function": "claims_batch"})
    assert granted.status_code == 200, granted.text
    (grant,) = [i for i in history(auditor, f"/v1/user-accounts/{account}") if i["kind"] == "AccessGranted"]
    opened = (datetime.fromisoformat(grant["recorded_at"]) - timedelta(microseconds=1)).isoformat()
    then = auditor.get(f"/v1/user-accounts/{account}", params={"known_at": opened}).json()
    assert then["grants"] == [] and auditor.get(f"/v1/user-accounts/{account}").json()["grants"] == ["claims_batch"]
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert auditor.get(f"/v1/user-accounts/{account}", params={"as_of": later}).json()["grants"] == ["claims_batch"]
