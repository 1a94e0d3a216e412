"""`credledger up --demo` on a machine with nothing configured: the first thing a new user sees is a demo firm
with access-audit findings, sole-enrollment risks and turnaround figures; a second start loads nothing again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest

from services.embedded import free_port
from services.runtime import RUNNING_FILE
from tests.support import cli_token, eventually, fresh

pytestmark = pytest.mark.timeout(300)


def _up_demo(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL", "CREDLEDGER_JWT_SECRET")}
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services", "up", "--demo", "--data-dir", str(data_dir), "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    eventually(lambda: "credledger is up" in log.read_text() or process.poll() is not None, timeout=240)
    assert process.poll() is None, log.read_text()[-3000:]
    return process, f"http://127.0.0.1:{port}"


def _stop(process: subprocess.Popen[bytes], log: Path) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0, log.read_text()[-3000:]


def _token(data_dir: Path, tenant: str) -> str:
    return cli_token(data_dir, tenant, "viewer")


def _events(data_dir: Path) -> int:
    """Stored events, in the database a running `credledger up` announces in its data folder."""
    database_url = json.loads((data_dir / RUNNING_FILE).read_text())["database_url"]
    with psycopg.connect(database_url) as con:
        return con.execute("SELECT count(*) FROM credledger_events").fetchone()[0]  # type: ignore[index]


def test_up_demo_shows_a_populated_firm(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "up.log"
    up, base = _up_demo(data_dir, log)
    try:
        assert "loading the demo firm" in log.read_text()
        demo = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {_token(data_dir, 'demo')}"})

        def page(path: str, **params: object) -> list[dict]:
            response = demo.get(path, params=params)
            assert response.status_code == 200, response.text
            return response.json()["items"]

        # The workers project the loaded history after the start: wait until every view includes all of it.
        fresh(demo, timeout=180)
        assert len(page("/v1/views/affiliation-status", limit=100)) == 24
        found = page("/v1/views/access-audit", has_findings="true", limit=100)
        kinds = {f["kind"] for org in found for f in org["findings"]}
        # The workload's findings, the rare ones included: an excluded owner or practice, no back-up, an idle ID.
        expected = {"departed_with_access", "partner_never_reviewed", "excluded", "no_backup_primary_user"}
        assert expected | {"login_inactive"} <= kinds, kinds
        # A second office enrolled on its own (its PID/SL) that nobody administers.
        offices = [f for org in found for f in org["findings"] if f["service_location"] not in (None, "A")]
        assert {(f["kind"], f["service_location"]) for f in offices} >= {("no_primary_user", "B")}, offices
        assert page("/v1/views/affiliation-status", sole_enrollment_risk="true")
        metrics = page("/v1/views/turnaround/metrics", limit=200)
        assert sum(m["count"] for m in metrics) > 20 and any(m["breaches"] for m in metrics)
        assert any(bucket["open"] for bucket in page("/v1/views/turnaround/aging"))
        # The specialist's morning: what is due today and late, by client; clinicians' credentials due within 30
        # days, and a few lapsed.
        queue = page("/v1/views/work-queue", limit=500)
        assert {"application_follow_up", "credential_renewal"} <= {t["kind"] for t in queue}, queue
        assert any(t["late"] for t in queue) and not all(t["late"] for t in queue)
        counts = demo.get("/v1/views/work-queue/counts").json()
        assert sum(counts["by_organization"].values()) == counts["by_assignee"][""] >= len(queue)
        due = demo.get("/v1/views/expirables", params={"limit": 20}).json()
        assert due["counts"]["30"] > 0 and due["counts"]["overdue"] > 0, due["counts"]
        assert sum(due["counts"].values()) > 5 * due["counts"]["overdue"], due["counts"]  # a few, not most
        assert {"license", "caqh_attestation", "masshealth_revalidation"} <= {i["kind"] for i in page(
            "/v1/views/expirables", limit=500)}  # fmt: skip
        # Clinicians with MassHealth and the plans: most participating, some still on their way.
        participation = demo.get("/v1/views/participation", params={"limit": 1}).json()["counts"]
        assert participation["participating"] > 0 and participation["submitted"] > 0, participation
        assert {"masshealth"} < {p["payer_kind"] for p in page("/v1/views/participation", limit=500)}

        # Another tenant sees none of it.
        other = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {_token(data_dir, 'other')}"})
        assert other.get("/v1/views/affiliation-status").json()["items"] == []
        assert other.get("/v1/views/access-audit").json()["items"] == []
        assert other.get("/v1/views/expirables").json()["items"] == []
        assert other.get("/v1/views/work-queue").json()["items"] == []
        assert other.get("/v1/views/participation").json()["items"] == []
        loaded = _events(data_dir)
    finally:
        _stop(up, log)

    # The demo is loaded once per data folder: starting again with --demo adds nothing.
    again_log = tmp_path / "again.log"
    again, _ = _up_demo(data_dir, again_log)
    try:
        assert "loaded already" in again_log.read_text()
        assert _events(data_dir) == loaded
    finally:
        _stop(again, again_log)
