"""`credledger up` on a machine with nothing configured: embedded PostgreSQL and NATS, end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from services.embedded import free_port
from tests.api.helpers import ORG
from tests.support import POSITION_HEADER, cli_token, eventually, fresh

pytestmark = pytest.mark.timeout(180)


def _pids(data_dir: Path) -> list[int]:
    pids = []
    for pidfile in (data_dir / "postgres" / "pgdata" / "postmaster.pid", data_dir / "nats" / "nats.pid"):
        if pidfile.exists():
            pids.append(int(pidfile.read_text().split()[0]))
    return pids


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _workers(up: subprocess.Popen[bytes]) -> list[int]:
    """`credledger up`'s child process running the relay and the projection workers."""
    found = []
    for child in psutil.Process(up.pid).children():
        try:
            if "workers" in child.cmdline() and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child.pid)
        except psutil.NoSuchProcess:  # it has just gone
            pass
    return found


def test_up_with_no_services_configured(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL", "CREDLEDGER_JWT_SECRET")}
    data_dir, port = tmp_path / "data", free_port()
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        up = subprocess.Popen(
            [sys.executable, "-m", "services", "up", "--data-dir", str(data_dir), "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: "credledger is up" in log.read_text() or up.poll() is not None, timeout=90)
        assert up.poll() is None, log.read_text()
        banner = log.read_text()
        assert f"{base}/v1" in banner and "credledger token --tenant demo --role firm_admin" in banner
        token = cli_token(data_dir, "demo", "firm_admin", env)
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
        assert client.get("/health/ready").json()["status"] == "ok"
        created = client.post("/v1/organizations", json=ORG)
        assert created.status_code == 201
        org = created.json()["id"]
        started = time.monotonic()
        fresh(client, int(created.headers[POSITION_HEADER]))
        print(f"visible in the view after {time.monotonic() - started:.3f}s")
        assert client.get(f"/v1/views/affiliation-status/{org}").status_code == 200
        servers = _pids(data_dir)
        assert len(servers) == 2 and all(_alive(p) for p in servers)
        workers = _workers(up)
        assert len(workers) == 1  # the relay and the projections run beside the API, in their own process
    finally:
        if up.poll() is None:
            up.send_signal(signal.SIGINT)  # Ctrl-C
        code = up.wait(timeout=60)
    assert code == 0, log.read_text()[-3000:]
    assert not any(_alive(p) for p in servers), "embedded servers outlived credledger up"
    assert not any(_alive(p) for p in workers), "the workers' process outlived credledger up"
    assert "Traceback" not in log.read_text()


def test_token_refuses_a_bad_tenant(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services", "token", "--tenant", "a.b", "--role", "viewer", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "tenant" in result.stderr and "Traceback" not in result.stderr


def test_worker_commands_need_configuration(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
    result = subprocess.run([sys.executable, "-m", "services", "relay"], env=env, capture_output=True, text=True)
    assert result.returncode == 78
    assert "DATABASE_URL" in result.stderr


def _start_up(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services", "up", "--data-dir", str(data_dir), "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, port


def test_a_second_up_on_the_same_data_dir_is_refused(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "up.log"
    first, _ = _start_up(data_dir, log)
    try:
        eventually(lambda: "credledger is up" in log.read_text() or first.poll() is not None, timeout=90)
        second, _ = _start_up(data_dir, tmp_path / "second.log")
        assert second.wait(timeout=30) == 75
        assert "another credledger up is using" in (tmp_path / "second.log").read_text()
        assert first.poll() is None  # the first one is untouched
    finally:
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=60) == 0


def test_up_after_a_killed_up_stops_the_orphaned_servers(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "up.log"
    killed, _ = _start_up(data_dir, log)
    eventually(lambda: "credledger is up" in log.read_text() or killed.poll() is not None, timeout=90)
    workers = eventually(lambda: _workers(killed), timeout=30)
    killed.send_signal(signal.SIGKILL)  # no chance to stop its servers
    killed.wait(timeout=30)
    orphans = _pids(data_dir)
    assert len(orphans) == 2 and all(_alive(p) for p in orphans)
    eventually(lambda: not any(_alive(p) for p in workers), timeout=30)  # its workers noticed and stopped
    again, port = _start_up(data_dir, tmp_path / "again.log")
    try:
        eventually(lambda: "credledger is up" in (tmp_path / "again.log").read_text() or again.poll() is not None, 90)
        assert again.poll() is None, (tmp_path / "again.log").read_text()
        assert httpx.get(f"http://127.0.0.1:{port}/health/ready").json()["status"] == "ok"
        eventually(lambda: not any(_alive(p) for p in orphans), timeout=30)
    finally:
        again.send_signal(signal.SIGINT)
        assert again.wait(timeout=60) == 0
    assert not any(_alive(p) for p in _pids(data_dir))


def test_up_on_a_taken_port_exits_with_an_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "services",
                "up",
                "--data-dir",
                str(tmp_path / "d"),
                "--port",
                str(taken.getsockname()[1]),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert "could not start" in result.stderr


def test_a_failed_workers_process_is_started_again(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "up.log"
    up, port = _start_up(data_dir, log)
    try:
        eventually(lambda: "credledger is up" in log.read_text() or up.poll() is not None, timeout=90)
        [first] = eventually(lambda: _workers(up), timeout=30)
        os.kill(first, signal.SIGKILL)
        [second] = eventually(lambda: [p for p in _workers(up) if p != first], timeout=30)
        assert up.poll() is None and second != first
        token = cli_token(data_dir, "again", "firm_admin")
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"})
        created = client.post("/v1/organizations", json=ORG)
        fresh(client, int(created.headers[POSITION_HEADER]))
        assert client.get(f"/v1/views/affiliation-status/{created.json()['id']}").status_code == 200
    finally:
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=60) == 0, log.read_text()[-3000:]
