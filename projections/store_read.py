"""Reading the event store for a build: in notification order, batch by batch, leaving out in the database
what no view being built would use.

Which topics those are is learned as the build goes, from the same check the builder applies to every row
it gets (``Route``): a topic seen for the first time is always fetched whole and judged here, so nothing
the Python side would apply can be left out by the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

import asyncpg
import msgspec
from eventsourcing.utils import resolve_topic

from services.app.base import EVENTS_TABLE
from services.subjects import aggregate_and_event

# The batch: the next ``$2`` stored events after ``$1`` (of tenant ``$3``, up to ``$4``, if given). Of those,
# rows of the topics in ``$5`` are left out and the state of those in ``$6`` is not sent, but the last row
# scanned always comes back, and every row says how many were scanned: the caller's position and count
# advance over the whole batch.
BATCH = f"""
WITH scanned AS (
    SELECT notification_id, originator_id, originator_version, topic, state, tenant_id FROM {EVENTS_TABLE}
    WHERE notification_id > $1 AND ($3::text IS NULL OR tenant_id = $3)
    AND ($4::bigint IS NULL OR notification_id <= $4) ORDER BY notification_id LIMIT $2
)
SELECT notification_id, originator_id, originator_version, topic, tenant_id,
    CASE WHEN topic = ANY($6::text[]) THEN NULL ELSE state END AS state,
    (SELECT count(*) FROM scanned) AS scanned
FROM scanned
WHERE topic <> ALL($5::text[]) OR notification_id = (SELECT max(notification_id) FROM scanned)
ORDER BY notification_id
"""


class _Timestamp(msgspec.Struct):
    timestamp: datetime


# An event no view handles is not decoded, but a replay still keeps only those recorded by its moment.
_timestamp_of = msgspec.json.Decoder(_Timestamp).decode


def recorded_at(state: bytes) -> datetime:
    """The event's timestamp, from its stored state: the same field the full decoder reads."""
    return _timestamp_of(state).timestamp


@dataclass(frozen=True)
class Route:
    """What a build does with events of one topic."""

    consumers: tuple[ModuleType, ...]  # the views consuming its aggregate kind (none: skipped)
    handled: bool  # some consumer has a handler for its class: decoded and folded; else only counted

    @classmethod
    def of(cls, topic: str, modules: list[ModuleType]) -> Route:
        kind = aggregate_and_event(topic)[0]
        consumers = tuple(m for m in modules if kind in m.aggregates)
        if not consumers:
            return cls((), False)
        event_class: Any = resolve_topic(topic)  # raises for a topic this code does not know
        return cls(consumers, any(m.handlers.handles(event_class) for m in consumers))


class Routes:
    """Each topic's route, and the topics to leave out in the database (rows, or just states)."""

    def __init__(self, modules: list[ModuleType], *, states_needed: bool) -> None:
        self.modules = modules
        self.states_needed = states_needed  # a replay reads every consumed event's timestamp
        self._routes: dict[str, Route] = {}
        self.skipped: list[str] = []
        self.stateless: list[str] = []

    def __getitem__(self, topic: str) -> Route:
        route = self._routes.get(topic)
        if route is None:
            route = self._routes[topic] = Route.of(topic, self.modules)
            if not route.consumers:
                self.skipped.append(topic)
            elif not route.handled and not self.states_needed:
                self.stateless.append(topic)
        return route

    async def next_batch(
        self, con: asyncpg.Connection, after: int, limit: int, tenant: str | None, up_to: int | None
    ) -> list[asyncpg.Record]:
        return await con.fetch(BATCH, after, limit, tenant, up_to, self.skipped, self.stateless)
