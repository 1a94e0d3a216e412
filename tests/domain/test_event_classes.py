"""The event contract: every event is a declared class whose fields are its event method's parameters, and the
class eventsourcing records from it keeps the name stored events carry.

Code elsewhere annotates ``event: Application.Submitted`` and a type checker takes the fields from the declared
class; eventsourcing applies an event by calling its method with the event's fields, and the store writes them in
the class's field order and decodes each to its declared type. So the fields must be the method's parameters
exactly: names, order and types (``Annotated[..., PII]`` included). A stored event names its class by topic, so
renaming one, or moving it, would leave existing stores undecodable.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing

import pytest
from eventsourcing.domain import Aggregate, CanInitAggregate, CommandMethodDecorator
from eventsourcing.utils import get_topic, resolve_topic

from domain.access_log import AccessLog
from domain.application import Application
from domain.organization import Organization
from domain.user_account import UserAccount
from tests.domain.builders import open_account, register_peach, submitted_application

# Every event type, by aggregate: stored events carry these names (topic "domain.<module>:<Aggregate>.<Name>").
EVENTS = {
    Organization: """Registered ProfileCorrected NppesSnapshotRecorded NppesComparisonChanged PinLetterReceived
        ProviderNumberIssued RenderingProviderLinked RenderingProviderUnlinked EftDetailsRecorded EftValidationRecorded
        AffiliationRequested AffiliationCredentialingStarted AffiliationContracted AffiliationActivated
        AffiliationDenied AffiliationTerminated ScreeningRecorded ScreeningCleared PrimaryUserDesignated
        PrimaryUserReplaced""",
    UserAccount: """Opened ChecklistStepCompleted AccessGranted AccessRevoked AccessReviewed PersonDeparted
        Deactivated Reactivated PasswordReset""",
    Application: """Opened DocumentAttached Submitted DeficiencyNoticed DeficiencyResolved ScreeningCompleted
        Approved Denied Rejected Withdrawn""",
    AccessLog: "Opened PersonalDataRead AccessRefused",
}
# The fields eventsourcing sets on every event (and the aggregate's topic, on a creation).
SET_BY_EVENTSOURCING = {f.name for f in dataclasses.fields(Aggregate.Created)}

METHODS = [
    (aggregate, decorator)
    for aggregate in EVENTS
    for decorator in vars(aggregate).values()
    if isinstance(decorator, CommandMethodDecorator)
]


def _name(method: tuple[type, CommandMethodDecorator]) -> str:
    return method[1].decorated_func.__qualname__


def test_every_event_has_one_method() -> None:
    declared = {
        a: sorted(d.given_event_cls.__name__ for b, d in METHODS if b is a and d.given_event_cls) for a in EVENTS
    }
    assert declared == {a: sorted(names.split()) for a, names in EVENTS.items()}
    assert len(METHODS) == 42


@pytest.mark.parametrize("method", METHODS, ids=_name)
def test_the_declared_fields_are_the_method_parameters(method: tuple[type, CommandMethodDecorator]) -> None:
    aggregate, decorator = method
    declared = decorator.given_event_cls
    assert declared is not None, "@event names the declared class, not a string"
    assert declared.__qualname__ == f"{aggregate.__qualname__}.{declared.__name__}"
    parameters = list(inspect.signature(decorator.decorated_func).parameters)[1:]  # self
    fields = [f.name for f in dataclasses.fields(declared) if f.name not in SET_BY_EVENTSOURCING]
    assert fields == parameters
    field_types = typing.get_type_hints(declared, include_extras=True)
    parameter_types = typing.get_type_hints(decorator.decorated_func, include_extras=True)
    assert [field_types[name] for name in fields] == [parameter_types[name] for name in parameters]


@pytest.mark.parametrize("method", METHODS, ids=_name)
def test_the_recorded_class_keeps_its_topic(method: tuple[type, CommandMethodDecorator]) -> None:
    aggregate, decorator = method
    declared = decorator.given_event_cls
    assert declared is not None
    recorded = getattr(aggregate, declared.__name__)
    assert issubclass(recorded, declared)
    assert issubclass(recorded, aggregate.Event)
    assert issubclass(recorded, CanInitAggregate) is (decorator.decorated_func.__name__ == "__init__")
    topic = get_topic(recorded)
    assert topic == f"{aggregate.__module__}:{aggregate.__qualname__}.{declared.__name__}"
    assert resolve_topic(topic) is recorded


def test_commands_record_the_derived_classes() -> None:
    log = AccessLog.open(tenant_id="firm-a", subject_id=None, actor="user-1")
    for aggregate in (register_peach(), open_account(), submitted_application(), log):
        for recorded in aggregate.collect_events():
            assert type(recorded) is getattr(type(aggregate), type(recorded).__name__)
            assert isinstance(recorded, type(aggregate).Event)
