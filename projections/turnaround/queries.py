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
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.application_values import ApplicationKind
from projections.engine.paging import KeysetPage
from projections.turnaround.handlers import business_day_index

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

# Aging buckets of open applications, in business days since submission (inclusive; None: no upper bound).
AGING_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 30), (31, 60), (61, 90), (91, None))


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
    payer_days: int | None  # the rest
    deficiencies: int
    open_deficiencies: int
    sla_target_days: int
    breached: bool | None  # business_days > sla_target_days; None unless open or decided


class ApplicationPage(msgspec.Struct):
    as_of: date
    items: list[ApplicationTurnaround]
    next_cursor: str | None


class TurnaroundMetrics(msgspec.Struct, kw_only=True):
    """Decided (approved or denied) applications of one kind, plan, provider type and month of decision."""

    kind: str
    plan: str | None
    provider_type: str
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
    breached: int
    oldest_submitted_on: date
    buckets: list[Bucket]


class AgingPage(msgspec.Struct):
    """One item per kind with open applications: always a single page (next_cursor null)."""

    as_of: date
    items: list[Aging]
    next_cursor: str | None


# --- per application ---------------------------------------------------------------------------

_FACTS = (
    "application_id, a.organization_id, kind, plan, provider_type, stage AS status, outcome, first_submitted_on, "
    "submitted_on, submissions, rejections, last_rejected_on, decided_on, deficiencies, open_deficiencies"
)


def _since(index_column: str) -> str:
    """Business days from the column's date to as_of ($3); NULL when the date has no index."""
    return f"CASE WHEN {index_column} IS NOT NULL THEN GREATEST(0, $3 - {index_column}) END"


# Each application with its facts as they stood at the end of a day: the step that covers it (handlers.StepRow).
_STEPS = "turnaround_steps s JOIN turnaround_applications a USING (tenant_id, application_id)"


def _stood_on(day: str) -> str:
    """The step that covers the day (a parameter such as $4); applications opened after it have none."""
    return f"s.effective_on <= {day} AND (s.until IS NULL OR s.until > {day})"


# $1, $2 keyset; $3 as_of's business-day index; $4 as_of; $5 targets (jsonb); $6 the reader's organizations;
# $7 limit; then the filters.
_APPLICATIONS = f"""
WITH facts AS (
    SELECT {_FACTS},
        CASE stage WHEN 'open' THEN {_since("submitted_index")} ELSE business_days END AS business_days,
        CASE WHEN stage = 'open' AND client_since IS NOT NULL
             THEN client_days + {_since("client_since_index")} ELSE client_days END AS client_days,
        CASE stage WHEN 'open' THEN $4::date WHEN 'preparing' THEN NULL ELSE decided_on END AS counted_to,
        CASE WHEN stage = 'open' THEN CASE WHEN open_deficiencies > 0 THEN 'client' ELSE 'payer' END
             END AS waiting_on,
        ($5::jsonb ->> kind)::int AS sla_target_days
    FROM {_STEPS}
    WHERE {_stood_on("$4")} AND ($6::uuid[] IS NULL OR a.organization_id = ANY($6))
      AND ($8::text IS NULL OR kind = $8) AND ($9::text IS NULL OR plan = $9)
      AND ($10::text IS NULL OR provider_type = $10) AND ($11::text IS NULL OR stage = $11)
      AND ($12::uuid[] IS NULL OR a.organization_id = ANY($12))
      AND ($15::uuid IS NULL OR application_id = $15)
), measured AS (
    SELECT *, business_days - client_days AS payer_days,
        CASE WHEN status IN ('open', 'decided') THEN business_days > sla_target_days END AS breached,
        -- Sort keys are NOT NULL for keyset paging: the unknown sort last.
        COALESCE(submitted_on, DATE '9999-12-31') AS sort_submitted_on,
        COALESCE(decided_on, DATE '9999-12-31') AS sort_decided_on,
        COALESCE(business_days, -1) AS sort_business_days
    FROM facts
)
SELECT * FROM measured
WHERE {{keyset}} AND ($13::boolean IS NULL OR breached = $13) AND ($14::text IS NULL OR waiting_on = $14)
ORDER BY {{order_by}} LIMIT $7
"""
APPLICATION_SORTS = {
    "submitted_on": ("sort_submitted_on", "date"),
    "decided_on": ("sort_decided_on", "date"),
    "business_days": ("sort_business_days", "integer"),
}
_ITEM_FIELDS = ApplicationTurnaround.__struct_fields__


# --- metrics -----------------------------------------------------------------------------------

# $1, $2 keyset; $3 targets; $4 the reader's organizations; $5 limit; then the filters. Decided applications'
# facts are final: their current steps.
_METRICS = f"""
WITH decided AS (
    SELECT kind, plan, provider_type, to_char(decided_on, 'YYYY-MM') AS month, outcome, deficiencies,
        business_days, client_days, business_days - client_days AS payer_days,
        ($3::jsonb ->> kind)::int AS target
    FROM {_STEPS}
    WHERE s.until IS NULL AND stage = 'decided' AND business_days IS NOT NULL
      AND ($4::uuid[] IS NULL OR a.organization_id = ANY($4))
      AND ($6::text IS NULL OR kind = $6) AND ($7::text IS NULL OR plan = $7)
      AND ($8::text IS NULL OR provider_type = $8)
      AND ($9::date IS NULL OR decided_on >= $9) AND ($10::date IS NULL OR decided_on < $10)
), grouped AS (
    SELECT
        -- A stable id per group, the tie-breaker keyset paging needs.
        md5(concat_ws(chr(31), kind, COALESCE(plan, ''), provider_type, month))::uuid AS group_id,
        kind, plan, provider_type, month,
        -- Sort keys that order whole groups (month, then kind, plan, provider type ...), bytewise.
        concat_ws(chr(31), month, kind, COALESCE(plan, ''), provider_type) COLLATE "C" AS by_month,
        concat_ws(chr(31), kind, COALESCE(plan, ''), provider_type, month) COLLATE "C" AS by_kind,
        concat_ws(chr(31), provider_type, kind, COALESCE(plan, ''), month) COLLATE "C" AS by_provider_type,
        count(*)::int AS count,
        (count(*) FILTER (WHERE outcome = 'approved'))::int AS approved,
        (count(*) FILTER (WHERE outcome = 'denied'))::int AS denied,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY business_days) AS median_business_days,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY business_days) AS p90_business_days,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY client_days) AS median_client_days,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY payer_days) AS median_payer_days,
        max(target) AS sla_target_days,
        (count(*) FILTER (WHERE business_days > target))::int AS breaches,
        (count(*) FILTER (WHERE deficiencies > 0))::float8 / count(*) AS deficiency_rate
    FROM decided GROUP BY kind, plan, provider_type, month
)
SELECT * FROM grouped WHERE {{keyset}} ORDER BY {{order_by}} LIMIT $5
"""
METRIC_SORTS = {
    "month": ("by_month", "text"),
    "kind": ("by_kind", "text"),
    "provider_type": ("by_provider_type", "text"),
    "count": ("count", "integer"),
    "median_business_days": ("median_business_days", "float8"),
    "p90_business_days": ("p90_business_days", "float8"),
    "breaches": ("breaches", "integer"),
    "deficiency_rate": ("deficiency_rate", "float8"),
}
_METRIC_FIELDS = TurnaroundMetrics.__struct_fields__


# --- aging -------------------------------------------------------------------------------------


def _bucket_label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


def _bucket_filter(low: int, high: int | None) -> str:
    condition = f"days >= {low}" + (f" AND days <= {high}" if high is not None else "")
    return f"(count(*) FILTER (WHERE {condition}))::int"


# $1 as_of's index; $2 as_of; $3 targets; $4 the reader's organizations; then the filters.
_AGING = f"""
WITH opened AS (
    SELECT kind, submitted_on, open_deficiencies, $1 - submitted_index AS days, ($3::jsonb ->> kind)::int AS target
    FROM {_STEPS}
    WHERE {_stood_on("$2")} AND stage = 'open' AND submitted_index IS NOT NULL
      AND ($4::uuid[] IS NULL OR a.organization_id = ANY($4))
      AND ($5::text IS NULL OR kind = $5) AND ($6::text IS NULL OR plan = $6)
      AND ($7::text IS NULL OR provider_type = $7) AND ($8::uuid[] IS NULL OR a.organization_id = ANY($8))
)
SELECT kind, count(*)::int AS open, (count(*) FILTER (WHERE open_deficiencies > 0))::int AS waiting_on_client,
    max(target) AS sla_target_days, (count(*) FILTER (WHERE days > target))::int AS breached,
    min(submitted_on) AS oldest_submitted_on,
    ARRAY[{", ".join(_bucket_filter(low, high) for low, high in AGING_BUCKETS)}] AS buckets
FROM opened GROUP BY kind ORDER BY kind
"""


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
) -> list[asyncpg.Record]:
    """``fetch`` applications of the page (APPLICATION_SORTS), open ones counted to ``as_of``; each row makes an
    item with ``application_of``. ``visible``: the reader's organizations (None: all the tenant's)."""
    query = _APPLICATIONS.format(keyset=page.where(1), order_by=page.order_by())
    targets = await _targets(con)
    filters = (_text(kind), plan, provider_type, _text(status), organization_ids, breached, _text(waiting_on))
    rows: list[asyncpg.Record] = await con.fetch(
        query, *page.params(), _index(as_of), as_of, targets, _listed(visible), fetch, *filters, application_id
    )
    return rows


def application_of(row: asyncpg.Record) -> ApplicationTurnaround:
    return ApplicationTurnaround(**{f: row[f] for f in _ITEM_FIELDS})


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
) -> list[asyncpg.Record]:
    """``fetch`` groups of the page (METRIC_SORTS), decided on or after ``first`` and before ``after_last``;
    each row makes an item with ``metrics_of``."""
    organizations = _listed(visible)
    if organization_ids is not None:  # narrow, never widen, a client viewer's scope
        organizations = [o for o in organization_ids if visible is None or o in visible]
    query = _METRICS.format(keyset=page.where(1), order_by=page.order_by())
    targets = await _targets(con)
    rows: list[asyncpg.Record] = await con.fetch(
        query, *page.params(), targets, organizations, fetch, _text(kind), plan, provider_type, first, after_last
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
    """Open applications per kind, their business days counted to ``as_of``, in AGING_BUCKETS."""
    targets = await _targets(con)
    filters = (_text(kind), plan, provider_type, organization_ids)
    rows = await con.fetch(_AGING, _index(as_of), as_of, targets, _listed(visible), *filters)
    return [
        Aging(
            kind=r["kind"],
            open=r["open"],
            waiting_on_client=r["waiting_on_client"],
            sla_target_days=r["sla_target_days"],
            breached=r["breached"],
            oldest_submitted_on=r["oldest_submitted_on"],
            buckets=[
                Bucket(label=_bucket_label(low, high), min_days=low, max_days=high, count=count)
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


async def _targets(con: asyncpg.Connection) -> str:
    """The tenant's SLA targets (tenant_settings, under row-level security) over the defaults, as jsonb text."""
    overrides = await con.fetchval("SELECT sla_targets FROM tenant_settings")
    targets = {**DEFAULT_SLA_TARGETS, **(msgspec.json.decode(overrides) if overrides is not None else {})}
    return msgspec.json.encode(targets).decode()


def _listed(visible: Collection[UUID] | None) -> list[UUID] | None:
    """A client viewer reads only its own organizations' rows (and aggregates over them only)."""
    return list(visible) if visible is not None else None


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None
