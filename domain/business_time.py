"""Two clocks: the business day a fact took effect (a Massachusetts date) and the moment it was recorded.

Firms rarely type a fact on the day it happens: a grant made in POSC last Tuesday is recorded on Monday, a
client with years of history is onboarded at once. So every event that states a real-world fact names the field
holding its business day (``effective_field``); its recording time stays the event's ``timestamp``. An event
without one (a read of personal data, a comparison the system made) took effect the day it was recorded.

Order. "As of D" folds the facts effective on or before D in business order (their day, then the order they
were recorded in), so a fact recorded late lands where it happened. That order must give the record the recording
order gave it, whatever order facts were recorded in; it does, because of the one rule here: each event class names
the parts of its record it reads or changes (``touches``: "access:eligibility_verification", "affiliation:BMCHP";
``ANY`` for the whole record, such as its creation, a deactivation or a decision), and a new fact may not be dated
before a fact already recorded on any part it shares. Facts on separate parts change separate state, so they
commute; facts on a shared part keep their recorded order. A grant can be recorded late, but not before the
account was opened, nor a revocation before its grant, nor anything before a deactivation already recorded.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

import eventsourcing.domain

from domain.business_days import MASSACHUSETTS
from domain.errors import RuleViolation

ANY = "*"  # the fact key of an event that reads or changes the whole record


def business_today() -> date:
    """Today in Massachusetts: the default business day of a fact, and the latest one may have. Read off the clock
    that stamps events' recording times (eventsourcing's), so the two clocks never disagree about what today is."""
    return recording_day(eventsourcing.domain.datetime_now_with_tzinfo())


def recording_day(timestamp: datetime) -> date:
    """The Massachusetts day of a recording time."""
    return timestamp.astimezone(MASSACHUSETTS).date()


def parse_business_day(text: str) -> date:
    """A business day as people and clients write one: a date (YYYY-MM-DD), or an ISO 8601 instant with its offset,
    which stands for its Massachusetts day. ValueError says what is wrong."""
    if len(text) == 10:
        return date.fromisoformat(text)
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("not a date (YYYY-MM-DD) or an ISO 8601 timestamp") from None
    if instant.tzinfo is None:
        raise ValueError("a timestamp needs its UTC offset, e.g. 2026-04-30T17:00:00-04:00")
    try:
        return recording_day(instant)
    except OverflowError:  # an instant at the calendar's edge has no day there
        raise ValueError("a date within the calendar") from None


def field_at(value: Any, path: str) -> Any:
    """The value at a dotted path of an event or of its fields (``document.received_on``)."""
    for name in path.split("."):
        value = value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)
    return value


def effective_day(event: Any) -> date:
    """The business day the event's fact took effect: its ``effective_field`` (a dotted path, such as
    ``document.received_on``), or the Massachusetts day it was recorded."""
    path = getattr(type(event), "effective_field", None)
    day = field_at(event, path) if path else None
    return day if isinstance(day, date) else recording_day(event.timestamp)


def fact_keys(event_class: type, fields: Mapping[str, Any] | Any, attribute: str = "touches") -> frozenset[str]:
    """The parts of its record an event changes (its class's ``touches``; ``ANY`` when it names none) or, with
    ``attribute="reads"``, only reads (its class's ``reads``; none by default): templates filled in from its fields
    ("access:{function}" -> "access:claims_batch", "document:{document.type}" -> "document:w9")."""
    fixed = _fixed_keys(event_class, attribute)
    if fixed is not None:
        return fixed
    templates: Iterable[str] = getattr(event_class, attribute, ())
    return frozenset(_PLACEHOLDER.sub(lambda m: _text(field_at(fields, m.group(1))), t) for t in templates)


@cache
def _fixed_keys(event_class: type, attribute: str) -> frozenset[str] | None:
    """The class's keys when no template names a field (most classes: computed once, not for every event loaded)."""
    templates: Iterable[str] = getattr(event_class, attribute, (ANY,) if attribute == "touches" else ())
    return None if any("{" in t for t in templates) else frozenset(templates)


_PLACEHOLDER = re.compile(r"{([a-z_.]+)}")


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))


@cache
def describe(event_class: type) -> str:
    """``AccessGranted`` -> "access granted": how a refusal names a fact."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", event_class.__name__).lower()


@dataclass
class FactDays:
    """Per part of one record, the latest business day of a fact that changed it, and of one that only read it
    (with which fact). A new fact may not predate a change to a part it reads or changes, nor a read of a part it
    changes; reads alone commute (two plans' contracts both read the provider number)."""

    changed: dict[str, tuple[date, str]] = field(default_factory=dict)
    read: dict[str, tuple[date, str]] = field(default_factory=dict)

    def note(self, changes: frozenset[str], reads: frozenset[str], day: date, fact: str) -> None:
        for latest, keys in ((self.changed, changes), (self.read, reads)):
            for key in keys:
                if key not in latest or latest[key][0] <= day:
                    latest[key] = (day, fact)

    def latest_day(self) -> date | None:
        """The latest business day of any fact of the record."""
        return max((day for day, _ in (*self.changed.values(), *self.read.values())), default=None)

    def follows(self, changes: frozenset[str], reads: frozenset[str] = frozenset()) -> tuple[date, str] | None:
        """The latest fact a new fact changing ``changes`` and reading ``reads`` must not predate."""
        if ANY in changes:
            shared = [*self.changed.values(), *self.read.values()]
        else:
            shared = [self.changed[k] for k in {*changes, *reads, ANY} if k in self.changed]
            shared += [self.read[k] for k in changes if k in self.read]
        return max(shared, default=None, key=lambda latest: latest[0])


def check_effective_day(day: date, fact: str, earlier: tuple[date, str] | None = None) -> None:
    """A fact is not dated in the future, nor before a fact it follows; the refusal names both days."""
    today = business_today()
    if day > today:
        raise RuleViolation(
            "effective-date-in-future",
            f"{fact.capitalize()} on {day} is in the future: today is {today} in Massachusetts.",
        )
    if earlier is not None and day < earlier[0]:
        raise RuleViolation(
            "effective-date-before-dependency",
            f"{fact.capitalize()} on {day} cannot come before {earlier[1]} on {earlier[0]}, already recorded on "
            "this record.",
        )


def dated_upcast(field: str) -> staticmethod:  # type: ignore[type-arg]
    """``upcast_v1_v2`` for a class that gained a business day: a fact stored before it had one took effect, as far
    as anyone can now tell, the day it was recorded."""

    def upcast(state: dict[str, Any]) -> None:
        state[field] = recording_day(datetime.fromisoformat(state["timestamp"])).isoformat()

    return staticmethod(upcast)


# --- corrected days (domain/date_corrections.py) ---


def is_correction(event: Any) -> bool:
    """An event that corrects another's day rather than stating a fact."""
    return getattr(type(event), "corrects_a_day", False)


def with_day(event: Any, day: date) -> Any:
    """A copy of the event whose business day is ``day`` (its ``effective_field``, a dotted path such as
    ``document.received_on``: the value objects on the way are copied too, never changed)."""
    *path, last = type(event).effective_field.split(".")
    chain = [event]
    for name in path:
        chain.append(getattr(chain[-1], name))
    value = day
    for holder, name in zip(reversed(chain), reversed([*path, last]), strict=True):
        changed = copy.copy(holder)
        object.__setattr__(changed, name, value)  # events and value objects are frozen dataclasses
        value = changed
    return value


def corrected(events: Iterable[Any]) -> list[Any]:
    """The events with each corrected fact on its corrected day (the latest correction of it wins); the
    corrections are kept, in place. Events of several records may be mixed."""
    events = list(events)
    days = {(e.originator_id, e.corrected_version): e.on for e in events if is_correction(e)}
    if not days:
        return events
    return [with_day(e, days[key]) if (key := (e.originator_id, e.originator_version)) in days else e for e in events]


def state_on(events: Iterable[Any], on: date, known_at: datetime | None = None) -> Any:
    """A record as it stood on business day ``on`` (None: it did not exist yet): its facts effective by then,
    folded in business order, each on its corrected day; with ``known_at``, only the facts and the corrections
    recorded by that moment. The creation comes first whatever its day (a record stored before business days
    existed has its creation dated the day it was recorded, perhaps after facts it lists with their own days)."""
    known = corrected(e for e in events if known_at is None or e.timestamp <= known_at)
    kept = [e for e in known if effective_day(e) <= on and not is_correction(e)]
    if not any(e.originator_version == 1 for e in kept):
        return None
    kept.sort(key=lambda e: (e.originator_version != 1, effective_day(e), e.originator_version))
    record = None
    for event in kept:
        if record is not None:
            record.version = event.originator_version - 1  # eventsourcing applies an event only to its predecessor
        record = event.mutate(record)
    assert record is not None
    record.version = max(e.originator_version for e in kept)
    return record
