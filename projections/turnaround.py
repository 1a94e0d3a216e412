"""Turnaround: per application, the Massachusetts business days from submission to decision, split into
waiting on the payer and waiting on the client (deficiency periods), with the kind, plan and provider type the
metrics group by. SLA targets, breaches and aging depend on tenant settings and on the day of the query, so the
API (services/api/turnaround_view.py) computes them at query time from these rows.

Conventions (they are the domain's, domain/business_days.py):
- The business days from a to b are those AFTER a up to and INCLUDING b: submitted on a Monday and decided on
  the Tuesday is 1; decided on the day of submission is 0. Weekends and observed Massachusetts holidays (Patriots'
  Day, Juneteenth, ...) do not count.
- Waiting on the client: from a deficiency notice to its resolution, counted the same way (so the notice day is
  the payer's and the resolution day the client's). Overlapping deficiencies count once: the client's clock runs
  while any is open. A decision (or withdrawal) with deficiencies still open ends the period on that day.
  Waiting on the payer is the rest, so payer + client = total exactly.
- The submission that counts is the LATEST: a rejection returns the application unprocessed and it loses its
  place in the queue (the seeds), so the clock, and the deficiencies counted, restart at the resubmission. The
  first submission date and the number of rejections are kept alongside.
- Provider type: the organization's CURRENT one. A profile correction fixes a mistake, so past applications are
  re-labelled too; this also makes the rows independent of the order organization and application events are
  applied in (a rebuild gives the same rows as the live view).
- Dates outside the holiday table (domain/holidays_ma.py) have no business-day count: stored as NULL, never an
  error that would park the event.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID

import asyncpg

from domain.application import Application, ApplicationKind
from domain.business_days import business_days_between
from domain.errors import InvalidValue
from domain.holidays_ma import FIRST_YEAR
from domain.organization import Organization
from projections.tracking import OutOfOrder

name = "turnaround"
aggregates = ("organization", "application")

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

_EPOCH = date(FIRST_YEAR, 1, 1)


@lru_cache(maxsize=8192)
def business_day_index(day: date | None) -> int | None:
    """Business days from the start of the holiday table to ``day``, so that for a <= b
    ``index(b) - index(a) == business_days_between(a, b)``: SQL can then count business days to any
    reference date the query picks (aging, open applications) with a subtraction. None outside the table."""
    if day is None:
        return None
    try:
        return business_days_between(_EPOCH, day)
    except InvalidValue:
        return None


def business_days(start: date | None, end: date | None) -> int | None:
    """The domain's count (after start, up to and including end); None when unknown."""
    if start is None or end is None:
        return None
    try:
        return business_days_between(start, end)
    except InvalidValue:
        return None


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


@dataclass(frozen=True)
class Facts:
    """What one application's events say about its turnaround (the mutable columns of its row)."""

    stage: str = "preparing"  # preparing, open, decided, withdrawn
    outcome: str | None = None
    first_submitted_on: date | None = None
    submitted_on: date | None = None
    submissions: int = 0
    rejections: int = 0
    last_rejected_on: date | None = None
    decided_on: date | None = None
    business_days: int | None = None
    deficiencies: int = 0
    open_deficiencies: int = 0
    client_days: int | None = 0
    client_since: date | None = None

    def closing_client_period(self, on: date) -> Facts:
        """Stop the client's clock on ``on`` if it runs."""
        if self.client_since is None:
            return self
        return replace(
            self, client_days=_plus(self.client_days, business_days(self.client_since, on)), client_since=None
        )


def evolve(facts: Facts, event: Any) -> Facts:
    """The facts after one application event (pure: unit-tested without a database)."""
    match event:
        case Application.Submitted():
            return replace(
                facts,
                stage="open",
                first_submitted_on=facts.first_submitted_on or event.submitted_on,
                submitted_on=event.submitted_on,
                submissions=facts.submissions + 1,
                deficiencies=0,
                open_deficiencies=0,
                client_days=0,
                client_since=None,
            )
        case Application.DeficiencyNoticed():
            return replace(
                facts,
                deficiencies=facts.deficiencies + 1,
                open_deficiencies=facts.open_deficiencies + 1,
                client_since=event.noticed_on if facts.open_deficiencies == 0 else facts.client_since,
            )
        case Application.DeficiencyResolved():
            resolved = replace(facts, open_deficiencies=max(0, facts.open_deficiencies - 1))
            return resolved.closing_client_period(event.resolved_on) if resolved.open_deficiencies == 0 else resolved
        case Application.Approved() | Application.Denied():
            return replace(
                facts.closing_client_period(event.decided_on),
                stage="decided",
                outcome="approved" if isinstance(event, Application.Approved) else "denied",
                decided_on=event.decided_on,
                business_days=business_days(facts.submitted_on, event.decided_on),
            )
        case Application.Rejected():
            # Back to the client unprocessed: the next submission starts a new turnaround.
            return replace(
                facts,
                stage="preparing",
                submitted_on=None,
                rejections=facts.rejections + 1,
                last_rejected_on=event.rejected_on,
                deficiencies=0,
                open_deficiencies=0,
                client_days=0,
                client_since=None,
            )
        case Application.Withdrawn():
            # Not a payer decision: kept (with the days it took) but left out of the metrics.
            return replace(
                facts.closing_client_period(event.withdrawn_on),
                stage="withdrawn",
                outcome="withdrawn",
                decided_on=event.withdrawn_on,
                business_days=business_days(facts.submitted_on, event.withdrawn_on),
            )
    return facts  # documents, screenings: no effect on turnaround


_FACT_COLUMNS = tuple(Facts.__dataclass_fields__)
# Each date column with its business-day index column, derived on every write.
_INDEXED = {"submitted_on": "submitted_index", "client_since": "client_since_index"}
_WRITTEN = (*_FACT_COLUMNS, *_INDEXED.values())
_UPDATE = (
    "UPDATE turnaround_applications SET updated_at = $2, "
    + ", ".join(f"{column} = ${i}" for i, column in enumerate(_WRITTEN, start=3))
    + " WHERE application_id = $1"
)


async def apply(con: asyncpg.Connection, event: Any, position: int) -> UUID | None:
    match event:
        case Organization.Registered():
            await con.execute(
                "INSERT INTO turnaround_organizations (tenant_id, organization_id, provider_type) VALUES ($1, $2, $3)",
                event.tenant_id,
                event.originator_id,
                event.provider_type,
            )
            return None  # no application row of it exists yet
        case Organization.ProfileCorrected() if event.provider_type:
            await con.execute(
                "UPDATE turnaround_organizations SET provider_type = $2 WHERE organization_id = $1",
                event.originator_id,
                event.provider_type,
            )
            relabelled = await con.fetchval(
                "WITH moved AS (UPDATE turnaround_applications SET provider_type = $2 "
                "WHERE organization_id = $1 RETURNING 1) SELECT count(*) FROM moved",
                event.originator_id,
                event.provider_type,
            )
            return event.originator_id if relabelled else None
        case Application.Opened():
            provider_type = await con.fetchval(
                "SELECT provider_type FROM turnaround_organizations WHERE organization_id = $1", event.organization_id
            )
            if provider_type is None:
                raise OutOfOrder(f"organization {event.organization_id} not registered in this view yet")
            await con.execute(
                "INSERT INTO turnaround_applications (tenant_id, application_id, organization_id, kind, plan, "
                "provider_type, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                event.tenant_id,
                event.originator_id,
                event.organization_id,
                str(event.kind),
                event.plan,
                provider_type,
                event.timestamp,
            )
            return event.organization_id
        case Application.Event():
            return await _apply_application_event(con, event)
    return None


async def _apply_application_event(con: asyncpg.Connection, event: Any) -> UUID | None:
    row = await con.fetchrow(
        f"SELECT organization_id, {', '.join(_FACT_COLUMNS)} FROM turnaround_applications WHERE application_id = $1",
        event.originator_id,
    )
    if row is None:
        raise OutOfOrder(f"application {event.originator_id} not opened in this view yet")
    before = Facts(**{column: row[column] for column in _FACT_COLUMNS})
    after = evolve(before, event)
    if after == before:
        return None
    values = asdict(after)
    values.update({index: business_day_index(values[column]) for column, index in _INDEXED.items()})
    # updated_at: the event's own time (same aggregate, so in order; never the clock).
    await con.execute(
        _UPDATE,
        event.originator_id,
        event.timestamp,
        *(values[column] for column in _WRITTEN),
    )
    return row["organization_id"]
