"""Text from stored events, made safe for the views before any handler sees it.

The domain refuses unclean text (domain/text.py), but events stored before that rule may hold any character,
and events are immutable: a NUL in a legal name would otherwise fail every write of its row (PostgreSQL text
cannot hold U+0000), park the event live and fail every rebuild for good. So each event's text is escaped
(domain.text.escape_text: U+0000 shows as the six characters ``\\u0000``) on its way into the handlers.

Escaped here, not where rows are written: handlers look rows up by event text (a plan's name keys the
affiliations of an organization's row), so the text a handler compares must be the text the row holds,
whether the row was made in this batch, read back from the table by a live worker, or kept in memory by a
rebuild. ``tracking.fold`` is the one way every event reaches a handler (live batches, parked retries,
rebuilds, replays), and it calls ``view_event``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

from domain.text import escape_text, first_refused

# What a value of each type is, learnt once per type: every event is looked at, so the look must be cheap.
_PLAIN, _TEXT, _SEQUENCE, _MAPPING, _RECORD, _SLOTTED_RECORD = range(6)
_KINDS: dict[type, int] = {}
_RECORD_FIELDS: dict[type, tuple[str, ...]] = {}
# Values that hold no text; an enum's value is one of its members' (a stored value that is not fails to decode).
_NO_TEXT = (UUID, datetime, date, int, float, Decimal, Enum, type(None))
_PLAIN_TYPES = frozenset({UUID, datetime, date, int, bool, float})  # exactly these: a set lookup, no isinstance
_NOT_TEXT_FIELDS = frozenset({"originator_id", "originator_version", "timestamp"})


def view_event(event: Any) -> Any:
    """The event itself when all its text is clean (nearly always), else a copy whose text, however deeply
    nested, is escaped. The check is one scan of the event's text joined (joining clean texts cannot make an
    unclean one), over the fields whose type can hold text: a rebuild looks at every stored event."""
    state = vars(event)
    event_class: type = type(event)
    names = _text_fields(event_class)
    texts = []
    for name in state if names is None else names:
        value = state.get(name)
        if type(value) is str:  # most are: no walk
            texts.append(value)
        elif value is not None and type(value) not in _PLAIN_TYPES:
            texts += _texts((value,))
    joined = "".join(texts)
    if joined.isprintable() or first_refused(joined, multiline=True) is None:
        return event
    # As the store's mapper makes events (services/store/transcoder.py): frozen, so set the state directly.
    copy = object.__new__(type(event))
    object.__setattr__(copy, "__dict__", {name: _escaped(value) for name, value in state.items()})
    return copy


@cache
def _text_fields(event_class: type) -> tuple[str, ...] | None:
    """The fields of an event class that can hold text, by their declared types (None: look at them all)."""
    try:
        hints = typing.get_type_hints(event_class)
    except Exception:  # a type this module cannot resolve: no field is skipped
        return None
    # The row's own columns (id, version) and the timestamp hold no text, whatever their declared types say.
    return tuple(name for name, hint in hints.items() if name not in _NOT_TEXT_FIELDS and _may_hold_text(hint))


def _may_hold_text(hint: Any) -> bool:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):  # get_type_hints has dropped Annotated
        return any(_may_hold_text(argument) for argument in typing.get_args(hint))
    # Else str, a dataclass, a list, a mapping, or a type not known here: it may.
    return not (isinstance(hint, type) and issubclass(hint, _NO_TEXT))


def _texts(values: Iterable[Any]) -> list[str]:
    """Every text the values hold, however deeply nested (a loop, not recursion: cheaper per value)."""
    texts = []
    pending = list(values)
    while pending:
        value = pending.pop()
        kind = _KINDS.get(type(value))
        if kind is None:
            kind = _kind(type(value))
        if kind == _PLAIN:
            continue
        if kind == _TEXT:
            texts.append(value)
        elif kind == _SEQUENCE:
            pending.extend(value)
        elif kind == _MAPPING:
            pending.extend(value.keys())
            pending.extend(value.values())
        elif kind == _RECORD:  # a dataclass (an address, a document, a snapshot): its fields are in its __dict__
            pending.extend(vars(value).values())
        else:
            pending.extend(getattr(value, name) for name in _RECORD_FIELDS[type(value)])
    return texts


def _kind(kind: type) -> int:
    found = _KINDS.get(kind)
    if found is None:
        if issubclass(kind, _NO_TEXT):
            found = _PLAIN
        elif issubclass(kind, str):
            found = _TEXT
        elif issubclass(kind, (list, tuple)):
            found = _SEQUENCE
        elif issubclass(kind, dict):
            found = _MAPPING
        elif dataclasses.is_dataclass(kind):
            found = _SLOTTED_RECORD if hasattr(kind, "__slots__") else _RECORD
            _RECORD_FIELDS[kind] = tuple(field.name for field in dataclasses.fields(kind))
        else:
            found = _PLAIN  # nothing else is stored in an event (the store's encoder would refuse it)
        _KINDS[kind] = found
    return found


def _escaped(value: Any) -> Any:
    """A copy of ``value`` with its text escaped (only called once something in the event needs it)."""
    kind = _kind(type(value))
    if kind == _TEXT:
        return escape_text(value)
    if kind == _PLAIN:
        return value
    if kind == _SEQUENCE:
        items = [_escaped(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)  # a named tuple, or not
    if kind == _MAPPING:
        return {_escaped(key): _escaped(item) for key, item in value.items()}
    fields = _RECORD_FIELDS[type(value)]
    return dataclasses.replace(value, **{name: _escaped(getattr(value, name)) for name in fields})
