"""Supervision for the runtime: restart what fails, with backoff, and say so once per restart.

Two kinds of component are kept running:
- a coroutine ``run(stop)`` (the relay, a projection worker, `up`'s workers child): restarted when it raises;
- an embedded server (PostgreSQL, nats-server, services/embedded.py): watched by polling its process, which
  also reaps it (a killed server used to stay a zombie), and started again on the same port and data folder.

Each component's state is kept in ``STATUS`` so that `/health/ready`, served by the same process in
`credledger up`, can tell a component that is restarting from one that has stayed down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

FIRST_DELAY, MAX_DELAY = 1.0, 30.0
HEALTHY_AFTER = 60.0  # seconds up after which a failure is a fresh one (the backoff starts again)
POLL_INTERVAL = 0.25  # seconds between checks of a server's process


@dataclass
class ComponentStatus:
    alive: bool = True
    changed: float = 0.0  # time.monotonic() of the last change of ``alive``
    restarts: int = 0
    last_failure: str | None = None  # an exit code or an exception's type, never its text (may hold values)

    def set_alive(self, alive: bool) -> None:
        if alive != self.alive:
            self.alive, self.changed = alive, time.monotonic()

    def report(self) -> dict[str, Any]:
        down_for = 0.0 if self.alive else round(time.monotonic() - self.changed, 1)
        return {"alive": self.alive, "down_for": down_for, "restarts": self.restarts, "last_failure": self.last_failure}


STATUS: dict[str, ComponentStatus] = {}


def status(name: str) -> ComponentStatus:
    return STATUS.setdefault(name, ComponentStatus(changed=time.monotonic()))


def _backoff(delay: float, started: float) -> float:
    """The next delay: doubled up to MAX_DELAY, or the first again after a long healthy run."""
    return FIRST_DELAY if time.monotonic() - started > HEALTHY_AFTER else min(delay * 2, MAX_DELAY)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def supervise(name: str, run: Callable[[asyncio.Event], Awaitable[None]], stop: asyncio.Event) -> None:
    """Keep a worker running: restart it with backoff when it fails (e.g. a lost connection)."""
    state, delay = status(name), FIRST_DELAY
    while not stop.is_set():
        started = time.monotonic()
        state.set_alive(True)
        try:
            await run(stop)
        except Exception as error:
            state.set_alive(False)
            state.restarts += 1
            state.last_failure = type(error).__name__
            delay = FIRST_DELAY if time.monotonic() - started > HEALTHY_AFTER else delay
            # The traceback once per kind of failure and interval (services/log_limits.py), not at every retry.
            log.error("%s failed (%s); restarting in %.0fs", name, type(error).__name__, delay, exc_info=True)
            await _pause(stop, delay)
            delay = min(delay * 2, MAX_DELAY)


async def watch_server(server: Any, stop: asyncio.Event) -> None:
    """Restart an embedded server (services/embedded.py) whenever its process ends, until ``stop``.

    The restart runs in a thread of its own (starting PostgreSQL can take seconds of blocking waits); on
    stop the start in progress is abandoned (``server.abort``), so stopping never waits for it long."""
    state, delay = status(server.name), FIRST_DELAY
    started = time.monotonic()
    while not stop.is_set():
        code = server.exit_code()  # polls the child: reaps it once it has ended
        if code is None:
            await _pause(stop, POLL_INTERVAL)
            continue
        state.set_alive(False)
        state.last_failure = f"exit code {code}"
        delay = _backoff(delay, started) if state.restarts else FIRST_DELAY
        state.restarts += 1
        log.error("%s (port %s) exited with code %s; restarting it in %.0fs", server.name, server.port, code, delay)
        await _pause(stop, delay)
        if stop.is_set():
            return
        while True:
            try:
                await _in_thread(server.restart, stop, server.abort)
                break
            except Exception as error:  # it failed to start (its log tail is in the error): try again, later
                if stop.is_set():
                    return
                # A failed start leaves no process, so polling exit_code() would wait for it forever: retry here.
                delay = min(delay * 2, MAX_DELAY)
                first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
                log.error("%s did not restart (%s); trying again in %.0fs", server.name, first_line, delay)
                await _pause(stop, delay)
                if stop.is_set():
                    return
        started = time.monotonic()
        state.set_alive(True)
        log.info("%s restarted on port %s (restart %d)", server.name, server.port, state.restarts)


async def _in_thread(call: Callable[[], Any], stop: asyncio.Event, abort: threading.Event) -> Any:
    """Run a blocking ``call`` in a daemon thread (not the loop's executor, which asyncio.run waits for at
    exit); when ``stop`` is set first, ask it to give up (``abort``) and wait for it only briefly."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()

    def settle(error: BaseException | None, result: Any) -> None:
        if not done.done():
            done.set_exception(error) if error else done.set_result(result)

    def target() -> None:
        error, result = None, None
        try:
            result = call()
        except BaseException as exc:  # handed to the awaiting coroutine
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(settle, error, result)

    threading.Thread(target=target, name=f"start-{getattr(call, '__qualname__', 'call')}", daemon=True).start()
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({done, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if not done.done():
        abort.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(done), timeout=5)
        raise RuntimeError("stopped while starting")
    return done.result()
