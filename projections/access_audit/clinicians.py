"""The access audit's handlers of the clinicians: who they are, where they render and when. A clinician's rows
belong to the practice whose roster it is on (its registration's), so a correction of one of its dates folds them
again with that practice's; its exclusion screenings are folded by checks.screening like the practice's own, and
count against every practice where it renders (sql.py)."""

from __future__ import annotations

from uuid import UUID

from domain.business_time import effective_day
from domain.practitioner import Practitioner, roster_name
from projections.access_audit.checks import touch
from projections.access_audit.rows import ClinicianRow, OrganizationRow, RenderingRow
from projections.engine.rows import ViewRows
from projections.engine.tracking import OutOfOrder


async def clinician_registered(rows: ViewRows, event: Practitioner.Registered, position: int) -> UUID:
    if await rows.get(OrganizationRow, event.organization_id) is None:
        raise OutOfOrder(f"organization {event.organization_id} not registered in this view yet")
    rows.add(
        ClinicianRow(
            tenant_id=event.tenant_id,
            organization_id=event.organization_id,
            practitioner_id=event.originator_id,
            name=roster_name(event.first_name, event.middle_name, event.last_name, event.degree),
            registered_on=event.registered_on,
        )
    )
    return await touch(rows, event.organization_id, event)


async def rendering(
    rows: ViewRows, event: Practitioner.LinkedToOrganization | Practitioner.LinkEnded, position: int
) -> UUID | None:
    """A period the clinician renders at a practice's service location: from the link to its end. Both practices'
    audits change (the clinician is a subject of each while it renders there, and of its roster's)."""
    clinician = await rows.get(ClinicianRow, event.originator_id)
    if clinician is None:
        return None  # its Registered comes first (the same aggregate): nothing of it is stored
    if isinstance(event, Practitioner.LinkedToOrganization):
        rows.add(
            RenderingRow(
                tenant_id=clinician.tenant_id,
                organization_id=clinician.organization_id,
                practitioner_id=clinician.practitioner_id,
                linked_version=event.originator_version,
                linked_organization_id=event.linked_organization_id,
                service_location=event.service_location,
                linked_on=event.on,
            )
        )
    else:
        for period in await rows.of_organization(RenderingRow, clinician.organization_id):
            if (
                period.practitioner_id == clinician.practitioner_id
                and period.linked_organization_id == event.linked_organization_id
                and period.service_location == event.service_location
                and period.ended_on is None
            ):
                rows.update(period, ended_on=max(period.linked_on, effective_day(event)))
    await touch(rows, clinician.organization_id, event)
    return await touch(rows, event.linked_organization_id, event)  # the change feed's: where it renders
