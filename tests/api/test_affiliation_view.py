"""The affiliation-status view: provider number, plan affiliations, rendering providers, the sole-enrollment
risk, and its filters — for one tenant at a time."""

from __future__ import annotations

from tests.api.helpers import register, view_row, wait_for_view
from tests.support import Stack, eventually

TUFTS = "Tufts Health Together"


def test_sole_enrollment_risk_until_an_mco_affiliation_is_active(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client, legal_name="Lowell Pediatrics", risk_level="moderate")
    other = register(client, legal_name="Quincy Dental")
    base = f"/v1/organizations/{org}"
    client.post(f"{base}/provider-number", json={"provider_number": "1234567", "issued_on": "2026-05-01"})
    row = wait_for_view(client, org, provider_number="1234567")
    assert row["sole_enrollment_risk"] is True and row["risk_level"] == "moderate"

    client.post(f"{base}/affiliations", json={"kind": "mco", "plan": TUFTS, "on": "2026-05-02"})
    client.post(f"{base}/affiliations", json={"kind": "pcc", "plan": "PCC Plan", "on": "2026-05-02"})
    client.post(f"{base}/rendering-providers", json={"npi": "1720377294", "name": "Dr. Rendering"})
    for state, day in (("in_credentialing", "05-10"), ("contracted", "06-20"), ("active", "07-01")):
        client.post(f"{base}/affiliations/transitions", json={"plan": TUFTS, "to": state, "on": f"2026-{day}"})
    client.post(
        f"{base}/affiliations/transitions", json={"plan": "PCC Plan", "to": "in_credentialing", "on": "2026-05-03"}
    )
    row = wait_for_view(client, org, sole_enrollment_risk=False)
    assert row["affiliations"][TUFTS] == {
        "kind": "mco",
        "partner_mco": None,
        "state": "active",
        "dates": {
            "requested": "2026-05-02",
            "in_credentialing": "2026-05-10",
            "contracted": "2026-06-20",
            "active": "2026-07-01",
        },
    }
    # The PCC transition was the organization's last event: once it shows, everything before it does.
    row = eventually(
        lambda: (r := view_row(client, org)) and r["affiliations"]["PCC Plan"]["state"] == "in_credentialing" and r
    )
    assert row["rendering_npis"] == ["1720377294"]

    # A PCC Plan registration alone would not have cleared the risk; terminating the MCO brings it back.
    client.post(f"{base}/affiliations/transitions", json={"plan": TUFTS, "to": "terminated", "on": "2026-09-30"})
    wait_for_view(client, org, sole_enrollment_risk=True)

    def names(**params: object) -> list[str]:
        return [i["legal_name"] for i in client.get("/v1/views/affiliation-status", params=params).json()["items"]]

    assert names(plan=TUFTS) == ["Lowell Pediatrics"]
    assert names(sole_enrollment_risk="true") == ["Lowell Pediatrics"]
    assert names(sole_enrollment_risk="false") == ["Quincy Dental"]
    assert names(risk_level="moderate") == ["Lowell Pediatrics"]
    assert names(organization_id=[other]) == ["Quincy Dental"]
    assert names(posc_registration="not_started") == ["Lowell Pediatrics", "Quincy Dental"]
    # The other tenant's filters find nothing of this one.
    b = stack.client(tenants[1])
    assert b.get("/v1/views/affiliation-status", params={"plan": TUFTS}).json()["items"] == []
    assert b.get("/v1/views/affiliation-status", params={"organization_id": [org]}).json()["items"] == []
