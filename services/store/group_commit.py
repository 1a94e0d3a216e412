"""Group commit: concurrent saves share one transaction of the event store.

Why: the store's insert takes an EXCLUSIVE table lock, so that notification ids become visible in
commit order (what the relay's tail relies on), and holds it until its commit has been flushed to
disk. With one transaction per command the store cannot do more than one command per flush, which
capped every writer at the library's own rate (a few hundred per second on the development machine,
bench/ scenario 1). Here concurrent callers queue instead: one of them, the leader, writes everything
queued in one transaction (one lock, one flush) while the others wait; when it is done the oldest
waiting caller leads the next batch. A lone caller leads at once, so nothing ever waits for a timer,
and the busier the store, the larger the batches.

This module is only the queue: ``write`` (the recorder's) stores a batch and sets each request's
outcome. Callers get their outcome after the batch's transaction has ended, never before: a caller
told "stored" knows it is durable, and one told "conflict" can read what won.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

R = TypeVar("R", bound="Request")


@dataclass(eq=False)
class Request:
    """One caller's part of a batch. ``write`` sets exactly one of ``result`` and ``error``."""

    result: Any = None
    error: BaseException | None = None
    _wake: threading.Event = field(default_factory=threading.Event, repr=False)
    _done: bool = field(default=False, repr=False)

    def reset(self) -> None:
        """Forget an outcome set by a batch attempt that did not commit (the batch is retried)."""
        self.result = self.error = None


class GroupCommit(Generic[R]):
    """``submit(request)`` from any number of threads; ``write(batch)`` runs in one of them at a time."""

    def __init__(self, write: Callable[[list[R]], None], *, max_batch: int = 512) -> None:
        self._write = write
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[R] = []
        self._leading = False  # a leader is writing (or about to)

    @property
    def queued(self) -> int:
        """Requests waiting for a batch (not the one being written): how busy the store is right now."""
        with self._lock:
            return len(self._queue)

    def submit(self, request: R) -> Any:
        with self._lock:
            self._queue.append(request)
            lead = not self._leading
            self._leading = True
        if not lead:
            request._wake.wait()  # set when the request is done, or when it is this caller's turn to lead
            request._wake.clear()
        if not request._done:
            self._lead()
        if request.error is not None:
            raise request.error
        return request.result

    def _lead(self) -> None:
        # The leader is the oldest queued request, so its own request is in the batch it takes.
        with self._lock:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
        try:
            self._write(batch)
        except BaseException as error:  # write() sets outcomes itself; this is a bug or an interrupt
            for request in batch:
                if request.error is None and request.result is None:
                    request.error = error
        finally:
            with self._lock:
                following = self._queue[0] if self._queue else None
                self._leading = following is not None
            for request in batch:
                request._done = True
                request._wake.set()
            if following is not None:
                following._wake.set()  # its turn to lead
