"""The expirables view through the API: a clinician's and a practice's dated credentials with their due dates,
windows and severity on any day, the firm's cycle settings applied at query time, filters and paging, and two
tenants (and a client viewer) that see only their own."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from tests.api.helpers import assert_problem, register
from tests.api.test_practitioners import CLINICIAN_NPI, LICENSE, _ok, register_practitioner
from tests.support import Stack, fresh

VIEW = "/v1/views/expirables"


def _items(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    fresh(client)
    response = client.get(VIEW, params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _clinician_with_credentials(client: httpx.Client, org: str, npi: str = CLINICIAN_NPI) -> str:
    doc = register_practitioner(client, org, npi=npi)
    path = f"/v1/practitioners/{doc}"
    _ok(client, f"{path}/licenses", **LICENSE)  # expires 2026-06-30
    _ok(client, f"{path}/dea-registrations", number="AR1234563", state="MA", schedules=["2"], expires_on="2026-05-15",
        on="2026-01-13")  # fmt: skip
    _ok(client, f"{path}/caqh-attestations", caqh_id="16789012", attested_on="2026-01-20")  # due 2026-05-20
    return doc


def test_windows_and_due_dates_on_a_day(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    doc = _clinician_with_credentials(client, org)
    items = _items(client, as_of="2026-04-20", practitioner_id=doc)
    assert [(i["credential"], i["due_on"], i["window"], i["days_left"]) for i in items] == [
        ("dea:MA", "2026-05-15", "30", 25),
        ("caqh", "2026-05-20", "30", 30),
        ("license:MA:MD", "2026-06-30", "90", 71),
    ]
    assert {i["severity"] for i in items} == {"medium", None}
    later = _items(client, as_of="2026-05-18", practitioner_id=doc)
    first = later[0]
    assert (first["credential"], first["window"], first["lapsed"], first["severity"]) == (
        "dea:MA",
        "overdue",
        True,
        "high",
    )
    # Before the credentials were recorded (business days), none was in effect.
    assert _items(client, as_of="2026-01-12", practitioner_id=doc) == []
    # The firm re-attests CAQH every 90 days: the due date moves at once, no rebuild.
    settings = client.put("/v1/settings", json={"credential_cycles": {"caqh_reattestation_days": 90}})
    assert settings.status_code == 200, settings.text
    assert settings.json()["credential_cycles"]["caqh_reattestation_days"] == 90
    caqh = _items(client, as_of="2026-04-20", practitioner_id=doc, kind="caqh_attestation")
    assert [i["due_on"] for i in caqh] == [(date(2026, 1, 20) + timedelta(days=90)).isoformat()]
    assert_problem(client.put("/v1/settings", json={"credential_cycles": {"caqh_reattestation_days": 5}}), 400,
                   "invalid-request")  # fmt: skip


def test_a_renewal_and_an_end_move_the_view(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    doc = _clinician_with_credentials(client, register(client))
    path = f"/v1/practitioners/{doc}"
    _ok(client, f"{path}/licenses", **{**LICENSE, "issued_on": "2026-04-01", "expires_on": "2028-06-30",
                                       "on": "2026-04-02"})  # fmt: skip
    _ok(client, f"{path}/credential-ends", credential="dea:MA", on="2026-04-03", reason="Surrendered")
    now = {i["credential"]: i["due_on"] for i in _items(client, as_of="2026-04-20", practitioner_id=doc)}
    assert now == {"license:MA:MD": "2028-06-30", "caqh": "2026-05-20"}
    then = {i["credential"]: i["due_on"] for i in _items(client, as_of="2026-03-31", practitioner_id=doc)}
    assert then == {"license:MA:MD": "2026-06-30", "dea:MA": "2026-05-15", "caqh": "2026-05-20"}


def test_lapsed_while_an_enrollment_depends_is_critical(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    doc = _clinician_with_credentials(client, org)
    _ok(client, f"/v1/practitioners/{doc}/rendering-links", organization_id=org, on="2026-02-02")
    _ok(client, f"/v1/organizations/{org}/provider-number", provider_number="1234567", issued_on="2026-03-02")
    dea = _items(client, as_of="2026-05-18", practitioner_id=doc, kind="dea")[0]
    assert (dea["lapsed"], dea["enrollment_depends"], dea["severity"]) == (True, True, "critical")
    # The practice's own revalidation: five years from its enrollment.
    revalidation = _items(client, as_of="2026-05-18", organization_id=org, kind="masshealth_revalidation")
    assert [(i["subject_kind"], i["due_on"]) for i in revalidation] == [("organization", "2031-03-02")]
    # Once the clinician stops rendering there, nothing enrolled rests on the lapsed DEA.
    _ok(client, f"/v1/practitioners/{doc}/rendering-link-ends", organization_id=org, on="2026-05-01")
    assert _items(client, as_of="2026-05-18", practitioner_id=doc, kind="dea")[0]["severity"] == "high"


def test_filters_paging_and_two_tenants(stack: Stack, tenants: tuple[str, str]) -> None:
    ours, theirs = stack.client(tenants[0]), stack.client(tenants[1])
    org, other = register(ours), register(ours)
    doc = _clinician_with_credentials(ours, org)
    _clinician_with_credentials(ours, other, npi="1678901236")  # another clinician: one record per NPI
    _clinician_with_credentials(theirs, register(theirs))
    fresh(ours)
    first = ours.get(VIEW, params={"as_of": "2026-04-20", "organization_id": org, "limit": 2}).json()
    assert first["counts"] == {"overdue": 0, "30": 2, "60": 0, "90": 1, "later": 0}
    second = ours.get(VIEW, params={"as_of": "2026-04-20", "organization_id": org, "limit": 2,
                                    "cursor": first["next_cursor"]}).json()  # fmt: skip
    assert [i["credential"] for i in first["items"] + second["items"]] == ["dea:MA", "caqh", "license:MA:MD"]
    assert second["next_cursor"] is None
    assert {i["subject_id"] for i in first["items"]} == {doc}
    windowed = _items(ours, as_of="2026-04-20", window=["90"])
    assert {i["organization_id"] for i in windowed} == {org, other}
    assert _items(theirs, as_of="2026-04-20", practitioner_id=doc) == []
    viewer = stack.client(tenants[0], role="client_viewer", orgs=[org])
    assert {i["organization_id"] for i in _items(viewer, as_of="2026-04-20")} == {org}
    assert_problem(ours.get(VIEW, params={"window": "45"}), 400, "invalid-request")
    assert_problem(ours.get(VIEW, params={"kind": "passport"}), 400, "invalid-request")


def test_a_corrected_day_moves_the_view(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    doc = register_practitioner(client, register(client))
    _ok(client, f"/v1/practitioners/{doc}/licenses", **LICENSE)  # version 2, verified on 2026-01-13
    assert _items(client, as_of="2026-01-12", practitioner_id=doc) == []
    _ok(client, f"/v1/practitioners/{doc}/effective-date-corrections", version=2, on="2026-01-12",
        reason="Verified the day the clinician joined")  # fmt: skip
    assert [i["credential"] for i in _items(client, as_of="2026-01-12", practitioner_id=doc)] == ["license:MA:MD"]
