"""Destroying a tenant's data key erases its personal data everywhere, and only its own."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from tests.api.helpers import ORG, TIN, assert_problem, events_of, register
from tests.support import Stack, eventually, process_env

PURPOSE = {"purpose": "revalidation packet"}


def shred(stack: Stack, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = process_env(stack.database_url, stack.nats_url, stack.namespace, tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "services", "shred", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_destroyed_key_makes_the_tenants_personal_data_read_as_redacted(
    stack: Stack, tenants: tuple[str, str], tmp_path: Path
) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    orgs, accounts = {}, {}
    for tenant, client in zip(tenants, (a, b), strict=True):
        orgs[tenant] = register(client, legal_name=f"Shred Clinic {tenant}")
        response = client.post(
            "/v1/user-accounts",
            json={
                "organization_id": orgs[tenant],
                "person_name": "Pat Primary",
                "role": "primary",
                "date_of_birth": "1980-01-31",
            },
            headers={"Idempotency-Key": "primary-user-1"},
        )
        assert response.status_code == 201, response.text
        accounts[tenant] = response.json()["id"]
    # The request carried a date of birth: its recorded fingerprint is keyed, not a plain hash of the body.
    fingerprints = stack.sql(
        "SELECT tenant_id, fingerprint FROM idempotency_keys WHERE tenant_id = ANY(%s) AND key = 'primary-user-1'",
        list(tenants),
    )
    assert sorted(t for t, _ in fingerprints) == sorted(tenants)
    assert all(f.startswith("h1:") and len(f) == 3 + 64 for _, f in fingerprints)
    assert fingerprints[0][1] != fingerprints[1][1]  # the same request from two tenants: two fingerprints
    assert not any(hashlib.sha256(response.request.content).hexdigest() in f for _, f in fingerprints)
    assert a.get(f"/v1/organizations/{orgs[tenants[0]]}/pii", params=PURPOSE).json()["tin"] == TIN.replace("-", "")

    refused = shred(stack, tmp_path, "--tenant", tenants[0], "--confirm", tenants[1])
    assert refused.returncode == 2 and "repeat the tenant id" in refused.stderr
    assert a.get(f"/v1/organizations/{orgs[tenants[0]]}/pii", params=PURPOSE).json()["tin"] == TIN.replace("-", "")

    done = shred(stack, tmp_path, "--tenant", tenants[0], "--confirm", tenants[0])
    assert done.returncode == 0, done.stderr
    assert "already" in shred(stack, tmp_path, "--tenant", tenants[0], "--confirm", tenants[0]).stdout

    def erased() -> bool:
        pii = a.get(f"/v1/organizations/{orgs[tenants[0]]}/pii", params=PURPOSE).json()
        return pii["tin"] == "[redacted]"

    eventually(erased, timeout=10)  # the API re-checks its cached key within seconds
    assert (
        a.get(f"/v1/user-accounts/{accounts[tenants[0]]}/pii", params=PURPOSE).json()["date_of_birth"] == "[redacted]"
    )
    # The other tenant's personal data is untouched.
    assert b.get(f"/v1/organizations/{orgs[tenants[1]]}/pii", params=PURPOSE).json()["tin"] == TIN.replace("-", "")
    assert b.get(f"/v1/user-accounts/{accounts[tenants[1]]}/pii", params=PURPOSE).json()["date_of_birth"] == (
        "1980-01-31"
    )
    # The rest of the shredded tenant's record stays readable: the organization, its history, its view.
    org = orgs[tenants[0]]
    assert a.get(f"/v1/organizations/{org}").json()["legal_name"] == f"Shred Clinic {tenants[0]}"
    kinds = [i["kind"] for i in a.get(f"/v1/organizations/{org}/history").json()["items"]]
    assert kinds[0] == "Registered" and "PersonalDataRead" in kinds
    assert a.get(f"/v1/views/affiliation-status/{org}").status_code == 200
    # Non-personal changes still work; new personal data cannot be recorded, and nothing is stored.
    assert a.post(f"/v1/organizations/{org}/profile-corrections", json={"provider_type": "clinic"}).status_code == 200
    before = events_of(stack, tenants[0])
    assert_problem(a.post("/v1/organizations", json={**ORG, "legal_name": "After Shred"}), 410, "personal-data-erased")
    assert events_of(stack, tenants[0]) == before
    assert stack.sql("SELECT wrapped_key IS NULL FROM tenant_keys WHERE tenant_id = %s", tenants[0]) == [(True,)]
    # Nothing of the shredded tenant's requests is kept; the other tenant's retries are still answered.
    kept = stack.sql("SELECT tenant_id FROM idempotency_keys WHERE tenant_id = ANY(%s)", list(tenants))
    assert kept == [(tenants[1],)]
    retried = b.post(
        "/v1/user-accounts",
        json={
            "organization_id": orgs[tenants[1]],
            "person_name": "Pat Primary",
            "role": "primary",
            "date_of_birth": "1980-01-31",
        },
        headers={"Idempotency-Key": "primary-user-1"},
    )
    assert retried.status_code == 201 and retried.headers["idempotent-replayed"] == "true"
    assert retried.json()["id"] == accounts[tenants[1]]
    # A command without personal data still takes an Idempotency-Key after the shred.
    correction = {"json": {"provider_type": "group practice"}, "headers": {"Idempotency-Key": "after-shred"}}
    first = a.post(f"/v1/organizations/{org}/profile-corrections", **correction)
    again = a.post(f"/v1/organizations/{org}/profile-corrections", **correction)
    assert first.status_code == again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
