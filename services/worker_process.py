"""`credledger up` runs the relay and the projection workers in a process of their own.

Why: in one Python process the API, the relay and the projection workers share one interpreter
lock and one event loop, so under load each command's projection work delayed the next responses, and
the requests delayed the views (bench/ scenario 1 measures both ways). Apart, they use another core.

The child is `credledger workers` on the same servers. It stops with its parent: on Ctrl-C, on SIGTERM
(forwarded), and when the parent dies without a chance to say so (its end of the child's stdin closes,
``watch_parent``). If the child fails, the runtime's supervisor starts it again, as any component.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading

from services.config import Settings

log = logging.getLogger(__name__)
STOP_TIMEOUT = 7.0  # the child stops its components in order (a second or two); then it is killed, which the
# projections and relay are built to survive (exactly once), so Ctrl-C stops `up` within 10 s whatever is down


def child_env(settings: Settings) -> dict[str, str]:
    """The environment of `credledger workers`: the resolved servers (embedded ones included)."""
    assert settings.database_url and settings.nats_url
    env = dict(os.environ)
    env.update(
        DATABASE_URL=settings.database_url,
        NATS_URL=settings.nats_url,
        CREDLEDGER_NAMESPACE=settings.namespace,
        CREDLEDGER_RELAY_BATCH=str(settings.relay_batch),
        CREDLEDGER_PROJECTION_BATCH=str(settings.projection_batch),
        CREDLEDGER_DATA_DIR=str(settings.data_dir),
    )
    return env


class WorkerProcess:
    """A component of the runtime: ``run(stop)`` keeps one `credledger workers` running until ``stop``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def run(self, stop: asyncio.Event) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services",
            "workers",
            "--with-parent",
            stdin=asyncio.subprocess.PIPE,  # never written: it closes when this process ends, however it ends
            env=child_env(self.settings),
        )
        exited = asyncio.ensure_future(process.wait())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not exited.done():
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)  # like Ctrl-C: it stops its components in order
            try:
                await asyncio.wait_for(asyncio.shield(exited), STOP_TIMEOUT)
            except TimeoutError:
                log.error("the workers' process did not stop within %.0fs; killing it", STOP_TIMEOUT)
                process.kill()
                await exited
            return
        if not stop.is_set():
            raise RuntimeError(f"the workers' process exited with {process.returncode}")


def watch_parent() -> None:
    """In the child: stop (as on SIGTERM) once the parent's end of stdin closes.

    The thread reads the descriptor itself (os.read), never ``sys.stdin``: a daemon thread blocked in a
    read of the buffered ``sys.stdin`` holds its lock, and the interpreter, finalizing stdin at exit,
    then aborts with "Fatal Python error: _enter_buffered_busy" on every stop."""
    fd = sys.stdin.fileno()

    def wait_for_eof() -> None:
        with contextlib.suppress(OSError):
            while os.read(fd, 4096):
                pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=wait_for_eof, name="watch-parent", daemon=True).start()
