"""Rate limit for repeated warnings and errors: a dependency that is down must not flood the log.

While nats-server or PostgreSQL is away, every reconnect attempt of every connection (the API's, the
relay's, each projection worker's) and every supervised restart logs the same error, with its
traceback, several times a second. The first one passes whole; the same message again (same logger,
same template and first argument, same exception type) within ``interval`` is counted and dropped, and the next one
after the interval is written as one line, without the traceback, with the count of those dropped.
Alerts are never held back: the same template names a different view or event each time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

INTERVAL = 30.0  # seconds
ALERT = "ALERT"  # how operator alerts begin (projections/engine/worker.py): never held back


@dataclass
class _Seen:
    since: float  # when the last line for this key was written
    dropped: int = 0


class RepeatLimiter(logging.Filter):
    def __init__(self, interval: float = INTERVAL, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval = interval
        self.clock = clock
        self._seen: dict[tuple[str, str, str, str], _Seen] = {}
        self._lock = threading.Lock()  # records come from every thread (the recorder's, the executor's)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or str(record.msg).startswith(ALERT):
            return True  # an ALERT names one thing to act on (a parked event of one view): each one is shown
        error = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        # The first argument names the component in this codebase's messages ("%s failed", "%s exited ..."): one
        # failing component must not hide another's first line.
        first = str(record.args[0]) if isinstance(record.args, tuple) and record.args else ""
        key = (record.name, str(record.msg), first, error)
        now = self.clock()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen.since < self.interval:
                seen.dropped += 1
                return False
            self._seen[key] = _Seen(since=now)
            if len(self._seen) > 1000:  # forget keys quiet for long, so the table cannot grow without end
                self._seen = {k: v for k, v in self._seen.items() if now - v.since < 10 * self.interval}
        if seen is not None and seen.dropped:
            # Still failing: one line for the interval, the traceback was shown with the first.
            record.msg = f"{record.msg} [repeated {seen.dropped} more time(s) in {now - seen.since:.0f}s]"
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def limit_repeated_logs(interval: float = INTERVAL) -> None:
    """Install the limiter on the root logger's handlers (once): they see every propagated record."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RepeatLimiter) for f in handler.filters):
            handler.addFilter(RepeatLimiter(interval))
