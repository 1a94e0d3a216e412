"""Every event records who acted and why; every event type round-trips through the store's transcoder."""

from __future__ import annotations

import dataclasses

import pytest
from eventsourcing.domain import CanMutateAggregate

from domain.application import Application
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.task import Task
from domain.user_account import UserAccount
from services.store.transcoder import pii_fields, state_decoder


def _event_classes() -> list[type]:
    found = []
    for aggregate in (Organization, UserAccount, Application, Practitioner, Task):
        for value in vars(aggregate).values():
            # eventsourcing also defines a generic "Created" class on each aggregate, unused here.
            if (
                isinstance(value, type)
                and issubclass(value, CanMutateAggregate)
                and value is not aggregate.Event
                and value.__name__ != "Created"
            ):
                found.append(value)
    return found


EVENTS = _event_classes()


def test_every_aggregate_has_its_events() -> None:
    names = {e.__qualname__ for e in EVENTS}
    assert {
        "Organization.Registered",
        "UserAccount.Opened",
        "Application.Opened",
        "Application.Approved",
        "Practitioner.Registered",
        "Practitioner.LinkEnded",
        "Task.Opened",
        "Task.Resolved",
    } <= names
    assert len(EVENTS) == 78  # a new event type must be added here deliberately
    corrections = {e.__qualname__ for e in EVENTS if e.__name__ == "EffectiveDateCorrected"}
    aggregates = ("Organization", "UserAccount", "Application", "Practitioner", "Task")
    assert corrections == {f"{a}.EffectiveDateCorrected" for a in aggregates}


@pytest.mark.parametrize("event_class", EVENTS, ids=lambda e: e.__qualname__)
def test_event_records_actor_and_reason(event_class: type) -> None:
    fields = {f.name for f in dataclasses.fields(event_class)}
    assert {"actor", "reason", "timestamp"} <= fields
    state_decoder(event_class)  # a typed decoder can be built for its stored state


def test_pii_fields_are_the_expected_ones() -> None:
    marked = {(e.__qualname__, name) for e in EVENTS for name in pii_fields(e)}
    assert marked == {
        ("Organization.Registered", "tin"),
        ("Organization.ProfileCorrected", "tin"),
        ("Organization.NppesSnapshotRecorded", "nppes_tin"),
        ("Organization.PinLetterReceived", "pin"),
        ("Organization.EftDetailsRecorded", "account_number"),
        ("Organization.PersonDisclosed", "tin"),  # an owner's or managing employee's SSN (an entity's EIN)
        ("Organization.PersonDisclosed", "birth_date"),
        ("UserAccount.Opened", "date_of_birth"),
        ("UserAccount.DateOfBirthRecorded", "date_of_birth"),
        ("Practitioner.Registered", "date_of_birth"),
    }  # a task holds no personal data: its cause names records by id, its assignee is a user id
