"""Affiliation status: per organization, its POSC registration and enrollment state (from its applications),
provider number, plan affiliations, rendering providers and sole-enrollment risk (organization.py).
The handlers fold each event into the rows in memory (projections/engine/rows.py); the rows are the tables'."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.application import Application, ApplicationKind
from domain.nppes import NO_SNAPSHOT
from domain.organization import Organization
from projections.affiliation_status.organization import (
    RISK_INPUTS,
    STICKY,
    StatusRow,
    apply_organization_event,
    sole_enrollment_risk,
)
from projections.engine.dispatch import Handlers
from projections.engine.rows import Row, ViewRows
from projections.engine.tracking import OutOfOrder

name = "affiliation_status"
aggregates = ("organization", "application")
# Bumped when what the handlers store of the same events changes (registry.digest): 2, a revalidation's decision
# moves the enrollment; 3, a provider number issued after the enrollment ended (terminated) enrolls it again; 4, an
# enrollment of a location other than A moves its own entry in ``locations``, not the practice's enrollment; 5, a
# location's entry closed or ended stays so against its older application's later events; 6, a clinician's own
# application drives none of the practice's columns.
revision = 6


class ApplicationRow(Row, kw_only=True):
    """Which organization and kind an application belongs to, for its events that carry only its id."""

    table: ClassVar[str] = "affiliation_applications"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "application_id")
    application_id: UUID
    kind: str
    service_location: str = "A"
    practitioner_id: UUID | None = None
    open_deficiencies: int = 0


row_types = (StatusRow, ApplicationRow)

# What each application event makes the application's state in this view.
_APPLICATION_STATES = {
    Application.Submitted: "submitted",
    Application.Approved: "approved",
    Application.Denied: "denied",
    Application.Withdrawn: "withdrawn",
}

# What a revalidation's decision makes of the enrollment (MassHealth terminates a provider it does not revalidate).
_REVALIDATED = {"approved": "approved", "denied": "terminated"}

# Which column of the view each application kind drives, by the kind as stored in the application's row.
_COLUMNS_BY_KIND = {
    ApplicationKind.POSC_REGISTRATION.value: "posc_registration",
    ApplicationKind.ENROLLMENT.value: "enrollment",
}


# Before its first snapshot, what an organization lacks is the snapshot itself (as the domain says).
def _no_snapshot() -> list[dict[str, Any]]:
    return [{"field": NO_SNAPSHOT.field, "detail": NO_SNAPSHOT.detail}]


async def _registered(rows: ViewRows, event: Organization.Registered, position: int) -> UUID:
    rows.add(
        StatusRow(
            tenant_id=event.tenant_id,
            organization_id=event.originator_id,
            legal_name=event.legal_name,
            npi=event.npi,
            entity_kind=str(event.entity_kind),
            risk_level=str(event.risk_level),
            nppes_mismatches=_no_snapshot(),
            registered_on=event.registered_on,
            updated_at=event.timestamp,
        )
    )
    return event.originator_id


async def _organization_event(rows: ViewRows, event: Organization.Event, position: int) -> UUID:
    await apply_organization_event(rows, event)
    return event.originator_id


async def _disenrolled(rows: ViewRows, event: Organization.Disenrolled, position: int) -> UUID:
    """The enrollment ended: its state (organization.py) drives the column from this position, until a later
    enrollment application or revalidation decision; the same for each location's entry."""
    await apply_organization_event(rows, event)
    await _stamp_locations(rows, event.originator_id, position)
    status = await rows.get(StatusRow, event.originator_id)
    if status is not None:
        rows.update(status, enrollment_position=position)
    return event.originator_id


async def _location_event(
    rows: ViewRows, event: Organization.ServiceLocationAdded | Organization.ServiceLocationClosed, position: int
) -> UUID:
    """A location added or closed: an opening of an application for it stored before this (another aggregate's
    event, redelivered after it) does not move its entry back."""
    await apply_organization_event(rows, event)
    await _stamp_locations(rows, event.originator_id, position, event.code)
    return event.originator_id


async def _stamp_locations(rows: ViewRows, organization_id: UUID, position: int, only: str | None = None) -> None:
    status = await rows.get(StatusRow, organization_id)
    if status is None:
        return
    stamped = {
        code: {**entry, "position": max(entry.get("position", 0), position)} if only in (None, code) else entry
        for code, entry in status.locations.items()
    }
    rows.update(status, locations=stamped)


async def _opened(rows: ViewRows, event: Application.Opened, position: int) -> UUID:
    await _require_organization(rows, event.organization_id)
    rows.add(
        ApplicationRow(
            tenant_id=event.tenant_id,
            application_id=event.originator_id,
            organization_id=event.organization_id,
            kind=str(event.kind),
            service_location=event.service_location,
            practitioner_id=event.practitioner_id,
        )
    )
    return await _set_state(rows, event, "opened", position, opening=True)


async def _deficiency_or_rejection(
    rows: ViewRows,
    event: Application.DeficiencyNoticed | Application.DeficiencyResolved | Application.Rejected,
    position: int,
) -> UUID:
    # Deficient while any deficiency is open; a rejection starts the application over.
    application = await _application(rows, event)
    rejected = isinstance(event, Application.Rejected)
    step = 1 if isinstance(event, Application.DeficiencyNoticed) else -1
    rows.update(application, open_deficiencies=0 if rejected else application.open_deficiencies + step)
    state = "rejected" if rejected else "deficient" if application.open_deficiencies else "submitted"
    return await _set_state(rows, event, state, position)


async def _application_event(rows: ViewRows, event: Application.Event, position: int) -> UUID:
    """Submitted, decided, withdrawn: the state it names; documents, screenings: only counted."""
    return await _set_state(rows, event, _APPLICATION_STATES.get(type(event)), position)


async def _set_state(
    rows: ViewRows, event: Application.Event, state: str | None, position: int, opening: bool = False
) -> UUID:
    """Move the organization's POSC registration or enrollment state, if this application drives one
    (``state`` None: the event only counts)."""
    application = await _application(rows, event)
    status = await _require_organization(rows, application.organization_id)
    # A clinician's own application (its participation's view) moves none of the practice's columns.
    column = _COLUMNS_BY_KIND.get(application.kind) if application.practitioner_id is None else None
    changes: dict[str, Any] = {}
    if column is not None and application.service_location != "A":
        # Another location's enrollment (its own PID/SL): its entry in ``locations``, the practice's column unmoved.
        if state is not None:
            changes = _location_state(status, application, event, state, position, opening)
    elif column is not None and state is not None:
        application_column, position_column = f"{column}_application_id", f"{column}_position"
        # The most recently opened application of a kind (by store position, not by
        # arrival: events of different aggregates may be redelivered out of order)
        # drives the state; events of older ones are counted but move nothing.
        if opening and position > getattr(status, position_column):
            changes = {column: state, application_column: event.originator_id, position_column: position}
        elif not opening and getattr(status, application_column) == event.originator_id:
            changes = {column: state}
    elif (revalidated := _revalidated(application, state)) and position > status.enrollment_position:
        # A revalidation's decision is the enrollment's new state (a denial ends it: the provider is terminated),
        # and, by its store position, drives the column until a later application does.
        changes = {
            "enrollment": revalidated,
            "enrollment_application_id": event.originator_id,
            "enrollment_position": position,
        }
    # Every event of the organization or its applications: the latest change, and one more applied.
    rows.update(
        status,
        **changes,
        updated_at=max(status.updated_at, event.timestamp),
        events_applied=status.events_applied + 1,
    )
    if not RISK_INPUTS.isdisjoint(changes):
        rows.update(status, sole_enrollment_risk=sole_enrollment_risk(status))
    return application.organization_id


def _location_state(
    status: StatusRow, application: ApplicationRow, event: Application.Event, state: str, position: int, opening: bool
) -> dict[str, Any]:
    """A location's enrollment state, driven as the practice's is: by its most recently opened application."""
    code = application.service_location
    location = status.locations.get(code, {})
    if opening and position > location.get("position", 0):
        location = {"enrollment": state, "application_id": str(event.originator_id), "position": position}
    elif not opening and location.get("application_id") == str(event.originator_id):
        if location.get("enrollment") in STICKY:
            return {}
        location = {**location, "enrollment": state}
    else:
        return {}
    return {"locations": {**status.locations, code: location}}


def _revalidated(application: ApplicationRow, state: str | None) -> str | None:
    """The enrollment's state after this event, if it is a revalidation's decision."""
    if application.kind != ApplicationKind.REVALIDATION.value or state is None or application.practitioner_id:
        return None
    return _REVALIDATED.get(state)


async def _application(rows: ViewRows, event: Application.Event) -> ApplicationRow:
    application = await rows.get(ApplicationRow, event.originator_id)
    if application is None:
        raise OutOfOrder(f"application {event.originator_id} not opened in this view yet")
    return application


async def _require_organization(rows: ViewRows, organization_id: UUID) -> StatusRow:
    """Events can be redelivered out of order across aggregates (after a crash, a NAK):
    an application's event must wait until its organization's registration is applied."""
    status = await rows.get(StatusRow, organization_id)
    if status is None:
        raise OutOfOrder(f"organization {organization_id} not registered in this view yet")
    return status


# Every event of an organization or an application counts (events_applied), so every one has a handler:
# the base classes catch those not listed.
handlers = Handlers(
    {
        Organization.Registered: _registered,
        Organization.Event: _organization_event,
        Organization.Disenrolled: _disenrolled,
        Organization.ServiceLocationAdded: _location_event,
        Organization.ServiceLocationClosed: _location_event,
        Application.Opened: _opened,
        Application.DeficiencyNoticed: _deficiency_or_rejection,
        Application.DeficiencyResolved: _deficiency_or_rejection,
        Application.Rejected: _deficiency_or_rejection,
        Application.Event: _application_event,
    }
)
apply = handlers.apply
