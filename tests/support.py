"""Test infrastructure: real PostgreSQL and NATS (the machine's, or embedded ones), fresh per use."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import nats
import psycopg

from services.api.auth import issue_token
from services.api.commands import POSITION_HEADER
from services.embedded import free_port

T = TypeVar("T")
JWT_SECRET = "test-secret-" + uuid.uuid4().hex
MASTER_KEY = os.urandom(32)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def with_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    netloc = f"{user}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass
class Infra:
    """Where the servers are. Creates a fresh database and NATS namespace per use."""

    admin_url: str
    nats_url: str
    created: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)

    def new_database(self) -> str:
        name = "cl_test_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_url, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return with_database(self.admin_url, name)

    def new_namespace(self) -> str:
        ns = "cltest" + uuid.uuid4().hex[:10]
        self.namespaces.append(ns)
        return ns

    def cleanup(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as con:
            for name in self.created:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        asyncio.run(_delete_streams(self.nats_url, [ns.upper() for ns in self.namespaces]))


async def _delete_streams(nats_url: str, streams: list[str]) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    for stream in streams:
        with contextlib.suppress(Exception):
            await js.delete_stream(stream)
    await nc.close()


def process_env(database_url: str, nats_url: str, namespace: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        NATS_URL=nats_url,
        CREDLEDGER_NAMESPACE=namespace,
        CREDLEDGER_JWT_SECRET=JWT_SECRET,
        CREDLEDGER_MASTER_KEY=base64.b64encode(MASTER_KEY).decode(),
        CREDLEDGER_DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def credledger(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Run the console command as users do (python -m services is the same entry point)."""
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "services", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGINT, timeout: float = 30) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(timeout=timeout)


def cli_token(data_dir: Path, tenant: str, role: str, env: dict[str, str] | None = None) -> str:
    """`credledger token --data-dir D` as users run it: signed with the secret of the `up` on that folder."""
    env = {k: v for k, v in (os.environ if env is None else env).items() if k != "CREDLEDGER_JWT_SECRET"}
    command = ["token", "--tenant", tenant, "--role", role, "--data-dir", str(data_dir)]
    done = subprocess.run([sys.executable, "-m", "services", *command], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def stop_up(process: subprocess.Popen[bytes], data_dir: Path, timeout: float = 60) -> int:
    """Stop a `credledger up` like Ctrl-C and return its exit code. If it hangs, kill it and the embedded servers
    it started in ``data_dir`` (their pid files), so a failing test leaves no server running, then fail."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
        for pid_file in (data_dir / "postgres" / "pgdata" / "postmaster.pid", data_dir / "nats" / "nats.pid"):
            with contextlib.suppress(OSError, ValueError, IndexError):  # no such file, or that server is gone
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        raise AssertionError(
            f"credledger up did not stop within {timeout}s of SIGINT; killed it and its servers"
        ) from None


def eventually(probe: Callable[[], T | None], timeout: float = 15.0, interval: float = 0.05) -> T:
    """Poll until probe returns something truthy; fail with the last value after timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")


FRESH_TIMEOUT = 30.0  # seconds: the longest wait the API's long poll allows


@dataclass
class Positions:
    """The highest store position any command of a stack answered (its Credledger-Position header)."""

    last: int = 0

    def note(self, response: httpx.Response) -> None:
        value = response.headers.get(POSITION_HEADER)
        if value is not None:
            self.last = max(self.last, int(value))


class ApiClient(httpx.Client):
    """An httpx client of a stack: every command's position is noted, so ``fresh`` knows what to wait for."""

    def __init__(self, positions: Positions, **kwargs: Any) -> None:
        super().__init__(event_hooks={"response": [positions.note]}, **kwargs)
        self.positions = positions


def fresh(client: httpx.Client, position: int | None = None, timeout: float = FRESH_TIMEOUT) -> None:
    """The one way tests wait for the views: until they include every command the stack's clients sent so far
    (a stack's ApiClient), the command at ``position``, or else everything stored now; asked of the API
    (GET /v1/views/freshness, a bounded long poll). Tests that kill workers on purpose compare the views with
    the store aggregate by aggregate instead (view_state.lagging): after a crash, an event can wait up to
    JetStream's ack_wait for redelivery while later ones are applied, and the position passes it."""
    if position is None and isinstance(client, ApiClient):
        position = client.positions.last
    deadline = time.monotonic() + timeout
    while True:  # one long poll of at most 30 s each, for waits longer than the API allows
        wait = max(0.0, min(FRESH_TIMEOUT, deadline - time.monotonic()))
        asked = {"wait": wait} | ({} if position is None else {"position": position})
        # The client's own timeout may be shorter than the long poll (httpx's default is 5 s): outlast the wait.
        response = client.get("/v1/views/freshness", params=asked, timeout=wait + 10)
        assert response.status_code == 200, response.text
        body = response.json()
        position = body["position"]  # "everything stored now" stays what it was at the first ask
        if body["fresh"] or time.monotonic() >= deadline:
            break
    if not body["fresh"]:
        behind = [v["view"] for v in body["views"] if not v["fresh"]]
        raise AssertionError(f"views {behind} had not reached store position {body['position']} within {timeout}s")


@dataclass
class Stack:
    """A running `credledger up` against a fresh database and namespace."""

    base_url: str
    database_url: str
    nats_url: str
    namespace: str
    process: subprocess.Popen[bytes]
    log: Path
    positions: Positions = field(default_factory=Positions)

    def client(self, tenant: str, role: str = "firm_admin", user: str = "alice", orgs: list[Any] = ()) -> ApiClient:  # type: ignore[assignment]
        token = issue_token(JWT_SECRET, tenant=tenant, role=role, user=user, organizations=list(orgs))
        return ApiClient(
            self.positions,
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=FRESH_TIMEOUT + 10,
        )

    def api_role_url(self) -> str:
        return with_user(self.database_url, "credledger_api")

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """As the owner: what is really stored."""
        with psycopg.connect(self.database_url) as con:
            return con.execute(query, params).fetchall()

    def stream_messages(self) -> list[Any]:
        return asyncio.run(read_stream(self.nats_url, self.namespace.upper()))


async def read_stream(nats_url: str, stream: str) -> list[Any]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        return (
            [await js.get_msg(stream, seq) for seq in range(info.state.first_seq, info.state.last_seq + 1)]
            if info.state.messages
            else []
        )
    finally:
        await nc.close()


# Tests deliver webhooks to receivers on loopback over http, and retry them within a second, not ten.
LOCAL_WEBHOOKS = {"CREDLEDGER_WEBHOOKS_ALLOW_LOCAL": "1", "CREDLEDGER_WEBHOOK_FIRST_RETRY": "0.2"}


def start_stack(infra: Infra, tmp: Path, *, demo: bool = False, **env_overrides: str) -> Stack:
    """``demo``: `credledger up --demo`, the demo firm loaded first (tenant 'demo'). ``env_overrides``: settings
    of the environment (LOCAL_WEBHOOKS unless overridden)."""
    database_url = infra.new_database()
    namespace = infra.new_namespace()
    port = free_port()
    log = tmp / "credledger-up.log"
    env = process_env(database_url, infra.nats_url, namespace, tmp / "data", **{**LOCAL_WEBHOOKS, **env_overrides})
    process = credledger(["up", "--port", str(port), *(["--demo"] if demo else [])], env, log)
    base_url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"credledger up exited {process.returncode}:\n{log.read_text()}")
        try:
            return httpx.get(base_url + "/health/ready", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    eventually(ready, timeout=240 if demo else 60)
    return Stack(base_url, database_url, infra.nats_url, namespace, process, log)
