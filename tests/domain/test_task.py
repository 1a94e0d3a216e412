"""Task: one item of the work queue and what the firm's staff decided about it (domain/task.py). Its record is
opened by the first act on it, named by its cause; then who has it (assign, take), until when it waits (snooze),
and that it is done (completed, a reason optional) or needs nothing (dismissed, a reason required). Business days
and as-of; every refused command changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from domain.business_time import ANY, business_today, state_on
from domain.errors import InvalidValue, RuleViolation
from domain.task import Resolution, Task, TaskKind, task_id
from tests.domain.builders import (
    ORG_ID,
    TASK_CAUSE,
    TASK_OPENED_ON,
    assert_refused,
    assert_value_error,
    domain_state,
    open_task,
    replay,
)

D1, D2, D3 = TASK_OPENED_ON, date(2026, 3, 9), date(2026, 3, 12)  # the opening day, then later business days
BEFORE = "effective-date-before-dependency"


def task(**overrides: object) -> Task:
    """Opened, its creation collected: what a command adds is then all that is pending."""
    made = open_task(**overrides)
    made.collect_events()
    return made


def resolved(resolution: Resolution = Resolution.COMPLETED, on: date = D2) -> Task:
    made = task()
    made.resolve(resolution=resolution, on=on, actor="u", reason="W-9 sent to the payer")
    made.collect_events()
    return made


# --- opening: named by its cause ------------------------------------------------------------------------------


def test_a_task_is_named_by_its_cause() -> None:
    made = open_task(cause=f"  {TASK_CAUSE} ")
    assert made.id == task_id("firm-a", TASK_CAUSE)  # the same cause is the same task in every view and replay
    assert (made.tenant_id, made.organization_id, made.kind, made.cause) == (
        "firm-a",
        ORG_ID,
        TaskKind.DEFICIENCY_ANSWER,
        TASK_CAUSE,
    )
    assert (made.assignee, made.snoozed_until, made.resolution, made.version) == (None, None, None, 1)
    [opened] = made.collect_events()
    assert type(opened) is Task.Opened
    assert (opened.on, opened.actor, opened.reason, opened.cause) == (D1, "user-1", None, TASK_CAUSE)


def test_the_id_depends_on_the_tenant_and_the_cause_only() -> None:
    same = task_id("firm-a", TASK_CAUSE)
    assert task_id("firm-a", TASK_CAUSE) == same
    assert task_id("firm-b", TASK_CAUSE) != same  # another firm's task of the same cause is another task
    assert task_id("firm-a", TASK_CAUSE + "x") != same
    assert open_task(kind=TaskKind.APPLICATION_FOLLOW_UP, organization_id=uuid4(), on=D2).id == same


def test_opening_checks_its_values() -> None:
    assert open_task(kind="mail_form").kind is TaskKind.MAIL_FORM
    with pytest.raises(ValueError):
        open_task(kind="call_the_payer")
    for cause in ("", "   ", "x" * 301):
        with pytest.raises(InvalidValue) as caught:
            open_task(cause=cause)
        assert (caught.value.field, caught.value.rule) == ("cause", "invalid-value")
    with pytest.raises(InvalidValue) as caught:
        open_task(tenant_id="firm.a")
    assert caught.value.rule == "invalid-tenant"
    with pytest.raises(RuleViolation) as refused:
        open_task(on=business_today() + timedelta(days=1))
    assert refused.value.rule == "effective-date-in-future"


# --- who has it -----------------------------------------------------------------------------------------------


def test_assigning_and_taking() -> None:
    made = task()
    made.assign(assignee=" kim ", on=D1, actor="alice", reason="Kim knows this payer")
    assert made.assignee == "kim"
    made.assign(assignee="alice", on=D2, actor="alice")  # taken: the use case names the caller
    assert made.assignee == "alice"
    events = made.collect_events()
    assert [type(e) for e in events] == [Task.Assigned, Task.Assigned]
    assert [(e.assignee, e.on, e.actor, e.reason) for e in events] == [
        ("kim", D1, "alice", "Kim knows this payer"),
        ("alice", D2, "alice", None),
    ]


def test_giving_the_task_to_whoever_has_it_is_refused() -> None:
    made = task()
    made.assign(assignee="kim", on=D1, actor="alice")
    made.collect_events()
    assert_refused(made, lambda: made.assign(assignee="kim", on=D2, actor="alice"), "task-unchanged")
    assert_refused(made, lambda: made.assign(assignee=" kim", on=D2, actor="kim"), "task-unchanged")  # taking it
    made.assign(assignee="Kim", on=D2, actor="alice")  # a user id is as the token has it: another user


def test_an_assignee_is_clean_text() -> None:
    made = task()
    refused = {"": "invalid-value", "  ": "invalid-value", "x" * 201: "invalid-value", "ki\x00m": "invalid-text"}
    for assignee, rule in refused.items():
        error = assert_refused(made, lambda a=assignee: made.assign(assignee=a, on=D1, actor="u"), rule, InvalidValue)
        assert error.field == "assignee"


# --- until when it waits --------------------------------------------------------------------------------------


def test_a_snooze_waits_until_a_later_day() -> None:
    made = task()
    made.snooze(until=D2, on=D1, actor="u", reason="Client promised the W-9 Monday")
    assert made.snoozed_until == D2
    made.snooze(until=D3, on=D2, actor="u")  # snoozed again, longer
    assert made.snoozed_until == D3
    [first, second] = made.collect_events()
    assert (type(first), first.until, first.on, first.reason) == (
        Task.Snoozed,
        D2,
        D1,
        "Client promised the W-9 Monday",
    )
    assert (second.until, second.on) == (D3, D2)


@pytest.mark.parametrize("until", [D2, D2 - timedelta(days=1)], ids=["the same day", "an earlier day"])
def test_a_snooze_until_the_day_it_is_made_or_before_is_refused(until: date) -> None:
    made = task()
    assert_refused(made, lambda: made.snooze(until=until, on=D2, actor="u"), "snooze-not-after")


# --- done -----------------------------------------------------------------------------------------------------


def test_completed_with_or_without_a_reason() -> None:
    made = task()
    made.resolve(resolution=Resolution.COMPLETED, on=D2, actor="u")
    assert made.resolution == (Resolution.COMPLETED, D2)
    [done] = made.collect_events()
    assert (type(done), done.resolution, done.on, done.reason) == (Task.Resolved, Resolution.COMPLETED, D2, None)
    other = task()
    other.resolve(resolution="completed", on=D2, actor="u", reason="W-9 sent")
    assert other.resolution == (Resolution.COMPLETED, D2)


def test_dismissed_only_with_a_reason() -> None:
    made = task()
    for reason in (None, "", " \n\t "):
        assert_refused(
            made,
            lambda r=reason: made.resolve(resolution=Resolution.DISMISSED, on=D2, actor="u", reason=r),
            "reason-required",
        )
    made.resolve(resolution=Resolution.DISMISSED, on=D2, actor="u", reason="The payer withdrew the notice")
    assert made.resolution == (Resolution.DISMISSED, D2)
    assert made.collect_events()[0].reason == "The payer withdrew the notice"


def test_an_unknown_resolution_is_refused() -> None:
    made = task()
    assert_value_error(made, lambda: made.resolve(resolution="forgotten", on=D2, actor="u"))  # type: ignore[arg-type]


@pytest.mark.parametrize("resolution", list(Resolution))
def test_a_resolved_task_takes_no_further_act(resolution: Resolution) -> None:
    made = resolved(resolution)
    for act in (
        lambda: made.assign(assignee="kim", on=D3, actor="u"),
        lambda: made.snooze(until=D3 + timedelta(days=3), on=D3, actor="u"),
        lambda: made.resolve(resolution=Resolution.COMPLETED, on=D3, actor="u"),
        lambda: made.resolve(resolution=Resolution.DISMISSED, on=D3, actor="u", reason="twice"),
    ):
        error = assert_refused(made, act, "task-closed")
        assert str(resolution) in error.message and str(D2) in error.message


def test_closed_is_checked_before_the_act_itself() -> None:
    made = resolved()
    assert_refused(made, lambda: made.snooze(until=D2, on=D2, actor="u"), "task-closed")  # not snooze-not-after
    assert_refused(made, lambda: made.resolve(resolution=Resolution.DISMISSED, on=D3, actor="u"), "task-closed")


# --- business days --------------------------------------------------------------------------------------------


def test_no_act_is_dated_before_the_task_was_opened() -> None:
    made = task()
    before = D1 - timedelta(days=1)
    for act in (
        lambda: made.assign(assignee="kim", on=before, actor="u"),
        lambda: made.snooze(until=D2, on=before, actor="u"),
        lambda: made.resolve(resolution=Resolution.COMPLETED, on=before, actor="u"),
    ):
        error = assert_refused(made, act, BEFORE)
        assert str(D1) in error.message


def test_no_act_is_dated_in_the_future() -> None:
    made = task()
    tomorrow = business_today() + timedelta(days=1)
    for act in (
        lambda: made.assign(assignee="kim", on=tomorrow, actor="u"),
        lambda: made.snooze(until=tomorrow + timedelta(days=7), on=tomorrow, actor="u"),
        lambda: made.resolve(resolution=Resolution.DISMISSED, on=tomorrow, actor="u", reason="duplicate"),
    ):
        assert_refused(made, act, "effective-date-in-future")
    made.snooze(until=tomorrow, on=business_today(), actor="u")  # the day it comes back may be in the future


def test_who_has_it_and_until_when_are_separate_parts_of_the_record() -> None:
    made = task()
    made.assign(assignee="kim", on=D3, actor="u")
    made.snooze(until=D3, on=D2, actor="u")  # recorded late: the assignment on a later day does not stand in its way
    assert_refused(made, lambda: made.assign(assignee="lee", on=D2, actor="u"), BEFORE)  # before kim's assignment
    made.snooze(until=D3 + timedelta(days=1), on=D2, actor="u")
    made.collect_events()
    # Done or dismissed is the whole record's: not before any fact of it.
    assert_refused(made, lambda: made.resolve(resolution=Resolution.COMPLETED, on=D2, actor="u"), BEFORE)
    made.resolve(resolution=Resolution.COMPLETED, on=D3, actor="u")


def test_the_record_keeps_each_part_s_latest_day() -> None:
    made = task()
    made.assign(assignee="kim", on=D2, actor="u")
    made.snooze(until=D3, on=D1, actor="u")
    assert made.fact_days.changed == {ANY: (D1, "opened"), "assignee": (D2, "assigned"), "snooze": (D1, "snoozed")}


def test_a_corrected_day_folds_the_record_again() -> None:
    made = task()
    made.assign(assignee="kim", on=D3, actor="u")
    made.collect_events()
    made.correct_effective_date(version=2, on=D2, actor="u", reason="Assigned on the Monday, typed Thursday")
    [correction] = made.collect_events()
    assert type(correction) is Task.EffectiveDateCorrected
    assert (correction.organization_id, correction.fact, correction.was, correction.on) == (ORG_ID, "Assigned", D3, D2)
    assert made.fact_days.changed["assignee"] == (D2, "assigned")
    assert_refused(
        made,
        lambda: made.correct_effective_date(version=2, on=D1 - timedelta(days=1), actor="u", reason="typo"),
        BEFORE,
    )


# --- as of a day ----------------------------------------------------------------------------------------------


def test_as_of_a_day_the_task_as_it_stood() -> None:
    made = open_task()
    made.assign(assignee="kim", on=D1, actor="u")
    made.snooze(until=D3, on=D2, actor="u", reason="waiting on the payer's callback")
    made.assign(assignee="lee", on=D3, actor="u")
    made.resolve(resolution=Resolution.DISMISSED, on=D3, actor="u", reason="the payer closed the notice")
    events = made.collect_events()
    assert state_on(events, D1 - timedelta(days=1)) is None  # nobody had acted on it yet
    first = state_on(events, D1)
    assert (first.assignee, first.snoozed_until, first.resolution, first.version) == ("kim", None, None, 2)
    waiting = state_on(events, D2)
    assert (waiting.assignee, waiting.snoozed_until, waiting.resolution) == ("kim", D3, None)
    closed = state_on(events, D3)
    assert (closed.assignee, closed.resolution) == ("lee", (Resolution.DISMISSED, D3))
    assert domain_state(replay(events)) == domain_state(made)


def test_a_late_recorded_act_lands_on_its_day() -> None:
    made = open_task()
    made.snooze(until=D3 + timedelta(days=1), on=D3, actor="u")
    made.assign(assignee="kim", on=D2, actor="u")  # recorded after the snooze, done before it
    events = made.collect_events()
    then = state_on(events, D2)
    assert (then.assignee, then.snoozed_until) == ("kim", None)
    assert state_on(events, D3).snoozed_until == D3 + timedelta(days=1)


# --- refusals change nothing ----------------------------------------------------------------------------------


def test_a_refused_act_leaves_the_task_as_it_was() -> None:
    made = task()
    made.assign(assignee="kim", on=D2, actor="u")
    made.snooze(until=D3, on=D2, actor="u")  # pending: a refusal keeps them, and adds none
    before = (made.version, made.assignee, made.snoozed_until, made.resolution, len(made.pending_events))
    for act, rule in (
        (lambda: made.assign(assignee="kim", on=D3, actor="u"), "task-unchanged"),
        (lambda: made.assign(assignee="lee", on=D1, actor="u"), BEFORE),
        (lambda: made.snooze(until=D2, on=D2, actor="u"), "snooze-not-after"),
        (lambda: made.resolve(resolution=Resolution.DISMISSED, on=D3, actor="u"), "reason-required"),
        (lambda: made.resolve(resolution=Resolution.COMPLETED, on=D1, actor="u"), BEFORE),
    ):
        assert_refused(made, act, rule)
    assert (made.version, made.assignee, made.snoozed_until, made.resolution, len(made.pending_events)) == before
