"""Use cases for work-queue tasks: assign, take, snooze, complete, dismiss. A task is derived by the work-queue view
from its cause; the first act on it opens its record with that cause (``TaskCause``, which the API reads from the
view), so a task nobody acted on has no record and costs nothing."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.business_time import check_effective_day
from domain.task import Resolution, Task, task_id
from services.app.base import Actor, NotFound, VersionConflict
from services.app.compliance import ComplianceUseCases
from services.app.task_commands import AssignTask, CompleteTask, DismissTask, SnoozeTask, TakeTask, TaskCause
from services.store.idempotency import Saved


class TaskUseCases(ComplianceUseCases):
    def _task(
        self, actor: Actor, identity: UUID, cause: TaskCause | None, on: date, expected_version: int | None
    ) -> Task:
        try:
            return self.load(actor, Task, identity, expected_version)
        except NotFound:
            if cause is None or task_id(actor.tenant_id, cause.cause) != identity:
                raise
        if expected_version not in (None, 0):
            raise VersionConflict(f"Nobody has acted on task {identity} yet: its version is 0.", 0)
        check_effective_day(on, "the first act on the task", (cause.opened_on, "its cause"))
        return Task.open(
            tenant_id=actor.tenant_id,
            organization_id=cause.organization_id,
            kind=cause.kind,
            cause=cause.cause,
            on=on,
            actor=actor.user_id,
        )

    def assign_task(
        self,
        actor: Actor,
        task_id: UUID,
        command: AssignTask,
        expected_version: int | None = None,
        *,
        cause: TaskCause | None = None,
    ) -> Saved:
        task = self._task(actor, task_id, cause, command.on, expected_version)
        task.assign(assignee=command.assignee, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, task)

    def take_task(
        self,
        actor: Actor,
        task_id: UUID,
        command: TakeTask,
        expected_version: int | None = None,
        *,
        cause: TaskCause | None = None,
    ) -> Saved:
        task = self._task(actor, task_id, cause, command.on, expected_version)
        task.assign(assignee=actor.user_id, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, task)

    def snooze_task(
        self,
        actor: Actor,
        task_id: UUID,
        command: SnoozeTask,
        expected_version: int | None = None,
        *,
        cause: TaskCause | None = None,
    ) -> Saved:
        task = self._task(actor, task_id, cause, command.on, expected_version)
        task.snooze(until=command.until, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, task)

    def complete_task(
        self,
        actor: Actor,
        task_id: UUID,
        command: CompleteTask,
        expected_version: int | None = None,
        *,
        cause: TaskCause | None = None,
    ) -> Saved:
        task = self._task(actor, task_id, cause, command.on, expected_version)
        task.resolve(resolution=Resolution.COMPLETED, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, task)

    def dismiss_task(
        self,
        actor: Actor,
        task_id: UUID,
        command: DismissTask,
        expected_version: int | None = None,
        *,
        cause: TaskCause | None = None,
    ) -> Saved:
        task = self._task(actor, task_id, cause, command.on, expected_version)
        task.resolve(resolution=Resolution.DISMISSED, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, task)
