"""`credledger replay`: the views as they stood on a past business day, or as the firm knew them at a past moment
(``--known-at``), in a named snapshot the API reads."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.business_days import MASSACHUSETTS
from tests.api.helpers import assert_problem, register, wait_for_view
from tests.mixed_workload import MixedWorkload
from tests.support import Infra, Stack, credledger, eventually, process_env, stop
from tests.test_rebuild import assert_same_views
from tests.test_recovery import setup
from tests.view_state import lagging, view_rows

pytestmark = pytest.mark.timeout(300)
TENANTS = ("replay-a", "replay-b")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services", *args], env=env, capture_output=True, text=True, timeout=240
    )


def test_a_snapshot_equals_the_live_views_as_they_stood_at_each_moment(infra: Infra, tmp_path: Path) -> None:
    database_url, namespace, app = setup(infra)
    env = process_env(database_url, infra.nats_url, namespace, tmp_path)
    relay = credledger(["relay"], env, tmp_path / "relay.log")
    worker = credledger(["project"], env, tmp_path / "project.log")
    workload = MixedWorkload(app, TENANTS, seed=21)
    moments: list[tuple[datetime, dict]] = []
    try:
        for phase in range(1, 5):  # four moments, each after more history
            workload.run(150 * phase)
            eventually(lambda: lagging(database_url) == 0, timeout=90)
            # Every event so far was recorded before this moment, every later one after it (one clock).
            moments.append((datetime.now(UTC), view_rows(database_url)))
    finally:
        assert stop(worker) == 0
        assert stop(relay) == 0
    for i, (moment, live) in enumerate(moments):
        # Every fact of the workload is effective by today: as known at each moment, the views are the live ones.
        done = cli(env, "replay", "--as-of", _today(), "--known-at", moment.isoformat(), "--name", f"moment_{i}")
        assert done.returncode == 0, done.stderr
        assert "100%" in done.stderr and f"?snapshot=moment_{i}" in done.stdout
        assert_same_views(live, view_rows(database_url, schema=f"snapshot_moment_{i}"))
    assert moments[0][1] != moments[-1][1]  # the moments differ: the comparison means something

    # One tenant's snapshot holds exactly that tenant's rows of the live views at that moment.
    moment, live = moments[2]
    done = cli(
        env, "replay", "--as-of", _today(), "--known-at", moment.isoformat(), "--tenant", "replay-b", "--name", "only_b"
    )
    assert done.returncode == 0, done.stderr
    assert_same_views(_only(live, "replay-b"), view_rows(database_url, schema="snapshot_only_b"))

    listed = cli(env, "snapshots")
    assert listed.returncode == 0 and "moment_0" in listed.stdout and "only_b\t" in listed.stdout
    assert cli(env, "replay", "--as-of", _today(), "--name", "only_b").returncode == 1  # name taken
    assert cli(env, "snapshots", "--drop", "only_b").returncode == 0
    assert cli(env, "snapshots", "--drop", "only_b").returncode == 1
    assert "only_b" not in cli(env, "snapshots").stdout


def _today() -> str:
    return datetime.now(MASSACHUSETTS).date().isoformat()


def _only(rows: dict, tenant: str) -> dict:
    """Keep one tenant's rows of a view_rows() result."""
    kept = {}
    for table, (header, *body) in rows.items():
        index = header[0].index("tenant_id")
        kept[table] = [header] + [r for r in body if r[index] == tenant]
    return kept


def test_the_api_reads_a_snapshot_for_its_tenant_only(stack: Stack, tenants: tuple[str, str], tmp_path: Path) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(a, legal_name="Old Name Clinic")
    wait_for_view(a, org, legal_name="Old Name Clinic")
    register(b, legal_name="Other Firm Clinic")
    response = a.post(f"/v1/organizations/{org}/profile-corrections", json={"legal_name": "New Name Clinic"})
    assert response.status_code == 200, response.text
    # A microsecond before the correction was recorded (the store's own clock, not the test's).
    (corrected,) = [
        i for i in a.get(f"/v1/organizations/{org}/history").json()["items"] if i["kind"] == "ProfileCorrected"
    ]
    before = datetime.fromisoformat(corrected["recorded_at"]) - timedelta(microseconds=1)
    primary = {"organization_id": org, "person_name": "Pat Primary", "role": "primary"}
    assert a.post("/v1/user-accounts", json=primary).status_code == 201
    wait_for_view(a, org, legal_name="New Name Clinic")  # every view includes both commands from here on
    assert "no_primary_user" not in [f["kind"] for f in a.get(f"/v1/views/access-audit/{org}").json()["findings"]]

    env = process_env(stack.database_url, stack.nats_url, stack.namespace, tmp_path)
    name = "api_" + tenants[0].replace("-", "_")
    done = cli(
        env, "replay", "--as-of", _today(), "--known-at", before.isoformat(), "--tenant", tenants[0], "--name", name
    )
    assert done.returncode == 0, done.stderr

    then = a.get("/v1/views/affiliation-status", params={"snapshot": name}).json()["items"]
    assert [i["legal_name"] for i in then] == ["Old Name Clinic"]
    assert a.get(f"/v1/views/affiliation-status/{org}", params={"snapshot": name}).json()["legal_name"] == (
        "Old Name Clinic"
    )
    assert a.get(f"/v1/views/affiliation-status/{org}").json()["legal_name"] == "New Name Clinic"  # live unchanged
    # Every view reads the snapshot: then, the practice had no primary user yet.
    then_audit = a.get(f"/v1/views/access-audit/{org}", params={"snapshot": name}).json()
    assert "no_primary_user" in [f["kind"] for f in then_audit["findings"]]
    # The snapshot's own day, in Massachusetts.
    assert then_audit["as_of"] == before.astimezone(MASSACHUSETTS).date().isoformat()
    assert a.get("/v1/views/turnaround/aging", params={"snapshot": name}).status_code == 200
    # Another tenant does not even see a tenant's own snapshot.
    assert_problem(b.get("/v1/views/affiliation-status", params={"snapshot": name}), 404, "not-found")
    assert_problem(b.get(f"/v1/views/affiliation-status/{org}", params={"snapshot": name}), 404, "not-found")
    # In a snapshot of every tenant, each reads only its own rows.
    everyone = name + "_all"
    assert cli(env, "replay", "--as-of", _today(), "--known-at", before.isoformat(), "--name", everyone).returncode == 0
    assert [
        i["legal_name"] for i in a.get("/v1/views/affiliation-status", params={"snapshot": everyone}).json()["items"]
    ] == ["Old Name Clinic"]
    assert [
        i["legal_name"] for i in b.get("/v1/views/affiliation-status", params={"snapshot": everyone}).json()["items"]
    ] == ["Other Firm Clinic"]
    assert b.get(f"/v1/views/affiliation-status/{org}", params={"snapshot": everyone}).status_code == 404
    assert_problem(a.get("/v1/views/affiliation-status", params={"snapshot": "no_such"}), 404, "not-found")
    assert_problem(a.get("/v1/views/affiliation-status", params={"snapshot": "Bad-Name"}), 400, "invalid-request")
    # A snapshot of a day is of its end in Massachusetts (04:59:59 UTC the next day, in winter): its
    # date-based findings are of that day, not of the next, which it already is in UTC.
    day = datetime.now(MASSACHUSETTS).date().isoformat()
    by_day = name + "_day"
    assert cli(env, "replay", "--as-of", day, "--tenant", tenants[0], "--name", by_day).returncode == 0
    assert a.get(f"/v1/views/access-audit/{org}", params={"snapshot": by_day}).json()["as_of"] == day
    assert cli(env, "snapshots", "--drop", by_day).returncode == 0
    assert cli(env, "snapshots", "--drop", name).returncode == 0
    assert_problem(a.get("/v1/views/affiliation-status", params={"snapshot": name}), 404, "not-found")
