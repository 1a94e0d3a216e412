"""Where the benchmarks run: the configured (or embedded) PostgreSQL and NATS, a fresh database and
NATS namespace per use, and credledger's own processes started as users start them.

Everything a run creates (databases, streams, processes, a temporary folder for logs and data) is
removed at the end; the folder is kept if the run failed, so its logs can be read.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import nats
import psutil
import psycopg

from services.api.auth import issue_token
from services.embedded import EmbeddedNats, EmbeddedPostgres, free_port


def say(message: str) -> None:
    """Progress for the person running the bench (stderr; stdout carries the table)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@dataclass
class Service:
    """A running credledger process (`up`, `relay` or `project`)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    base_url: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def psutil(self) -> psutil.Process:
        return psutil.Process(self.process.pid)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def check(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"credledger {self.name} exited {self.process.returncode}:\n{self.tail()}")

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # like Ctrl-C: the runtime stops every component in order
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Infra:
    admin_url: str
    nats_url: str
    tmp: Path
    embedded: bool
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    master_key: bytes = field(default_factory=lambda: os.urandom(32))
    databases: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)

    # ---- fresh resources -------------------------------------------------------------------------

    def new_database(self, tag: str) -> str:
        name = f"cl_bench_{tag}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin_url, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return with_database(self.admin_url, name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.admin_url, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.databases:
            self.databases.remove(name)

    def new_namespace(self) -> str:
        namespace = "clbench" + uuid.uuid4().hex[:10]
        self.namespaces.append(namespace)
        return namespace

    # ---- credledger processes --------------------------------------------------------------------

    def env(self, database_url: str, namespace: str, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            NATS_URL=self.nats_url,
            CREDLEDGER_NAMESPACE=namespace,
            CREDLEDGER_JWT_SECRET=self.jwt_secret,
            CREDLEDGER_MASTER_KEY=base64.b64encode(self.master_key).decode(),
            CREDLEDGER_DATA_DIR=str(self.tmp / "data"),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def credledger(self, args: list[str], database_url: str, namespace: str, **extra: str) -> Service:
        """`credledger <args>` as a subprocess (python -m services is the console script's entry point)."""
        log = self.tmp / f"credledger-{args[0]}-{len(self.services)}.log"
        with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(
                [sys.executable, "-m", "services", *args],
                env=self.env(database_url, namespace, **extra),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        service = Service(args[0], process, log)
        self.services.append(service)
        return service

    def run(self, args: list[str], database_url: str, namespace: str = "credledger") -> None:
        """`credledger <args>` to completion (e.g. migrate)."""
        subprocess.run(
            [sys.executable, "-m", "services", *args],
            env=self.env(database_url, namespace),
            check=True,
            capture_output=True,
        )

    def up(self, database_url: str, namespace: str, timeout: float = 120) -> Service:
        """`credledger up --port P`, as users run it: the API, with the relay and projection workers in its child."""
        port = free_port()
        service = self.credledger(["up", "--port", str(port)], database_url, namespace)
        return self._wait_ready(service, port, timeout)

    def api_only(self, database_url: str, namespace: str, timeout: float = 120) -> Service:
        """The API alone in its process (the runtime's own ``serve(..., relay=False, projections=False)``; the
        command line has no verb for it), for a split deployment beside `credledger relay` and `project`."""
        port = free_port()
        code = (
            "import logging, sys; from services.config import Settings; from services.runtime import serve; "
            "logging.basicConfig(level=logging.INFO); "
            "serve(Settings.from_env(port=int(sys.argv[1])), relay=False, projections=False)"
        )
        log = self.tmp / f"credledger-api-{len(self.services)}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-c", code, str(port)],
                env=self.env(database_url, namespace),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        service = Service("api", process, log)
        self.services.append(service)
        return self._wait_ready(service, port, timeout)

    def _wait_ready(self, service: Service, port: int, timeout: float) -> Service:
        service.base_url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            service.check()
            try:
                return httpx.get(service.base_url + "/health/ready", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(ready, timeout, f"credledger {service.name} on port {port}")
        return service

    def stop(self, service: Service) -> None:
        service.stop()
        if service in self.services:
            self.services.remove(service)

    def token(self, tenant: str, role: str = "specialist", user: str = "bench") -> str:
        return issue_token(self.jwt_secret, tenant=tenant, role=role, user=user)

    # ---- teardown ---------------------------------------------------------------------------------

    def cleanup(self) -> None:
        for service in reversed(self.services):
            with contextlib.suppress(Exception):
                service.stop(timeout=20)
        self.services.clear()
        with psycopg.connect(self.admin_url, autocommit=True) as con:
            for name in self.databases:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.databases.clear()
        with contextlib.suppress(Exception):
            asyncio.run(_delete_streams(self.nats_url, [ns.upper() for ns in self.namespaces]))
        self.namespaces.clear()

    # ---- what the run ran on ----------------------------------------------------------------------

    def machine(self) -> dict[str, Any]:
        with psycopg.connect(self.admin_url) as con:
            pg_version = con.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
            pg_settings = dict(
                con.execute(
                    "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
                    (["synchronous_commit", "fsync", "shared_buffers", "max_connections", "commit_delay"],),
                ).fetchall()
            )
        nats_version = asyncio.run(_nats_version(self.nats_url))
        packages = {}
        for name in ("eventsourcing", "psycopg", "asyncpg", "nats-py", "litestar", "uvicorn", "msgspec", "httpx"):
            with contextlib.suppress(Exception):
                from importlib.metadata import version

                packages[name] = version(name)
        return {
            "cpu_count": os.cpu_count(),
            "cpu_model": _cpu_model(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "postgres": pg_version,
            "postgres_settings": pg_settings,
            "nats": nats_version,
            "servers": "embedded" if self.embedded else "configured (DATABASE_URL / NATS_URL)",
            "packages": packages,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        }


async def _delete_streams(nats_url: str, streams: list[str]) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for stream in streams:
            with contextlib.suppress(Exception):
                await js.delete_stream(stream)
    finally:
        await nc.close()


async def _nats_version(nats_url: str) -> str:
    nc = await nats.connect(nats_url)
    try:
        return str(nc.connected_server_version)
    finally:
        await nc.close()


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def wait_for(probe: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what}: not ready within {timeout:.0f}s")


@contextlib.contextmanager
def infrastructure() -> Iterator[Infra]:
    """The servers named by DATABASE_URL / NATS_URL, or embedded ones for the run's duration."""
    tmp = Path(tempfile.mkdtemp(prefix="credledger-bench-"))
    started: list[Any] = []
    admin_url = os.environ.get("DATABASE_URL")
    nats_url = os.environ.get("NATS_URL")
    failed = False
    try:
        if not admin_url:
            say("DATABASE_URL not set: starting an embedded PostgreSQL")
            pg = EmbeddedPostgres(tmp / "embedded-postgres")
            admin_url = pg.start()
            started.append(pg)
        if not nats_url:
            say("NATS_URL not set: starting an embedded nats-server")
            server = EmbeddedNats(tmp / "embedded-nats")
            nats_url = server.start()
            started.append(server)
        infra = Infra(admin_url=admin_url, nats_url=nats_url, tmp=tmp, embedded=bool(started))
        try:
            yield infra
        except BaseException:
            failed = True
            raise
        finally:
            infra.cleanup()
    finally:
        for server in reversed(started):
            with contextlib.suppress(Exception):
                server.stop()
        if failed:
            say(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
