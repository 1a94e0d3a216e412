"""The expirables view's rows and the one operation every handler shares: a credential's new version opens a period
and closes the one before (projections/expirables/handlers.py folds the events into them)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID, uuid5

import msgspec

from projections.engine.rows import Row, ViewRows
from projections.engine.tracking import OutOfOrder

# Period ids are derived, so a rebuild, the live view and another recording order give the same ones.
_PERIODS = UUID("5b0c53a4-7f0e-4b7c-9a55-2c4f0d8f6e31")


class SubjectRow(Row, kw_only=True):
    """A clinician or a client practice: whose credentials the periods are."""

    table: ClassVar[str] = "expirable_subjects"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "subject_id")
    subject_id: UUID
    subject_kind: str  # practitioner or organization
    name: str
    npi: str
    open_periods: dict[str, str] = msgspec.field(
        default_factory=dict
    )  # credential -> the period_id of its version in effect
    enrollments: list[dict[str, Any]] = msgspec.field(
        default_factory=list
    )  # an organization's: [{"from": day, "until": day | None}]
    # A clinician's rendering links: [{"organization_id", "service_location", "since", "until"}].
    links: list[dict[str, Any]] = msgspec.field(default_factory=list)
    revalidation_submitted_on: date | None = None  # a practice's latest revalidation application submitted


class ApplicationRow(Row, kw_only=True):
    """Which organization and kind an application belongs to, for its events that carry only its id."""

    table: ClassVar[str] = "expirable_applications"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "application_id")
    application_id: UUID
    kind: str
    plan: str | None = None
    practitioner_id: UUID | None = None  # a clinician's own application: none of the practice's dates follow from it


class PeriodRow(Row, kw_only=True):
    table: ClassVar[str] = "expirable_periods"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "period_id")
    period_id: UUID
    subject_id: UUID
    credential: str
    kind: str
    label: str
    status: str | None = None
    expires_on: date | None = None
    basis_on: date | None = None
    cycle: str | None = None
    effective_from: date
    effective_until: date | None = None


async def subject(rows: ViewRows, subject_id: UUID) -> SubjectRow:
    """Events of different aggregates may be redelivered out of order (after a crash, a NAK): a credential's event
    waits until its subject's registration is applied."""
    found = await rows.get(SubjectRow, subject_id)
    if found is None:
        raise OutOfOrder(f"subject {subject_id} not registered in this view yet")
    return found


async def open_period(
    rows: ViewRows,
    owner: SubjectRow,
    credential: str,
    *,
    kind: str,
    label: str,
    day: date,
    **dates: Any,
) -> None:
    """The credential's version from ``day`` on (``dates``: expires_on, or basis_on and cycle; status), until the
    next version's day. A period is named by its subject, credential and first day, never by when it was recorded,
    and a version recorded after a later one (a practice's documents on two applications) takes its place between
    them: the view is the same whatever order the facts were recorded or delivered in. A second version the same
    day replaces the first."""
    period_id = uuid5(_PERIODS, f"{owner.subject_id}:{credential}:{day.isoformat()}")
    fields: dict[str, Any] = {"status": None, "expires_on": None, "basis_on": None, "cycle": None, **dates}
    versions = [
        p
        for p in await rows.of_organization(PeriodRow, owner.organization_id)
        if p.subject_id == owner.subject_id and p.credential == credential and p.period_id != period_id
    ]
    holding = next((p for p in versions if p.effective_from < day and _in_effect(p, day)), None)
    later = [p.effective_from for p in versions if p.effective_from > day]
    until = holding.effective_until if holding is not None else (min(later) if later else None)
    if holding is not None:
        rows.update(holding, effective_until=day)
    same_day = await rows.get(PeriodRow, owner.organization_id, period_id)
    if same_day is not None:
        rows.update(same_day, kind=kind, label=label, effective_until=until, **fields)
    else:
        rows.add(
            PeriodRow(
                tenant_id=owner.tenant_id,
                organization_id=owner.organization_id,
                period_id=period_id,
                subject_id=owner.subject_id,
                credential=credential,
                kind=kind,
                label=label,
                effective_from=day,
                effective_until=until,
                **fields,
            )
        )
    if until is None:
        rows.update(owner, open_periods={**owner.open_periods, credential: str(period_id)})


def _in_effect(period: PeriodRow, day: date) -> bool:
    return period.effective_from <= day and (period.effective_until is None or period.effective_until > day)


async def close_period(rows: ViewRows, owner: SubjectRow, credential: str, day: date) -> None:
    """The credential's version in effect stops on ``day`` (ended, or replaced by a new one)."""
    period_id = owner.open_periods.get(credential)
    if period_id is None:
        return
    period = await rows.get(PeriodRow, owner.organization_id, UUID(period_id))
    if period is not None:
        rows.update(period, effective_until=max(day, period.effective_from))
    rows.update(owner, open_periods={k: v for k, v in owner.open_periods.items() if k != credential})
