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
import re
import types
import typing
from datetime import date, timedelta
from typing import Any

import pytest
from eventsourcing.domain import Aggregate, CanInitAggregate, CommandMethodDecorator
from eventsourcing.utils import get_topic, resolve_topic

from domain.access_log import AccessLog
from domain.application import Application
from domain.business_time import ANY
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.rendering import link_rendering
from domain.task import Resolution, Task
from domain.user_account import UserAccount
from tests.domain.builders import (
    TASK_OPENED_ON,
    VERIFIED_ON,
    a_license,
    open_account,
    open_task,
    register_peach,
    register_practitioner,
    submitted_application,
)

# Every event type, by aggregate: stored events carry these names (topic "domain.<module>:<Aggregate>.<Name>").
EVENTS = {
    Organization: """Registered ProfileCorrected NppesSnapshotRecorded NppesComparisonChanged PinLetterReceived
        ProviderNumberIssued ProviderNumberChanged Disenrolled RevalidationLetterReceived RenderingProviderLinked
        RenderingProviderUnlinked
        EftDetailsRecorded EftValidationRecorded
        AffiliationRequested AffiliationCredentialingStarted AffiliationContracted AffiliationActivated
        AffiliationDenied AffiliationWithdrawn AffiliationTerminated ScreeningRecorded ScreeningCleared
        ServiceLocationAdded ServiceLocationClosed ServiceLocationEnrolled LocationPrimaryUserNamed PersonDisclosed
        DisclosureEnded PersonScreeningRecorded PersonScreeningCleared PrimaryUserDesignated PrimaryUserReplaced""",
    UserAccount: """Opened ChecklistStepCompleted AccessGranted AccessRevoked AccessReviewed PersonDeparted
        EngagementEnded Deactivated Reactivated PasswordReset BackupNamed BackupEnded LoginRecorded
        DateOfBirthRecorded""",
    Application: """Opened DocumentAttached Submitted ReceiptConfirmed DeficiencyNoticed DeficiencyResolved
        ScreeningCompleted Approved Denied Rejected Withdrawn""",
    Practitioner: """Registered NppesSnapshotRecorded LicenseRecorded DeaRegistrationRecorded BoardCertificationRecorded
        MalpracticeCoverageRecorded CredentialEnded CaqhAttested LinkedToOrganization LinkEnded ScreeningRecorded
        ScreeningCleared""",
    Task: "Opened Assigned Snoozed Resolved",
    AccessLog: "Opened PersonalDataRead AccessRefused",
}
# Each event's business day (domain/business_time.py): the field holding it (None: the day it was recorded) and
# the parts of its record it touches (ANY: the whole record).
BUSINESS_DAYS: dict[type, dict[str, tuple[str | None, tuple[str, ...]]]] = {
    Organization: {
        "Registered": ("registered_on", (ANY,)),
        "ProfileCorrected": ("on", ("profile",)),
        "NppesSnapshotRecorded": ("snapshot.retrieved_on", ("profile",)),
        "NppesComparisonChanged": ("on", ("profile",)),
        "PinLetterReceived": ("received_on", ("pin",)),
        "ProviderNumberIssued": ("issued_on", ("provider_number",)),
        "ProviderNumberChanged": ("on", ("provider_number",)),
        "Disenrolled": ("on", ("provider_number",)),
        "RevalidationLetterReceived": ("received_on", ("revalidation",)),
        "RenderingProviderLinked": ("on", ("rendering:{npi}",)),
        "RenderingProviderUnlinked": ("on", ("rendering:{npi}",)),
        "EftDetailsRecorded": ("on", ("eft",)),
        "EftValidationRecorded": ("on", ("eft",)),
        "AffiliationRequested": ("on", ("affiliation:{plan}",)),
        "AffiliationCredentialingStarted": ("on", ("affiliation:{plan}",)),
        "AffiliationContracted": ("on", ("affiliation:{plan}",)),
        "AffiliationActivated": ("on", ("affiliation:{plan}",)),
        "AffiliationDenied": ("on", ("affiliation:{plan}",)),
        "AffiliationTerminated": ("on", ("affiliation:{plan}",)),
        "AffiliationWithdrawn": ("on", ("affiliation:{plan}",)),
        "ScreeningRecorded": ("screened_on", ("screening:{source}",)),
        "ScreeningCleared": ("on", ("screening:{source}",)),
        "ServiceLocationAdded": ("on", ("location:{code}",)),
        "ServiceLocationClosed": ("on", ("location:{code}",)),
        "ServiceLocationEnrolled": ("on", ("location:{code}",)),
        "LocationPrimaryUserNamed": ("on", ("location:{code}:primary_user",)),
        "PersonDisclosed": ("on", ("disclosure:{person_id}",)),
        "DisclosureEnded": ("on", ("disclosure:{person_id}",)),
        "PersonScreeningRecorded": ("screened_on", ("screening:{person_id}:{source}",)),
        "PersonScreeningCleared": ("on", ("screening:{person_id}:{source}",)),
        "PrimaryUserDesignated": ("on", ("primary_user",)),
        "PrimaryUserReplaced": ("on", ("primary_user",)),
    },
    UserAccount: {
        "Opened": ("opened_on", (ANY,)),
        "ChecklistStepCompleted": ("on", ("checklist",)),
        "AccessGranted": ("on", ("access:{function}",)),
        "AccessRevoked": ("on", ("access:{function}",)),
        "AccessReviewed": ("on", (ANY,)),
        "PersonDeparted": ("on", (ANY,)),
        "BackupNamed": ("on", ("backup",)),
        "BackupEnded": ("on", ("backup",)),
        "LoginRecorded": ("on", ("login",)),
        "DateOfBirthRecorded": (None, ("identity",)),
        "EngagementEnded": ("on", (ANY,)),
        "Deactivated": ("on", (ANY,)),
        "Reactivated": ("on", (ANY,)),
        "PasswordReset": ("on", ("password",)),
    },
    Application: {
        "Opened": ("opened_on", (ANY,)),
        "DocumentAttached": ("document.received_on", ("document:{document.type}",)),
        "Submitted": ("submitted_on", (ANY,)),
        "ReceiptConfirmed": ("received_on", ("receipt",)),
        "DeficiencyNoticed": ("noticed_on", (ANY,)),
        "DeficiencyResolved": ("resolved_on", (ANY,)),
        "ScreeningCompleted": ("completed_on", ("screening:{screening}",)),
        "Approved": ("decided_on", (ANY,)),
        "Denied": ("decided_on", (ANY,)),
        "Rejected": ("rejected_on", (ANY,)),
        "Withdrawn": ("withdrawn_on", (ANY,)),
    },
    Practitioner: {
        "Registered": ("registered_on", (ANY,)),
        "NppesSnapshotRecorded": ("snapshot.retrieved_on", ("nppes",)),
        "LicenseRecorded": ("on", ("license:{license.state}:{license.license_type}",)),
        "DeaRegistrationRecorded": ("on", ("dea:{registration.state}",)),
        "BoardCertificationRecorded": ("on", ("board:{certification.board}:{certification.specialty}",)),
        "MalpracticeCoverageRecorded": ("on", ("malpractice",)),
        "CredentialEnded": ("on", ("{credential}",)),  # its key: license:MA:MD, dea:MA... (the parts above)
        "CaqhAttested": ("attested_on", ("caqh",)),
        "LinkedToOrganization": ("on", ("link:{linked_organization_id}:{service_location}",)),
        "LinkEnded": ("on", ("link:{linked_organization_id}:{service_location}",)),
        "ScreeningRecorded": ("screened_on", ("screening:{source}",)),
        "ScreeningCleared": ("on", ("screening:{source}",)),
    },
    Task: {
        "Opened": ("on", (ANY,)),  # the first act's day: whatever it did, nothing of the task comes before it
        "Assigned": ("on", ("assignee",)),
        "Snoozed": ("on", ("snooze",)),
        "Resolved": ("on", (ANY,)),  # done or dismissed: the whole task
    },
    AccessLog: {"Opened": (None, (ANY,)), "PersonalDataRead": (None, (ANY,)), "AccessRefused": (None, (ANY,))},
}
# Parts an event only reads (a rule checked them), which therefore commute with other reads of them.
READS = {
    "AffiliationContracted": ("provider_number",),
    "AffiliationActivated": ("provider_number",),
    "ServiceLocationEnrolled": ("provider_number",),
    "RevalidationLetterReceived": ("provider_number",),
    "LocationPrimaryUserNamed": ("location:{code}", "provider_number"),
}
# The events that gained their business day (class_version 2): the field, just before ``actor``.
GAINED_A_DAY = {
    (Organization, "Registered"): "registered_on",
    (Organization, "ProfileCorrected"): "on",
    (Organization, "NppesComparisonChanged"): "on",
    (Organization, "RenderingProviderLinked"): "on",
    (Organization, "RenderingProviderUnlinked"): "on",
    (Organization, "EftDetailsRecorded"): "on",
    (Organization, "PrimaryUserDesignated"): "on",
    (Organization, "PrimaryUserReplaced"): "on",
    (UserAccount, "Opened"): "opened_on",
    (UserAccount, "AccessGranted"): "on",
    (UserAccount, "AccessRevoked"): "on",
    (UserAccount, "Deactivated"): "on",
    (UserAccount, "Reactivated"): "on",
    (Application, "Opened"): "opened_on",
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
    assert len(METHODS) == 76


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


@pytest.mark.parametrize(
    "aggregate", [Organization, UserAccount, Application, Practitioner, Task], ids=lambda a: a.__name__
)
def test_each_aggregate_records_corrections_of_days_under_its_own_topic(aggregate: type) -> None:
    recorded = aggregate.EffectiveDateCorrected  # type: ignore[attr-defined]
    assert issubclass(recorded, aggregate.Event) and recorded.corrects_a_day
    assert get_topic(recorded) == f"{aggregate.__module__}:{aggregate.__qualname__}.EffectiveDateCorrected"
    assert (recorded.effective_field, recorded.touches) == (None, ())  # states no fact, touches no part


def test_commands_record_the_derived_classes() -> None:
    log = AccessLog.open(tenant_id="firm-a", subject_id=None, actor="user-1")
    group, practitioner = register_peach(), register_practitioner()
    practitioner.record_credential(a_license(), on=VERIFIED_ON, actor="user-1")
    link_rendering(practitioner, group, service_location="A", on=VERIFIED_ON, actor="user-1")  # both records
    task = open_task()  # the first act on a work-queue task opens it
    task.assign(assignee="kim", on=TASK_OPENED_ON, actor="user-1")
    task.snooze(until=TASK_OPENED_ON + timedelta(days=4), on=TASK_OPENED_ON, actor="user-1")
    task.resolve(resolution=Resolution.COMPLETED, on=TASK_OPENED_ON, actor="user-1")
    for aggregate in (group, open_account(), submitted_application(), practitioner, task, log):
        for recorded in aggregate.collect_events():
            assert type(recorded) is getattr(type(aggregate), type(recorded).__name__)
            assert isinstance(recorded, type(aggregate).Event)


# --- business days (domain/business_time.py) -------------------------------------------------------------------


def _plain(hint: Any) -> Any:
    """``Annotated[date | None, PII]`` -> ``date``: the type a hint names, without metadata or None."""
    if typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    return args[0] if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1 else hint


def _field_type(event_class: type, path: str) -> Any:
    hint: Any = event_class
    for name in path.split("."):
        hint = _plain(typing.get_type_hints(hint)[name])
    return hint


@pytest.mark.parametrize("method", METHODS, ids=_name)
def test_each_event_names_its_business_day_and_the_parts_it_touches(
    method: tuple[type, CommandMethodDecorator],
) -> None:
    aggregate, decorator = method
    declared = decorator.given_event_cls
    assert declared is not None
    effective_field, touches = BUSINESS_DAYS[aggregate][declared.__name__]
    recorded = getattr(aggregate, declared.__name__)
    assert (recorded.effective_field, recorded.touches) == (effective_field, touches)
    if effective_field is not None:
        assert _field_type(declared, effective_field) is date
    assert recorded.reads == READS.get(declared.__name__, ())
    fields = {f.name for f in dataclasses.fields(declared)}
    for template in (*touches, *recorded.reads):
        assert {path.split(".")[0] for path in re.findall(r"{([a-z_.]+)}", template)} <= fields, template


@pytest.mark.parametrize("aggregate, name", list(GAINED_A_DAY), ids=lambda v: getattr(v, "__name__", v))
def test_an_event_that_gained_its_day_is_version_2_with_the_day_before_the_actor(aggregate: type, name: str) -> None:
    declared = getattr(aggregate, name)
    fields = [f.name for f in dataclasses.fields(declared) if f.name not in SET_BY_EVENTSOURCING]
    later = ADDED_SINCE.get((aggregate, name), [])
    assert fields[len(fields) - len(later) - 3 :] == [GAINED_A_DAY[(aggregate, name)], "actor", "reason", *later]
    assert declared.class_version == 2 + len(later)
    assert callable(declared.upcast_v1_v2)


# Fields an event gained after its day, each in a version of its own (upcast_v2_v3...), after ``reason``.
ADDED_SINCE = {(Application, "Opened"): ["service_location", "practitioner_id"]}


def test_no_other_event_changed_version() -> None:
    versioned = {
        (aggregate, name)
        for aggregate, events in EVENTS.items()
        for name in events.split()
        if getattr(getattr(aggregate, name), "class_version", 1) != 1
    }
    # Submitted gained the payer's receipt (received_on) after its actor and reason.
    assert versioned == {*GAINED_A_DAY, (Application, "Submitted")}


def test_a_submission_stored_before_receipts_were_kept_was_received_the_day_it_was_sent() -> None:
    state = {"submitted_on": "2026-03-02", "overridden_mismatches": [], "override_reason": None}
    Application.Submitted.upcast_v1_v2(state)
    assert state["received_on"] == "2026-03-02"
