"""Upcasting: an event class that changed shape reads the states stored under its older versions
(services/store/transcoder.py follows eventsourcing's class_version / upcast_vK_vK+1 convention)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import msgspec
import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from services.store.transcoder import EventMapper, MsgspecTranscoder


class Licence(Aggregate):
    """A stand-in aggregate whose event grew twice: v2 added ``on``, v3 renamed ``number`` to ``licence_number``."""

    class Issued(Aggregate.Event):
        class_version = 3
        licence_number: str
        on: date

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["on"] = datetime.fromisoformat(state["timestamp"]).date()

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["licence_number"] = state.pop("number")

    class Noted(Aggregate.Event):  # never changed: no class_version
        text: str

    @event(Issued)
    def issue(self, licence_number: str, on: date) -> None:
        self.licence_number, self.on = licence_number, on

    @event(Noted)
    def note(self, text: str) -> None:
        self.text = text


MAPPER = EventMapper(MsgspecTranscoder())
ISSUED = get_topic(Licence.Issued)
AT = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


def _stored(state: dict[str, Any], topic: str = ISSUED) -> StoredEvent:
    return StoredEvent(uuid4(), 2, topic, msgspec.json.encode(state))


def test_the_current_version_is_recorded_and_read_back() -> None:
    licence = Licence()
    licence.issue(licence_number="MA-123", on=date(2026, 3, 1))
    issued = licence.collect_events()[-1]
    stored = MAPPER.to_stored_event(issued)
    assert msgspec.json.decode(stored.state)["class_version"] == 3
    back = MAPPER.to_domain_event(stored)
    assert (back.licence_number, back.on, back.timestamp) == ("MA-123", date(2026, 3, 1), issued.timestamp)
    assert "class_version" not in vars(back)


@pytest.mark.parametrize(
    "state",
    [
        {"timestamp": AT.isoformat(), "number": "MA-7"},  # v1: no class_version key
        {"timestamp": AT.isoformat(), "number": "MA-7", "on": "2026-03-02", "class_version": 2},
    ],
    ids=["v1", "v2"],
)
def test_older_states_are_upcast_one_version_at_a_time_then_typed(state: dict[str, Any]) -> None:
    back = MAPPER.to_domain_event(_stored(state))
    assert (back.licence_number, back.on, back.timestamp) == ("MA-7", date(2026, 3, 2), AT)
    assert isinstance(back.on, date) and isinstance(back.timestamp, datetime)


def test_an_unversioned_class_is_stored_without_a_version_key() -> None:
    licence = Licence()
    licence.note(text="renewal filed")
    stored = MAPPER.to_stored_event(licence.collect_events()[-1])
    assert "class_version" not in msgspec.json.decode(stored.state)
    assert MAPPER.to_domain_event(stored).text == "renewal filed"
