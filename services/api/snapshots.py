"""The named snapshots of the views (`credledger replay`) a reader may pass as ``?snapshot=``: what an as-of picker
offers. A snapshot made for every firm is listed to each; one made for a firm only to that firm (the table's
row-level security)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from litestar import Request, get

from domain.business_days import MASSACHUSETTS
from services.api.auth import Principal, may_read
from services.api.dependencies import ReadPool
from services.api.openapi_docs import read_docs
from services.api.view_reads import read_views


class ViewSnapshot(msgspec.Struct):
    """A snapshot of the views as they stood at a past moment."""

    name: str  # pass it as ?snapshot= to any view read
    as_of: datetime  # the recording moment the snapshot stands at
    as_of_day: date  # that moment's Massachusetts day: the business day the snapshot shows
    # The events it holds: for a snapshot of this firm only; null for one of every firm (whose count would tell
    # each firm the whole service's volume).
    events_applied: int | None
    created_at: datetime


class ViewSnapshots(msgspec.Struct):
    items: list[ViewSnapshot]


@get(
    "/v1/views/snapshots",
    operation_id="listViewSnapshots",
    tags=["views"],
    guards=[may_read],
    **read_docs("List the view snapshots", not_found=False),
)
async def list_view_snapshots(request: Request, read_pool: ReadPool) -> ViewSnapshots:
    """The snapshots of the views made with `credledger replay --as-of ...`, newest moment first: each name can be
    passed as `snapshot` to every view read, which then answers as the views stood at that moment."""
    principal: Principal = request.user
    async with read_views(read_pool, principal) as con:
        rows = await con.fetch(
            "SELECT name, as_of, CASE WHEN tenant_id IS NULL THEN NULL ELSE events_applied END AS events_applied, "
            "created_at FROM view_snapshots ORDER BY as_of DESC, name"
        )
    return ViewSnapshots(
        items=[
            ViewSnapshot(
                name=row["name"],
                as_of=row["as_of"],
                as_of_day=row["as_of"].astimezone(MASSACHUSETTS).date(),
                events_applied=row["events_applied"],
                created_at=row["created_at"],
            )
            for row in rows
        ]
    )
