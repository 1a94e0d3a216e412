"""An auditor downloads the tenant's audit bundle through the API and verifies it offline."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.api.helpers import assert_problem, refusals_of, register
from tests.support import Stack


def verify(bundle: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services", "verify", str(bundle)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},  # offline: no DATABASE_URL, no NATS
    )


def test_an_auditor_exports_only_the_tenants_bundle_and_it_verifies_offline(
    stack: Stack, tenants: tuple[str, str], tmp_path: Path
) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    mine = register(a, legal_name="Export Clinic")
    theirs = register(b, legal_name="Other Firm Clinic")
    today = datetime.now(ZoneInfo("America/New_York")).date()
    span = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}

    response = stack.client(tenants[0], role="auditor").get("/v1/exports", params=span, timeout=120)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-tar")
    bundle = tmp_path / "bundle.tar"
    bundle.write_bytes(response.content)
    checked = verify(bundle)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with tarfile.open(bundle) as tar:
        events = tar.extractfile("events.jsonl").read().decode()  # type: ignore[union-attr]
        affiliation = tar.extractfile("views/affiliation_status.jsonl").read().decode()  # type: ignore[union-attr]
    assert mine in events and theirs not in events
    assert "Export Clinic" in affiliation and "Other Firm Clinic" not in affiliation

    tampered = tmp_path / "tampered.tar"
    data = bytearray(response.content)
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    assert verify(tampered).returncode == 1

    before = refusals_of(stack, tenants[0])
    assert_problem(stack.client(tenants[0], role="viewer").get("/v1/exports", params=span), 403, "forbidden")
    assert refusals_of(stack, tenants[0]) == before + 1
    backwards = {"from": span["to"], "to": span["from"]}
    assert_problem(a.get("/v1/exports", params=backwards), 400, "invalid-request")
