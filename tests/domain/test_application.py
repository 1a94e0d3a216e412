"""Application: open -> submit -> decide, and every out-of-order command refused without a trace."""

from __future__ import annotations

import copy
from datetime import date
from uuid import uuid4

import pytest

from domain.application import Application, ApplicationKind, ApplicationStatus, Channel, Decision
from domain.errors import InvalidValue, RuleViolation

ORG_ID = uuid4()
SUBMITTED_ON = date(2026, 3, 2)
DECIDED_ON = date(2026, 4, 15)


def open_application(**overrides):
    kwargs = dict(
        tenant_id="firm-a",
        organization_id=ORG_ID,
        kind=ApplicationKind.POSC_REGISTRATION,
        channel=Channel.FAX,
        actor="user-1",
        reason="client signed",
    )
    kwargs.update(overrides)
    return Application.open(**kwargs)


def submitted_application():
    application = open_application()
    application.submit(submitted_on=SUBMITTED_ON, actor="user-1")
    return application


def assert_refused(application, command, rule):
    """The command raises RuleViolation(rule) and changes nothing: version, state, pending events."""
    version = application.version
    state = copy.deepcopy(vars(application))
    pending = list(application.pending_events)
    with pytest.raises(RuleViolation) as caught:
        command()
    assert caught.value.rule == rule
    assert application.version == version
    assert vars(application) == state
    assert application.pending_events == pending


def test_open():
    application = open_application(kind="enrollment", channel="portal")
    assert application.status is ApplicationStatus.OPEN
    assert application.kind is ApplicationKind.ENROLLMENT
    assert application.channel is Channel.PORTAL
    assert application.organization_id == ORG_ID
    assert application.tenant_id == "firm-a"
    assert application.submitted_on is None
    assert application.decided_on is None
    assert application.version == 1
    (opened,) = application.collect_events()
    assert type(opened) is Application.Opened
    assert opened.actor == "user-1"
    assert opened.reason == "client signed"
    assert opened.kind is ApplicationKind.ENROLLMENT
    assert opened.channel is Channel.PORTAL


def test_open_refuses_unknown_kind_channel_and_bad_tenant():
    with pytest.raises(ValueError):
        open_application(kind="marriage_license")
    with pytest.raises(ValueError):
        open_application(channel="carrier_pigeon")
    with pytest.raises(InvalidValue) as caught:
        open_application(tenant_id="firm>")
    assert caught.value.rule == "invalid-tenant"


def test_submit():
    application = open_application()
    application.collect_events()
    application.submit(submitted_on=SUBMITTED_ON, actor="user-2", reason="faxed to MassHealth")
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.submitted_on == SUBMITTED_ON
    assert application.decided_on is None
    assert application.version == 2
    (submitted,) = application.collect_events()
    assert type(submitted) is Application.Submitted
    assert submitted.originator_version == 2
    assert submitted.submitted_on == SUBMITTED_ON
    assert submitted.actor == "user-2"
    assert submitted.reason == "faxed to MassHealth"


@pytest.mark.parametrize(
    "decision, status",
    [
        (Decision.APPROVED, ApplicationStatus.APPROVED),
        (Decision.DENIED, ApplicationStatus.DENIED),
        ("approved", ApplicationStatus.APPROVED),
        ("denied", ApplicationStatus.DENIED),
    ],
)
def test_decide(decision, status):
    application = submitted_application()
    application.collect_events()
    application.decide(decision, decided_on=DECIDED_ON, actor="user-3", reason="letter received")
    assert application.status is status
    assert application.decided_on == DECIDED_ON
    assert application.submitted_on == SUBMITTED_ON
    assert application.version == 3
    (decided,) = application.collect_events()
    assert type(decided) is Application.Decided
    assert decided.originator_version == 3
    assert decided.decision is Decision(status.value)
    assert decided.decided_on == DECIDED_ON
    assert decided.actor == "user-3"
    assert decided.reason == "letter received"


def test_decision_on_the_day_of_submission_is_allowed():
    application = submitted_application()
    application.decide("approved", decided_on=SUBMITTED_ON, actor="user-3")
    assert application.status is ApplicationStatus.APPROVED
    assert application.decided_on == SUBMITTED_ON


def test_submit_twice_is_refused():
    application = submitted_application()
    assert_refused(
        application, lambda: application.submit(submitted_on=DECIDED_ON, actor="user-1"), "application-not-open"
    )
    assert application.submitted_on == SUBMITTED_ON
    assert len(application.collect_events()) == 2


@pytest.mark.parametrize("decision", list(Decision))
def test_submit_after_decision_is_refused(decision):
    application = submitted_application()
    application.decide(decision, decided_on=DECIDED_ON, actor="user-1")
    assert_refused(
        application, lambda: application.submit(submitted_on=DECIDED_ON, actor="user-1"), "application-not-open"
    )


@pytest.mark.parametrize("decision", list(Decision))
def test_decide_before_submit_is_refused(decision):
    application = open_application()
    assert_refused(
        application,
        lambda: application.decide(decision, decided_on=DECIDED_ON, actor="user-1"),
        "application-not-submitted",
    )
    assert application.status is ApplicationStatus.OPEN
    assert len(application.collect_events()) == 1


@pytest.mark.parametrize("first", list(Decision))
@pytest.mark.parametrize("second", list(Decision))
def test_decide_after_decided_is_refused(first, second):
    application = submitted_application()
    application.decide(first, decided_on=DECIDED_ON, actor="user-1")
    assert_refused(
        application,
        lambda: application.decide(second, decided_on=date(2026, 5, 1), actor="user-1"),
        "application-closed",
    )
    assert application.status.value == first.value
    assert application.decided_on == DECIDED_ON
    assert len(application.collect_events()) == 3


def test_decision_dated_before_submission_is_refused():
    application = submitted_application()
    assert_refused(
        application,
        lambda: application.decide("approved", decided_on=date(2026, 3, 1), actor="user-1"),
        "decision-before-submission",
    )
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.decided_on is None


def test_unknown_decision_is_refused_and_changes_nothing():
    application = submitted_application()
    version, state = application.version, copy.deepcopy(vars(application))
    with pytest.raises(ValueError):
        application.decide("withdrawn", decided_on=DECIDED_ON, actor="user-1")
    assert application.version == version
    assert vars(application) == state
