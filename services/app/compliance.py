"""Compliance use cases: a record's history, its state as of a past moment, and the access log
(personal-data reads and refused attempts) that appears in that history."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import StoredEvent

from domain.access_log import AccessLog, access_log_id
from domain.base import TenantAggregate
from domain.business_time import state_on
from services.app.base import Actor, NotFound, TenantApplication, VersionConflict, mutate_all
from services.store.pii import tenant_scope
from services.store.recorder import EVENTS_TABLE
from services.store.transcoder import EventMapper, MsgspecTranscoder, pii_fields

A = TypeVar("A", bound=TenantAggregate)
sealed_mapper = EventMapper(MsgspecTranscoder())  # no key: history never opens personal data
_ROW = {"originator_id", "originator_version", "originator_topic", "timestamp", "actor", "reason", "tenant_id"}
PERSONAL_DATA = "[personal data]"


class HistoryEntry(msgspec.Struct, kw_only=True):
    sequence: int  # the event's position in the store: the order things happened in
    record: str  # "organization", "user_account", "application" or "access_log"
    version: int
    kind: str  # the event's name, e.g. "AccessGranted"
    recorded_at: datetime
    actor: str  # the acting user's id
    actor_role: str | None  # the role their token carried (None for events before roles were kept)
    request_id: str | None = None  # the HTTP request that recorded it (its X-Request-ID), when one did
    reason: str | None
    summary: str
    data: dict[str, Any]  # the event's fields; personal data shown only as "[personal data]"


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower().capitalize()


def _summary(kind: str, data: dict[str, Any]) -> str:
    """ "Access granted: function claims_batch" — the event's name and its short, plain fields."""
    shown = [
        f"{key.replace('_', ' ')} {value}"
        for key, value in data.items()
        if value not in (None, [], {}, PERSONAL_DATA) and isinstance(value, (str, int, float)) and len(str(value)) <= 60
    ]
    return _words(kind) + (": " + ", ".join(shown[:4]) if shown else "")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def history_entry(event: Any, sequence: int, actor_role: str | None, request_id: str | None = None) -> HistoryEntry:
    """An event as the compliance history (and a webhook) shows it: its fields with personal data left out."""
    name = type(event).__name__
    event_class: type = type(event)
    personal = pii_fields(event_class)
    data = {
        f.name: PERSONAL_DATA if f.name in personal else msgspec.to_builtins(getattr(event, f.name))
        for f in dataclasses.fields(event)
        if f.name not in _ROW
    }
    owner = type(event).__qualname__.split(".")[0]
    return HistoryEntry(
        sequence=sequence,
        record=_snake(owner),
        version=event.originator_version,
        kind=name,
        recorded_at=event.timestamp,
        actor=event.actor,
        actor_role=actor_role,
        request_id=request_id,
        reason=event.reason,
        summary=_summary(name, data),
        data=data,
    )


class ComplianceUseCases(TenantApplication):
    def _owned(self, actor: Actor, kind: type[TenantAggregate], aggregate_id: UUID) -> None:
        """NotFound unless the record exists, is of that kind and belongs to the caller's tenant."""
        rows = self.fetch(
            f"SELECT tenant_id, topic FROM {EVENTS_TABLE} WHERE originator_id = %s AND originator_version = 1",
            aggregate_id,
        )
        row = rows[0] if rows else None
        if row is None or row["tenant_id"] != actor.tenant_id or f":{kind.__name__}." not in row["topic"]:
            raise NotFound(f"No {kind.__name__} {aggregate_id}.")

    def _stored(self, *aggregate_ids: UUID) -> list[dict[str, Any]]:
        return self.fetch(
            f"SELECT notification_id, originator_id, originator_version, topic, state, actor_role, request_id "
            f"FROM {EVENTS_TABLE} WHERE originator_id = ANY(%s) ORDER BY notification_id",
            list(aggregate_ids),
        )

    def history(
        self,
        actor: Actor,
        kind: type[TenantAggregate],
        aggregate_id: UUID,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: frozenset[str] | None = None,
    ) -> list[HistoryEntry]:
        """Every event of the record and of its access log, in the order they happened."""
        self._owned(actor, kind, aggregate_id)
        entries = []
        for row in self._stored(aggregate_id, access_log_id(actor.tenant_id, aggregate_id)):
            stored = StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
            event = sealed_mapper.to_domain_event(stored)
            name = type(event).__name__
            if name == "Opened" and isinstance(event, AccessLog.Event):
                continue  # the log's own opening says nothing about the record
            if (
                (since and event.timestamp < since)
                or (until and event.timestamp > until)
                or (kinds and name not in kinds)
            ):
                continue
            entries.append(history_entry(event, row["notification_id"], row["actor_role"], row["request_id"]))
        return entries

    def as_of(self, actor: Actor, kind: type[A], aggregate_id: UUID, on: date, known_at: datetime | None = None) -> A:
        """The record as it stood on business day ``on``: the facts effective by then, in business order
        (domain/business_time.py); with ``known_at``, only those recorded by that moment, as the firm knew them."""
        held = self.held(aggregate_id)  # in a unit of work (an import): with the changes not stored yet
        if held is None:
            self._owned(actor, kind, aggregate_id)
        elif not isinstance(held, kind) or held.tenant_id != actor.tenant_id:
            raise NotFound(f"No {kind.__name__} {aggregate_id}.")
        stored = [
            StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
            for row in self._stored(aggregate_id)
        ]
        with tenant_scope(actor.tenant_id):
            events = [*map(self.mapper.to_domain_event, stored), *(held.pending_events if held else ())]
            then = state_on(events, on, known_at)
        if not isinstance(then, kind):
            known = f" as known at {known_at.isoformat()}" if known_at else ""
            raise NotFound(f"{kind.__name__} {aggregate_id} did not exist on {on.isoformat()}{known}.")
        return then

    def on_day(self, actor: Actor, kind: type[A], aggregate_id: UUID, on: date) -> tuple[A, A | None]:
        """The record now, and as it stood on business day ``on`` (None: it did not exist yet). When none of its
        facts took effect after ``on`` (the usual case, a fact recorded the day it happened) the two are the same
        and its events are read once."""
        current = self.load(actor, kind, aggregate_id)
        latest = current.fact_days.latest_day()
        if latest is None or latest <= on:
            return current, current
        try:
            return current, self.as_of(actor, kind, aggregate_id, on)
        except NotFound:
            return current, None

    # --- the access log --------------------------------------------------------------------------

    def log_personal_data_read(self, actor: Actor, subject_id: UUID, fields: list[str], purpose: str) -> None:
        self._log(
            actor,
            subject_id,
            lambda log: log.record_personal_data_read(
                fields=fields, actor=actor.user_id, actor_role=actor.role, reason=purpose
            ),
        )

    def log_refusal(self, actor: Actor, subject_id: UUID | None, action: str, why: str) -> None:
        """A refused attempt, under the record it aimed at (or the firm's own log)."""
        if subject_id is not None and self.owner_of(subject_id) != actor.tenant_id:
            subject_id = None  # never write into another tenant's record's log
        self._log(
            actor,
            subject_id,
            lambda log: log.record_refusal(action=action, actor=actor.user_id, actor_role=actor.role, reason=why),
        )

    def _log(self, actor: Actor, subject_id: UUID | None, act: Any) -> None:
        # Two readers at once may both append version N: the loser reloads and appends N+1.
        for _ in range(5):
            try:
                with tenant_scope(actor.tenant_id):
                    log = self.repository.get(access_log_id(actor.tenant_id, subject_id), projector_func=mutate_all)
            except AggregateNotFoundError:
                log = AccessLog.open(tenant_id=actor.tenant_id, subject_id=subject_id, actor=actor.user_id)
            act(log)
            try:
                self.record(actor, log)
                return
            except VersionConflict:
                continue
        raise VersionConflict("The access log is too busy; try again.")
