"""Rebuilding each aggregate from its own events gives back exactly the same state (no store, no I/O)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from eventsourcing.domain import OriginatorVersionError

from domain.application import Application, ApplicationStatus
from domain.errors import RuleViolation
from domain.organization import EntityKind, Organization
from domain.user_account import AccountStatus, PoscFunction, UserAccount


def replay(events):
    """The first (created) event builds the aggregate from None; each later one mutates it."""
    aggregate = events[0].mutate(None)
    for event in events[1:]:
        aggregate = event.mutate(aggregate)
    return aggregate


def test_organization_replays_to_equal_state():
    org = Organization.register(
        tenant_id="firm-a",
        legal_name="PEACH STATE MEDICAL PRACTICE, PC",
        npi="1174270805",
        entity_kind="group",
        actor="user-1",
        reason=None,
    )
    events = org.collect_events()
    rebuilt = replay(events)
    assert type(rebuilt) is Organization
    assert rebuilt is not org
    assert rebuilt == org
    assert (rebuilt.id, rebuilt.version, rebuilt.created_on) == (org.id, 1, org.created_on)
    assert (rebuilt.tenant_id, rebuilt.legal_name, rebuilt.npi) == (
        "firm-a",
        "PEACH STATE MEDICAL PRACTICE, PC",
        "1174270805",
    )
    assert rebuilt.entity_kind is EntityKind.GROUP
    assert rebuilt.pending_events == []


def test_user_account_replays_to_equal_state_including_refused_commands():
    account = UserAccount.open(
        tenant_id="firm-a", organization_id=uuid4(), person_name="Jo Dunn", role="business_partner", actor="user-1"
    )
    account.grant_access("claims_batch", actor="user-1")
    with pytest.raises(RuleViolation):
        account.grant_access("claims_batch", actor="user-1")
    account.grant_access("claim_status_remittance", actor="user-2", reason="billing")
    account.deactivate(actor="user-3")
    with pytest.raises(RuleViolation):
        account.deactivate(actor="user-3")

    events = account.collect_events()
    assert [type(e) for e in events] == [
        UserAccount.Opened,
        UserAccount.AccessGranted,
        UserAccount.AccessGranted,
        UserAccount.Deactivated,
    ]
    rebuilt = replay(events)
    assert rebuilt == account
    assert rebuilt.version == account.version == 4
    assert rebuilt.modified_on == account.modified_on == events[-1].timestamp
    assert rebuilt.status is AccountStatus.DEACTIVATED
    assert rebuilt.grants == [PoscFunction.CLAIMS_BATCH, PoscFunction.CLAIM_STATUS_REMITTANCE]
    # The rebuilt aggregate enforces the same rules as the original.
    with pytest.raises(RuleViolation) as caught:
        rebuilt.grant_access("letters_reports", actor="user-1")
    assert caught.value.rule == "account-not-active"


def test_user_account_prefix_replays_to_intermediate_state():
    account = UserAccount.open(
        tenant_id="firm-a", organization_id=uuid4(), person_name="Jo Dunn", role="primary", actor="user-1"
    )
    account.grant_access("eligibility_verification", actor="user-1")
    account.deactivate(actor="user-1")
    events = account.collect_events()
    partial = replay(events[:2])
    assert partial.version == 2
    assert partial.status is AccountStatus.ACTIVE
    assert partial.grants == [PoscFunction.ELIGIBILITY_VERIFICATION]
    assert partial != account


@pytest.mark.parametrize("decision", ["approved", "denied"])
def test_application_replays_to_equal_state(decision):
    application = Application.open(
        tenant_id="firm-a", organization_id=uuid4(), kind="revalidation", channel="mail", actor="user-1"
    )
    application.submit(submitted_on=date(2026, 1, 5), actor="user-1")
    with pytest.raises(RuleViolation):
        application.decide(decision, decided_on=date(2026, 1, 4), actor="user-1")
    application.decide(decision, decided_on=date(2026, 2, 1), actor="user-2")

    events = application.collect_events()
    assert [type(e) for e in events] == [Application.Opened, Application.Submitted, Application.Decided]
    rebuilt = replay(events)
    assert rebuilt == application
    assert rebuilt.status is ApplicationStatus(decision)
    assert (rebuilt.submitted_on, rebuilt.decided_on) == (date(2026, 1, 5), date(2026, 2, 1))

    submitted_only = replay(events[:2])
    assert submitted_only.status is ApplicationStatus.SUBMITTED
    assert submitted_only.decided_on is None
    # ...and from there the original decision can be taken again, on the rebuilt aggregate.
    submitted_only.decide(decision, decided_on=date(2026, 2, 1), actor="user-2")
    assert submitted_only.status is rebuilt.status


def test_replay_refuses_events_out_of_order():
    application = Application.open(
        tenant_id="firm-a", organization_id=uuid4(), kind="enrollment", channel="portal", actor="user-1"
    )
    application.submit(submitted_on=date(2026, 1, 5), actor="user-1")
    application.decide("approved", decided_on=date(2026, 1, 6), actor="user-1")
    opened, submitted, decided = application.collect_events()
    with pytest.raises(OriginatorVersionError):
        replay([opened, decided, submitted])
