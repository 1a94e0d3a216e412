"""Event (de)serialisation with msgspec.

eventsourcing's default JSONTranscoder walks every value in Python and tags
non-JSON types; msgspec encodes UUID, datetime, date, Decimal and enums natively
in C. Decoding is typed: for each event class we build a msgspec Struct from the
class's own annotations, so a stored ``"2026-04-20"`` comes back as a ``date``
and an enum value as its enum, without per-value tags in the stored JSON.
"""

from __future__ import annotations

import dataclasses
import typing
from functools import cache
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from domain.pii import is_pii
from services.store.pii import FieldCipher, current_tenant

# Set by the mapper from the stored row, never part of the stored state.
_ROW_FIELDS = ("originator_id", "originator_version")


class MsgspecTranscoder(Transcoder):
    """Encodes plain values to JSON bytes; decodes untyped (see EventMapper for typed)."""

    def __init__(self) -> None:
        self._encoder = msgspec.json.Encoder(decimal_format="string")

    def encode(self, obj: Any) -> bytes:
        return self._encoder.encode(obj)

    def decode(self, data: bytes) -> Any:
        return msgspec.json.decode(data)


@cache
def pii_fields(event_class: type) -> dict[str, Any]:
    """The event's PII fields and their declared types."""
    hints = typing.get_type_hints(event_class, include_extras=True)
    return {name: typing.get_args(hint)[0] for name, hint in hints.items() if is_pii(hint)}


@cache
def state_struct(event_class: type) -> type[msgspec.Struct]:
    """The typed shape of one event class's stored state (all fields but the row's own).

    PII fields are stored sealed, so they decode as strings (or null) here."""
    hints = typing.get_type_hints(event_class)
    sealed = pii_fields(event_class)
    fields = [
        (f.name, (str | None) if f.name in sealed else hints[f.name])
        for f in dataclasses.fields(event_class)
        if f.name not in _ROW_FIELDS
    ]
    return msgspec.defstruct(f"{event_class.__qualname__}State", fields, forbid_unknown_fields=False)


@cache
def state_decoder(event_class: type) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(state_struct(event_class))


class _StoredVersion(msgspec.Struct):
    """The version of an event class a state was stored under (eventsourcing's ``class_version``; absent: 1)."""

    class_version: int = 1


_version_decoder = msgspec.json.Decoder(_StoredVersion)


def _decode_state(event_class: type, data: bytes) -> Any:
    """The stored state as the event class declares it now. A class that changed shape declares
    ``class_version = N`` and static ``upcast_vK_vK+1(state)`` methods, eventsourcing's convention for upcasting
    (its own Mapper applies them; this mapper replaces that one, so it must too): a state stored under an older
    version is brought up to date, one version at a time, before it is typed."""
    current = getattr(event_class, "class_version", 1)
    if current == 1 or _version_decoder.decode(data).class_version == current:
        return state_decoder(event_class).decode(data)  # the common case: no version, or the current one
    state: dict[str, Any] = msgspec.json.decode(data)
    version = state.pop("class_version", 1)
    while version < current:
        getattr(event_class, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
    return msgspec.convert(state, state_struct(event_class))


class EventMapper(Mapper[UUID]):
    """Maps domain events to stored events and back, decoding each field to its declared type.

    With a FieldCipher, PII fields are sealed on the way in and opened on the way
    out, under the tenant of the current ``tenant_scope``. Without one (relay,
    projections) PII fields stay sealed strings: those components never see PII.
    """

    def __init__(self, transcoder: Transcoder, field_cipher: FieldCipher | None = None) -> None:
        super().__init__(transcoder=transcoder)
        self.field_cipher = field_cipher

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        event_class: type = type(domain_event)
        for name in pii_fields(event_class):
            if state[name] is not None:
                state[name] = self._cipher().seal(_tenant(), name, state[name])
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:  # as eventsourcing's own mapper records it, for upcasting later versions
            state["class_version"] = class_version
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(type(domain_event)),
            state=self.transcoder.encode(state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event_class = resolve_topic(stored_event.topic)
        decoded = _decode_state(event_class, stored_event.state)
        state = {name: getattr(decoded, name) for name in decoded.__struct_fields__}
        if self.field_cipher is not None:
            for name, kind in pii_fields(event_class).items():
                if state[name] is not None:
                    state[name] = self.field_cipher.open(_tenant(), name, state[name], kind)
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        domain_event = object.__new__(event_class)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event

    def _cipher(self) -> FieldCipher:
        if self.field_cipher is None:
            raise RuntimeError("This mapper cannot store PII: it has no field cipher.")
        return self.field_cipher


def _tenant() -> str:
    tenant_id = current_tenant.get()
    if tenant_id is None:
        raise RuntimeError("PII can only be encoded or decoded inside tenant_scope().")
    return tenant_id
