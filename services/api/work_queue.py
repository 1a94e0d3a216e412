"""The work queue: its view's routes (the open tasks on a day, "my work", "unassigned", counts per specialist and
client; projections/work_queue/queries.py) and the commands on a task (assign, take, snooze, complete, dismiss).

A task is derived by the view from its cause; a command on it first reads the task there (404 when the caller's
firm has no such task open or closed), then runs the use case with the cause, which the task's first event records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from domain.task import TaskKind
from projections.work_queue import queries
from projections.work_queue.queries import WorkCounts, WorkPage
from services.api.auth import Principal, may_read, may_write
from services.api.commands import SavedOut
from services.api.dependencies import ReadPool, Runner, Service
from services.api.openapi_docs import command_docs, read_docs
from services.api.paging import Keyset, SnapshotParameter
from services.api.view_reads import read_views, reference_day
from services.app import NotFound
from services.app.task_commands import AssignTask, CompleteTask, DismissTask, SnoozeTask, TakeTask, TaskCause

AsOf = Annotated[
    date | None,
    Parameter(
        description="the tasks open on this business day (Massachusetts), due dates counted from it (default: today)"
    ),
]
Organizations = Annotated[list[UUID] | None, Parameter(description="only these client practices")]
Kinds = Annotated[list[TaskKind] | None, Parameter(description="only these kinds of task")]


class WorkQueueViewController(Controller):
    path = "/v1/views/work-queue"
    tags = ("views",)

    @get(operation_id="listWorkQueue", guards=[may_read], **read_docs("List the open tasks"))
    async def tasks(
        self,
        request: Request,
        read_pool: ReadPool,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: FromQuery[str | None] = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(queries.SORTS)}; prefix with - to reverse")
        ] = "due_on",
        mine: Annotated[bool, Parameter(description="only the caller's tasks (my work)")] = False,
        assignee: Annotated[str | None, Parameter(description="only this specialist's tasks (a user id)")] = None,
        unassigned: Annotated[bool, Parameter(description="only tasks nobody has taken")] = False,
        organization_id: Organizations = None,
        kind: Kinds = None,
        due_by: Annotated[date | None, Parameter(description="only those due on or before this day")] = None,
        include_snoozed: Annotated[bool, Parameter(description="also those snoozed past the day")] = False,
        as_of: AsOf = None,
        snapshot: SnapshotParameter = None,
    ) -> WorkPage:
        """The tasks open on a day, soonest due first: deficiencies to answer, applications to follow up, forms to
        mail, credentials to renew, suspected exclusion matches to review; each with its client, due date in
        Massachusetts business days, priority and assignee. A task closes by itself when its cause goes away. A
        client viewer sees its own practice's."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, queries.SORTS, "task_id")
        async with read_views(read_pool, principal, snapshot) as con:
            day = as_of or await reference_day(con)
            rows = await queries.tasks(
                con,
                keyset,
                day=day,
                fetch=limit + 1,
                visible=principal.organizations,
                organization_ids=organization_id,
                kinds=kind,
                include_snoozed=include_snoozed,
                assignee=principal.user_id if mine else assignee,
                unassigned=unassigned,
                due_by=due_by,
            )
        items = [queries.task_of(r, day) for r in rows[:limit]]
        return WorkPage(as_of=day, items=items, next_cursor=keyset.next_cursor(rows, limit))

    @get("/counts", operation_id="countWorkQueue", guards=[may_read], **read_docs("Count the open tasks"))
    async def counts(
        self,
        request: Request,
        read_pool: ReadPool,
        organization_id: Organizations = None,
        kind: Kinds = None,
        as_of: AsOf = None,
        snapshot: SnapshotParameter = None,
    ) -> WorkCounts:
        """Open tasks per specialist ("" for those nobody has taken), per client practice, and how many are late."""
        principal: Principal = request.user
        async with read_views(read_pool, principal, snapshot) as con:
            day = as_of or await reference_day(con)
            return await queries.counts(
                con, day=day, visible=principal.organizations, organization_ids=organization_id, kinds=kind
            )


async def _cause(request: Request, read_pool: ReadPool, task_id: UUID) -> TaskCause:
    """The task as the work queue derived it, or 404."""
    async with read_views(read_pool, request.user) as con:
        row = await con.fetchrow(
            "SELECT organization_id, kind, cause, opened_on FROM work_tasks WHERE task_id = $1", task_id
        )
    if row is None or not request.user.may_see(row["organization_id"]):
        raise NotFound(f"No task {task_id} in the work queue.")
    return TaskCause(
        organization_id=row["organization_id"],
        kind=TaskKind(row["kind"]),
        cause=row["cause"],
        opened_on=row["opened_on"],
    )


async def _act(
    request: Request, read_pool: ReadPool, command: Runner, use_case: Callable[..., Any], task_id: UUID, data: Any
) -> Response[SavedOut]:
    cause = await _cause(request, read_pool, task_id)
    return await command.run(partial(use_case, cause=cause), task_id, data)


class TaskController(Controller):
    path = "/v1/tasks"
    tags = ("work-queue",)

    @post("/{task_id:uuid}/assignment", operation_id="assignTask", guards=[may_write], status_code=200,
          **command_docs("Assign the task"))  # fmt: skip
    async def assign(
        self, request: Request, task_id: FromPath[UUID], data: JSONBody[AssignTask], credledger: Service,
        read_pool: ReadPool, command: Runner,
    ) -> Response[SavedOut]:  # fmt: skip
        """Gives the task to a specialist; the work queue shows it in their work. If-Match names the task's version
        (0 before anyone acted on it)."""
        return await _act(request, read_pool, command, credledger.assign_task, task_id, data)

    @post("/{task_id:uuid}/take", operation_id="takeTask", guards=[may_write], status_code=200,
          **command_docs("Take the task"))  # fmt: skip
    async def take(
        self, request: Request, task_id: FromPath[UUID], data: JSONBody[TakeTask], credledger: Service,
        read_pool: ReadPool, command: Runner,
    ) -> Response[SavedOut]:  # fmt: skip
        """The task becomes the caller's."""
        return await _act(request, read_pool, command, credledger.take_task, task_id, data)

    @post("/{task_id:uuid}/snooze", operation_id="snoozeTask", guards=[may_write], status_code=200,
          **command_docs("Snooze the task"))  # fmt: skip
    async def snooze(
        self, request: Request, task_id: FromPath[UUID], data: JSONBody[SnoozeTask], credledger: Service,
        read_pool: ReadPool, command: Runner,
    ) -> Response[SavedOut]:  # fmt: skip
        """Leaves the task out of the open lists until a later day (include_snoozed shows it)."""
        return await _act(request, read_pool, command, credledger.snooze_task, task_id, data)

    @post("/{task_id:uuid}/completion", operation_id="completeTask", guards=[may_write], status_code=200,
          **command_docs("Complete the task"))  # fmt: skip
    async def complete(
        self, request: Request, task_id: FromPath[UUID], data: JSONBody[CompleteTask], credledger: Service,
        read_pool: ReadPool, command: Runner,
    ) -> Response[SavedOut]:  # fmt: skip
        """The task is done; it leaves the open lists from that day (422 task-closed once done or dismissed)."""
        return await _act(request, read_pool, command, credledger.complete_task, task_id, data)

    @post("/{task_id:uuid}/dismissal", operation_id="dismissTask", guards=[may_write], status_code=200,
          **command_docs("Dismiss the task"))  # fmt: skip
    async def dismiss(
        self, request: Request, task_id: FromPath[UUID], data: JSONBody[DismissTask], credledger: Service,
        read_pool: ReadPool, command: Runner,
    ) -> Response[SavedOut]:  # fmt: skip
        """The task needs nothing done after all; the reason is required (422 reason-required)."""
        return await _act(request, read_pool, command, credledger.dismiss_task, task_id, data)
