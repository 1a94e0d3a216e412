"""Correcting a fact's business day (domain/date_corrections.py): a new event naming the fact, its old and new
day and why; the record folds again with the new day; the ordering rule holds for the corrected day, and every
refusal names the days involved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.application import Application
from domain.business_time import business_today, effective_day, state_on
from domain.date_corrections import check_not_after, check_registration_before, check_same_granter
from domain.dossier import DocumentType
from domain.errors import RuleViolation
from domain.user_account import PoscFunction, UserAccount
from tests.domain.builders import OPENED_ON, document, open_account, open_application

GRANTED, REVOKED = date(2026, 3, 1), date(2026, 3, 10)
F = PoscFunction.CLAIMS_BATCH


def _granted_and_revoked() -> UserAccount:
    account = open_account()
    account.grant_access(F, granted_by=None, on=GRANTED, actor="u")
    account.revoke_access(F, on=REVOKED, actor="u")
    return account


def _fold(events: list) -> UserAccount:
    record = None
    for event in events:
        record = event.mutate(record)
    assert isinstance(record, UserAccount)
    return record


def test_a_correction_is_an_event_that_names_the_fact_both_days_and_why() -> None:
    account = _granted_and_revoked()
    account.correct_effective_date(version=2, on=date(2026, 2, 20), actor="u", reason="POSC shows Feb 20")
    *_, correction = account.pending_events
    assert isinstance(correction, UserAccount.EffectiveDateCorrected)
    assert (correction.corrected_version, correction.fact, correction.was, correction.on) == (
        2,
        "AccessGranted",
        GRANTED,
        date(2026, 2, 20),
    )
    assert correction.reason == "POSC shows Feb 20" and correction.organization_id == account.organization_id
    # The fact itself is still recorded as it was; the record reads the corrected day.
    granted = account.pending_events[1]
    assert granted.on == GRANTED
    assert effective_day(account.history[1]) == date(2026, 2, 20)
    assert account.fact_days.changed[f"access:{F}"][0] == REVOKED


def test_the_record_folded_from_its_events_equals_the_one_corrected_in_memory() -> None:
    account = _granted_and_revoked()
    account.correct_effective_date(version=3, on=date(2026, 3, 5), actor="u", reason="revoked earlier")
    account.correct_effective_date(version=3, on=date(2026, 3, 6), actor="u", reason="no, the 6th")
    loaded = _fold(account.collect_events())
    assert loaded.version == account.version == 5
    assert loaded.fact_days == account.fact_days
    assert effective_day(loaded.history[2]) == date(2026, 3, 6)  # the latest correction wins


def test_as_of_a_day_reads_the_corrected_day_and_known_at_the_day_known_then() -> None:
    account = _granted_and_revoked()
    account.correct_effective_date(version=2, on=date(2026, 2, 20), actor="u", reason="typo")
    events = account.collect_events()
    then = state_on(events, date(2026, 2, 25))
    assert then is not None and F in then.grants  # held on Feb 25, by the corrected day
    before_correction = events[-1].timestamp - timedelta(microseconds=1)
    known_then = state_on(events, date(2026, 2, 25), before_correction)
    assert known_then is not None and F not in known_then.grants  # as the firm knew it before the correction


def test_a_nested_business_day_is_corrected_without_changing_the_value_it_belongs_to() -> None:
    application = open_application()
    application.attach_document(document(DocumentType.W9), actor="u")
    received = application.pending_events[-1].document.received_on
    application.correct_effective_date(version=2, on=received - timedelta(days=1), actor="u", reason="faxed earlier")
    assert application.pending_events[1].document.received_on == received  # the recorded fact is unchanged
    assert effective_day(application.history[1]) == received - timedelta(days=1)
    assert isinstance(application, Application)


@pytest.mark.parametrize(
    ("version", "on", "rule", "named"),
    [
        (9, date(2026, 3, 2), "no-such-fact", "version 9"),
        (2, GRANTED, "effective-date-unchanged", str(GRANTED)),
        (2, date(2026, 3, 11), "effective-date-after-dependent", str(REVOKED)),
        (3, date(2026, 2, 28), "effective-date-before-dependency", str(GRANTED)),
        (2, OPENED_ON - timedelta(days=1), "effective-date-after-dependent", str(OPENED_ON)),
        (2, date(2030, 1, 1), "effective-date-in-future", "today"),
    ],
)
def test_a_correction_that_breaks_the_order_of_shared_facts_is_refused_naming_the_days(
    version: int, on: date, rule: str, named: str
) -> None:
    account = _granted_and_revoked()
    if rule == "effective-date-after-dependent" and on < OPENED_ON:
        rule, named = "effective-date-before-dependency", str(OPENED_ON)  # the opening was recorded before it
    with pytest.raises(RuleViolation) as refused:
        account.correct_effective_date(version=version, on=on, actor="u", reason="r")
    assert refused.value.rule == rule and named in refused.value.message
    assert account.version == 3 and len(account.pending_events) == 3  # nothing recorded


def test_a_fact_without_a_day_of_its_own_has_none_to_correct() -> None:
    account = _granted_and_revoked()
    account.correct_effective_date(version=2, on=date(2026, 2, 20), actor="u", reason="typo")
    with pytest.raises(RuleViolation) as refused:
        account.correct_effective_date(version=4, on=date(2026, 2, 21), actor="u", reason="a correction itself")
    assert refused.value.rule == "fact-not-dated"


def test_a_correction_needs_a_reason() -> None:
    account = _granted_and_revoked()
    with pytest.raises(Exception, match="reason"):
        account.correct_effective_date(version=2, on=date(2026, 2, 20), actor="u", reason="  ")


def test_the_rules_across_records_name_the_days() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_registration_before(date(2026, 2, 1), date(2026, 1, 20), "user account X")
    assert refused.value.rule == "effective-date-after-dependent" and "2026-01-20" in refused.value.message
    check_registration_before(date(2026, 1, 20), date(2026, 1, 20), "user account X")  # the same day is fine
    with pytest.raises(RuleViolation) as refused:
        check_not_after(date(2026, 1, 8), "user account opened", (date(2026, 1, 6), "its naming as primary"))
    assert refused.value.rule == "effective-date-after-dependent"
    assert "2026-01-08" in refused.value.message and "2026-01-06" in refused.value.message
    check_not_after(date(2026, 1, 6), "user account opened", (date(2026, 1, 6), "its naming as primary"))
    with pytest.raises(RuleViolation) as refused:
        check_same_granter(business_today(), None, open_account().id)
    assert refused.value.rule == "correction-changes-granter"
    check_same_granter(business_today(), None, None)
