"""Enrollment and primary users per service location (domain/service_locations.py). MassHealth's Primary User
Policy, as DESIGN quotes it: "access is managed per Provider ID / Service Location (PID/SL), so an organization with
several service locations has a primary user per PID/SL"; the enrollment guide asks for "details of all physical
practice locations". Location A enrolls with the provider number MassHealth issues; each other location on an
approved enrollment application for it, under the same number; its PID/SL is the number and its letter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import msgspec
import pytest
from eventsourcing.persistence import StoredEvent

from domain.account_rules import check_location_primary_account, check_primary_user_modification
from domain.address import Address
from domain.application import Application
from domain.application_values import PER_LOCATION_KINDS, ApplicationKind
from domain.errors import InvalidValue
from domain.organization import Organization
from domain.user_account import AccountRole, UserAccount
from services.store.transcoder import EventMapper, MsgspecTranscoder
from tests.domain.builders import (
    LATER,
    OPENED_ON,
    REGISTERED_ON,
    assert_refused,
    open_account,
    open_application,
    register_peach,
    replay,
    submitted_application,
)
from tests.domain.test_account_rules import refused

K = ApplicationKind
NUMBER, OTHER_NUMBER = "1234567", "7654321"
ISSUED, B_OPENS, B_ENROLLED = date(2026, 2, 2), date(2026, 3, 2), LATER  # LATER: 2026-04-15
NAMED, ENDED, AGAIN, CLOSED = date(2026, 5, 4), date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 3)
DAY = timedelta(days=1)
WORCESTER = Address.parse("20 Front St", "Worcester", "MA", "01608", field="address")
SPRINGFIELD = Address.parse("1 Main St", "Springfield", "MA", "01103", field="address")


def _with_b(issue_number: bool = True) -> Organization:
    """Peach State, its provider number issued (unless not), with location B (Worcester) open from B_OPENS."""
    org = register_peach()
    if issue_number:
        org.issue_provider_number(provider_number=NUMBER, issued_on=ISSUED, actor="u")
    org.add_service_location(code="B", name="Worcester office", address=WORCESTER, on=B_OPENS, actor="u")
    org.collect_events()
    return org


def _enroll(org: Organization, code: str = "B", on: date = B_ENROLLED, number: str = NUMBER) -> None:
    org.enroll_service_location(code=code, application_id=uuid4(), provider_number=number, on=on, actor="u")


def _enrolled_b() -> Organization:
    org = _with_b()
    _enroll(org)
    org.collect_events()
    return org


# --- enrolling a location: A with the provider number, the others on their own ----------------------------------


def test_each_location_has_its_pid_sl_once_enrolled() -> None:
    org = register_peach()
    org.add_service_location(code="B", name="Worcester office", address=WORCESTER, on=B_OPENS, actor="u")
    assert org.pid_sl("A") is None and org.location("A").enrolled_on is None  # nothing issued yet
    org.issue_provider_number(provider_number=NUMBER, issued_on=ISSUED, actor="u")
    assert org.pid_sl("A") == "1234567A" and org.location("A").enrolled_on == ISSUED
    assert org.pid_sl("B") is None and not org.location("B").enrolled  # B enrolls on its own application
    application_id = uuid4()
    org.enroll_service_location(
        code="B", application_id=application_id, provider_number=NUMBER, on=B_ENROLLED, actor="u"
    )
    enrolled = org.pending_events[-1]
    assert isinstance(enrolled, Organization.ServiceLocationEnrolled)
    assert (enrolled.code, enrolled.application_id, enrolled.on) == ("B", application_id, B_ENROLLED)
    assert org.pid_sl("B") == "1234567B" and org.location("B").enrolled_on == B_ENROLLED
    assert [(s.code, s.enrolled_on, s.enrolled) for s in org.locations()] == [
        ("A", ISSUED, True),
        ("B", B_ENROLLED, True),
    ]
    again = replay(org.collect_events())  # the events alone rebuild it
    assert again.locations() == org.locations() and again.pid_sl("B") == "1234567B"
    org.change_provider_number(provider_number=OTHER_NUMBER, on=NAMED, actor="u", reason="Change of ownership")
    assert (org.pid_sl("A"), org.pid_sl("B")) == ("7654321A", "7654321B")  # under the practice's number


def test_a_location_enrolls_only_when_it_can() -> None:
    org = _with_b(issue_number=False)
    assert_refused(org, lambda: _enroll(org), "not-enrolled")  # no provider number: the practice enrolls first
    org = _with_b()
    assert_refused(org, lambda: _enroll(org, code="A"), "service-location-main")  # A enrolls with the number
    assert_refused(org, lambda: _enroll(org, number=OTHER_NUMBER), "provider-number-mismatch")
    assert_refused(org, lambda: _enroll(org, on=B_OPENS - DAY), "service-location-not-open")  # not open yet
    assert_refused(org, lambda: _enroll(org, code="C"), "service-location-unknown")
    _enroll(org)
    org.collect_events()
    assert_refused(org, lambda: _enroll(org, on=NAMED), "service-location-enrolled")
    closed = _with_b()
    closed.close_service_location(code="B", on=CLOSED, actor="u", reason="Lease ended")
    closed.collect_events()
    assert_refused(closed, lambda: _enroll(closed, on=CLOSED), "service-location-not-open")  # closes that day
    disenrolled = _with_b()
    disenrolled.disenroll(cause="voluntary", on=B_ENROLLED, actor="u", reason="Left MassHealth")
    disenrolled.collect_events()
    assert_refused(disenrolled, lambda: _enroll(disenrolled, on=NAMED), "not-enrolled")


def test_a_location_does_not_enroll_before_the_number_it_enrolls_under() -> None:
    # ServiceLocationEnrolled reads the provider number: it may not predate the number's issue.
    org = _with_b(issue_number=False)
    org.issue_provider_number(provider_number=NUMBER, issued_on=B_ENROLLED, actor="u")
    org.collect_events()
    assert_refused(org, lambda: _enroll(org, on=B_OPENS), "effective-date-before-dependency")


def test_a_disenrollment_ends_every_locations_enrollment() -> None:
    org = _enrolled_b()
    org.disenroll(cause="terminated", on=ENDED, actor="u", reason="MassHealth terminated the enrollment")
    assert org.pid_sl("A") is None and org.pid_sl("B") is None
    assert [(s.code, s.enrolled_on, s.enrolled) for s in org.locations()] == [("A", None, False), ("B", None, False)]
    assert replay(org.history).locations() == org.locations()
    org.issue_provider_number(provider_number="2345678", issued_on=AGAIN, actor="u")  # a new enrollment
    assert org.pid_sl("A") == "2345678A" and org.location("A").enrolled_on == AGAIN
    assert org.pid_sl("B") is None and not org.location("B").enrolled  # B needs its own application again
    _enroll(org, on=AGAIN, number="2345678")
    assert org.pid_sl("B") == "2345678B" and org.location("B").enrolled_on == AGAIN


def test_closing_a_location_ends_its_pid_sl() -> None:
    org = _enrolled_b()
    org.close_service_location(code="B", on=CLOSED, actor="u", reason="Lease ended")
    assert org.pid_sl("B") is None and not org.location("B").enrolled
    assert org.pid_sl("A") == "1234567A"  # the practice stays enrolled
    org.collect_events()
    assert_refused(org, lambda: _enroll(org, on=CLOSED + DAY), "service-location-not-open")


def test_an_application_for_a_location_is_dated_while_it_is_open() -> None:
    org = _with_b()
    org.close_service_location(code="B", on=CLOSED, actor="u", reason="Lease ended")
    org.collect_events()
    for opened_on in (B_OPENS - DAY, CLOSED, CLOSED + DAY):
        application = open_application(K.ENROLLMENT, organization_id=org.id, service_location="B", opened_on=opened_on)
        error = assert_refused(
            org,
            lambda a=application: org.check_location_open(a.service_location, a.opened_on),
            "service-location-not-open",
        )
        assert str(opened_on) in error.message and str(B_OPENS) in error.message and str(CLOSED) in error.message
    for opened_on in (B_OPENS, CLOSED - DAY):
        org.check_location_open("B", opened_on)
    org.check_location_open("A", REGISTERED_ON)  # A opens with the registration
    assert_refused(org, lambda: org.check_location_open("A", REGISTERED_ON - DAY), "service-location-not-open")
    assert_refused(org, lambda: org.check_location_open("C", B_OPENS), "service-location-unknown")


# --- a primary user per PID/SL -----------------------------------------------------------------------------------


def _name(org: Organization, account_id: Any, modification_id: Any = None, code: str = "B", on: date = NAMED) -> None:
    org.name_location_primary_user(code=code, account_id=account_id, modification_id=modification_id, on=on, actor="u")


def test_each_enrolled_location_has_its_own_primary_user() -> None:
    org = _enrolled_b()
    org.add_service_location(code="C", name="Springfield office", address=SPRINGFIELD, on=B_OPENS, actor="u")
    org.designate_primary_user(account_id=uuid4(), on=ISSUED, actor="u")  # A's: the organization's (POSC-DC-PE)
    org.collect_events()
    first, second, third, modification = uuid4(), uuid4(), uuid4(), uuid4()
    assert_refused(org, lambda: _name(org, first, code="A"), "service-location-main")
    assert_refused(org, lambda: _name(org, first, code="C"), "service-location-not-enrolled")  # no PID/SL yet
    assert_refused(org, lambda: _name(org, first, code="D"), "service-location-unknown")
    _name(org, first)
    named = org.pending_events[-1]
    assert isinstance(named, Organization.LocationPrimaryUserNamed)
    assert (named.code, named.account_id, named.modification_id) == ("B", first, None)
    assert [s.primary_user_account_id for s in org.locations()] == [org.primary_user_account_id, first, None]
    org.collect_events()
    assert_refused(org, lambda: _name(org, first, modification), "primary-user-unchanged")
    assert_refused(org, lambda: _name(org, second), "primary-user-exists")  # a successor needs a POSC-DC-PM
    _name(org, second, modification)
    assert org.location("B").primary_user_account_id == second
    org.collect_events()
    assert_refused(org, lambda: _name(org, third, modification), "modification-already-used")
    replace_a = dict(account_id=third, modification_id=modification, on=NAMED, actor="u")
    assert_refused(org, lambda: org.replace_primary_user(**replace_a), "modification-already-used")  # once, anywhere


def test_a_location_primary_user_is_not_named_before_its_enrollment() -> None:
    # LocationPrimaryUserNamed reads the location: it may not predate the location's enrollment.
    org = _enrolled_b()
    assert_refused(org, lambda: _name(org, uuid4(), on=B_ENROLLED - DAY), "effective-date-before-dependency")


def test_a_closed_location_is_not_closed_before_its_primary_user_was_named() -> None:
    org = _enrolled_b()
    _name(org, uuid4())
    org.collect_events()
    close = dict(code="B", on=NAMED - DAY, actor="u", reason="Lease ended")
    assert_refused(org, lambda: org.close_service_location(**close), "effective-date-before-dependency")


def test_a_disenrollment_is_not_dated_before_a_location_primary_user_it_would_have_refused() -> None:
    org = _enrolled_b()
    _name(org, uuid4())  # on NAMED: B enrolled
    org.collect_events()
    backdated = dict(cause="terminated", on=NAMED - DAY, actor="u", reason="Terminated")
    assert_refused(org, lambda: org.disenroll(**backdated), "effective-date-before-dependency")  # as closing is


def _departed(account: UserAccount) -> UserAccount:
    account.record_departure(on=B_OPENS, actor="u")
    return account


def _deactivated(account: UserAccount) -> UserAccount:
    account.deactivate(on=B_OPENS, actor="u")
    return account


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (lambda org: open_account(organization_id=uuid4()), "account-of-another-organization"),
        (lambda org: open_account(AccountRole.BUSINESS_PARTNER, organization_id=org.id), "primary-user-not-staff"),
        (lambda org: _departed(open_account(organization_id=org.id)), "person-departed"),
        (lambda org: _deactivated(open_account(organization_id=org.id)), "account-not-active"),
    ],
    ids=["other-organization", "business-partner", "departed", "deactivated"],
)
def test_a_location_primary_user_is_active_staff_of_the_practice(
    make: Callable[[Organization], UserAccount], rule: str
) -> None:
    org = _enrolled_b()
    refused(rule, check_location_primary_account, make(org), org.id, NAMED)


@pytest.mark.parametrize("role", [AccountRole.SUBORDINATE, AccountRole.PRIMARY])
def test_staff_of_the_practice_may_be_a_location_primary_user(role: AccountRole) -> None:
    org = _enrolled_b()
    account = open_account(role, organization_id=org.id)  # A's primary user may administer B too
    check_location_primary_account(account, org.id, NAMED)
    check_location_primary_account(account, org.id, OPENED_ON)
    error = refused(
        "effective-date-before-dependency", check_location_primary_account, account, org.id, OPENED_ON - DAY
    )
    assert str(OPENED_ON) in error.message


def _approved_modification(org: Organization, service_location: str) -> Application:
    application = submitted_application(
        K.PRIMARY_USER_MODIFICATION, organization_id=org.id, service_location=service_location
    )
    application.approve(decided_on=LATER, actor="user-1")
    return application


def test_a_modification_replaces_the_primary_user_of_its_own_location_only() -> None:
    org = register_peach()
    for_a, for_b = _approved_modification(org, "A"), _approved_modification(org, "B")
    check_primary_user_modification(for_a, org.id, LATER)  # location A unless told
    check_primary_user_modification(for_b, org.id, LATER, "B")
    error = refused("approved-modification-required", check_primary_user_modification, for_b, org.id, LATER)
    assert "location A" in error.message
    error = refused("approved-modification-required", check_primary_user_modification, for_a, org.id, LATER, "B")
    assert "location B" in error.message
    refused("approved-modification-required", check_primary_user_modification, for_b, org.id, LATER, "C")


# --- an application names its location ---------------------------------------------------------------------------


def test_an_application_is_for_location_a_unless_it_names_another() -> None:
    for kind in ApplicationKind:
        assert open_application(kind).service_location == "A"


@pytest.mark.parametrize("kind", sorted(PER_LOCATION_KINDS))
def test_enrollments_and_modifications_may_name_another_location(kind: ApplicationKind) -> None:
    application = open_application(kind, service_location="B")
    assert application.service_location == "B"
    [opened] = application.collect_events()
    assert opened.service_location == "B"
    assert replay([opened]).service_location == "B"


@pytest.mark.parametrize("kind", [K.REVALIDATION, K.POSC_REGISTRATION, K.ACO_AFFILIATION, K.PCC_AFFILIATION])
def test_an_application_of_the_whole_provider_names_no_other_location(kind: ApplicationKind) -> None:
    with pytest.raises(InvalidValue) as caught:
        open_application(kind, service_location="B")
    assert (caught.value.rule, caught.value.field) == ("service-location-not-applicable", "service_location")


@pytest.mark.parametrize("code", ["b", "AA", "", "1"])
@pytest.mark.parametrize("kind", [K.ENROLLMENT, K.REVALIDATION])
def test_a_location_is_one_capital_letter(kind: ApplicationKind, code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        open_application(kind, service_location=code)
    assert (caught.value.rule, caught.value.field) == ("invalid-value", "service_location")


# --- applications opened before locations: their Opened upcast to location A ------------------------------------


MAPPER = EventMapper(MsgspecTranscoder())


def _stored_as(version: int | None) -> StoredEvent:
    """An Opened event for location B stored as its class stood at ``version``: before v3 it had no location (and
    before v4 no clinician)."""
    [opened] = open_application(K.ENROLLMENT, service_location="B").collect_events()
    stored = MAPPER.to_stored_event(opened)
    state = msgspec.json.decode(stored.state)
    assert state["class_version"] == 4 and state["service_location"] == "B" and state["practitioner_id"] is None
    del state["service_location"], state["class_version"], state["practitioner_id"]
    if version is None:  # v1: no business day either, nor a version key
        del state["opened_on"]
    else:
        state["class_version"] = version
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, msgspec.json.encode(state))


@pytest.mark.parametrize("version", [None, 2], ids=["v1", "v2"])
def test_an_application_opened_before_locations_is_for_location_a(version: int | None) -> None:
    opened = MAPPER.to_domain_event(_stored_as(version))
    assert isinstance(opened, Application.Opened)
    assert opened.service_location == "A"
    assert isinstance(opened.opened_on, date)
    assert opened.mutate(None).service_location == "A"
    assert opened.practitioner_id is None  # the practice's own, as every application was before v4
    state: dict[str, Any] = {}
    Application.Opened.upcast_v2_v3(state)
    Application.Opened.upcast_v3_v4(state)
    assert state == {"service_location": "A", "practitioner_id": None}
