"""The turnaround projection's pure parts: the business-day index the queries subtract, and how one
application's real domain events (no database) evolve its facts: the client's and the payer's share,
overlapping deficiencies, rejections, withdrawals, dates outside the holiday table."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.application import Application, ApplicationKind
from domain.business_days import add_business_days, business_days_between
from domain.errors import InvalidValue
from domain.organization import RiskLevel
from projections.engine.rows import ViewRows
from projections.turnaround.handlers import (
    EVOLVING,
    ApplicationRow,
    Facts,
    OrganizationRow,
    StepRow,
    apply,
    business_day_at,
    business_day_index,
    business_days,
    evolve,
    handlers,
    row_types,
)
from projections.turnaround.queries import DEFAULT_SLA_TARGETS

dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


@given(dates, dates)
def test_index_differences_are_the_domains_business_days(a: date, b: date) -> None:
    start, end = sorted((a, b))
    assert business_day_index(end) - business_day_index(start) == business_days_between(start, end)  # type: ignore[operator]


def test_index_skips_patriots_day_and_juneteenth() -> None:
    # Mon 2026-04-20 and Fri 2026-06-19 are closures: the index does not move on them.
    assert business_day_index(date(2026, 4, 20)) == business_day_index(date(2026, 4, 17))
    assert business_day_index(date(2026, 4, 21)) == business_day_index(date(2026, 4, 17)) + 1  # type: ignore[operator]
    assert business_day_index(date(2026, 6, 19)) == business_day_index(date(2026, 6, 18))
    assert business_day_index(date(2015, 1, 1)) == 0


def test_dates_outside_the_holiday_table_have_no_count() -> None:
    assert business_day_index(date(2014, 12, 31)) is None
    assert business_day_index(date(2036, 1, 2)) is None
    assert business_days(date(2014, 12, 1), date(2015, 1, 5)) is None
    assert business_days(None, date(2026, 1, 5)) is None


def test_every_kind_has_a_default_target() -> None:
    assert DEFAULT_SLA_TARGETS == {
        "posc_registration": 7,
        "primary_user_modification": 7,
        "enrollment": 60,
        "revalidation": 60,
        "aco_affiliation": 60,
        "mco_affiliation": 60,
        "pcc_affiliation": 60,
    }
    assert set(DEFAULT_SLA_TARGETS) == {str(k) for k in ApplicationKind}


# --- facts from real domain events --------------------------------------------------------------------


OPENED_ON = date(2014, 12, 1)  # before every date the tests give (domain/business_time.py: none may precede it)


def application(kind: ApplicationKind = ApplicationKind.POSC_REGISTRATION) -> Application:
    return Application.open(
        tenant_id="firm-a",
        organization_id=uuid4(),
        kind=kind,
        channel="fax",
        risk_level=RiskLevel.LIMITED,
        opened_on=OPENED_ON,
        actor="user-1",
    )


def facts_of(app: Application) -> Facts:
    """Fold the application's events since it was opened (the Opened event creates the row)."""
    facts = Facts()
    for event in app.collect_events()[1:]:
        facts = evolve(facts, event)
    return facts


def d(text: str) -> date:
    return date.fromisoformat(text)


def submit(app: Application, on: str) -> None:
    app.submit(submitted_on=d(on), nppes_mismatches=[], actor="user-1")


def notice(app: Application, ref: str, on: str) -> None:
    app.notice_deficiency(deficiency_id=ref, missing_items=["W-9"], noticed_on=d(on), actor="user-1")


def resolve(app: Application, ref: str, on: str) -> None:
    app.resolve_deficiency(deficiency_id=ref, resolved_on=d(on), actor="user-1")


def shares(facts: Facts) -> tuple[Any, ...]:
    return facts.business_days, facts.client_days, facts.deficiencies


def test_overlapping_deficiencies_count_the_clients_days_once() -> None:
    app = application()
    submit(app, "2026-04-01")  # Wed
    notice(app, "a", "2026-04-06")  # Mon
    notice(app, "b", "2026-04-08")  # Wed: the client's clock already runs
    resolve(app, "a", "2026-04-09")  # still waiting on b
    resolve(app, "b", "2026-04-14")  # Tue: Apr 7, 8, 9, 10, 13, 14 = 6 business days on the client
    app.approve(decided_on=d("2026-04-24"), actor="user-1")
    facts = facts_of(app)
    # Apr 2 .. Apr 24 without weekends and Patriots' Day = 16.
    assert (facts.stage, facts.outcome) == ("decided", "approved")
    assert shares(facts) == (16, 6, 2)
    assert (facts.open_deficiencies, facts.client_since) == (0, None)


def test_separate_deficiency_periods_add_up() -> None:
    app = application()
    submit(app, "2026-06-15")  # Mon
    notice(app, "a", "2026-06-16")
    resolve(app, "a", "2026-06-18")  # 17, 18 = 2
    notice(app, "b", "2026-06-18")
    resolve(app, "b", "2026-06-22")  # [19 Juneteenth], 22 = 1
    app.approve(decided_on=d("2026-06-26"), actor="user-1")
    # Jun 16, 17, 18, 22, 23, 24, 25, 26 = 8.
    assert shares(facts_of(app)) == (8, 3, 2)


def test_a_denial_while_deficient_ends_the_clients_period_that_day() -> None:
    app = application()
    submit(app, "2026-04-16")
    notice(app, "a", "2026-04-17")  # Fri
    app.deny(decided_on=d("2026-04-23"), actor="user-1", reason="no answer")  # Tue 21, Wed 22, Thu 23 = 3
    facts = facts_of(app)
    assert (facts.outcome, facts.client_since) == ("denied", None)
    assert shares(facts) == (4, 3, 1)  # Apr 17, 21, 22, 23


def test_a_rejection_starts_over_and_forgets_the_deficiencies() -> None:
    app = application()
    submit(app, "2026-03-02")
    notice(app, "a", "2026-03-03")
    app.reject(rejected_on=d("2026-03-05"), cause="NPPES mismatch", actor="user-1")
    events = app.collect_events()
    midway = Facts()
    for event in events[1:]:
        midway = evolve(midway, event)
    assert (midway.stage, midway.submitted_on, midway.rejections, midway.last_rejected_on) == (
        "preparing",
        None,
        1,
        d("2026-03-05"),
    )
    assert (midway.deficiencies, midway.open_deficiencies, midway.client_since) == (0, 0, None)
    submit(app, "2026-03-09")
    app.approve(decided_on=d("2026-03-12"), actor="user-1")
    facts = midway
    for event in app.collect_events():
        facts = evolve(facts, event)
    # The resubmission is the one that counts: Mar 10, 11, 12.
    assert (facts.first_submitted_on, facts.submitted_on, facts.submissions) == (d("2026-03-02"), d("2026-03-09"), 2)
    assert shares(facts) == (3, 0, 0)


def test_a_withdrawal_keeps_its_days_but_is_not_a_decision() -> None:
    app = application()
    submit(app, "2026-04-16")
    notice(app, "a", "2026-04-21")
    app.withdraw(withdrawn_on=d("2026-04-23"), actor="user-1")  # client: 22, 23
    facts = facts_of(app)
    assert (facts.stage, facts.outcome, facts.decided_on) == ("withdrawn", "withdrawn", d("2026-04-23"))
    assert shares(facts) == (4, 2, 1)


def test_withdrawn_before_submission_has_no_days() -> None:
    app = application()
    app.withdraw(withdrawn_on=d("2026-04-23"), actor="user-1")
    facts = facts_of(app)
    assert (facts.stage, facts.business_days, facts.submitted_on) == ("withdrawn", None, None)


def test_documents_and_screenings_change_nothing() -> None:
    app = application()
    submit(app, "2026-04-01")
    submitted = facts_of(app)
    app.record_screening(screening="exclusion_lists", passed=True, completed_on=d("2026-04-02"), actor="user-1")
    (screened,) = app.collect_events()
    assert evolve(submitted, screened) is submitted


def test_dates_outside_the_table_leave_the_counts_unknown() -> None:
    app = application()
    submit(app, "2014-12-22")
    notice(app, "a", "2014-12-23")
    resolve(app, "a", "2015-01-05")
    app.approve(decided_on=d("2015-01-09"), actor="user-1")
    facts = facts_of(app)
    assert (facts.stage, facts.business_days, facts.client_days) == ("decided", None, None)


def test_open_application_facts_before_the_decision() -> None:
    app = application()
    submit(app, "2026-04-16")
    notice(app, "a", "2026-04-17")
    facts = facts_of(app)
    # The open period's start is kept so the query can count the client's days to any reference day.
    assert (facts.stage, facts.open_deficiencies, facts.client_since, facts.client_days) == (
        "open",
        1,
        d("2026-04-17"),
        0,
    )
    assert facts.business_days is None
    # Fri 17 -> Fri 24: Tue 21 .. Fri 24 (Patriots' Day on Monday) = 4 so far.
    assert business_day_index(d("2026-04-24")) - business_day_index(facts.client_since) == 4  # type: ignore[operator]


def _event_classes(base: type) -> set[type]:
    found, todo = set(), [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_the_view_handles_exactly_the_application_events_that_change_facts() -> None:
    # Events without a handler are not even decoded by a rebuild: evolve() must ignore every one of them.
    facts = Facts()
    for event_class in _event_classes(Application.Event):
        if event_class in EVOLVING or event_class is Application.Opened:  # Opened creates the row: its own handler
            continue
        if event_class is Application.EffectiveDateCorrected:  # the engine folds the rows again on it
            assert handlers.handles(event_class)
            continue
        # The class alone decides: evolve() matches on classes (an instance with no fields suffices).
        assert evolve(facts, object.__new__(event_class)) is facts, event_class.__qualname__
        assert not handlers.handles(event_class), event_class.__qualname__
    assert all(handlers.handles(event_class) for event_class in EVOLVING)


@given(dates, st.integers(min_value=1, max_value=400))
def test_a_due_date_counted_as_an_index_is_the_domains_business_day_after(start: date, days: int) -> None:
    due = business_day_at(business_day_index(start) + days)  # type: ignore[operator]
    if due is not None:
        assert due == add_business_days(start, days)
    else:  # past the holiday table's end, where the domain refuses to count too
        with pytest.raises(InvalidValue):
            add_business_days(start, days)


@given(dates, dates)
def test_business_days_are_the_domains_count_in_either_order(a: date, b: date) -> None:
    assert business_days(a, b) == business_days_between(a, b)


# --- steps: the facts as they stood at the end of each business day -------------------------------------


async def _steps(app: Application) -> list[tuple[date, date | None, str, int]]:
    """Fold the application's events through the view's handlers, in memory as a rebuild does (no database), and
    return its steps: (effective_on, until, stage, open deficiencies)."""
    rows = ViewRows(None, row_types, starts_empty=True)  # type: ignore[arg-type]  # never reads nor writes
    events = app.collect_events()
    rows.tenant = events[0].tenant_id
    organization = OrganizationRow(tenant_id=rows.tenant, organization_id=app.organization_id, provider_type="clinic")
    rows.add(organization)
    for position, event in enumerate(events, 1):
        await apply(rows, event, position)
    steps = sorted(await rows.of_organization(StepRow, app.organization_id), key=lambda s: s.step)
    (row,) = await rows.of_organization(ApplicationRow, app.organization_id)
    assert row.steps == len(steps) and [s.step for s in steps] == list(range(1, len(steps) + 1))
    assert all(a.until == b.effective_on for a, b in pairwise(steps))
    final = Facts()
    for event in events[1:]:
        final = evolve(final, event)
    assert steps[-1].facts() == final  # the latest step: every fact
    return [(s.effective_on, s.until, s.stage, s.open_deficiencies) for s in steps]


async def test_each_business_day_with_facts_is_a_step_and_a_day_ends_with_its_last_fact() -> None:
    app = application()
    submit(app, "2026-04-16")
    notice(app, "a", "2026-04-17")
    notice(app, "b", "2026-04-17")  # the same day: one step, at that day's end
    resolve(app, "a", "2026-04-21")
    resolve(app, "b", "2026-04-22")
    app.approve(decided_on=d("2026-04-24"), actor="user-1")
    assert await _steps(app) == [
        (OPENED_ON, d("2026-04-16"), "preparing", 0),
        (d("2026-04-16"), d("2026-04-17"), "open", 0),
        (d("2026-04-17"), d("2026-04-21"), "open", 2),
        (d("2026-04-21"), d("2026-04-22"), "open", 1),
        (d("2026-04-22"), d("2026-04-24"), "open", 0),
        (d("2026-04-24"), None, "decided", 0),
    ]


async def test_opened_and_submitted_the_same_day_is_open_at_its_end() -> None:
    app = application()
    submit(app, OPENED_ON.isoformat())
    app.reject(rejected_on=d("2026-04-03"), cause="NPPES address mismatch", actor="user-1")
    assert await _steps(app) == [(OPENED_ON, d("2026-04-03"), "open", 0), (d("2026-04-03"), None, "preparing", 0)]
