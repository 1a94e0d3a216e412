"""Turnaround: per application, the Massachusetts business days from submission to decision, split into
waiting on the payer and waiting on the client (deficiency periods), with the kind, plan and provider type the
metrics group by. SLA targets, breaches and aging depend on tenant settings and on the day of the query, so the
view's queries (queries.py) compute them at query time from these rows.

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

- Business time: the facts are kept per step (StepRow), from the business day an event took effect to the next
  step's, so the view answers "as of D" with each application as it stood at D's end, as a replay as of D would.

The handlers fold each event into the rows in memory (projections/engine/rows.py); the rows are the tables'.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import Any, ClassVar, TypeAlias, get_args
from uuid import UUID

import msgspec

from domain.application import Application
from domain.base import TenantAggregate
from domain.business_days import is_business_day
from domain.business_time import effective_day
from domain.holidays_ma import FIRST_YEAR, LAST_YEAR
from domain.organization import Organization
from projections.engine.dispatch import Handlers
from projections.engine.rows import Row, ViewRows
from projections.engine.tracking import OutOfOrder

name = "turnaround"
aggregates = ("organization", "application")


@lru_cache(maxsize=1)
def _indexes() -> dict[date, int]:
    """Every date of the holiday table with its business-day index, counted once with the domain's own
    ``is_business_day``: counting from the table's start on each call walked thousands of days per event."""
    day, last, index = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31), 0
    indexes = {day: 0}
    while day < last:
        day += timedelta(days=1)
        index += is_business_day(day)
        indexes[day] = index
    return indexes


def business_day_index(day: date | None) -> int | None:
    """Business days from the start of the holiday table to ``day``, so that for a <= b
    ``index(b) - index(a) == business_days_between(a, b)``: SQL can then count business days to any
    reference date the query picks (aging, open applications) with a subtraction. None outside the table."""
    return None if day is None else _indexes().get(day)


@lru_cache(maxsize=1)
def _days_by_index() -> dict[int, date]:
    """Each index's business day: the index grows by one on each business day, so exactly one has each index."""
    return {index: day for day, index in _indexes().items() if is_business_day(day)}


def business_day_at(index: int | None) -> date | None:
    """The business day with this index: ``business_day_at(business_day_index(a) + n)`` is the domain's
    ``add_business_days(a, n)`` for n >= 1, so SQL can compute due dates as indexes. None outside the table."""
    return None if index is None else _days_by_index().get(index)


def business_days(start: date | None, end: date | None) -> int | None:
    """The domain's count (after start, up to and including end; 0 when end <= start); None when unknown
    (a date missing, or outside the holiday table, where the domain's count refuses)."""
    first, last = business_day_index(start), business_day_index(end)
    if first is None or last is None:
        return None
    return max(0, last - first)


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


class Facts(msgspec.Struct, frozen=True):
    """What one application's events say about its turnaround (the mutable columns of its row). A frozen
    msgspec Struct: made, replaced and compared in C, twice per event in a rebuild."""

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
    received_on: date | None = None  # the payer's receipt, where its clock starts (None: in the mail)

    def closing_client_period(self, on: date) -> Facts:
        """Stop the client's clock on ``on`` if it runs."""
        if self.client_since is None:
            return self
        return msgspec.structs.replace(
            self, client_days=_plus(self.client_days, business_days(self.client_since, on)), client_since=None
        )


# The application events that change its facts: the cases of evolve(), as a type and as the classes.
Evolving: TypeAlias = (
    Application.Submitted
    | Application.ReceiptConfirmed
    | Application.DeficiencyNoticed
    | Application.DeficiencyResolved
    | Application.Approved
    | Application.Denied
    | Application.Rejected
    | Application.Withdrawn
)
EVOLVING: tuple[type[Evolving], ...] = get_args(Evolving)


def evolve(facts: Facts, event: Application.Event) -> Facts:
    """The facts after one application event (pure: unit-tested without a database)."""
    match event:
        case Application.Submitted():
            return msgspec.structs.replace(
                facts,
                stage="open",
                first_submitted_on=facts.first_submitted_on or event.submitted_on,
                submitted_on=event.submitted_on,
                submissions=facts.submissions + 1,
                deficiencies=0,
                open_deficiencies=0,
                client_days=0,
                client_since=None,
                received_on=event.received_on,
            )
        case Application.ReceiptConfirmed():
            return msgspec.structs.replace(facts, received_on=event.received_on)
        case Application.DeficiencyNoticed():
            return msgspec.structs.replace(
                facts,
                deficiencies=facts.deficiencies + 1,
                open_deficiencies=facts.open_deficiencies + 1,
                client_since=event.noticed_on if facts.open_deficiencies == 0 else facts.client_since,
            )
        case Application.DeficiencyResolved():
            resolved = msgspec.structs.replace(facts, open_deficiencies=max(0, facts.open_deficiencies - 1))
            return resolved.closing_client_period(event.resolved_on) if resolved.open_deficiencies == 0 else resolved
        case Application.Approved() | Application.Denied():
            return msgspec.structs.replace(
                facts.closing_client_period(event.decided_on),
                stage="decided",
                outcome="approved" if isinstance(event, Application.Approved) else "denied",
                decided_on=event.decided_on,
                business_days=business_days(facts.submitted_on, event.decided_on),
            )
        case Application.Rejected():
            # Back to the client unprocessed: the next submission starts a new turnaround.
            return msgspec.structs.replace(
                facts,
                stage="preparing",
                submitted_on=None,
                rejections=facts.rejections + 1,
                last_rejected_on=event.rejected_on,
                deficiencies=0,
                open_deficiencies=0,
                client_days=0,
                client_since=None,
                received_on=None,
            )
        case Application.Withdrawn():
            # Not a payer decision: kept (with the days it took) but left out of the metrics.
            return msgspec.structs.replace(
                facts.closing_client_period(event.withdrawn_on),
                stage="withdrawn",
                outcome="withdrawn",
                decided_on=event.withdrawn_on,
                business_days=business_days(facts.submitted_on, event.withdrawn_on),
            )
    return facts  # documents, screenings: no effect on turnaround


_FACT_COLUMNS = Facts.__struct_fields__
_fact_values = attrgetter(*_FACT_COLUMNS)  # the facts' columns' values, as a tuple
# Each date column with its business-day index column, derived on every write.
_INDEXED = {
    "submitted_on": "submitted_index",
    "client_since": "client_since_index",
    "received_on": "received_index",
}


class OrganizationRow(Row, kw_only=True):
    """The organization's provider type, as last corrected."""

    table: ClassVar[str] = "turnaround_organizations"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id")
    provider_type: str


class ApplicationRow(Row, kw_only=True):
    """One application: what it is, and how many steps (StepRow) its facts have taken."""

    table: ClassVar[str] = "turnaround_applications"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "application_id")
    application_id: UUID
    kind: str
    plan: str | None = None
    provider_type: str
    opened_on: date
    steps: int = 1
    updated_at: datetime


class StepRow(Row, kw_only=True):
    """An application's Facts from the business day ``effective_on`` until the day ``until`` (exclusive; None: still
    so), plus the business-day index of each fact's date. The views answer "as of D" with the step that covers D: an
    application's facts take effect in day order (the domain refuses a fact dated before one recorded before it on
    the record: domain/business_time.py), so each step is what the events effective by its day say. Facts of the same
    day share one step: a day's answer is the state at its end."""

    table: ClassVar[str] = "turnaround_steps"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "application_id", "step")
    application_id: UUID
    step: int
    effective_on: date
    until: date | None = None
    stage: str = "preparing"
    outcome: str | None = None
    first_submitted_on: date | None = None
    submitted_on: date | None = None
    submitted_index: int | None = None
    submissions: int = 0
    rejections: int = 0
    last_rejected_on: date | None = None
    decided_on: date | None = None
    business_days: int | None = None
    deficiencies: int = 0
    open_deficiencies: int = 0
    client_days: int | None = 0
    client_since: date | None = None
    client_since_index: int | None = None
    received_on: date | None = None
    received_index: int | None = None

    def facts(self) -> Facts:
        return Facts(*_fact_values(self))


row_types = (OrganizationRow, ApplicationRow, StepRow)


async def _registered(rows: ViewRows, event: Organization.Registered, position: int) -> None:
    rows.add(
        OrganizationRow(
            tenant_id=event.tenant_id, organization_id=event.originator_id, provider_type=event.provider_type
        )
    )
    return None  # no application row of it exists yet


async def _profile_corrected(rows: ViewRows, event: Organization.ProfileCorrected, position: int) -> UUID | None:
    if not event.provider_type:
        return None
    organization = await rows.get(OrganizationRow, event.originator_id)
    if organization is not None:
        rows.update(organization, provider_type=event.provider_type)
    relabelled = await rows.of_organization(ApplicationRow, event.originator_id)
    for application in relabelled:
        rows.update(application, provider_type=event.provider_type)
    return event.originator_id if relabelled else None


async def _opened(rows: ViewRows, event: Application.Opened, position: int) -> UUID:
    organization = await rows.get(OrganizationRow, event.organization_id)
    if organization is None:
        raise OutOfOrder(f"organization {event.organization_id} not registered in this view yet")
    rows.add(
        ApplicationRow(
            tenant_id=event.tenant_id,
            application_id=event.originator_id,
            organization_id=event.organization_id,
            kind=str(event.kind),
            plan=event.plan,
            provider_type=organization.provider_type,
            opened_on=event.opened_on,
            updated_at=event.timestamp,
        )
    )
    rows.add(
        StepRow(
            tenant_id=event.tenant_id,
            organization_id=event.organization_id,
            application_id=event.originator_id,
            step=1,
            effective_on=event.opened_on,
        )
    )
    return event.organization_id


async def _application_event(rows: ViewRows, event: Evolving, position: int) -> UUID | None:
    application = await rows.get(ApplicationRow, event.originator_id)
    if application is None:
        raise OutOfOrder(f"application {event.originator_id} not opened in this view yet")
    latest = await rows.get(StepRow, event.originator_id, application.steps)
    if latest is None:  # written with its application, in the same flush: never apart
        raise RuntimeError(f"application {event.originator_id} has no step {application.steps}")
    before = latest.facts()
    after = evolve(before, event)
    if after == before:
        return None
    values: dict[str, Any] = dict(zip(_FACT_COLUMNS, _fact_values(after), strict=True))
    values.update({index: business_day_index(values[column]) for column, index in _INDEXED.items()})
    # Never before the latest step, even for a fact stored before the domain kept facts in day order: its day is
    # then the first one on which the views can show it.
    day = max(effective_day(event), latest.effective_on)
    if day == latest.effective_on:
        rows.update(latest, **values)
    else:
        rows.update(latest, until=day)
        step = application.steps + 1
        rows.add(
            StepRow(
                tenant_id=application.tenant_id,
                organization_id=application.organization_id,
                application_id=application.application_id,
                step=step,
                effective_on=day,
                **values,
            )
        )
        rows.update(application, steps=step)
    # updated_at: the event's own time (same aggregate, so in order; never the clock).
    rows.update(application, updated_at=event.timestamp)
    return application.organization_id


async def _date_corrected(rows: ViewRows, event: TenantAggregate.EffectiveDateCorrected, position: int) -> UUID:
    """The organization's rows were folded again with the corrected day (projections/engine/corrections.py)."""
    return event.organization_id


handlers = Handlers(
    {
        Organization.Registered: _registered,
        Organization.ProfileCorrected: _profile_corrected,
        Application.Opened: _opened,
        # Exactly the events evolve() reacts to: the others (documents, screenings) change no facts, so they
        # have no handler (tests/projections/test_turnaround_unit.py checks the two lists agree).
        **dict.fromkeys(EVOLVING, _application_event),
        TenantAggregate.EffectiveDateCorrected: _date_corrected,
    }
)
apply = handlers.apply
