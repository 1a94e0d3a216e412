"""Which handler of a view folds each event class, as a table rather than a chain of ``match`` cases: so a
build can ask whether a view does anything with an event before paying to decode it, and the answer is the
very table the handlers are dispatched by, live and in a rebuild alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from projections.engine.rows import ViewRows

Handler = Callable[[ViewRows, Any, int], Awaitable[UUID | None]]


class Handlers:
    """For each event, the handler of the most specific class in its MRO that the table lists (so a base
    class, e.g. ``Organization.Event``, catches the classes not listed themselves); no handler: no effect."""

    def __init__(self, table: dict[type, Handler]) -> None:
        self._table = table
        self._by_class: dict[type, Handler | None] = {}

    def for_class(self, event_class: type) -> Handler | None:
        try:
            return self._by_class[event_class]
        except KeyError:
            handler = next((self._table[c] for c in event_class.__mro__ if c in self._table), None)
            self._by_class[event_class] = handler
            return handler

    def handles(self, event_class: type) -> bool:
        """False: the view ignores events of this class (nothing read, nothing written)."""
        return self.for_class(event_class) is not None

    async def apply(self, rows: ViewRows, event: Any, position: int) -> UUID | None:
        handler = self.for_class(type(event))
        return None if handler is None else await handler(rows, event, position)
