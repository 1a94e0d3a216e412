"""Participation per clinician and payer through the API: a clinician's own enrollment and plan credentialing
(applications opened with its practitioner_id) make its participation with MassHealth and each plan, with the
payer's id and effective date, on any business day; it ends when the clinician leaves the practice or its
revalidation is denied; the practice's own enrollment and affiliations do not move; two tenants and a client
viewer see only their own."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import ENROLLMENT_DOCS, assert_problem, open_application, register, view_row
from tests.api.test_practitioners import _ok, register_practitioner
from tests.support import Stack, fresh

VIEW = "/v1/views/participation"
PLAN = "WellSense Health Plan"


def _page(client: httpx.Client, **params: Any) -> dict[str, Any]:
    fresh(client)
    response = client.get(VIEW, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _states(client: httpx.Client, **params: Any) -> dict[str, tuple[Any, ...]]:
    """payer -> (state, payer_id, effective_on, end_on, end_reason) on the day asked about."""
    return {
        i["payer"]: (i["state"], i["payer_id"], i["effective_on"], i["end_on"], i["end_reason"])
        for i in _page(client, **params)["items"]
    }


def _clinicians_application(
    client: httpx.Client, org: str, doc: str, kind: str, opened_on: str, docs: tuple[str, ...], **extra: Any
) -> str:
    app = open_application(client, org, kind, channel="portal", practitioner_id=doc, opened_on=opened_on, **extra)
    for doc_type in docs:
        _ok(client, f"/v1/applications/{app}/documents", document_id=doc_type, type=doc_type, received_on=opened_on,
            **ENROLLMENT_DOCS[doc_type])  # fmt: skip
    return app


def _enrolled_clinician(client: httpx.Client, org: str, doc: str) -> str:
    """The clinician's MassHealth enrollment: submitted 2026-04-03, approved 2026-05-20 (effective 2026-05-01)."""
    app = _clinicians_application(client, org, doc, "enrollment", "2026-04-02", tuple(ENROLLMENT_DOCS))
    # The clinician's own NPPES record is what MassHealth compares (none recorded: a mismatch to override).
    assert_problem(client.post(f"/v1/applications/{app}/submit", json={"submitted_on": "2026-04-03"}), 422,
                   "nppes-mismatch")  # fmt: skip
    _ok(client, f"/v1/applications/{app}/submit", submitted_on="2026-04-03", override_reason="NPPES lookup pending")
    screening = {"screening": "exclusion_lists", "passed": True, "completed_on": "2026-04-10"}
    _ok(client, f"/v1/applications/{app}/screenings", **screening)
    _ok(client, f"/v1/applications/{app}/approve", decided_on="2026-05-20", provider_number="7654321",
        effective_date="2026-05-01")  # fmt: skip
    return app


def test_a_clinicians_enrollment_and_credentialing_make_its_participation(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    doc = register_practitioner(client, org)
    _ok(client, f"/v1/practitioners/{doc}/rendering-links", organization_id=org, service_location="A", on="2026-02-03")
    enrollment = _enrolled_clinician(client, org, doc)
    plan = _clinicians_application(client, org, doc, "aco_affiliation", "2026-04-06",
                                   ("w9", "license", "liability_coi"), plan=PLAN)  # fmt: skip
    _ok(client, f"/v1/applications/{plan}/submit", submitted_on="2026-04-07")
    _ok(client, f"/v1/applications/{plan}/deficiencies", deficiency_id="D1", missing_items=["CV"],
        noticed_on="2026-04-20")  # fmt: skip
    _ok(client, f"/v1/applications/{plan}/deficiencies/D1/resolve", resolved_on="2026-04-22")
    # A plan gives the clinician it credentials an id of its own.
    _ok(client, f"/v1/applications/{plan}/approve", decided_on="2026-06-01", provider_number="WS-88912")
    assert client.get(f"/v1/applications/{enrollment}").json()["practitioner_id"] == doc

    assert _states(client, as_of="2026-06-10") == {
        "MassHealth": ("participating", "7654321", "2026-05-01", None, None),
        PLAN: ("participating", "WS-88912", "2026-06-01", None, None),
    }
    assert _states(client, as_of="2026-04-21") == {
        "MassHealth": ("submitted", None, None, None, None),
        PLAN: ("deficient", None, None, None, None),
    }
    assert _states(client, as_of="2026-04-02") == {"MassHealth": ("applying", None, None, None, None)}
    assert _page(client, as_of="2026-04-01")["items"] == []
    counts = _page(client, as_of="2026-04-21")["counts"]
    assert (counts["submitted"], counts["deficient"], counts["participating"]) == (1, 1, 0)
    # The practice's own enrollment and plan affiliations are its own applications': not the clinician's.
    practice = client.get(f"/v1/organizations/{org}").json()
    assert (practice["provider_number"], practice["affiliations"]) == (None, [])
    assert view_row(client, org)["enrollment"] == "not_started"  # type: ignore[index]

    # The clinician leaves the practice: its participations through it end that day.
    _ok(client, f"/v1/practitioners/{doc}/rendering-link-ends", organization_id=org, service_location="A",
        on="2026-07-01")  # fmt: skip
    ended = ("ended", "7654321", "2026-05-01", "2026-07-01", "left_practice")
    assert _states(client, as_of="2026-07-02", payer="MassHealth") == {"MassHealth": ended}
    assert _states(client, as_of="2026-06-30", payer_kind="aco")[PLAN][0] == "participating"
    assert [i["practitioner_name"] for i in _page(client, state="ended")["items"]] == ["Ana M. Reyes, MD"] * 2

    # Another tenant, and a client viewer of another practice, see none of it; the practice's viewer sees it.
    assert _page(stack.client(tenants[1]))["items"] == []
    other = register(client, legal_name="Lowell Pediatrics")
    assert _page(stack.client(tenants[0], role="client_viewer", orgs=[other]))["items"] == []
    assert len(_page(stack.client(tenants[0], role="client_viewer", orgs=[org]))["items"]) == 2


def test_a_denied_revalidation_terminates_the_clinicians_participation(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    doc = register_practitioner(client, org)
    _enrolled_clinician(client, org, doc)
    revalidation = _clinicians_application(client, org, doc, "revalidation", "2026-06-01",
                                           ("w9", "license", "liability_coi", "provider_agreement"))  # fmt: skip
    _ok(client, f"/v1/applications/{revalidation}/submit", submitted_on="2026-06-02", override_reason="Pending")
    _ok(client, f"/v1/applications/{revalidation}/screenings", screening="exclusion_lists", passed=True,
        completed_on="2026-06-03")  # fmt: skip
    _ok(client, f"/v1/applications/{revalidation}/deny", decided_on="2026-07-15", reason="Incomplete")
    assert _states(client, as_of="2026-07-15")["MassHealth"] == (
        "terminated",
        "7654321",
        "2026-05-01",
        "2026-07-15",
        "revalidation_denied",
    )
    assert _states(client, as_of="2026-07-14")["MassHealth"][0] == "participating"
    # The practice was never enrolled: the clinician's denial terminates nothing of the practice's.
    assert client.get(f"/v1/organizations/{org}").json()["disenrolled_on"] is None


def test_a_clinicians_applications_are_refused_where_they_do_not_apply(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    doc = register_practitioner(client, org)
    base = {"organization_id": org, "channel": "fax", "practitioner_id": doc, "opened_on": "2026-04-02"}
    posc = {**base, "kind": "posc_registration"}
    assert_problem(client.post("/v1/applications", json=posc), 422, "kind-not-for-a-practitioner")
    early = {**base, "kind": "enrollment", "opened_on": "2026-01-02"}  # the clinician was registered 2026-01-12
    assert_problem(client.post("/v1/applications", json=early), 422, "effective-date-before-dependency")
    unknown = {**base, "kind": "enrollment", "practitioner_id": "5f1d2a3b-0000-4000-8000-000000000001"}
    assert client.post("/v1/applications", json=unknown).status_code == 404
    # Another tenant's clinician is not found either, and nothing was recorded for it.
    other_org = register(stack.client(tenants[1]))
    foreign = {**base, "kind": "enrollment", "organization_id": other_org}
    assert stack.client(tenants[1]).post("/v1/applications", json=foreign).status_code == 404
    assert _page(client)["items"] == [] and _page(stack.client(tenants[1]))["items"] == []
