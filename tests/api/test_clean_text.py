"""Clean text at the boundary, over HTTP (issue 11, finding 1): a control character or a non-character in a
command's text is a 422 problem naming the field, and stores nothing, for either tenant. It used to answer
201 and poison the views (a NUL cannot be written to PostgreSQL text): every rebuild failed from then on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import ORG, assert_problem, events_of, nppes_record, open_application, register, view_row
from tests.support import Stack, fresh


def _store_size(stack: Stack) -> int:
    return stack.sql("SELECT count(*) FROM credledger_events")[0][0]


def test_a_nul_in_a_legal_name_is_refused_naming_the_field_and_stores_nothing(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    first, second = stack.client(tenants[0]), stack.client(tenants[1])
    ours, theirs = register(first), register(second, legal_name="Quabbin Valley Health")
    fresh(first)
    before = (events_of(stack, tenants[0]), events_of(stack, tenants[1]), _store_size(stack))

    response = first.post("/v1/organizations", json={**ORG, "legal_name": "Evil\u0000Clinic"})

    body = assert_problem(response, 422, "invalid-text")
    assert [error["field"] for error in body["errors"]] == ["legal_name"]
    assert "U+0000" in body["errors"][0]["reason"]
    assert "Evil" not in response.text  # the problem names the character, never echoes the text
    assert (events_of(stack, tenants[0]), events_of(stack, tenants[1]), _store_size(stack)) == before
    # The views still take in commands, for both tenants (nothing parked, nothing stuck behind it).
    later = register(first, legal_name="Berkshire Pediatrics")
    fresh(first)
    assert view_row(first, later)["legal_name"] == "Berkshire Pediatrics"
    assert view_row(first, ours)["legal_name"] == ORG["legal_name"]
    assert view_row(second, theirs)["legal_name"] == "Quabbin Valley Health"
    assert stack.sql("SELECT count(*) FROM parked_events")[0][0] == 0


def _account(org: str, text: str) -> tuple[str, dict[str, Any]]:
    return "/v1/user-accounts", {"organization_id": org, "person_name": text, "role": "subordinate"}


def _address(org: str, text: str) -> tuple[str, dict[str, Any]]:
    address = {**ORG["practice_address"], "line1": text}
    return f"/v1/organizations/{org}/profile-corrections", {"practice_address": address}


def _nppes(org: str, text: str) -> tuple[str, dict[str, Any]]:
    record = nppes_record()
    record["basic"] = {**record["basic"], "organization_name": text}
    return f"/v1/organizations/{org}/nppes-snapshots", {"record": record, "retrieved_on": "2026-04-01"}


def _plan(org: str, text: str) -> tuple[str, dict[str, Any]]:
    return f"/v1/organizations/{org}/affiliations", {"kind": "mco", "plan": text, "on": "2026-04-01"}


def _reason(org: str, text: str) -> tuple[str, dict[str, Any]]:
    return "/v1/applications", {"organization_id": org, "kind": "posc_registration", "channel": "fax", "reason": text}


@pytest.mark.parametrize(
    "command, text, field",
    [
        (_account, "Dana\u0000Reyes", "person_name"),
        (_address, "100 North\u0007St", "practice_address.line1"),
        (_nppes, "BERKSHIRE\u0085HEALTH", "record.basic.organization_name"),
        (_plan, "Tufts\ufdd0", "plan"),
        (_reason, "faxed \U0001ffff today", "reason"),
    ],
    ids=["person_name", "address line", "NPPES record", "plan", "reason"],
)
def test_each_kind_of_command_names_its_field(
    stack: Stack, tenants: tuple[str, str], command: Any, text: str, field: str
) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    open_application(client, org)  # the reason's case names a clean one first: the refusal is the text's
    before = events_of(stack, tenants[0])
    path, body = command(org, text)
    problem = assert_problem(client.post(path, json=body), 422, "invalid-text")
    assert [error["field"] for error in problem["errors"]] == [field]
    assert events_of(stack, tenants[0]) == before


def test_a_reason_may_hold_tabs_and_line_feeds_and_any_script(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client, legal_name="Clínica São José 🏥")
    path, body = _reason(org, "faxed today\n\tpage 2: Zoë Brontë, 中文")
    assert client.post(path, json=body).status_code == 201
    fresh(client)
    assert view_row(client, org)["legal_name"] == "Clínica São José 🏥"
