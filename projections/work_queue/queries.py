"""The work queue's answers: the tasks open on a business day with their due dates in Massachusetts business days,
"my work", "unassigned", filters, paging, and the counts per specialist and per client.

The projection (handlers.py) stores facts: when each task's cause arose and went away, what its due date counts
from, and what people decided. Computed here, in the caller's read-only transaction:
- what people decided as it stood on the day asked about: the latest assignment and snooze made by then (an earlier
  assignee replaced since is not kept);
- the due dates that follow the firm's settings: a deficiency's answer, deficiency_answer_days business days after
  the notice; a follow-up, the application kind's SLA target in business days after the payer's receipt
  (tenant_settings over the defaults of projections/turnaround/queries.py). Business days are counted with indexes
  (projections/turnaround/handlers.py).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from msgspec import Meta

from domain.task import TaskKind
from projections.engine.paging import KeysetPage
from projections.turnaround.handlers import business_day_at, business_day_index
from projections.turnaround.queries import DEFAULT_DEFICIENCY_ANSWER_DAYS, DEFAULT_SLA_TARGETS

UNKNOWN_DUE = 2**31 - 1  # sorts last: a due date outside the holiday table


class WorkTask(msgspec.Struct, kw_only=True):
    task_id: UUID
    organization_id: UUID
    organization_name: str | None
    kind: TaskKind
    label: str
    subject_id: Annotated[UUID, Meta(description="The application, practitioner or practice it is about")]
    priority: str  # high or normal
    opened_on: date
    due_on: date | None
    business_days_left: Annotated[
        int | None, Meta(description="Massachusetts business days from the day asked about to due_on (negative: late)")
    ]
    late: bool
    assignee: str | None
    snoozed_until: date | None


class WorkPage(msgspec.Struct):
    as_of: date
    items: list[WorkTask]
    next_cursor: str | None


class WorkCounts(msgspec.Struct):
    as_of: date
    by_assignee: dict[str, int]  # "" for unassigned
    by_organization: dict[str, int]
    late: int


SORTS = {"due_on": ("due_sort", "integer"), "opened_on": ("opened_on", "date"), "kind": ("kind", "text")}

# Every task open on $1 that the filters select, with its due date as a business-day index (due_sort).
_OPEN = """
WITH settings AS (
    SELECT $2::jsonb || COALESCE((SELECT sla_targets FROM tenant_settings), '{}'::jsonb) AS sla,
           COALESCE((SELECT deficiency_answer_days FROM tenant_settings), $3) AS answer_days
), open_tasks AS (
    SELECT t.*, o.legal_name AS organization_name,
        -- What people decided, as it stood on $1: the latest assignment and snooze made by then.
        CASE WHEN s.assigned_on <= $1 THEN s.assignee END AS assignee,
        CASE WHEN s.snoozed_on <= $1 THEN s.snoozed_until END AS snoozed_until,
        COALESCE(CASE t.due_rule
            WHEN 'fixed' THEN t.due_index
            WHEN 'deficiency_answer' THEN t.basis_index + settings.answer_days
            WHEN 'sla' THEN t.basis_index + (settings.sla->>t.application_kind)::int
        END, 2147483647) AS due_sort
    FROM work_tasks t
    LEFT JOIN work_task_states s ON s.tenant_id = t.tenant_id AND s.task_id = t.task_id
    LEFT JOIN work_organizations o ON o.tenant_id = t.tenant_id AND o.organization_id = t.organization_id
    CROSS JOIN settings
    WHERE t.opened_on <= $1 AND (t.closed_on IS NULL OR t.closed_on > $1)
      AND (s.resolved_on IS NULL OR s.resolved_on > $1)
      AND ($4::uuid[] IS NULL OR t.organization_id = ANY($4::uuid[]))
      AND ($5::uuid[] IS NULL OR t.organization_id = ANY($5::uuid[]))
      AND ($6::text[] IS NULL OR t.kind = ANY($6::text[]))
      AND ($7 OR s.snoozed_on IS NULL OR s.snoozed_on > $1 OR s.snoozed_until <= $1)
)
"""
LIST = (
    _OPEN
    + """
SELECT * FROM open_tasks
WHERE ($8::text IS NULL OR assignee = $8) AND (NOT $9 OR assignee IS NULL) AND ($10::int IS NULL OR due_sort <= $10)
  AND __PAGE__
ORDER BY __ORDER__
LIMIT $13
"""
)
COUNTS = (
    _OPEN
    + """
SELECT 'assignee' AS dimension, COALESCE(assignee, '') AS name, count(*) AS n FROM open_tasks GROUP BY assignee
UNION ALL
SELECT 'organization', organization_id::text, count(*) FROM open_tasks GROUP BY organization_id
UNION ALL
SELECT 'late', '', count(*) FROM open_tasks WHERE due_sort < $8
"""
)


def _common(
    day: date,
    visible: Collection[UUID] | None,
    organization_ids: Collection[UUID] | None,
    kinds: Collection[TaskKind] | None,
    include_snoozed: bool,
) -> list[Any]:
    return [
        day,
        msgspec.json.encode(DEFAULT_SLA_TARGETS).decode(),
        DEFAULT_DEFICIENCY_ANSWER_DAYS,
        list(visible) if visible is not None else None,
        list(organization_ids) if organization_ids else None,
        [str(k) for k in kinds] if kinds else None,
        include_snoozed,
    ]


async def tasks(
    con: asyncpg.Connection,
    keyset: KeysetPage,
    *,
    day: date,
    fetch: int,
    visible: Collection[UUID] | None = None,
    organization_ids: Collection[UUID] | None = None,
    kinds: Collection[TaskKind] | None = None,
    include_snoozed: bool = False,
    assignee: str | None = None,
    unassigned: bool = False,
    due_by: date | None = None,
) -> list[asyncpg.Record]:
    """A page of the tasks open on ``day`` (``fetch`` rows: the page and one more)."""
    statement = LIST.replace("__PAGE__", keyset.where(11)).replace("__ORDER__", keyset.order_by())
    due_index = business_day_index(due_by) if due_by else None
    common = _common(day, visible, organization_ids, kinds, include_snoozed)
    rows: list[asyncpg.Record] = await con.fetch(
        statement, *common, assignee, unassigned, due_index, *keyset.params(), fetch
    )
    return rows


async def counts(
    con: asyncpg.Connection,
    *,
    day: date,
    visible: Collection[UUID] | None = None,
    organization_ids: Collection[UUID] | None = None,
    kinds: Collection[TaskKind] | None = None,
) -> WorkCounts:
    """How many open tasks each specialist has (and how many nobody has), per client, and how many are late."""
    today = business_day_index(day) or 0
    found = await con.fetch(COUNTS, *_common(day, visible, organization_ids, kinds, False), today)
    by: dict[str, dict[str, int]] = {"assignee": {}, "organization": {}, "late": {}}
    for row in found:
        by[row["dimension"]][row["name"]] = row["n"]
    return WorkCounts(
        as_of=day, by_assignee=by["assignee"], by_organization=by["organization"], late=by["late"].get("", 0)
    )


def task_of(row: asyncpg.Record, day: date) -> WorkTask:
    due_index: int = row["due_sort"]
    known = due_index != UNKNOWN_DUE
    today = business_day_index(day)
    left = due_index - today if known and today is not None else None
    return WorkTask(
        task_id=row["task_id"],
        organization_id=row["organization_id"],
        organization_name=row["organization_name"],
        kind=TaskKind(row["kind"]),
        label=row["label"],
        subject_id=row["subject_id"],
        priority=row["priority"],
        opened_on=row["opened_on"],
        due_on=row["due_on"] or (business_day_at(due_index) if known else None),
        business_days_left=left,
        late=left is not None and left < 0,
        assignee=row["assignee"],
        snoozed_until=row["snoozed_until"],
    )
