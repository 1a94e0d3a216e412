"""Business days (domain/business_time.py): every fact names the Massachusetts day it took effect besides the moment
it was recorded. A fact may not be dated in the future, nor before a fact already recorded on a part of its record
it shares ("*", the whole record, shares with every part); facts on separate parts may be recorded in any order.
Each refusal names its rule and both dates, and changes nothing. Facts stored before they had a day took effect,
as far as anyone can tell, the day they were recorded."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import msgspec
import pytest
from eventsourcing.persistence import StoredEvent

from domain.access_log import AccessLog
from domain.application import Application
from domain.business_time import business_today, effective_day
from domain.errors import RuleViolation
from domain.organization import Organization
from domain.user_account import PoscFunction, UserAccount
from services.store.transcoder import EventMapper, MsgspecTranscoder
from tests.domain.builders import (
    OPENED_ON,
    REGISTERED_ON,
    assert_refused,
    document,
    domain_state,
    open_account,
    open_application,
    register_peach,
    replay,
)

BEFORE = "effective-date-before-dependency"
FUTURE = "effective-date-in-future"
D1, D2, D3 = date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 6)
CLAIMS, ELIGIBILITY = PoscFunction.CLAIMS_BATCH, PoscFunction.ELIGIBILITY_VERIFICATION
LATE_EVENING = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # 10 pm on 2026-12-06 in Boston
MAPPER = EventMapper(MsgspecTranscoder())  # no field cipher: enough for events without personal data


def refused(aggregate: Any, command: Callable[[], object], rule: str, *days: date) -> RuleViolation:
    """Refused by ``rule``, leaving nothing changed, with each of ``days`` in the message."""
    error = assert_refused(aggregate, command, rule)
    for day in days:
        assert str(day) in error.message, error.message
    assert isinstance(error, RuleViolation)
    return error


def fresh_account(**overrides: Any) -> UserAccount:
    account = open_account(**overrides)
    account.collect_events()
    return account


# --- not in the future ---------------------------------------------------------------------------------------


def test_a_fact_dated_after_today_is_refused_and_changes_nothing() -> None:
    account = fresh_account()
    today = business_today()
    tomorrow = today + timedelta(days=1)
    refused(
        account, lambda: account.grant_access(CLAIMS, granted_by=None, on=tomorrow, actor="u"), FUTURE, tomorrow, today
    )
    assert account.grants == [] and account.collect_events() == []
    account.grant_access(CLAIMS, granted_by=None, on=today, actor="u")  # today itself is fine
    assert account.grants == [CLAIMS]


@pytest.mark.parametrize("create", [register_peach, open_account, open_application], ids=lambda f: f.__name__)
def test_no_record_is_created_in_the_future(create: Callable[..., Any]) -> None:
    tomorrow = business_today() + timedelta(days=1)
    field = "registered_on" if create is register_peach else "opened_on"
    with pytest.raises(RuleViolation) as caught:
        create(**{field: tomorrow})
    assert caught.value.rule == FUTURE
    assert str(tomorrow) in caught.value.message and str(business_today()) in caught.value.message


def test_an_organization_fact_in_the_future_is_refused() -> None:
    organization = register_peach()
    organization.collect_events()
    tomorrow = business_today() + timedelta(days=1)
    refused(
        organization,
        lambda: organization.designate_primary_user(account_id=uuid4(), on=tomorrow, actor="u"),
        FUTURE,
        tomorrow,
    )
    assert organization.primary_user_account_id is None


# --- not before what the record already holds -------------------------------------------------------------------


def test_no_fact_predates_the_records_creation() -> None:
    account = fresh_account()
    day_before = OPENED_ON - timedelta(days=1)
    refused(
        account,
        lambda: account.grant_access(CLAIMS, granted_by=None, on=day_before, actor="u"),
        BEFORE,
        day_before,
        OPENED_ON,
    )
    organization = register_peach()
    refused(
        organization,
        lambda: organization.link_rendering_provider(
            npi="1851713903", name="J Danwing", on=date(2025, 12, 31), actor="u"
        ),
        BEFORE,
        date(2025, 12, 31),
        REGISTERED_ON,
    )
    application = open_application()
    refused(
        application,
        lambda: application.submit(submitted_on=date(2025, 12, 1), nppes_mismatches=[], actor="u"),
        BEFORE,
        date(2025, 12, 1),
        OPENED_ON,
    )
    # The creation's own day is fine.
    account.grant_access(CLAIMS, granted_by=None, on=OPENED_ON, actor="u")


def test_a_revocation_does_not_predate_its_grant() -> None:
    account = fresh_account()
    account.grant_access(CLAIMS, granted_by=None, on=D2, actor="u")
    error = refused(account, lambda: account.revoke_access(CLAIMS, on=D1, actor="u"), BEFORE, D1, D2)
    assert "access granted" in error.message
    account.revoke_access(CLAIMS, on=D2, actor="u")  # the same day is fine
    # Granted again: not before the revocation either.
    refused(account, lambda: account.grant_access(CLAIMS, granted_by=None, on=D1, actor="u"), BEFORE, D1, D2)
    account.grant_access(CLAIMS, granted_by=None, on=D3, actor="u")
    assert account.grants == [CLAIMS]


def test_grants_of_different_functions_may_be_recorded_in_any_order() -> None:
    """A grant of B recorded late, dated before a grant of A already recorded: different parts, so accepted."""
    account = fresh_account()
    account.grant_access(CLAIMS, granted_by=None, on=D3, actor="u")
    account.grant_access(ELIGIBILITY, granted_by=None, on=D1, actor="u")
    account.revoke_access(ELIGIBILITY, on=D2, actor="u")  # still before the grant of A
    assert account.grants == [CLAIMS]
    _, granted, revoked = account.collect_events()
    assert (granted.function, granted.on, revoked.on) == (ELIGIBILITY, D1, D2)
    # But a revocation of A dated before A's own grant is not.
    refused(account, lambda: account.revoke_access(CLAIMS, on=D2, actor="u"), BEFORE, D2, D3)


def test_nothing_is_back_dated_before_a_deactivation() -> None:
    account = fresh_account()
    account.deactivate(on=D2, actor="u")
    refused(account, lambda: account.reactivate(on=D1, actor="u"), BEFORE, D1, D2)
    refused(account, lambda: account.record_departure(on=D1, actor="u"), BEFORE, D1, D2)
    account.reactivate(on=D2, actor="u")
    for command in (
        lambda: account.grant_access(CLAIMS, granted_by=None, on=D1, actor="u"),
        lambda: account.reset_password(on=D1, actor="u"),
        lambda: account.complete_step("new_user_email_received", on=D1, actor="u"),
    ):
        refused(account, command, BEFORE, D1, D2)


def test_nothing_is_back_dated_before_an_access_review() -> None:
    account = fresh_account()
    account.grant_access(CLAIMS, granted_by=None, on=D1, actor="u")
    account.review_access(outcome="confirmed", on=D3, reviewer="Q1 audit", actor="u")
    for command in (
        lambda: account.grant_access(ELIGIBILITY, granted_by=None, on=D2, actor="u"),
        lambda: account.revoke_access(CLAIMS, on=D2, actor="u"),
        lambda: account.reset_password(on=D2, actor="u"),
        lambda: account.deactivate(on=D2, actor="u"),
    ):
        error = refused(account, command, BEFORE, D2, D3)
        assert "access reviewed" in error.message
    account.grant_access(ELIGIBILITY, granted_by=None, on=D3, actor="u")


def test_a_document_received_before_a_deficiency_notice_is_refused_once_it_is_recorded() -> None:
    """Documents are their own part of an application, but a notice is on the whole of it."""
    application = open_application()
    application.attach_document(document("license", received_on=OPENED_ON), actor="u")
    application.attach_document(document("w9", received_on=D1), actor="u")
    application.submit(submitted_on=D2, nppes_mismatches=[], actor="u")
    application.notice_deficiency(deficiency_id="D-1", missing_items=["W-9 signature"], noticed_on=D3, actor="u")
    late = document("w9", "w9-2", received_on=D2)
    refused(application, lambda: application.attach_document(late, supersedes="w9-1", actor="u"), BEFORE, D2, D3)
    application.attach_document(document("w9", "w9-2", received_on=D3), supersedes="w9-1", actor="u")


# --- plan affiliations ------------------------------------------------------------------------------------------


def enrolled(issued_on: date) -> Organization:
    organization = register_peach()
    organization.issue_provider_number(provider_number="0123456", issued_on=issued_on, actor="u")
    organization.collect_events()
    return organization


def request(organization: Organization, plan: str, on: date) -> None:
    organization.request_affiliation(kind="mco", plan=plan, partner_mco=None, on=on, actor="u")


def test_affiliations_with_different_plans_are_independent() -> None:
    organization = enrolled(D1)
    request(organization, "Tufts Health Together", D3)
    organization.move_affiliation(plan="Tufts Health Together", to="in_credentialing", on=D3, actor="u")
    # Another plan's facts, recorded later and dated earlier: accepted.
    request(organization, "WellSense Health Plan", D1)
    organization.move_affiliation(plan="WellSense Health Plan", to="in_credentialing", on=D2, actor="u")
    organization.move_affiliation(plan="WellSense Health Plan", to="denied", on=D2, actor="u")
    assert {plan: a.state.value for plan, a in organization.affiliations.items()} == {
        "Tufts Health Together": "in_credentialing",
        "WellSense Health Plan": "denied",
    }
    # The same plan's are not (its own date order is checked first).
    refused(
        organization,
        lambda: organization.move_affiliation(plan="Tufts Health Together", to="denied", on=D2, actor="u"),
        "affiliation-date-order",
    )


def test_a_contract_or_an_activation_does_not_predate_the_provider_number() -> None:
    organization = enrolled(D2)
    request(organization, "Tufts Health Together", D1)
    move = organization.move_affiliation
    move(plan="Tufts Health Together", to="in_credentialing", on=D1, actor="u")
    error = refused(
        organization, lambda: move(plan="Tufts Health Together", to="contracted", on=D1, actor="u"), BEFORE, D1, D2
    )
    assert "provider number issued" in error.message
    move(plan="Tufts Health Together", to="contracted", on=D2, actor="u")
    # An activation follows its contract, so it never predates the provider number either.
    day_before = D2 - timedelta(days=1)
    refused(
        organization,
        lambda: move(plan="Tufts Health Together", to="active", on=day_before, actor="u"),
        "affiliation-date-order",
    )
    move(plan="Tufts Health Together", to="active", on=D3, actor="u")
    assert organization.affiliations["Tufts Health Together"].state.value == "active"


def test_contracts_with_different_plans_may_be_recorded_in_any_order() -> None:
    organization = enrolled(D1)
    for plan in ("Tufts Health Together", "WellSense Health Plan"):
        request(organization, plan, D1)
        organization.move_affiliation(plan=plan, to="in_credentialing", on=D1, actor="u")
    organization.move_affiliation(plan="Tufts Health Together", to="contracted", on=D3, actor="u")
    organization.move_affiliation(plan="Tufts Health Together", to="active", on=D3, actor="u")
    organization.move_affiliation(plan="WellSense Health Plan", to="contracted", on=D2, actor="u")
    assert organization.affiliations["WellSense Health Plan"].state.value == "contracted"


# --- the business day of an event -------------------------------------------------------------------------------


def test_the_effective_day_is_the_field_the_class_names() -> None:
    account = open_account(opened_on=D1)
    account.grant_access(CLAIMS, granted_by=None, on=D2, actor="u")
    account.review_access(outcome="confirmed", on=D3, reviewer="Q1", actor="u")
    opened, granted, reviewed = account.collect_events()
    assert [effective_day(e) for e in (opened, granted, reviewed)] == [D1, D2, D3]


def test_the_effective_day_may_be_a_nested_field() -> None:
    application = open_application()
    application.attach_document(document("w9", received_on=D2), actor="u")
    _, attached = application.collect_events()
    assert type(attached) is Application.DocumentAttached
    assert effective_day(attached) == attached.document.received_on == D2


def test_an_event_without_a_business_day_took_effect_the_massachusetts_day_it_was_recorded() -> None:
    log = AccessLog.open(tenant_id="firm-a", subject_id=uuid4(), actor="u")
    log.record_personal_data_read(fields=["tin"], actor="u", actor_role="firm_admin", reason="audit")
    opened, read = log.collect_events()
    assert type(read).effective_field is None
    assert effective_day(dataclasses.replace(read, timestamp=LATE_EVENING)) == date(2026, 12, 6)  # not the UTC day
    assert effective_day(dataclasses.replace(opened, timestamp=LATE_EVENING + timedelta(hours=2))) == date(2026, 12, 7)


# --- facts stored before they had a day -------------------------------------------------------------------------


def _as_v1(event: Any, field: str, timestamp: datetime) -> StoredEvent:
    """The event as a store written before ``field`` existed holds it: no such field, no class_version."""
    stored = MAPPER.to_stored_event(event)
    state = msgspec.json.decode(stored.state)
    assert state.pop("class_version") == 2
    del state[field]
    state["timestamp"] = timestamp.isoformat()
    return dataclasses.replace(stored, state=msgspec.json.encode(state))


def _v1_account_history(recorded: datetime) -> list[StoredEvent]:
    """Opened, granted and deactivated, recorded on the three days up to ``recorded``."""
    account = open_account()
    account.grant_access(CLAIMS, granted_by=None, on=D1, actor="u")
    account.deactivate(on=D2, actor="u")
    opened, granted, deactivated = account.collect_events()
    return [
        _as_v1(opened, "opened_on", recorded - timedelta(days=2)),
        _as_v1(granted, "on", recorded - timedelta(days=1)),
        _as_v1(deactivated, "on", recorded),
    ]


def test_a_v1_state_is_upcast_to_the_massachusetts_day_it_was_recorded() -> None:
    _, granted, _ = _v1_account_history(LATE_EVENING)
    assert "on" not in msgspec.json.decode(granted.state)
    event = MAPPER.to_domain_event(granted)
    assert type(event) is UserAccount.AccessGranted
    assert (event.function, event.timestamp) == (CLAIMS, LATE_EVENING - timedelta(days=1))
    assert event.on == date(2026, 12, 5)  # 10 pm in Boston on the 5th: 03:00 UTC on the 6th
    assert effective_day(event) == event.on


def test_a_record_stored_before_business_days_keeps_its_order() -> None:
    """Replayed from v1 states, its facts took effect the days they were recorded: a new fact may not predate them."""
    opened, granted, deactivated = (MAPPER.to_domain_event(s) for s in _v1_account_history(LATE_EVENING))
    assert (opened.opened_on, granted.on, deactivated.on) == (date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6))
    account = replay([opened, granted, deactivated])
    assert account.opened_on == date(2026, 12, 4) and not account.active
    refused(account, lambda: account.reactivate(on=date(2026, 12, 5), actor="u"), BEFORE, date(2026, 12, 6))
    account.reactivate(on=date(2026, 12, 6), actor="u")


def test_the_current_version_is_stored_with_its_day_and_read_back() -> None:
    account = fresh_account()
    account.grant_access(CLAIMS, granted_by=None, on=D2, actor="u")
    (granted,) = account.collect_events()
    stored = MAPPER.to_stored_event(granted)
    state = msgspec.json.decode(stored.state)
    assert (state["class_version"], state["on"]) == (2, str(D2))
    back = MAPPER.to_domain_event(stored)
    assert (back.on, back.function, back.timestamp) == (D2, CLAIMS, granted.timestamp)


def test_replay_rebuilds_the_days_of_each_part() -> None:
    account = open_account()
    account.grant_access(CLAIMS, granted_by=None, on=D3, actor="u")
    account.grant_access(ELIGIBILITY, granted_by=None, on=D1, actor="u")
    rebuilt = replay(list(account.pending_events))
    assert domain_state(rebuilt) == domain_state(account)
    # The rebuilt record refuses and accepts as the original does.
    refused(rebuilt, lambda: rebuilt.revoke_access(CLAIMS, on=D2, actor="u"), BEFORE, D2, D3)
    rebuilt.revoke_access(ELIGIBILITY, on=D2, actor="u")
