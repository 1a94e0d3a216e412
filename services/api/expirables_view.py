"""The expirables view's route: every credential in effect on a day with its due date, window and severity
(projections/expirables/queries.py computes them at query time, settings applied), filtered, sorted and paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, Parameter

from projections.expirables import queries
from projections.expirables.queries import ExpirableKind, ExpirablePage, Window
from services.api.auth import Principal, may_read
from services.api.dependencies import ReadPool
from services.api.openapi_docs import read_docs
from services.api.paging import Keyset, SnapshotParameter, ViewFilters
from services.api.view_reads import read_views, reference_day

ExpirablesDay = Annotated[
    date | None,
    Parameter(
        description="the credentials in effect on this business day (Massachusetts), windows counted from it "
        "(default: today)"
    ),
]


@dataclass(frozen=True)
class ExpirableFilters(ViewFilters):
    """The list's filters (the expirables report takes the same)."""

    renamed: ClassVar[dict[str, str]] = {"kind": "kinds", "practitioner_id": "subject_id", "window": "windows"}
    organization_id: Annotated[list[UUID] | None, Parameter(description="only these client practices")] = None
    kind: Annotated[list[ExpirableKind] | None, Parameter(description="only these kinds")] = None
    practitioner_id: Annotated[UUID | None, Parameter(description="only this clinician's credentials")] = None
    window: Annotated[
        list[Window] | None,
        Parameter(description="only these windows: overdue, 30, 60, 90 (due within so many days) or later"),
    ] = None
    due_by: Annotated[date | None, Parameter(description="only those due on or before this day")] = None


EXPIRABLE_FILTERS = {"filters": Provide(ExpirableFilters, sync_to_thread=False)}


class ExpirablesViewController(Controller):
    path = "/v1/views"
    tags = ("views",)

    @get(
        "/expirables",
        operation_id="listExpirables",
        guards=[may_read],
        dependencies=EXPIRABLE_FILTERS,
        **read_docs("List expiring credentials and due dates"),
    )
    async def expirables(
        self,
        request: Request,
        read_pool: ReadPool,
        filters: NamedDependency[ExpirableFilters],
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: FromQuery[str | None] = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(queries.SORTS)}; prefix with - to reverse")
        ] = "due_on",
        as_of: ExpirablesDay = None,
        snapshot: SnapshotParameter = None,
    ) -> ExpirablePage:
        """Every dated credential of the firm's client practices and their clinicians in effect on a day: licenses,
        DEA registrations, board certifications, malpractice policies, CAQH attestations (due every 120 days),
        expiring dossier documents, MassHealth revalidation (every 5 years) and plan re-credentialing (every 36
        months); the cycles are the firm's settings. Each with its due date, window, severity (critical: lapsed
        while an enrollment rests on it), and the count per window. Sorted by due date by default, paged. A client
        viewer sees its own practice's."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, queries.SORTS, "period_id")
        async with read_views(read_pool, principal, snapshot) as con:
            day = as_of or await reference_day(con)
            rows, counts = await queries.expirables(
                con,
                keyset,
                day=day,
                fetch=limit + 1,
                visible=principal.organizations,
                **filters.arguments(),
            )
        items = [queries.expirable_of(r) for r in rows[:limit]]
        return ExpirablePage(as_of=day, counts=counts, items=items, next_cursor=keyset.next_cursor(rows, limit))
