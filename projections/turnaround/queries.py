"""The turnaround view's answers, the SQL that computes them and the rules they apply: application rows,
metrics per group, aging buckets.

The projection (handlers.py) stores facts only. What depends on the tenant's settings or on the day of the
query is computed here, in the caller's read-only transaction: SLA targets (tenant_settings over
DEFAULT_SLA_TARGETS), breaches, and the business days of open applications counted to ``as_of`` with the
stored business-day indexes; an answer "as of D" reads each application as it stood at D's end. The API
(services/api/turnaround_view.py) parses the request and shapes the page.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from msgspec import Meta

from domain.application_values import ApplicationKind
from projections.engine.paging import KeysetPage
from projections.turnaround.handlers import business_day_at, business_day_index
from projections.turnaround.sql import AGING, AGING_BUCKETS, APPLICATIONS, DUE_SOON_DAYS, METRICS, bucket_label

# SLA targets in business days, by application kind: the ONE place for the defaults. A tenant overrides them in
# tenant_settings.sla_targets (PUT /v1/settings); kinds it leaves out keep these.
DEFAULT_SLA_TARGETS: dict[str, int] = {
    ApplicationKind.POSC_REGISTRATION.value: 7,  # "MassHealth will process your request within seven business days"
    ApplicationKind.PRIMARY_USER_MODIFICATION.value: 7,  # POSC-DC-PM goes through the same POSC forms desk
    ApplicationKind.ENROLLMENT.value: 60,  # state review, about 45-60 business days
    ApplicationKind.REVALIDATION.value: 60,  # the same state review
    ApplicationKind.ACO_AFFILIATION.value: 60,  # plan credentialing, 30-60 more business days
    ApplicationKind.MCO_AFFILIATION.value: 60,
    ApplicationKind.PCC_AFFILIATION.value: 60,
}
# Business days a client has to answer a deficiency notice: the firm's policy (tenant_settings, PUT /v1/settings),
# not a MassHealth rule; the seeds give none ("you can then provide any missing information").
DEFAULT_DEFICIENCY_ANSWER_DAYS = 10


class Status(StrEnum):
    PREPARING = "preparing"  # not submitted yet, or back after a rejection: no clock runs
    OPEN = "open"  # submitted, waiting on the payer or (deficiency) on the client
    DECIDED = "decided"  # approved or denied
    WITHDRAWN = "withdrawn"


class WaitingOn(StrEnum):
    PAYER = "payer"
    CLIENT = "client"


class ApplicationTurnaround(msgspec.Struct, kw_only=True):
    application_id: UUID
    organization_id: UUID
    kind: str
    plan: str | None
    provider_type: str
    status: str
    waiting_on: str | None  # open applications: payer, or client while a deficiency is open
    outcome: str | None  # approved, denied, withdrawn
    first_submitted_on: date | None
    submitted_on: date | None  # the submission that counts: the latest (a rejection restarts the clock)
    submissions: int
    rejections: int
    last_rejected_on: date | None
    decided_on: date | None  # the decision, or the withdrawal
    counted_to: date | None  # business days run to this day: the decision, or as_of while open
    business_days: int | None  # after submission, up to and including counted_to
    client_days: int | None  # of them, waiting on the client (deficiency notice to resolution)
    received_on: Annotated[
        date | None,
        Meta(description="The payer's receipt, where its clock starts: the day sent for a fax or the portal"),
    ]
    receipt_pending: Annotated[
        bool | None,
        Meta(
            description="Open and mailed, its delivery not confirmed by as_of: its clock is counted from the mailing "
            "until it is (POST /v1/applications/{id}/receipt); null unless open"
        ),
    ]
    transit_days: Annotated[int, Meta(description="of business_days, in the mail before the receipt (0 by fax)")]
    payer_days: int | None  # the rest: business_days - client_days - transit_days
    deficiencies: int
    open_deficiencies: int
    sla_target_days: int
    breached: Annotated[
        bool | None,
        Meta(description="payer_days > sla_target_days: the client's days do not count; null unless open or decided"),
    ]
    due_on: Annotated[
        date | None,
        Meta(
            description="The payer's due date: sla_target_days business days after submission, moved out by every "
            "day the client held the application (null unless open or decided)"
        ),
    ]
    answer_due_on: Annotated[
        date | None,
        Meta(
            description="While the client holds the application: its answer's due date, the firm's "
            "deficiency_answer_days business days after the notice that opened the deficiency period"
        ),
    ]
    next_due_on: Annotated[
        date | None,
        Meta(description="What is due next while open: answer_due_on while waiting on the client, else due_on"),
    ]
    late: Annotated[bool | None, Meta(description="Open and past next_due_on as of as_of; null unless open")]


class ApplicationPage(msgspec.Struct):
    as_of: date
    items: list[ApplicationTurnaround]
    next_cursor: str | None


class TurnaroundMetrics(msgspec.Struct, kw_only=True):
    """Decided (approved or denied) applications of one kind, plan, provider type and month of decision (plan and
    provider type null when pooled)."""

    kind: str
    plan: str | None
    provider_type: str | None
    month: str  # YYYY-MM of the decision
    count: int
    approved: int
    denied: int
    median_business_days: float
    p90_business_days: float
    median_client_days: float | None
    median_payer_days: float | None
    sla_target_days: int
    breaches: int
    deficiency_rate: float  # share with at least one deficiency


class MetricsPage(msgspec.Struct):
    items: list[TurnaroundMetrics]
    next_cursor: str | None


class Bucket(msgspec.Struct):
    label: str
    min_days: int
    max_days: int | None
    count: int


class Aging(msgspec.Struct, kw_only=True):
    kind: str
    open: int
    waiting_on_client: int
    sla_target_days: int
    breached: Annotated[int, Meta(description="open applications over the SLA target on the payer's clock")]
    late: Annotated[int, Meta(description="open applications past their next due date (the payer's or the client's)")]
    due_soon: Annotated[
        int, Meta(description=f"open applications next due on one of the {DUE_SOON_DAYS} business days from as_of")
    ]
    oldest_submitted_on: date
    buckets: list[Bucket]


class AgingPage(msgspec.Struct):
    """One item per kind with open applications: always a single page (next_cursor null)."""

    as_of: date
    items: list[Aging]
    next_cursor: str | None


_DUE_DATES = {"due_on": "due_index", "answer_due_on": "answer_due_index", "next_due_on": "next_due_index"}
_ITEM_FIELDS = [f for f in ApplicationTurnaround.__struct_fields__ if f not in _DUE_DATES]
_METRIC_FIELDS = TurnaroundMetrics.__struct_fields__


# --- the queries ---------------------------------------------------------------------------------


async def applications(
    con: asyncpg.Connection,
    page: KeysetPage,
    *,
    as_of: date,
    visible: Collection[UUID] | None,
    fetch: int,
    kind: ApplicationKind | None = None,
    plan: str | None = None,
    provider_type: str | None = None,
    status: Status | None = None,
    organization_ids: list[UUID] | None = None,
    breached: bool | None = None,
    waiting_on: WaitingOn | None = None,
    application_id: UUID | None = None,
    due_by: date | None = None,
    late: bool | None = None,
) -> list[asyncpg.Record]:
    """``fetch`` applications of the page (APPLICATION_SORTS), each as it stood at ``as_of``'s end, open ones
    counted to it; each row makes an item with ``application_of``. ``visible``: the reader's organizations (None:
    all the tenant's). ``due_by``: open ones next due on or before that day."""
    query = APPLICATIONS.format(keyset=page.where(1), order_by=page.order_by())
    policy = await _policy(con)
    filters = (_text(kind), plan, provider_type, _text(status), organization_ids, breached, _text(waiting_on))
    due_index = None if due_by is None else _index(due_by)
    rows: list[asyncpg.Record] = await con.fetch(
        query,
        *page.params(),
        _index(as_of),
        as_of,
        policy.targets,
        _listed(visible),
        fetch,
        *filters,
        application_id,
        policy.answer_days,
        due_index,
        late,
    )
    return rows


def application_of(row: asyncpg.Record) -> ApplicationTurnaround:
    values = {f: row[f] for f in _ITEM_FIELDS}
    values.update({field: business_day_at(row[index]) for field, index in _DUE_DATES.items()})
    return ApplicationTurnaround(**values)


async def metrics(
    con: asyncpg.Connection,
    page: KeysetPage,
    *,
    visible: Collection[UUID] | None,
    fetch: int,
    kind: ApplicationKind | None = None,
    plan: str | None = None,
    provider_type: str | None = None,
    first: date | None = None,
    after_last: date | None = None,
    organization_ids: list[UUID] | None = None,
    pooled: bool = False,
) -> list[asyncpg.Record]:
    """``fetch`` groups of the page (METRIC_SORTS), decided on or after ``first`` and before ``after_last``;
    each row makes an item with ``metrics_of``. ``pooled``: one group per kind and month."""
    organizations = _listed(visible)
    if organization_ids is not None:  # narrow, never widen, a client viewer's scope
        organizations = [o for o in organization_ids if visible is None or o in visible]
    query = METRICS.format(keyset=page.where(1), order_by=page.order_by())
    targets = (await _policy(con)).targets
    rows: list[asyncpg.Record] = await con.fetch(
        query,
        *page.params(),
        targets,
        organizations,
        fetch,
        _text(kind),
        plan,
        provider_type,
        first,
        after_last,
        pooled,
    )
    return rows


def metrics_of(row: asyncpg.Record) -> TurnaroundMetrics:
    return TurnaroundMetrics(**{f: row[f] for f in _METRIC_FIELDS})


async def aging(
    con: asyncpg.Connection,
    *,
    as_of: date,
    visible: Collection[UUID] | None,
    kind: ApplicationKind | None = None,
    plan: str | None = None,
    provider_type: str | None = None,
    organization_ids: list[UUID] | None = None,
) -> list[Aging]:
    """Applications open at ``as_of``'s end per kind, their business days counted to it, in AGING_BUCKETS."""
    policy = await _policy(con)
    filters = (_text(kind), plan, provider_type, organization_ids)
    rows = await con.fetch(AGING, _index(as_of), as_of, policy.targets, _listed(visible), *filters, policy.answer_days)
    return [
        Aging(
            kind=r["kind"],
            open=r["open"],
            waiting_on_client=r["waiting_on_client"],
            sla_target_days=r["sla_target_days"],
            breached=r["breached"],
            late=r["late"],
            due_soon=r["due_soon"],
            oldest_submitted_on=r["oldest_submitted_on"],
            buckets=[
                Bucket(label=bucket_label(low, high), min_days=low, max_days=high, count=count)
                for (low, high), count in zip(AGING_BUCKETS, r["buckets"], strict=True)
            ],
        )
        for r in rows
    ]


def has_calendar(day: date) -> bool:
    """Whether business days can be counted to ``day`` (it is inside the Massachusetts holiday table)."""
    return business_day_index(day) is not None


# --- shared --------------------------------------------------------------------------------------


def _index(as_of: date) -> int:
    """The reference day's business-day index (the caller checked has_calendar)."""
    index = business_day_index(as_of)
    if index is None:
        raise ValueError(f"no business-day calendar for {as_of}")
    return index


class _Policy(msgspec.Struct, frozen=True):
    targets: str  # jsonb text: business days by application kind
    answer_days: int


async def _policy(con: asyncpg.Connection) -> _Policy:
    """The tenant's SLA targets over the defaults, and its deficiency answer days (tenant_settings, under row-level
    security)."""
    row = await con.fetchrow("SELECT sla_targets, deficiency_answer_days FROM tenant_settings")
    overrides = msgspec.json.decode(row["sla_targets"]) if row is not None else {}
    targets = msgspec.json.encode({**DEFAULT_SLA_TARGETS, **overrides}).decode()
    answer_days = row["deficiency_answer_days"] if row is not None else None
    return _Policy(targets, answer_days or DEFAULT_DEFICIENCY_ANSWER_DAYS)


def _listed(visible: Collection[UUID] | None) -> list[UUID] | None:
    """A client viewer reads only its own organizations' rows (and aggregates over them only)."""
    return list(visible) if visible is not None else None


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None
