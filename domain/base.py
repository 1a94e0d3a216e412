"""What every credledger aggregate shares: the tenant it belongs to, and who acted."""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.business_time import (
    ANY,
    FactDays,
    check_effective_day,
    describe,
    effective_day,
    fact_keys,
    field_at,
    with_day,
)
from domain.date_corrections import check_correction
from domain.errors import InvalidValue, RuleViolation
from domain.text import check_event_text, clean_text

# Tenant ids become NATS subject tokens (credledger.<tenant>.<aggregate>.<event>),
# so they may not contain dots, wildcards or whitespace.
_TENANT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def check_tenant_id(tenant_id: str) -> str:
    if not isinstance(tenant_id, str) or not _TENANT_ID.fullmatch(tenant_id):
        raise InvalidValue("A tenant id is 1-64 letters, digits, '-' or '_'.", field="tenant", rule="invalid-tenant")
    return tenant_id


def check_text(value: str, *, field: str, max_length: int = 200, multiline: bool = False) -> str:
    """Clean (domain/text.py), not blank, at most ``max_length`` characters; surrounding spaces dropped."""
    value = clean_text(value, field=field, multiline=multiline).strip() if isinstance(value, str) else ""
    if not value:
        raise InvalidValue(f"{field} must not be empty.", field=field)
    if len(value) > max_length:
        raise InvalidValue(f"{field} is longer than {max_length} characters.", field=field)
    return value


def require_reason(reason: str | None, message: str) -> None:
    """A command whose rule asks why (a denial, a match cleared, an enrollment ended): RuleViolation
    "reason-required" with ``message`` unless the reason says something."""
    if not clean_text(reason or "", field="reason", multiline=True).strip():
        raise RuleViolation("reason-required", message)


class TenantAggregate(Aggregate):
    """An aggregate owned by one tenant. Every event names the acting user and may carry a reason.

    Every event is a class declared in the aggregate's body (``class Submitted(TenantAggregate.Event)``), whose
    fields are the parameters of the event method that ``@event(Submitted)`` decorates: the same names, order and
    types (Organization's fields are in organization_events.py, for size). So code elsewhere can annotate
    ``event: Application.Submitted``, and a type checker knows its fields. eventsourcing records a subclass it
    derives of the same name, ``Application.Submitted``, whose topic (``domain.application:Application.Submitted``)
    stored events carry: renaming an event class breaks the stores. tests/domain/test_event_classes.py checks both."""

    tenant_id: str
    fact_days: FactDays  # per part of the record, its latest fact's business day (domain/business_time.py)
    # Every event of the record as applied (a corrected fact on its corrected day): a correction folds them again.
    history: list[Any]

    # Every event, new or replayed, notes its business day on the record's parts it touches.
    class Event(Aggregate.Event):
        # The field holding the fact's business day (None: the day it was recorded), and the parts of the record
        # it changes and those it only reads, as templates over its fields (domain/business_time.py).
        effective_field: ClassVar[str | None] = None
        touches: ClassVar[tuple[str, ...]] = (ANY,)
        reads: ClassVar[tuple[str, ...]] = ()  # parts it only reads: a rule checked them (see FactDays)

        def mutate(self, aggregate: Any) -> Any:
            # A creation passes here too (eventsourcing's Created is also the aggregate's Event): it starts the days.
            aggregate = super().mutate(aggregate)
            aggregate.__dict__.setdefault("history", []).append(self)
            days = aggregate.__dict__.setdefault("fact_days", FactDays())
            days.note(
                fact_keys(type(self), self),
                fact_keys(type(self), self, "reads"),
                effective_day(self),
                describe(type(self)),
            )
            return aggregate

    class Created(Event, Aggregate.Created):
        effective_field: ClassVar[str | None] = None

    class EffectiveDateCorrected(Event):
        """The fact at ``corrected_version`` took effect ``on``, not ``was`` (domain/date_corrections.py). Each
        aggregate declares its own subclass, so the topic names the aggregate. It states no fact of its own (it
        touches no part of the record), and ``organization_id`` tells the views which organization's rows to
        fold again."""

        corrects_a_day: ClassVar[bool] = True
        touches: ClassVar[tuple[str, ...]] = ()
        organization_id: UUID
        corrected_version: int
        fact: str  # the corrected event's class name (AccessGranted)
        was: date
        on: date
        actor: str
        reason: str

        def mutate(self, aggregate: Any) -> Any:
            aggregate = super().mutate(aggregate)
            _refold(aggregate, self)
            return aggregate

    # Every new event passes here, whichever command triggers it (its creation through _create, the rest
    # through trigger_event); replaying stored events does not. So no event is recorded with unclean text, dated
    # in the future, or dated before a fact it follows.
    @classmethod
    def _create(cls, event_class: Any, **kwargs: Any) -> Any:
        check_event_text(kwargs)
        day = _new_day(event_class, kwargs)
        if day is not None:
            check_effective_day(day, describe(event_class))
        return super()._create(event_class, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        check_event_text(kwargs)
        self.check_fact_day(event_class, **kwargs)
        super().trigger_event(event_class, **kwargs)

    def check_fact_day(self, event_class: Any, **fields: Any) -> None:
        """Refuse, as triggering it would, an event of this class with these fields dated in the future or before a
        fact it follows: a rule spanning two records checks both before changing either."""
        day = _new_day(event_class, fields)
        if day is not None:
            earlier = self.fact_days.follows(fact_keys(event_class, fields), fact_keys(event_class, fields, "reads"))
            check_effective_day(day, describe(event_class), earlier)

    def correct_effective_date(self, *, version: int, on: date, actor: str, reason: str) -> None:
        """Say that the fact at ``version`` took effect ``on``: refused if it has no business day, already has
        that one, or ``on`` would break the order of the facts it shares a part with."""
        target = check_correction(self.history, version, on)
        self.trigger_event(
            type(self).EffectiveDateCorrected,
            organization_id=getattr(self, "organization_id", self.id),  # an organization's own id
            corrected_version=version,
            fact=type(target).__name__,
            was=effective_day(target),
            on=on,
            actor=actor,
            reason=check_text(reason, field="reason", max_length=2000, multiline=True),
        )


_folding_again: ContextVar[bool] = ContextVar("credledger_folding_again", default=False)


def _refold(aggregate: Any, correction: TenantAggregate.EffectiveDateCorrected) -> None:
    """Fold the record's events again with the corrected fact on its new day, in place (the pending events
    stay)."""
    if _folding_again.get():
        return  # the history being folded has every earlier correction's day already
    history = aggregate.history
    index = next(i for i, e in enumerate(history) if e.originator_version == correction.corrected_version)
    history = [*history[:index], with_day(history[index], correction.on), *history[index + 1 :]]
    fresh = None
    token = _folding_again.set(True)
    try:
        for event in history:
            fresh = event.mutate(fresh)
    finally:
        _folding_again.reset(token)
    pending = aggregate._pending_events
    aggregate.__dict__.clear()
    aggregate.__dict__.update(fresh.__dict__)
    aggregate._pending_events = pending


def _new_day(event_class: Any, fields: dict[str, Any]) -> Any:
    """A new event's business day, if its class names the field holding one."""
    path = getattr(event_class, "effective_field", None)
    return field_at(fields, path) if path else None
