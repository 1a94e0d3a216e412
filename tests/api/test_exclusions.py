"""An exclusion-list match through the API: a suspected match holds the application's own exclusion screening and is
a high finding with its age; a confirmed one refuses submissions, approvals and plan activations (42 CFR 1001.1901)
and is a critical finding until it is cleared with the reviewer's reason. The audit of a past day shows what stood
then; another tenant sees and changes none of it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import assert_problem, match_nppes, open_application, register
from tests.api.test_access_audit_view import _audit, _finding, _kinds, _wait
from tests.api.test_endpoints import DOCS
from tests.support import Stack


def _post(client: httpx.Client, path: str, **body: Any) -> httpx.Response:
    return client.post(path, json=body)


def _ok(response: httpx.Response) -> None:
    assert response.status_code in (200, 201), response.text


def _exclusions(item: dict[str, Any] | None) -> list[str]:
    """The exclusion findings (the practice has no primary user here: that finding is not this test's)."""
    assert item is not None
    return [kind for kind, _ in _kinds(item) if kind.startswith("exclu")]


def _screen(client: httpx.Client, org: str, result: str, on: str) -> None:
    body = {"source": "oig_leie", "result": result, "list_version": "LEIE 2026-03", "list_date": "2026-03-01"}
    _ok(_post(client, f"/v1/organizations/{org}/exclusion-screenings", **body, screened_on=on))


def test_an_exclusion_match_holds_the_practice_until_it_is_cleared(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(client)
    match_nppes(client, org)
    app = open_application(client, org, "enrollment", channel="portal")
    for doc_type, extra in DOCS.items():
        _ok(_post(client, f"/v1/applications/{app}/documents", document_id=doc_type, type=doc_type,
                  received_on="2026-03-01", **extra))  # fmt: skip
    _screen(client, org, "suspected_match", "2026-03-04")
    _ok(_post(client, f"/v1/applications/{app}/submit", submitted_on="2026-03-05"))  # a suspicion does not hold it
    screening = {"screening": "exclusion_lists", "passed": True, "completed_on": "2026-03-06"}
    assert_problem(_post(client, f"/v1/applications/{app}/screenings", **screening), 422, "exclusion-review-pending")
    item = _wait(client, org, lambda i: i["findings"], as_of="2026-03-06")
    suspected = _finding(item, "exclusion_suspected")
    assert (suspected["severity"], suspected["since"]) == ("high", "2026-03-04")
    assert "oig_leie" in suspected["detail"] and "awaiting review for 2 days" in suspected["detail"]

    _screen(client, org, "confirmed_match", "2026-03-09")
    approval = {"decided_on": "2026-03-10", "provider_number": "1112223"}
    assert_problem(_post(client, f"/v1/applications/{app}/approve", **approval), 422, "provider-excluded")
    mco = open_application(client, org, "mco_affiliation", plan="Tufts Health Together")
    for doc_type in ("w9", "license", "liability_coi"):
        _ok(_post(client, f"/v1/applications/{mco}/documents", document_id=doc_type, type=doc_type,
                  received_on="2026-03-01", **DOCS[doc_type]))  # fmt: skip
    refused = _post(client, f"/v1/applications/{mco}/submit", submitted_on="2026-03-10")
    assert_problem(refused, 422, "provider-excluded")
    assert "oig_leie" in refused.json()["detail"]
    item = _wait(client, org, lambda i: ("excluded", None) in _kinds(i), as_of="2026-03-10")
    excluded = _finding(item, "excluded")
    assert (excluded["severity"], excluded["since"], item["worst_severity"]) == ("critical", "2026-03-09", "critical")
    assert _exclusions(_audit(client, org, as_of="2026-03-08")) == ["exclusion_suspected"]
    assert _exclusions(_audit(client, org, as_of="2026-03-03")) == []
    # Another tenant can neither see the finding nor clear the match.
    assert other.get(f"/v1/views/access-audit/{org}").status_code == 404
    clear = {"on": "2026-03-11", "reason": "A different provider: the LEIE entry's date of birth differs"}
    assert_problem(
        _post(other, f"/v1/organizations/{org}/exclusion-screenings/oig_leie/clear", **clear), 404, "not-found"
    )

    # Cleared with the reviewer's reason: the practice goes on, and the finding is gone from that day.
    assert_problem(
        _post(client, f"/v1/organizations/{org}/exclusion-screenings/oig_leie/clear", on="2026-03-11"),
        422,
        "reason-required",
    )
    _ok(_post(client, f"/v1/organizations/{org}/exclusion-screenings/oig_leie/clear", **clear))
    _ok(_post(client, f"/v1/applications/{app}/screenings", **{**screening, "completed_on": "2026-03-12"}))
    _ok(_post(client, f"/v1/applications/{app}/approve", **{**approval, "decided_on": "2026-03-13"}))
    assert _exclusions(_wait(client, org, lambda i: True, as_of="2026-03-13")) == []
    assert _exclusions(_audit(client, org, as_of="2026-03-10")) == ["excluded"]
