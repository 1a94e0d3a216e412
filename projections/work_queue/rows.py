"""The work queue's rows, and opening and closing a task by its cause (handlers.py folds the events into them)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from domain.task import TaskKind, task_id
from projections.engine.rows import Row, ViewRows
from projections.turnaround.handlers import business_day_index


class TaskRow(Row, kw_only=True):
    table: ClassVar[str] = "work_tasks"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "task_id")
    task_id: UUID
    kind: str
    cause: str
    subject_id: UUID
    label: str
    priority: str
    opened_on: date
    closed_on: date | None = None
    caused_on: date  # the business day of the fact that caused it (a renewal's: the credential version's)
    due_rule: str
    application_kind: str | None = None
    basis_index: int | None = None
    due_on: date | None = None
    due_index: int | None = None


class TaskStateRow(Row, kw_only=True):
    table: ClassVar[str] = "work_task_states"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "task_id")
    task_id: UUID
    assignee: str | None = None
    assigned_on: date | None = None
    snoozed_on: date | None = None
    snoozed_until: date | None = None
    resolution: str | None = None
    resolved_on: date | None = None
    resolution_reason: str | None = None


class OrganizationRow(Row, kw_only=True):
    table: ClassVar[str] = "work_organizations"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id")
    legal_name: str
    revalidation_submitted_on: date | None = None  # its latest revalidation submitted: it answers earlier letters


class ApplicationRow(Row, kw_only=True):
    table: ClassVar[str] = "work_applications"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "application_id")
    application_id: UUID
    kind: str
    practitioner: str | None = None  # a clinician's own application: the clinician's name


class PractitionerRow(Row, kw_only=True):
    table: ClassVar[str] = "work_practitioners"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "practitioner_id")
    practitioner_id: UUID
    name: str


async def open_task(
    rows: ViewRows,
    *,
    organization_id: UUID,
    kind: TaskKind,
    cause: str,
    subject_id: UUID,
    label: str,
    opened_on: date,
    priority: str = "normal",
    due_on: date | None = None,
    caused_on: date | None = None,
    **rule: Any,
) -> TaskRow:
    """The task of ``cause`` from ``opened_on``: due on ``due_on``, or by ``rule`` (due_rule, basis_index,
    application_kind) at query time. The same cause again (a redelivered or refolded event) opens it again."""
    tenant_id = rows.tenant
    if tenant_id is None:
        raise RuntimeError("no tenant set for this event")
    identity = task_id(tenant_id, cause)
    # A fixed due date, or a rule; a fixed one outside the holiday table (no business-day count) is unknown.
    due = rule or {"due_rule": "fixed", "due_on": due_on, "due_index": business_day_index(due_on) if due_on else None}
    found = await rows.get(TaskRow, organization_id, identity)
    if found is not None:  # the same cause again (the same fact recorded again): its first day stands
        if found.closed_on is None:
            opened_on = min(opened_on, found.opened_on)
        rows.update(found, label=label, opened_on=opened_on, closed_on=None, priority=priority, **due)
        return found
    task = TaskRow(
        tenant_id=tenant_id,
        organization_id=organization_id,
        task_id=identity,
        kind=str(kind),
        cause=cause,
        subject_id=subject_id,
        label=label,
        priority=priority,
        opened_on=opened_on,
        caused_on=caused_on or opened_on,
        **due,
    )
    rows.add(task)
    return task


async def open_tasks(
    rows: ViewRows, organization_id: UUID, *, subject_id: UUID, kind: TaskKind, prefix: str = ""
) -> list[TaskRow]:
    """The subject's open tasks of that kind whose cause starts with ``prefix`` (or is exactly it)."""
    return [
        task
        for task in await rows.of_organization(TaskRow, organization_id)
        if task.closed_on is None and task.subject_id == subject_id and task.kind == kind
        and task.cause.startswith(prefix)
    ]  # fmt: skip


async def close_tasks(
    rows: ViewRows, organization_id: UUID, day: date, *, subject_id: UUID, kind: TaskKind, prefix: str = ""
) -> None:
    """Close the subject's open tasks of that kind whose cause starts with ``prefix``: their cause went away."""
    for task in await open_tasks(rows, organization_id, subject_id=subject_id, kind=kind, prefix=prefix):
        rows.update(task, closed_on=max(day, task.opened_on))
