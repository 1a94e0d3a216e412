"""The commands on work-queue tasks, as typed values: the API's request bodies and the use cases' arguments."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.task import TaskKind
from services.app.commands import Command, Day, doc, today


class TaskCause(msgspec.Struct, frozen=True, kw_only=True):
    """What the work queue derived a task from (its view's row): the first act on the task records it."""

    organization_id: UUID
    kind: TaskKind
    cause: str
    opened_on: date  # the business day its cause arose: no act on the task comes before it


class AssignTask(Command, frozen=True, kw_only=True):
    """Give the task to a member of the firm's staff."""

    assignee: Annotated[str, doc("The user id of the specialist who takes it over (as in their token's sub).", "kim")]
    on: Day = today()


class TakeTask(Command, frozen=True, kw_only=True):
    """Take the task: it becomes the caller's."""

    on: Day = today()


class SnoozeTask(Command, frozen=True, kw_only=True):
    """Leave the task out of the open lists until a day (waiting on a callback, a client's promise)."""

    until: Annotated[date, doc("The day it comes back (YYYY-MM-DD), after ``on``.", "2026-05-04")]
    on: Day = today()


class CompleteTask(Command, frozen=True, kw_only=True):
    """The task is done (the reason, optional, says how)."""

    on: Day = today()


class DismissTask(Command, frozen=True, kw_only=True):
    """The task needs nothing done after all; the reason (required) says why."""

    on: Day = today()
