"""`credledger rebuild`: views rebuilt straight from the event store equal the live ones, row for row —
after a mixed workload, while commands keep coming during the rebuild (of one view, and of every view in
one pass with rebuild_views), and after the projection worker was killed at random points."""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from projections.engine.rebuild import RebuildBusy, rebuild_views
from projections.engine.registry import NAMES, projection_modules
from tests.mixed_workload import MixedWorkload
from tests.support import Infra, credledger, eventually, process_env, stop
from tests.test_recovery import setup
from tests.view_state import lagging, view_rows

pytestmark = pytest.mark.timeout(300)
TENANTS = ("rebuild-a", "rebuild-b", "rebuild-c")


def rebuild(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services", "rebuild", *args], env=env, capture_output=True, text=True, timeout=240
    )


def assert_same_views(live: dict[str, list], rebuilt: dict[str, list]) -> None:
    assert live.keys() == rebuilt.keys()
    for table in live:
        assert live[table] == rebuilt[table], f"{table}: the rebuilt view differs from the live one"


class Writing(threading.Thread):
    def __init__(self, workload: MixedWorkload, commands: int) -> None:
        super().__init__(daemon=True)
        self.workload, self.commands = workload, commands
        self.more = threading.Event()
        self.more.set()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.workload.run(self.commands, keep_going=self.more)
        except BaseException as error:  # surfaced by the test
            self.error = error

    def finish(self) -> None:
        self.more.clear()
        self.join(timeout=120)
        assert self.error is None, repr(self.error)


def test_a_rebuilt_view_equals_the_live_view_and_a_rebuild_under_load_loses_nothing(
    infra: Infra, tmp_path: Path
) -> None:
    database_url, namespace, app = setup(infra)
    env = process_env(database_url, infra.nats_url, namespace, tmp_path)
    relay = credledger(["relay"], env, tmp_path / "relay.log")
    worker = credledger(["project"], env, tmp_path / "project.log")
    try:
        workload = MixedWorkload(app, TENANTS, seed=11)
        workload.run(700)
        eventually(lambda: lagging(database_url) == 0, timeout=90)
        live = view_rows(database_url)
        assert len(live["affiliation_status"]) > 20  # a real workload, not an empty comparison

        done = rebuild(env)
        assert done.returncode == 0, done.stderr
        assert f"{', '.join(NAMES)}: 100%" in done.stderr  # one pass for every view; its bar ran to the end
        for name in NAMES:
            assert f"{name}: rebuilt from" in done.stdout
        assert_same_views(live, view_rows(database_url))
        with psycopg.connect(database_url) as con:  # the rebuild's schemas are gone
            assert con.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'rebuild_%'").fetchone()[0] == 0

        # Again, while commands keep coming and the live worker keeps applying them:
        # the swap must neither lose an event stored meanwhile nor apply one twice.
        writing = Writing(workload, commands=300)
        writing.start()
        done = rebuild(env, "--projection", "affiliation_status")
        assert done.returncode == 0, done.stderr
        # Every view in one pass, swapped in together, still under load.
        rebuilt = asyncio.run(rebuild_views(database_url, projection_modules()))
        assert [r.view for r in rebuilt] == list(NAMES) and len({r.position for r in rebuilt}) == 1
        writing.finish()
        eventually(lambda: lagging(database_url) == 0, timeout=90)
        after_swap = view_rows(database_url)
        assert rebuild(env).returncode == 0
        assert_same_views(after_swap, view_rows(database_url))
    finally:
        assert stop(worker) == 0, (tmp_path / "project.log").read_text()[-3000:]
        assert stop(relay) == 0
    assert "Traceback" not in (tmp_path / "project.log").read_text()


def test_views_after_random_worker_kills_equal_a_fresh_rebuild(infra: Infra, tmp_path: Path) -> None:
    database_url, namespace, app = setup(infra)
    env = process_env(database_url, infra.nats_url, namespace, tmp_path, CREDLEDGER_PROJECTION_BATCH="7")
    relay = credledger(["relay"], env, tmp_path / "relay.log")
    writing = Writing(MixedWorkload(app, TENANTS, seed=12), commands=600)
    writing.start()
    rng = random.Random(13)
    log = tmp_path / "project.log"
    worker = credledger(["project"], env, log)
    try:
        for _ in range(5):
            time.sleep(rng.uniform(0.3, 1.5))  # a random point: mid-batch, mid-commit, between batches
            assert writing.error is None, repr(writing.error)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            worker = credledger(["project"], env, log)
        writing.finish()
        eventually(lambda: lagging(database_url) == 0, timeout=120)
        live = view_rows(database_url)
    finally:
        assert stop(worker) == 0, log.read_text()[-3000:]
        assert stop(relay) == 0
    assert len(live["affiliation_status"]) > 20
    done = rebuild(env)
    assert done.returncode == 0, done.stderr
    assert_same_views(live, view_rows(database_url))


def test_rebuild_refuses_an_unknown_view_and_reports_a_missing_database(infra: Infra, tmp_path: Path) -> None:
    database_url, namespace, _ = setup(infra)
    env = process_env(database_url, infra.nats_url, namespace, tmp_path)
    unknown = rebuild(env, "--projection", "no_such_view")
    assert unknown.returncode == 2 and "no view named 'no_such_view'" in unknown.stderr
    env.pop("DATABASE_URL")
    missing = rebuild(env)
    assert missing.returncode == 78 and "DATABASE_URL" in missing.stderr


def test_a_rebuild_of_several_views_waits_for_none_of_them(infra: Infra) -> None:
    database_url, _, _ = setup(infra)
    with psycopg.connect(database_url, autocommit=True) as other:  # a rebuild of one view is running
        other.execute("SELECT pg_advisory_lock(hashtext('credledger-rebuild:turnaround'))")
        with pytest.raises(RebuildBusy, match="turnaround"):
            asyncio.run(rebuild_views(database_url, projection_modules()))
        # Refused before anything was built: no schema of its own, and the others' locks are free again.
        assert other.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'rebuild_%'").fetchone()[0] == 0
        free = other.execute("SELECT pg_try_advisory_lock(hashtext('credledger-rebuild:access_audit'))").fetchone()[0]
        assert free
