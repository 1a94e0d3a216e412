"""A practice's screening category raised while its enrollment is open: the approval owes the higher category's
screenings (42 CFR 455.450), through the API."""

from __future__ import annotations

from tests.api.helpers import ORG, assert_problem, events_of, match_nppes, open_application, register
from tests.api.test_endpoints import DOCS
from tests.support import Stack


def test_raising_the_risk_level_holds_the_open_enrollment_until_its_screenings(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    client = stack.client(tenants[0])
    org = register(client)  # limited risk
    match_nppes(client, org)
    app = open_application(client, org, "enrollment", channel="portal")
    for doc_type, extra in DOCS.items():
        body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-03-01", **extra}
        assert client.post(f"/v1/applications/{app}/documents", json=body).is_success
    assert client.post(f"/v1/applications/{app}/submit", json={"submitted_on": "2026-04-02"}).is_success
    screening = {"screening": "exclusion_lists", "passed": True, "completed_on": "2026-04-03"}
    assert client.post(f"/v1/applications/{app}/screenings", json=screening).is_success
    raised = client.post(
        f"/v1/organizations/{org}/profile-corrections", json={"risk_level": "high", "on": "2026-04-06"}
    )
    assert raised.is_success, raised.text

    approval = {"decided_on": "2026-04-10", "provider_number": "1112223"}
    refused = client.post(f"/v1/applications/{app}/approve", json=approval)
    assert_problem(refused, 422, "screenings-required")
    assert "fingerprint_cori" in refused.json()["detail"] and "site_visit" in refused.json()["detail"]
    for kind in ("fingerprint_cori", "site_visit"):
        body = {"screening": kind, "passed": True, "completed_on": "2026-04-07"}
        assert client.post(f"/v1/applications/{app}/screenings", json=body).is_success
    assert client.post(f"/v1/applications/{app}/approve", json=approval).is_success
    # Another tenant can not approve it, nor learn it exists.
    assert_problem(stack.client(tenants[1]).post(f"/v1/applications/{app}/approve", json=approval), 404, "not-found")


def test_a_provider_types_floor_is_kept_through_the_api(stack: Stack, tenants: tuple[str, str]) -> None:
    """42 CFR 424.518 / the enrollment guide: non-emergency medical transportation is moderate risk or higher."""
    client = stack.client(tenants[0])
    before = events_of(stack, tenants[0])
    refused = client.post("/v1/organizations", json={**ORG, "provider_type": "non-emergency medical transportation"})
    assert_problem(refused, 422, "risk-below-provider-type-minimum")
    assert events_of(stack, tenants[0]) == before
    org = register(client, provider_type="non-emergency medical transportation", risk_level="moderate")
    lowered = client.post(f"/v1/organizations/{org}/profile-corrections", json={"risk_level": "limited"})
    assert_problem(lowered, 422, "risk-below-provider-type-minimum")
