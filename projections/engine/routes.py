"""What a build does with each stored event, decided once per topic: which views consume its aggregate
kind (the others never see it), and which of those have a handler for its class (if none has, the event
is counted as applied but not even decoded: the views' handler tables say it would change nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

import msgspec
from eventsourcing.utils import resolve_topic

from services.messaging.subjects import aggregate_and_event


@dataclass(frozen=True)
class Route:
    kind: str  # the topic's aggregate kind
    consumers: tuple[ModuleType, ...]  # the views consuming that kind (none: skipped)
    handling: tuple[ModuleType, ...]  # those with a handler for its class (none: counted, not decoded)

    @classmethod
    def of(cls, topic: str, modules: list[ModuleType]) -> Route:
        kind = aggregate_and_event(topic)[0]
        consumers = tuple(m for m in modules if kind in m.aggregates)
        if not consumers:
            return cls(kind, (), ())
        event_class: Any = resolve_topic(topic)  # raises for a topic this code does not know
        return cls(kind, consumers, tuple(m for m in consumers if m.handlers.handles(event_class)))


class Routes(dict[str, Route]):
    """Each topic's route, worked out the first time the topic is seen."""

    def __init__(self, modules: list[ModuleType]) -> None:
        super().__init__()
        self.modules = modules

    def __missing__(self, topic: str) -> Route:
        route = self[topic] = Route.of(topic, self.modules)
        return route


class _Timestamp(msgspec.Struct):
    timestamp: datetime


# An event no view handles is not decoded, but a replay still keeps only those recorded by its moment.
_timestamp_of = msgspec.json.Decoder(_Timestamp).decode


def recorded_at(state: bytes) -> datetime:
    """The event's timestamp, from its stored state: the same field the full decoder reads."""
    return _timestamp_of(state).timestamp
