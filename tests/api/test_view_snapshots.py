"""GET /v1/views/snapshots: the snapshots an as-of picker offers. A snapshot of every firm is listed to each; one
made for a firm only to that firm; each name reads the views as they stood at its moment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.api.helpers import assert_problem, register
from tests.support import Stack, fresh, process_env


def replay(stack: Stack, tmp: Path, *args: str) -> None:
    env = process_env(stack.database_url, stack.nats_url, stack.namespace, tmp / "data")
    done = subprocess.run(
        [sys.executable, "-m", "services", "replay", *args], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr


def test_each_firm_sees_the_snapshots_made_for_it_or_for_everyone(
    stack: Stack, tenants: tuple[str, str], tmp_path: Path
) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(a)
    fresh(a)
    suffix = tenants[0][-8:]
    replay(stack, tmp_path, "--as-of", "2026-06-30", "--tenant", tenants[0], "--name", f"only_a_{suffix}")
    replay(stack, tmp_path, "--as-of", "2026-05-31", "--name", f"all_{suffix}")

    def names(client) -> dict[str, dict]:  # type: ignore[no-untyped-def]
        response = client.get("/v1/views/snapshots")
        assert response.status_code == 200, response.text
        return {item["name"]: item for item in response.json()["items"]}

    seen_by_a, seen_by_b = names(a), names(b)
    assert {f"only_a_{suffix}", f"all_{suffix}"} <= set(seen_by_a)
    assert f"all_{suffix}" in seen_by_b and f"only_a_{suffix}" not in seen_by_b
    june = seen_by_a[f"only_a_{suffix}"]
    # The end of June 30 in Massachusetts (EDT, UTC-4), and that business day.
    assert (june["as_of"], june["as_of_day"]) == ("2026-07-01T03:59:59.999999Z", "2026-06-30")
    assert june["events_applied"] >= 1  # A's own events
    assert seen_by_a[f"all_{suffix}"]["events_applied"] is None  # every firm's: the service's volume is no firm's
    listed = list(seen_by_a)
    assert listed.index(f"only_a_{suffix}") < listed.index(f"all_{suffix}")  # the latest moment first
    # Each name reads the views as they stood then; B cannot read A's own snapshot.
    assert a.get("/v1/views/affiliation-status", params={"snapshot": f"only_a_{suffix}"}).status_code == 200
    assert_problem(b.get("/v1/views/affiliation-status", params={"snapshot": f"only_a_{suffix}"}), 404, "not-found")
    viewer = stack.client(tenants[0], role="client_viewer", orgs=[org])
    assert f"only_a_{suffix}" in names(viewer)
    assert httpx.get(stack.base_url + "/v1/views/snapshots").status_code == 401
