"""Participation: each clinician with each payer (MassHealth, every ACO, MCO and the PCC Plan) through each client
practice, with its state, the payer's id for it, its effective and end dates, in business time.

It follows from the clinician's own applications (opened with its practitioner_id): an enrollment or a plan's
credentialing applied for, submitted, deficient, returned, denied or withdrawn, then approved (participating, with
the payer's id and effective date); a revalidation approved keeps it, denied terminates it. It ends when the
clinician stops rendering at the practice (its last rendering link there ends), when the practice's MassHealth
enrollment ends, or when the plan's contract with the practice ends. Each change of an input folds the
participation's timeline again (rows.py), so the rows are the same for any recording or delivery order.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.application import Application
from domain.base import TenantAggregate
from domain.business_time import effective_day
from domain.organization import Organization
from domain.practitioner import Practitioner, roster_name
from projections.engine.dispatch import Handlers
from projections.engine.rows import ViewRows
from projections.engine.tracking import OutOfOrder
from projections.participation.rows import (
    MASSHEALTH,
    ApplicationRow,
    ClinicianRow,
    ParticipationRow,
    PracticeRow,
    participation_id,
    payer_kind,
    timeline,
)

name = "participation"
aggregates = ("organization", "application", "practitioner")
row_types = (ClinicianRow, PracticeRow, ApplicationRow, ParticipationRow)

# The state each application event gives its step (deficiencies and rejections: _deficiency_or_rejection).
_STEPS = {
    Application.Submitted: "submitted",
    Application.Approved: "approved",
    Application.Denied: "denied",
    Application.Withdrawn: "withdrawn",
}


async def _registered(rows: ViewRows, event: Practitioner.Registered, position: int) -> UUID:
    rows.add(
        ClinicianRow(
            tenant_id=event.tenant_id,
            organization_id=event.organization_id,
            practitioner_id=event.originator_id,
            name=roster_name(event.first_name, event.middle_name, event.last_name, event.degree),
            npi=event.npi,
        )
    )
    return event.organization_id


async def _link(
    rows: ViewRows, event: Practitioner.LinkedToOrganization | Practitioner.LinkEnded, position: int
) -> UUID:
    """Where the clinician renders: the day its last link to a practice ends, its participations there end."""
    clinician = await _clinician(rows, event.originator_id)
    day = effective_day(event).isoformat()
    at = (str(event.linked_organization_id), event.service_location)
    if isinstance(event, Practitioner.LinkedToOrganization):
        link = {"organization_id": at[0], "service_location": at[1], "since": day, "until": None}
        links = [*clinician.links, {**link, "position": position, "until_position": None}]
    else:
        links = [
            {**link, "until": day, "until_position": position}
            if link["until"] is None and (link["organization_id"], link["service_location"]) == at
            else link
            for link in clinician.links
        ]
    rows.update(clinician, links=links)
    await _refold(rows, event.linked_organization_id, practitioner_id=event.originator_id)
    return event.linked_organization_id


async def _practice_ended(
    rows: ViewRows, event: Organization.Disenrolled | Organization.AffiliationTerminated, position: int
) -> UUID:
    """The practice no longer enrolled, or no longer in the plan's network: its clinicians' participations through
    it with that payer end."""
    practice = await rows.get(PracticeRow, event.originator_id)
    if practice is None:
        if rows.tenant is None:
            raise RuntimeError("no tenant set for this event")
        practice = PracticeRow(tenant_id=rows.tenant, organization_id=event.originator_id)
        rows.add(practice)
    if isinstance(event, Organization.Disenrolled):
        payer, reason = MASSHEALTH, "practice_disenrolled"
    else:
        payer, reason = event.plan, "plan_contract_ended"
    end = {"payer": payer, "on": effective_day(event).isoformat(), "position": position, "reason": reason}
    rows.update(practice, ends=[*practice.ends, end])
    await _refold(rows, event.originator_id, payer=payer)
    return event.originator_id


async def _opened(rows: ViewRows, event: Application.Opened, position: int) -> UUID | None:
    application = ApplicationRow(
        tenant_id=event.tenant_id,
        organization_id=event.organization_id,
        application_id=event.originator_id,
        practitioner_id=event.practitioner_id,
        kind=str(event.kind),
        payer=event.plan or MASSHEALTH,
        opened_on=event.opened_on,
    )
    rows.add(application)
    if event.practitioner_id is None:
        return None
    clinician = await _clinician(rows, event.practitioner_id)
    key = participation_id(event.tenant_id, event.practitioner_id, event.organization_id, application.payer)
    if await rows.get(ParticipationRow, event.organization_id, key) is None:
        rows.add(
            ParticipationRow(
                tenant_id=event.tenant_id,
                organization_id=event.organization_id,
                participation_id=key,
                practitioner_id=event.practitioner_id,
                practitioner_name=clinician.name,
                npi=clinician.npi,
                payer=application.payer,
                payer_kind=payer_kind(application.kind),
            )
        )
    if application.kind != "revalidation":
        return await _step(rows, application, event, "applying", position)
    return await _step(rows, application, event, None, position)


async def _deficiency_or_rejection(
    rows: ViewRows,
    event: Application.DeficiencyNoticed | Application.DeficiencyResolved | Application.Rejected,
    position: int,
) -> UUID | None:
    """Deficient while a deficiency is open; a rejection returns it to the firm, to submit again."""
    application = await _application(rows, event)
    if isinstance(event, Application.Rejected):
        rows.update(application, open_deficiencies=0)
        return await _step(rows, application, event, "returned", position)
    step = 1 if isinstance(event, Application.DeficiencyNoticed) else -1
    rows.update(application, open_deficiencies=application.open_deficiencies + step)
    return await _step(
        rows, application, event, "deficient" if application.open_deficiencies else "submitted", position
    )


async def _application_event(rows: ViewRows, event: Application.Event, position: int) -> UUID | None:
    application = await _application(rows, event)
    details: dict[str, Any] = {}
    if isinstance(event, Application.Approved):
        effective = event.effective_date.isoformat() if event.effective_date else None
        details = {"payer_id": event.provider_number, "effective_on": effective}
    return await _step(rows, application, event, _STEPS.get(type(event)), position, details)


async def _step(
    rows: ViewRows,
    application: ApplicationRow,
    event: Application.Event,
    state: str | None,
    position: int,
    details: dict[str, Any] | None = None,
) -> UUID | None:
    """A clinician's application moved: its participation's timeline folded again (None: nothing to fold)."""
    if application.practitioner_id is None or state is None:
        return None
    day = effective_day(event).isoformat()
    step = {"on": day, "position": position, "state": state, "application_id": str(application.application_id)}
    rows.update(application, steps=[*application.steps, {**step, **(details or {})}])
    await _refold(
        rows, application.organization_id, practitioner_id=application.practitioner_id, payer=application.payer
    )
    return application.organization_id


async def _refold(
    rows: ViewRows, organization_id: UUID, *, practitioner_id: UUID | None = None, payer: str | None = None
) -> None:
    """Fold again the timelines of the practice's participations selected (by clinician, by payer)."""
    participations = [
        p
        for p in await rows.of_organization(ParticipationRow, organization_id)
        if practitioner_id in (None, p.practitioner_id) and payer in (None, p.payer)
    ]
    if not participations:
        return
    applications = await rows.of_organization(ApplicationRow, organization_id)
    practice = await rows.get(PracticeRow, organization_id)
    for participation in participations:
        clinician = await _clinician(rows, participation.practitioner_id)
        own = [
            a
            for a in applications
            if a.practitioner_id == participation.practitioner_id and a.payer == participation.payer
        ]
        ends = [e for e in (practice.ends if practice else []) if e["payer"] == participation.payer]
        links = [link for link in clinician.links if link["organization_id"] == str(organization_id)]
        rows.update(
            participation,
            timeline=timeline(own, ends, links),
            practitioner_name=clinician.name,
        )


async def _clinician(rows: ViewRows, practitioner_id: UUID) -> ClinicianRow:
    found = await rows.get(ClinicianRow, practitioner_id)
    if found is None:
        raise OutOfOrder(f"practitioner {practitioner_id} not registered in this view yet")
    return found


async def _application(rows: ViewRows, event: Application.Event) -> ApplicationRow:
    found = await rows.get(ApplicationRow, event.originator_id)
    if found is None:
        raise OutOfOrder(f"application {event.originator_id} not opened in this view yet")
    return found


async def _date_corrected(rows: ViewRows, event: TenantAggregate.EffectiveDateCorrected, position: int) -> UUID:
    """The organization's rows were folded again with the corrected day (projections/engine/corrections.py)."""
    return event.organization_id


handlers = Handlers(
    {
        Practitioner.Registered: _registered,
        Practitioner.LinkedToOrganization: _link,
        Practitioner.LinkEnded: _link,
        Organization.Disenrolled: _practice_ended,
        Organization.AffiliationTerminated: _practice_ended,
        Application.Opened: _opened,
        Application.DeficiencyNoticed: _deficiency_or_rejection,
        Application.DeficiencyResolved: _deficiency_or_rejection,
        Application.Rejected: _deficiency_or_rejection,
        Application.Submitted: _application_event,
        Application.Approved: _application_event,
        Application.Denied: _application_event,
        Application.Withdrawn: _application_event,
        TenantAggregate.EffectiveDateCorrected: _date_corrected,
    }
)
apply = handlers.apply
