"""An enrollment asks for the IRS 147C letter (the IRS's confirmation of an EIN) from a filer with an EIN only: a
sole practitioner filing with its SSN submits without one, through the API, while a group is still refused."""

from __future__ import annotations

from tests.api.helpers import assert_problem, open_application, register
from tests.api.test_endpoints import DOCS
from tests.support import Stack


def test_a_sole_practitioner_filing_with_its_ssn_enrolls_without_a_147c_letter(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    client = stack.client(tenants[0])
    solo = register(
        client, legal_name="Ana Ruiz MD", entity_kind="solo_practitioner", tin_kind="ssn", tin="212-45-6789"
    )
    group = register(client)
    submitted = {}
    for org in (solo, group):
        app = open_application(client, org, "enrollment", channel="portal")
        for doc_type, extra in DOCS.items():
            if doc_type != "irs_147c":
                body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-03-01", **extra}
                assert client.post(f"/v1/applications/{app}/documents", json=body).status_code == 200
        body = {"submitted_on": "2026-03-02", "override_reason": "NPPES compared by hand"}
        submitted[org] = client.post(f"/v1/applications/{app}/submit", json=body)
    assert submitted[solo].status_code == 200, submitted[solo].text
    assert_problem(submitted[group], 422, "documents-missing")
    assert "irs_147c" in submitted[group].json()["detail"]
