"""Owners and managing employees through the API (42 CFR 455.104, 455.436; seeds/masshealth-enrollment-guide.txt:
"checking all owners and rendering clinicians against OIG, SAM, and state exclusion registries"): disclosed with
their SSN and date of birth sealed, read back only through the personal-data endpoint; an owner's confirmed exclusion
holds the practice's submissions and is a critical access-audit finding naming the owner, until it is cleared or the
owner's disclosure ends. Another tenant sees and changes none of it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import assert_problem, events_of, match_nppes, open_application, register
from tests.api.test_access_audit_view import _audit, _finding, _wait
from tests.api.test_endpoints import DOCS, OWNER
from tests.support import Stack

SSN_DIGITS = "412639087"


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def _exclusions(item: dict[str, Any] | None) -> list[tuple[str, str]]:
    assert item is not None
    return [(f["kind"], f["detail"].split(":")[0]) for f in item["findings"] if f["kind"].startswith("exclu")]


def test_a_disclosure_is_created_read_and_its_personal_data_kept_sealed(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(client)
    created = client.post(f"/v1/organizations/{org}/disclosures", json={**OWNER, "ownership_percent": "12.5"})
    assert created.status_code == 201, created.text
    person = created.json()["id"]
    assert created.headers["location"] == f"/v1/organizations/{org}/disclosures/{person}"
    read = client.get(created.headers["location"])
    assert read.status_code == 200 and read.headers["etag"] == f'"{created.json()["version"]}"'
    disclosure = read.json()
    assert (disclosure["role"], disclosure["name"], disclosure["ownership_percent"]) == ("owner", "Jane Roe", "12.50")
    assert disclosure["ended_on"] is None and disclosure["exclusion_screenings"] == []
    assert SSN_DIGITS not in read.text and "1970-03-04" not in read.text
    record = client.get(f"/v1/organizations/{org}")
    assert [d["id"] for d in record.json()["disclosures"]] == [person] and SSN_DIGITS not in record.text
    history = client.get(f"/v1/organizations/{org}/history").text
    assert "PersonDisclosed" in history and SSN_DIGITS not in history and "1970-03-04" not in history
    pii = client.get(f"/v1/organizations/{org}/pii", params={"purpose": "Check the owner's SSN for the 855"})
    assert pii.status_code == 200, pii.text
    assert pii.json()["disclosures"] == [{"id": person, "tin": SSN_DIGITS, "birth_date": "1970-03-04"}]
    # Bad input: a clear problem naming the field, and nothing stored.
    before = events_of(stack, tenants[0])
    for body, rule, field in (
        ({**OWNER, "ownership_percent": 4}, "invalid-value", "ownership_percent"),
        ({**OWNER, "tin": "1"}, "invalid-tin", "tin"),
    ):
        problem = assert_problem(client.post(f"/v1/organizations/{org}/disclosures", json=body), 422, rule)
        assert field in str(problem["errors"]), problem
    assert_problem(client.post(f"/v1/organizations/{org}/disclosures", json=OWNER), 422, "disclosure-duplicate")
    assert events_of(stack, tenants[0]) == before
    # Another tenant: not found, for the read and the personal data alike.
    assert_problem(other.get(f"/v1/organizations/{org}/disclosures/{person}"), 404, "not-found")
    assert other.get(f"/v1/organizations/{org}/pii", params={"purpose": "Check the SSN"}).status_code == 404
    assert_problem(client.get(f"/v1/organizations/{org}/disclosures/{org}"), 404, "not-found")


def test_an_excluded_owner_holds_the_practice_until_the_disclosure_ends(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(client)
    match_nppes(client, org)
    owner = _ok(client.post(f"/v1/organizations/{org}/disclosures", json=OWNER))["id"]
    manager = {"role": "managing_employee", "name": "John Doe", "tin": "234-56-7890", "birth_date": "1975-01-02"}
    _ok(client.post(f"/v1/organizations/{org}/disclosures", json={**manager, "on": "2026-03-01"}))
    app = open_application(client, org, "enrollment", channel="portal")
    for doc_type, extra in DOCS.items():
        body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-03-01", **extra}
        _ok(client.post(f"/v1/applications/{app}/documents", json=body))
    screening = {"source": "oig_leie", "list_version": "LEIE 2026-03", "list_date": "2026-03-01"}
    screen = f"/v1/organizations/{org}/disclosures/{owner}/exclusion-screenings"
    _ok(client.post(screen, json={**screening, "result": "confirmed_match", "screened_on": "2026-03-04"}))
    refused = client.post(f"/v1/applications/{app}/submit", json={"submitted_on": "2026-03-05"})
    assert_problem(refused, 422, "provider-excluded")
    assert "owner Jane Roe" in refused.json()["detail"]
    item = _wait(client, org, lambda i: _exclusions(i), as_of="2026-03-05")
    assert _exclusions(item) == [("excluded", "Owner Jane Roe")]
    assert (_finding(item, "excluded")["severity"], _finding(item, "excluded")["since"]) == ("critical", "2026-03-04")
    assert _exclusions(_audit(client, org, as_of="2026-03-03")) == []
    # Another tenant can neither end the disclosure nor see the finding.
    end = {"on": "2026-03-09", "reason": "Sold her interest to the other partners"}
    assert_problem(other.post(f"/v1/organizations/{org}/disclosures/{owner}/end", json=end), 404, "not-found")
    assert other.get(f"/v1/views/access-audit/{org}").status_code == 404

    _ok(client.post(f"/v1/organizations/{org}/disclosures/{owner}/end", json=end))
    _ok(client.post(f"/v1/applications/{app}/submit", json={"submitted_on": "2026-03-10"}))
    assert _exclusions(_wait(client, org, lambda i: True, as_of="2026-03-10")) == []
    assert _exclusions(_audit(client, org, as_of="2026-03-06")) == [("excluded", "Owner Jane Roe")]
    assert_problem(client.post(screen, json={**screening, "result": "no_match"}), 422, "disclosure-ended")
