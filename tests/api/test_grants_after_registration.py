"""The primary user grants access only once registered in POSC (the registration checklist on the POSC pages:
register with the PIN, change the Virtual Gateway password and answer the authentication questions, then grant
access), judged on the grant's own business day, and a correction may not move the registration past a grant."""

from __future__ import annotations

from tests.api.helpers import assert_problem, events_of, open_account, register, register_in_posc
from tests.support import Stack


def test_grants_wait_for_the_primary_users_registration(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    dana = open_account(client, org, "Dana Reyes", "primary", date_of_birth="1980-02-29")  # version 1
    sam = open_account(client, org, "Sam Ortiz", "subordinate")
    register_in_posc(client, org, dana, on="2026-02-02")  # checklist: versions 2-5, the last on 2026-02-02
    before = events_of(stack, tenants[0]), events_of(stack, tenants[1])
    for account, day in ((sam, "2026-01-30"), (dana, "2026-02-01")):
        early = {"function": "claims_batch", "on": day}
        problem = assert_problem(
            client.post(f"/v1/user-accounts/{account}/access-grants", json=early), 422, "primary-user-not-registered"
        )
        assert day in problem["detail"]
    assert (events_of(stack, tenants[0]), events_of(stack, tenants[1])) == before
    for account, day in ((sam, "2026-02-10"), (dana, "2026-02-06")):
        granted = client.post(
            f"/v1/user-accounts/{account}/access-grants", json={"function": "claims_batch", "on": day}
        )
        assert granted.status_code == 200, granted.text

    # Her registration corrected to a later day may not pass a grant she made (her own, on 2026-02-06, first).
    path = f"/v1/user-accounts/{dana}/effective-date-corrections"
    late = {"version": 5, "on": "2026-02-09", "reason": "answered the questions on the 9th"}
    problem = assert_problem(client.post(path, json=late), 422, "effective-date-after-dependent")
    assert "2026-02-09" in problem["detail"] and "2026-02-06" in problem["detail"]
    assert_problem(stack.client(tenants[1]).post(path, json=late), 404, "not-found")
    later = {"version": 5, "on": "2026-02-05", "reason": "answered the questions on the 5th"}
    corrected = client.post(path, json=later)
    assert corrected.status_code == 200, corrected.text
    checklist = client.get(f"/v1/user-accounts/{dana}").json()["checklist"]
    assert checklist["authentication_questions_answered"] == "2026-02-05"
