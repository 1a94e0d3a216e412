"""The runtime: starts the API, the relay and the projection workers, and stops them in order.

With no DATABASE_URL / NATS_URL it first starts its own PostgreSQL and
nats-server from their pip-installed wheels in the data folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import signal
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import uvicorn

from projections.engine.registry import projection_modules
from projections.engine.worker import ProjectionWorker
from services.api.app import asgi_app
from services.config import RUNNING_FILE, Settings, running_embedded  # noqa: F401 (running_embedded: re-exported)
from services.embedded import EmbeddedNats, EmbeddedPostgres
from services.log_limits import limit_repeated_logs
from services.messaging.relay import Relay
from services.migrate import migrate
from services.supervise import supervise, watch_server
from services.webhooks.worker import WebhookWorker
from services.worker_process import WorkerProcess

log = logging.getLogger(__name__)
T = TypeVar("T")
EMBEDDED_DATABASE = "credledger"
GRACEFUL_SHUTDOWN = 3.0  # seconds


class DataDirInUse(Exception):
    """Another `credledger up` runs on this data folder."""


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Exclusive use of the data folder for this process's lifetime (released even on SIGKILL)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "credledger.lock", "w") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise DataDirInUse(f"another credledger up is using {data_dir}") from error
        yield


@contextlib.contextmanager
def resolved(settings: Settings, servers: list[Any] | None = None) -> Iterator[Settings]:
    """Settings with both URLs set, starting embedded servers for whichever is missing.

    Holding the data folder's lock, a server still running there was orphaned by a
    killed run (SIGKILL, out of memory): it is stopped and started afresh. The embedded
    servers started are appended to ``servers``, for ``run`` to watch and restart."""
    servers = [] if servers is None else servers
    original = settings
    with contextlib.ExitStack() as stack:
        if not (settings.database_url and settings.nats_url):
            stack.enter_context(data_dir_lock(settings.data_dir))
        if not settings.database_url:
            postgres = stack.enter_context(EmbeddedPostgres(settings.data_dir / "postgres", stop_orphans=True))
            settings = replace(settings, database_url=_ensure_database(postgres.dsn, EMBEDDED_DATABASE))
            servers.append(postgres)
            log.info("started embedded PostgreSQL on port %d", postgres.port)
        if not settings.nats_url:
            nats_server = stack.enter_context(EmbeddedNats(settings.data_dir / "nats", stop_orphans=True))
            settings = replace(settings, nats_url=nats_server.url)
            servers.append(nats_server)
            log.info("started embedded nats-server at %s", nats_server.url)
        if not (settings.database_url == original.database_url and settings.nats_url == original.nats_url):
            stack.enter_context(_announced(settings))
        yield settings


@contextlib.contextmanager
def _announced(settings: Settings) -> Iterator[None]:
    """Tell the other commands (rebuild, parked, ...) where the embedded servers listen, while they run."""
    path = settings.data_dir / RUNNING_FILE
    path.write_text(json.dumps({"database_url": settings.database_url, "nats_url": settings.nats_url}))
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _ensure_database(server_dsn: str, name: str) -> str:
    with psycopg.connect(server_dsn, autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            con.execute(f'CREATE DATABASE "{name}"')
    return server_dsn.rsplit("/", 1)[0] + "/" + name


class _Server(uvicorn.Server):
    # The runtime owns SIGINT/SIGTERM and stops every component in order;
    # uvicorn's own capture would re-raise the signal after the API stops.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit as error:  # uvicorn exits when it cannot bind
        raise RuntimeError(f"the API server exited ({error.code})") from None


def components(settings: Settings, *, api: bool, relay: bool, projections: bool) -> dict[str, Any]:
    assert settings.database_url and settings.nats_url
    found: dict[str, Any] = {}
    if relay:
        found["relay"] = Relay(settings.database_url, settings.nats_url, settings.namespace, settings.relay_batch)
    if projections:
        for module in projection_modules():
            found[module.name] = ProjectionWorker(
                module, settings.database_url, settings.nats_url, settings.namespace, settings.projection_batch
            )
        found["webhooks"] = WebhookWorker(
            settings.database_url,
            settings.nats_url,
            settings.namespace,
            settings.resolve_master_key(),
            allow_local=settings.webhooks_allow_local,
            first_retry=settings.webhook_first_retry,
        )
    return found


async def run(
    settings: Settings,
    *,
    api: bool = True,
    relay: bool = True,
    projections: bool = True,
    on_ready: Callable[[Settings], None] | None = None,
    servers: list[Any] = (),  # type: ignore[assignment]
) -> None:
    limit_repeated_logs()  # a dependency that is down must not flood the log
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if api and relay and projections:
        # `credledger up`: the API here, the relay and the projection workers in a process of their own.
        found: dict[str, Any] = {"workers": WorkerProcess(settings)}
    else:
        found = components(settings, api=api, relay=relay, projections=projections)
    tasks = [asyncio.create_task(supervise(name, worker.run, stop), name=name) for name, worker in found.items()]
    # The embedded servers are components too: one that dies is restarted on its port and data folder.
    tasks += [asyncio.create_task(watch_server(server, stop), name=server.name) for server in servers]
    server = None
    if api:
        config = uvicorn.Config(
            asgi_app(settings),
            host=settings.host,
            port=settings.port,
            lifespan="on",
            log_level="warning",
            log_config=None,  # uvicorn's warnings and errors go to the process's logging (text or JSON lines)
            # Requests still running at a stop get this long; a stop must not wait on a server that is down.
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        )
        server = _Server(config)
        tasks.append(asyncio.create_task(_serve(server), name="api"))
        while not server.started and not tasks[-1].done():
            await asyncio.sleep(0.05)
        if tasks[-1].done():  # e.g. the port is taken
            stop.set()
    if on_ready and not stop.is_set():
        on_ready(settings)
    await stop.wait()
    log.info("stopping")
    if server:
        server.should_exit = True
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for task, result in zip(tasks, results, strict=True):
        if isinstance(result, BaseException):
            log.error("%s ended with %r", task.get_name(), result)
    if server and not server.started:
        raise SystemExit(f"The API could not start on {settings.host}:{settings.port}.")


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop where it is installed (not on Windows): the long-running processes'
    loop (API, relay, workers) spends less CPU per request and per message."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def serve(settings: Settings, demo: bool = False, **kwargs: Any) -> None:
    """Resolve the services, migrate, (load the demo firm,) run until SIGINT/SIGTERM, then stop everything."""
    servers: list[Any] = []
    with resolved(settings, servers) as settings:
        applied = migrate(settings.database_url)  # type: ignore[arg-type]
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        if demo:
            from services.demo import load_demo

            # Stored before the relay and the workers start: they publish and project it like any history.
            load_demo(settings.database_url, settings.resolve_master_key())  # type: ignore[arg-type]
        run_loop(run(settings, servers=servers, **kwargs))
