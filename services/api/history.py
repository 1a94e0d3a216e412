"""Compliance history: every event of a record (and of its access log) with time, acting user,
role, reason and a readable summary; filters by date range and event kind; paginated."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Request, get
from litestar.openapi.spec import Example
from litestar.params import FromPath, FromQuery, Parameter, QueryParameter

from domain.application import Application
from domain.base import TenantAggregate
from domain.business_time import business_today, parse_business_day
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.task import Task
from domain.user_account import UserAccount
from services.api.auth import may_read_history
from services.api.commands import call
from services.api.dependencies import Service
from services.api.openapi_docs import read_docs
from services.api.paging import invalid
from services.app.compliance import HistoryEntry


class HistoryPage(msgspec.Struct):
    items: list[HistoryEntry]
    next_cursor: str | None


def aware(moment: datetime | None, key: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise invalid(key, "a timestamp needs its UTC offset (e.g. Z)", "The timestamp has no UTC offset.")
    return moment


async def _page(
    request: Request,
    credledger: Service,
    kind: type[TenantAggregate],
    record_id: UUID,
    since: datetime | None,
    until: datetime | None,
    event: list[str] | None,
    limit: int,
    cursor: str | None,
) -> HistoryPage:
    try:
        after = int(cursor) if cursor else 0
    except ValueError:
        raise invalid("cursor", "invalid cursor", "The cursor is not one this API returned.") from None
    entries = await call(
        credledger.history,
        request.user.actor,
        kind,
        record_id,
        since=aware(since, "from"),
        until=aware(until, "to"),
        kinds=frozenset(event) if event else None,
    )
    shown = [e for e in entries if e.sequence > after]
    items = shown[:limit]
    return HistoryPage(items=items, next_cursor=str(items[-1].sequence) if len(shown) > limit else None)


AsOf = Annotated[
    str | None,
    Parameter(
        description="The record as it stood on this business day (YYYY-MM-DD, Massachusetts): the facts effective "
        "on or before it, whenever they were recorded. An ISO 8601 instant with its offset stands for its "
        "Massachusetts day.",
        examples=[Example(value="2026-04-20")],
    ),
]
KnownAt = Annotated[
    datetime | None,
    Parameter(
        description="As the firm knew it at this moment (ISO 8601 with its UTC offset): only facts recorded by then. "
        "With as_of: what was known at this moment about that day; alone: as of today.",
        examples=[Example(value="2026-04-21T17:00:00Z")],
    ),
]


def business_day(value: str, key: str) -> date:
    """A query parameter as a Massachusetts business day (domain/business_time.py parse_business_day)."""
    try:
        return parse_business_day(value)
    except ValueError as error:
        raise invalid(key, str(error), "Invalid date.") from None


def as_of_arguments(as_of: str | None, known_at: datetime | None) -> tuple[date, datetime | None] | None:
    """``as_of`` and ``known_at`` as the service's as_of takes them; None when neither is asked for."""
    if as_of is None and known_at is None:
        return None
    return business_day(as_of, "as_of") if as_of else business_today(), aware(known_at, "known_at")


Purpose = Annotated[
    str, Parameter(min_length=3, max_length=200, description="why you need the personal data; recorded with the read")
]
_DOC = (
    "Every change with who made it (user and role), when and why, and every read of personal data (and refused "
    "attempt), oldest first; filtered by time range and event kind, paged with ?limit=&cursor=."
)
Limit = Annotated[int, Parameter(ge=1, le=500)]
Kinds = Annotated[list[str] | None, Parameter(description="only these event kinds, e.g. AccessGranted")]
From = Annotated[datetime | None, QueryParameter(name="from", description="from this moment (ISO 8601 with offset)")]
To = Annotated[datetime | None, QueryParameter(name="to", description="up to this moment (ISO 8601 with offset)")]


@get(
    "/v1/organizations/{organization_id:uuid}/history",
    operation_id="getOrganizationHistory",
    guards=[may_read_history],
    tags=["history"],
    description=_DOC,
    **read_docs("A practice's compliance history"),
)
async def organization_history(
    request: Request,
    credledger: Service,
    organization_id: FromPath[UUID],
    since: From = None,
    until: To = None,
    event: Kinds = None,
    limit: Limit = 100,
    cursor: FromQuery[str | None] = None,
) -> HistoryPage:
    return await _page(request, credledger, Organization, organization_id, since, until, event, limit, cursor)


@get(
    "/v1/user-accounts/{account_id:uuid}/history",
    operation_id="getUserAccountHistory",
    guards=[may_read_history],
    tags=["history"],
    description=_DOC,
    **read_docs("A user account's compliance history"),
)
async def user_account_history(
    request: Request,
    credledger: Service,
    account_id: FromPath[UUID],
    since: From = None,
    until: To = None,
    event: Kinds = None,
    limit: Limit = 100,
    cursor: FromQuery[str | None] = None,
) -> HistoryPage:
    return await _page(request, credledger, UserAccount, account_id, since, until, event, limit, cursor)


@get(
    "/v1/applications/{application_id:uuid}/history",
    operation_id="getApplicationHistory",
    guards=[may_read_history],
    tags=["history"],
    description=_DOC,
    **read_docs("An application's compliance history"),
)
async def application_history(
    request: Request,
    credledger: Service,
    application_id: FromPath[UUID],
    since: From = None,
    until: To = None,
    event: Kinds = None,
    limit: Limit = 100,
    cursor: FromQuery[str | None] = None,
) -> HistoryPage:
    return await _page(request, credledger, Application, application_id, since, until, event, limit, cursor)


@get(
    "/v1/practitioners/{practitioner_id:uuid}/history",
    operation_id="getPractitionerHistory",
    guards=[may_read_history],
    tags=["history"],
    description=_DOC,
    **read_docs("A practitioner's compliance history"),
)
async def practitioner_history(
    request: Request,
    credledger: Service,
    practitioner_id: FromPath[UUID],
    since: From = None,
    until: To = None,
    event: Kinds = None,
    limit: Limit = 100,
    cursor: FromQuery[str | None] = None,
) -> HistoryPage:
    return await _page(request, credledger, Practitioner, practitioner_id, since, until, event, limit, cursor)


@get(
    "/v1/tasks/{task_id:uuid}/history",
    operation_id="getTaskHistory",
    guards=[may_read_history],
    tags=["history"],
    description=_DOC + " A task nobody acted on has no history (404).",
    **read_docs("A work-queue task's history"),
)
async def task_history(
    request: Request,
    credledger: Service,
    task_id: FromPath[UUID],
    since: From = None,
    until: To = None,
    event: Kinds = None,
    limit: Limit = 100,
    cursor: FromQuery[str | None] = None,
) -> HistoryPage:
    return await _page(request, credledger, Task, task_id, since, until, event, limit, cursor)


HISTORY_ROUTES = [organization_history, user_account_history, application_history, practitioner_history, task_history]
