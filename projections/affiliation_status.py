"""Affiliation status: per organization, its POSC registration and enrollment state (from its applications),
provider number, plan affiliations, rendering providers and sole-enrollment risk (affiliation_organization.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.application import Application, ApplicationKind
from domain.nppes import NO_SNAPSHOT
from domain.organization import Organization
from projections.affiliation_organization import apply_organization_event
from projections.tracking import OutOfOrder

name = "affiliation_status"
aggregates = ("organization", "application")

# What each application event makes the application's state in this view.
_APPLICATION_STATES = {
    Application.Submitted: "submitted",
    Application.Approved: "approved",
    Application.Denied: "denied",
    Application.Withdrawn: "withdrawn",
}

# Which column of the view each application kind drives.
_COLUMNS = {
    ApplicationKind.POSC_REGISTRATION: "posc_registration",
    ApplicationKind.ENROLLMENT: "enrollment",
}


# Before its first snapshot, what an organization lacks is the snapshot itself (as the domain says).
_NO_SNAPSHOT = msgspec.json.encode([{"field": NO_SNAPSHOT.field, "detail": NO_SNAPSHOT.detail}]).decode()


async def apply(con: asyncpg.Connection, event: Any, position: int) -> UUID | None:
    match event:
        case Organization.Registered():
            await con.execute(
                "INSERT INTO affiliation_status (tenant_id, organization_id, legal_name, npi, entity_kind, "
                "risk_level, nppes_mismatches, registered_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $8)",
                event.tenant_id,
                event.originator_id,
                event.legal_name,
                event.npi,
                str(event.entity_kind),
                str(event.risk_level),
                _NO_SNAPSHOT,
                event.timestamp,
            )
            return event.originator_id
        case Application.Opened():
            await _require_organization(con, event.organization_id)
            await con.execute(
                "INSERT INTO affiliation_applications (tenant_id, application_id, organization_id, kind) "
                "VALUES ($1, $2, $3, $4)",
                event.tenant_id,
                event.originator_id,
                event.organization_id,
                str(event.kind),
            )
            return await _set_state(con, event, "opened", position, opening=True)
        case Organization.Event():
            await apply_organization_event(con, event)
            return event.originator_id
        case Application.DeficiencyNoticed() | Application.DeficiencyResolved() | Application.Rejected():
            # Deficient while any deficiency is open; a rejection starts the application over.
            open_deficiencies = await con.fetchval(
                "UPDATE affiliation_applications SET open_deficiencies = CASE WHEN $2 THEN 0 "
                "ELSE open_deficiencies + $3 END WHERE application_id = $1 RETURNING open_deficiencies",
                event.originator_id,
                isinstance(event, Application.Rejected),
                1 if isinstance(event, Application.DeficiencyNoticed) else -1,
            )
            if open_deficiencies is None:
                raise OutOfOrder(f"application {event.originator_id} not opened in this view yet")
            state = (
                "rejected"
                if isinstance(event, Application.Rejected)
                else "deficient"
                if open_deficiencies
                else "submitted"
            )
            return await _set_state(con, event, state, position)
        case Application.Event() if type(event) in _APPLICATION_STATES:
            return await _set_state(con, event, _APPLICATION_STATES[type(event)], position)
        case Application.Event():
            return await _set_state(con, event, None, position)
    return None


async def _set_state(
    con: asyncpg.Connection, event: Any, state: str | None, position: int, opening: bool = False
) -> UUID:
    """Move the organization's POSC registration or enrollment state, if this application drives one
    (``state`` None: the event only counts)."""
    ref = await con.fetchrow(
        "SELECT organization_id, kind FROM affiliation_applications WHERE application_id = $1",
        event.originator_id,
    )
    if ref is None:
        raise OutOfOrder(f"application {event.originator_id} not opened in this view yet")
    await _require_organization(con, ref["organization_id"])
    column = _COLUMNS.get(ApplicationKind(ref["kind"]))
    if column is None or state is None:
        await _count(con, ref["organization_id"], event)
        return ref["organization_id"]
    # The most recently opened application of a kind (by store position, not by
    # arrival: events of different aggregates may be redelivered out of order)
    # drives the state; events of older ones are counted but move nothing.
    await con.execute(
        f"UPDATE affiliation_status SET "
        f"{column} = CASE WHEN ($5 AND $6 > {column}_position) OR (NOT $5 AND {column}_application_id = $4) "
        f"THEN $1 ELSE {column} END, "
        f"{column}_application_id = CASE WHEN $5 AND $6 > {column}_position THEN $4 ELSE {column}_application_id END, "
        f"{column}_position = CASE WHEN $5 AND $6 > {column}_position THEN $6 ELSE {column}_position END, "
        "updated_at = GREATEST(updated_at, $2), events_applied = events_applied + 1 WHERE organization_id = $3",
        state,
        event.timestamp,
        ref["organization_id"],
        event.originator_id,
        opening,
        position,
    )
    return ref["organization_id"]


async def _require_organization(con: asyncpg.Connection, organization_id: Any) -> None:
    """Events can be redelivered out of order across aggregates (after a crash, a NAK):
    an application's event must wait until its organization's registration is applied."""
    if not await con.fetchval("SELECT 1 FROM affiliation_status WHERE organization_id = $1", organization_id):
        raise OutOfOrder(f"organization {organization_id} not registered in this view yet")


async def _count(con: asyncpg.Connection, organization_id: Any, event: Any) -> None:
    await con.execute(
        "UPDATE affiliation_status SET updated_at = GREATEST(updated_at, $1), events_applied = events_applied + 1 "
        "WHERE organization_id = $2",
        event.timestamp,
        organization_id,
    )
