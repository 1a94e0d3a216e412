"""Work queue: what the firm's specialists have to do, derived from the records, in Massachusetts business days.

Each task is named by its cause and opened the day the cause arose; it closes by itself the day the cause goes
away:
- deficiency_answer: a deficiency notice, until resolved or the application is decided, rejected or withdrawn; due
  the firm's deficiency_answer_days business days after the notice (settings, at query time);
- application_follow_up: a submission, until its decision, rejection or withdrawal; due the kind's SLA target in
  business days from the payer's receipt (settings, at query time);
- mail_form: a form to be sent by mail, until it is submitted or withdrawn; due two business days after opening;
- credential_renewal: a clinician's license, DEA registration, board certification or malpractice policy, or a
  practice's expiring dossier document, from 90 days before it expires until renewed or ended; due the expiry;
- exclusion_review: a suspected exclusion-list match, until cleared or screened again without one; due five
  business days after the screening;
- revalidation_letter: MassHealth's revalidation letter, until a revalidation application is submitted or the
  enrollment ends; due by the letter's date (45 days after it by default).
What people decide (domain/task.py: assigned, snoozed, completed, dismissed) is kept beside it (TaskStateRow).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.application import Application
from domain.base import TenantAggregate
from domain.business_time import effective_day
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.screening import ScreeningResult
from domain.task import Task, TaskKind
from projections.engine.dispatch import Handlers
from projections.engine.rows import ViewRows
from projections.engine.tracking import OutOfOrder
from projections.turnaround.handlers import business_day_at, business_day_index
from projections.work_queue.rows import (
    ApplicationRow,
    OrganizationRow,
    PractitionerRow,
    TaskRow,
    TaskStateRow,
    close_tasks,
    open_task,
    open_tasks,
)

name = "work_queue"
aggregates = ("organization", "application", "practitioner", "task")
row_types = (TaskRow, TaskStateRow, OrganizationRow, ApplicationRow, PractitionerRow)

RENEWAL_NOTICE = timedelta(days=90)  # a renewal enters the queue this long before the expiry
MAIL_WITHIN = 2  # business days to put a form in the mail
REVIEW_WITHIN = 5  # business days to confirm or clear a suspected match


def _after(day: date, business_days: int) -> date | None:
    index = business_day_index(day)
    return None if index is None else business_day_at(index + business_days)


# --- applications ------------------------------------------------------------------------------------------


async def _application(rows: ViewRows, event: Application.Event) -> ApplicationRow:
    found = await rows.get(ApplicationRow, event.originator_id)
    if found is None:
        raise OutOfOrder(f"application {event.originator_id} not opened in this view yet")
    return found


def _label(application: ApplicationRow, what: str) -> str:
    whose = f" for {application.practitioner}" if application.practitioner else ""
    return f"{what}: {application.kind.replace('_', ' ')} application{whose}"


async def _opened(rows: ViewRows, event: Application.Opened, position: int) -> UUID:
    clinician = await _practitioner(rows, event.practitioner_id) if event.practitioner_id else None
    application = ApplicationRow(
        tenant_id=event.tenant_id,
        organization_id=event.organization_id,
        application_id=event.originator_id,
        kind=str(event.kind),
        practitioner=clinician.name if clinician else None,
    )
    rows.add(application)
    if str(event.channel) == "mail":
        await open_task(
            rows,
            organization_id=event.organization_id,
            kind=TaskKind.MAIL_FORM,
            cause=f"mail:{event.originator_id}",
            subject_id=event.originator_id,
            label=_label(application, "Mail the form"),
            opened_on=effective_day(event),
            due_on=_after(effective_day(event), MAIL_WITHIN),
        )
    return event.organization_id


async def _submitted(rows: ViewRows, event: Application.Submitted, position: int) -> UUID:
    application = await _application(rows, event)
    day = effective_day(event)
    organization_id = application.organization_id
    await close_tasks(rows, organization_id, day, subject_id=event.originator_id, kind=TaskKind.MAIL_FORM)
    await close_tasks(rows, organization_id, day, subject_id=event.originator_id, kind=TaskKind.APPLICATION_FOLLOW_UP)
    if application.kind == "revalidation" and not application.practitioner:  # the practice's letter is answered
        await close_tasks(rows, organization_id, day, subject_id=organization_id, kind=TaskKind.REVALIDATION_LETTER)
        practice = await rows.get(OrganizationRow, organization_id)
        if practice is not None:
            latest = max(day, practice.revalidation_submitted_on or day)
            rows.update(practice, revalidation_submitted_on=latest)
    await open_task(
        rows,
        organization_id=organization_id,
        kind=TaskKind.APPLICATION_FOLLOW_UP,
        cause=f"follow_up:{event.originator_id}:{day.isoformat()}",  # a resubmission is a new follow-up
        subject_id=event.originator_id,
        label=_label(application, "Follow up with the payer"),
        opened_on=day,
        due_rule="sla",
        application_kind=application.kind,
        basis_index=business_day_index(event.received_on or day),
    )
    return organization_id


async def _deficiency(rows: ViewRows, event: Application.DeficiencyNoticed, position: int) -> UUID:
    application = await _application(rows, event)
    await open_task(
        rows,
        organization_id=application.organization_id,
        kind=TaskKind.DEFICIENCY_ANSWER,
        cause=f"deficiency:{event.originator_id}:{event.deficiency_id}",
        subject_id=event.originator_id,
        label=_label(application, f"Answer deficiency {event.deficiency_id}"),
        opened_on=effective_day(event),
        priority="high",
        due_rule="deficiency_answer",
        basis_index=business_day_index(effective_day(event)),
    )
    return application.organization_id


async def _answered(rows: ViewRows, event: Application.DeficiencyResolved, position: int) -> UUID:
    application = await _application(rows, event)
    cause = f"deficiency:{event.originator_id}:{event.deficiency_id}"
    kind = TaskKind.DEFICIENCY_ANSWER
    for task in await open_tasks(rows, application.organization_id, subject_id=event.originator_id, kind=kind):
        if task.cause == cause:  # this deficiency's alone: d-1 is not d-10
            rows.update(task, closed_on=max(effective_day(event), task.opened_on))
    return application.organization_id


async def _received(rows: ViewRows, event: Application.ReceiptConfirmed, position: int) -> UUID:
    """A mailed form's delivery confirmed: the payer's clock, and so the follow-up's due date, starts there."""
    application = await _application(rows, event)
    kind = TaskKind.APPLICATION_FOLLOW_UP
    for task in await open_tasks(rows, application.organization_id, subject_id=event.originator_id, kind=kind):
        rows.update(task, basis_index=business_day_index(effective_day(event)))
    return application.organization_id


async def _ended(rows: ViewRows, event: Application.Event, position: int) -> UUID:
    """Decided, rejected or withdrawn: nothing of it waits on anyone any more."""
    application = await _application(rows, event)
    for kind in (TaskKind.MAIL_FORM, TaskKind.APPLICATION_FOLLOW_UP, TaskKind.DEFICIENCY_ANSWER):
        await close_tasks(
            rows, application.organization_id, effective_day(event), subject_id=event.originator_id, kind=kind
        )
    return application.organization_id


async def _document(rows: ViewRows, event: Application.DocumentAttached, position: int) -> UUID | None:
    document = event.document
    if document.expires_on is None:
        return None
    application = await _application(rows, event)
    await _renewal(
        rows,
        event,
        application.organization_id,
        application.organization_id,
        f"document:{document.type}",
        f"Renew the practice's {str(document.type).replace('_', ' ')}",
        document.expires_on,
    )
    return application.organization_id


# --- credentials ---------------------------------------------------------------------------------------------


async def _renewal(
    rows: ViewRows,
    event: Any,
    organization_id: UUID,
    subject_id: UUID,
    credential: str,
    label: str,
    expires_on: date | None,
) -> None:
    """The credential's version in effect replaces the last: its renewal task, if it expires. A version recorded
    after a later one (a practice's documents on two applications) held only until that one's day."""
    day = effective_day(event)
    prefix = f"renew:{subject_id}:{credential}:"
    cause = f"{prefix}{expires_on.isoformat()}" if expires_on else None
    kind = TaskKind.CREDENTIAL_RENEWAL
    others = [t for t in await open_tasks(rows, organization_id, subject_id=subject_id, kind=kind, prefix=prefix)]
    others = [t for t in others if t.cause != cause]
    newer = [t.caused_on for t in others if t.caused_on > day]
    if not newer:
        for task in others:
            rows.update(task, closed_on=max(day, task.opened_on))
    if expires_on is None or cause is None:
        return
    task = await open_task(
        rows,
        organization_id=organization_id,
        kind=kind,
        cause=cause,
        subject_id=subject_id,
        label=label,
        opened_on=max(day, expires_on - RENEWAL_NOTICE),
        due_on=expires_on,
        caused_on=day,
    )
    if newer:
        rows.update(task, closed_on=max(min(newer), task.opened_on))


async def _practitioner(rows: ViewRows, practitioner_id: UUID) -> PractitionerRow:
    if (found := await rows.get(PractitionerRow, practitioner_id)) is None:
        raise OutOfOrder(f"practitioner {practitioner_id} not registered in this view yet")
    return found


async def _registered(rows: ViewRows, event: Practitioner.Registered, position: int) -> UUID:
    rows.add(
        PractitionerRow(
            tenant_id=event.tenant_id,
            organization_id=event.organization_id,
            practitioner_id=event.originator_id,
            name=f"{event.first_name} {event.last_name}, {event.degree}",
        )
    )
    return event.organization_id


async def _credential(rows: ViewRows, event: Any, position: int) -> UUID:
    """A license, DEA registration, board certification or malpractice policy recorded, or one ended."""
    clinician = await _practitioner(rows, event.originator_id)
    if isinstance(event, Practitioner.CredentialEnded):
        credential, what, expires = event.credential, event.credential, None
    else:
        held = getattr(event, "license", None) or getattr(event, "registration", None)
        held = held or getattr(event, "certification", None) or event.coverage
        credential, what, expires = held.key, held.key.split(":")[0].replace("_", " "), held.expires_on
    label = f"Renew {clinician.name}'s {what}"
    await _renewal(rows, event, clinician.organization_id, clinician.practitioner_id, credential, label, expires)
    return clinician.organization_id


# --- practices ---------------------------------------------------------------------------------------------


async def _organization(rows: ViewRows, event: Organization.Registered, position: int) -> UUID:
    rows.add(
        OrganizationRow(tenant_id=event.tenant_id, organization_id=event.originator_id, legal_name=event.legal_name)
    )
    return event.originator_id


async def _renamed(rows: ViewRows, event: Organization.ProfileCorrected, position: int) -> UUID | None:
    found = await rows.get(OrganizationRow, event.originator_id)
    if event.legal_name is None or found is None:
        return None
    rows.update(found, legal_name=event.legal_name)
    return event.originator_id


async def _screened(rows: ViewRows, event: Any, position: int) -> UUID:
    """A screening of the practice (or of one of its owners and managing employees, or of a clinician, in its
    practice's queue): a suspected match is a review; a later screening without one, or a clearing, closes it."""
    subject_id: UUID = event.originator_id
    person = getattr(event, "person_id", None)
    clinician = await _practitioner(rows, subject_id) if isinstance(event, Practitioner.Event) else None
    organization_id = clinician.organization_id if clinician else subject_id
    whose = f"{subject_id}:{person}" if person else str(subject_id)
    prefix, day = f"exclusion:{whose}:{event.source}:", effective_day(event)
    await close_tasks(rows, organization_id, day, subject_id=subject_id, kind=TaskKind.EXCLUSION_REVIEW, prefix=prefix)
    if getattr(event, "result", None) == ScreeningResult.SUSPECTED_MATCH:
        await open_task(
            rows,
            organization_id=organization_id,
            kind=TaskKind.EXCLUSION_REVIEW,
            cause=f"{prefix}{day.isoformat()}",
            subject_id=subject_id,
            label=f"Review a suspected {event.source} match "
            f"({clinician.name if clinician else 'a disclosed person' if person else 'the practice'})",
            opened_on=day,
            priority="high",
            due_on=_after(day, REVIEW_WITHIN),
        )
    return organization_id


async def _revalidation_letter(rows: ViewRows, event: Organization.RevalidationLetterReceived, position: int) -> UUID:
    organization_id: UUID = event.originator_id
    practice = await rows.get(OrganizationRow, organization_id)
    answered = practice.revalidation_submitted_on if practice is not None else None
    task = await open_task(
        rows,
        organization_id=organization_id,
        kind=TaskKind.REVALIDATION_LETTER,
        cause=f"revalidation:{organization_id}:{effective_day(event).isoformat()}",
        subject_id=organization_id,
        label="Answer MassHealth's revalidation letter",
        opened_on=effective_day(event),
        priority="high",
        due_on=event.respond_by,
    )
    if answered is not None and answered >= task.opened_on:  # a revalidation submitted since, recorded first
        rows.update(task, closed_on=answered)
    return organization_id


async def _disenrolled(rows: ViewRows, event: Organization.Disenrolled, position: int) -> UUID:
    organization_id: UUID = event.originator_id
    day = effective_day(event)
    await close_tasks(rows, organization_id, day, subject_id=organization_id, kind=TaskKind.REVALIDATION_LETTER)
    return organization_id


async def _date_corrected(rows: ViewRows, event: TenantAggregate.EffectiveDateCorrected, position: int) -> UUID:
    """The organization's rows were folded again with the corrected day (projections/engine/corrections.py)."""
    organization_id: UUID = event.organization_id
    return organization_id


# --- what people decided ---------------------------------------------------------------------------------


async def _task(rows: ViewRows, event: Task.Event, position: int) -> UUID:
    if isinstance(event, Task.Opened):
        rows.add(
            TaskStateRow(tenant_id=event.tenant_id, organization_id=event.organization_id, task_id=event.originator_id)
        )
    state = await rows.get(TaskStateRow, event.originator_id)
    if state is None:
        raise OutOfOrder(f"task {event.originator_id} not opened in this view yet")
    day = effective_day(event)
    if isinstance(event, Task.Assigned):
        rows.update(state, assignee=event.assignee, assigned_on=day)
    elif isinstance(event, Task.Snoozed):
        rows.update(state, snoozed_on=day, snoozed_until=event.until)
    elif isinstance(event, Task.Resolved):
        rows.update(state, resolution=str(event.resolution), resolved_on=day, resolution_reason=event.reason)
    organization_id: UUID = state.organization_id
    return organization_id


handlers = Handlers(
    {
        Application.Opened: _opened,
        Application.Submitted: _submitted,
        Application.DeficiencyNoticed: _deficiency,
        Application.DeficiencyResolved: _answered,
        Application.ReceiptConfirmed: _received,
        Application.Approved: _ended,
        Application.Denied: _ended,
        Application.Rejected: _ended,
        Application.Withdrawn: _ended,
        Application.DocumentAttached: _document,
        Practitioner.Registered: _registered,
        Practitioner.LicenseRecorded: _credential,
        Practitioner.DeaRegistrationRecorded: _credential,
        Practitioner.BoardCertificationRecorded: _credential,
        Practitioner.MalpracticeCoverageRecorded: _credential,
        Practitioner.CredentialEnded: _credential,
        Organization.Registered: _organization,
        Organization.ProfileCorrected: _renamed,
        Organization.ScreeningRecorded: _screened,
        Organization.RevalidationLetterReceived: _revalidation_letter,
        Organization.Disenrolled: _disenrolled,
        Organization.ScreeningCleared: _screened,
        Organization.PersonScreeningRecorded: _screened,
        Organization.PersonScreeningCleared: _screened,
        Practitioner.ScreeningRecorded: _screened,
        Practitioner.ScreeningCleared: _screened,
        Task.Opened: _task,
        Task.Assigned: _task,
        Task.Snoozed: _task,
        Task.Resolved: _task,
        TenantAggregate.EffectiveDateCorrected: _date_corrected,
    }
)
apply = handlers.apply
