"""What every credledger aggregate shares: the tenant it belongs to, and who acted."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from domain.business_time import ANY, FactDays, check_effective_day, describe, effective_day, fact_keys, field_at
from domain.errors import InvalidValue
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
        day = _new_day(event_class, kwargs)
        if day is not None:
            earlier = self.fact_days.follows(fact_keys(event_class, kwargs), fact_keys(event_class, kwargs, "reads"))
            check_effective_day(day, describe(event_class), earlier)
        super().trigger_event(event_class, **kwargs)


def _new_day(event_class: Any, fields: dict[str, Any]) -> Any:
    """A new event's business day, if its class names the field holding one."""
    path = getattr(event_class, "effective_field", None)
    return field_at(fields, path) if path else None
