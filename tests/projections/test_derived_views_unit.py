"""The expirables view and the work queue folded in memory, as a rebuild folds them (no database): the same rows
whatever order facts of different records arrive in, and causes that open and close the right tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date
from types import ModuleType
from typing import Any

from domain.dossier import DocumentType
from domain.organization import Organization
from domain.task import TaskKind
from projections.engine.rows import ViewRows
from projections.expirables import handlers as expirables
from projections.expirables.periods import PeriodRow
from projections.work_queue import handlers as work_queue
from projections.work_queue.rows import TaskRow
from tests.domain.builders import ORG_ID, document, open_application, register_peach, submitted_application

TENANT = "firm-a"


def _fold(view: ModuleType, events: Iterable[Any]) -> ViewRows:
    rows = ViewRows(None, view.row_types, starts_empty=True)  # type: ignore[arg-type]  # memory only, as a build
    rows.tenant = TENANT

    async def run() -> None:
        for position, event in enumerate(events, 1):
            await view.handlers.apply(rows, event, position)

    asyncio.run(run())
    return rows


def _practice() -> list[Any]:
    """The practice's registration, with the builders' organization id (the applications name it)."""
    org = register_peach()
    org._id = ORG_ID  # the applications' organization_id
    return [replace_originator(e) for e in org.collect_events()]


def replace_originator(event: Any) -> Any:
    object.__setattr__(event, "originator_id", ORG_ID)
    return event


def _coi(received: date, expires: date, name: str) -> list[Any]:
    application = open_application("enrollment")
    application.attach_document(
        document(DocumentType.LIABILITY_COI, name, received_on=received, expires_on=expires), actor="u"
    )
    return list(application.collect_events())


def _tasks(rows: ViewRows, organization_id: Any = ORG_ID) -> list[TaskRow]:
    return asyncio.run(rows.of_organization(TaskRow, organization_id))


def test_a_document_recorded_after_a_later_one_holds_only_until_it() -> None:
    first, third, second = (
        _coi(date(2026, 1, 10), date(2026, 9, 30), "coi-a"),
        _coi(date(2026, 3, 10), date(2027, 3, 31), "coi-c"),
        _coi(date(2026, 2, 10), date(2026, 12, 31), "coi-b"),
    )
    for order in ([first, third, second], [first, second, third], [third, second, first]):
        rows = _fold(expirables, [*_practice(), *(e for events in order for e in events)])
        periods = asyncio.run(rows.of_organization(PeriodRow, ORG_ID))
        spans = sorted((p.effective_from, p.effective_until, p.expires_on) for p in periods)
        assert spans == [
            (date(2026, 1, 10), date(2026, 2, 10), date(2026, 9, 30)),
            (date(2026, 2, 10), date(2026, 3, 10), date(2026, 12, 31)),
            (date(2026, 3, 10), None, date(2027, 3, 31)),
        ], order
        open_renewals = [t for t in _tasks(_fold(work_queue, [*_practice(), *(e for ev in order for e in ev)]))
                         if t.closed_on is None or t.closed_on > t.opened_on]  # fmt: skip
        assert [t.due_on for t in open_renewals if t.closed_on is None] == [date(2027, 3, 31)], order


def test_one_deficiency_answered_leaves_the_others() -> None:
    application = submitted_application("enrollment")
    for ref in ("d-1", "d-10"):
        application.notice_deficiency(deficiency_id=ref, missing_items=["W-9"], noticed_on=date(2026, 3, 4), actor="u")
    application.resolve_deficiency(deficiency_id="d-1", resolved_on=date(2026, 3, 6), actor="u")
    rows = _fold(work_queue, [*_practice(), *application.collect_events()])
    still = [
        t.cause.rsplit(":", 1)[1] for t in _tasks(rows) if t.kind == TaskKind.DEFICIENCY_ANSWER and not t.closed_on
    ]
    assert still == ["d-10"]


def test_a_due_date_outside_the_holiday_table_is_unknown_not_an_error() -> None:
    mailed = open_application(channel="mail", opened_on=date(2014, 6, 2))
    [task] = [t for t in _tasks(_fold(work_queue, [*_practice(), *mailed.collect_events()]))]
    assert (task.kind, task.due_rule, task.due_on, task.due_index) == (TaskKind.MAIL_FORM, "fixed", None, None)


def test_a_letter_recorded_after_its_answer_is_answered() -> None:
    org = register_peach()
    org.issue_provider_number(provider_number="1234567", issued_on=date(2026, 2, 2), actor="u")
    org.receive_revalidation_letter(received_on=date(2026, 3, 2), actor="u")
    recorded = org.collect_events()
    letter = [e for e in recorded if isinstance(e, Organization.RevalidationLetterReceived)]
    before = [e for e in recorded if e not in letter]
    revalidation = submitted_application("revalidation", organization_id=org.id)
    events = [*before, *revalidation.collect_events(), *letter]  # the letter recorded after the answer
    queue = _tasks(_fold(work_queue, events), org.id)
    letters = [t for t in queue if t.kind == TaskKind.REVALIDATION_LETTER]
    assert [(t.opened_on, t.closed_on) for t in letters] == [(date(2026, 3, 2), date(2026, 3, 2))]
    periods = asyncio.run(_fold(expirables, events).of_organization(PeriodRow, org.id))
    [response] = [p for p in periods if p.kind == "revalidation_response"]
    assert response.effective_until == date(2026, 3, 2)
