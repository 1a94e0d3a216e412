"""Expirables: every dated credential of the firm's client practices and their clinicians, as periods in business
time (periods.py): a clinician's licenses, DEA registrations, board certifications, malpractice policy and CAQH
attestation; a practice's expiring dossier documents, MassHealth revalidation (five years from the enrollment or
the last revalidation) and each plan's re-credentialing (from the affiliation's activation). What a due date
counts from is stored; the cycles' lengths are the tenant's settings, applied at query time (queries.py), with the
windows and the severity (critical while an enrollment depends on the credential).

The handlers fold each event into the rows in memory (projections/engine/rows.py); the rows are the tables'.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.application import Application, ApplicationKind
from domain.base import TenantAggregate
from domain.business_time import effective_day
from domain.organization import Organization
from domain.practitioner import Practitioner, roster_name
from projections.engine.dispatch import Handlers
from projections.engine.rows import ViewRows
from projections.engine.tracking import OutOfOrder
from projections.expirables.periods import (
    ApplicationRow,
    PeriodRow,
    SubjectRow,
    close_period,
    open_period,
    subject,
)

name = "expirables"
aggregates = ("organization", "application", "practitioner")
row_types = (SubjectRow, ApplicationRow, PeriodRow)

REVALIDATION = "masshealth_revalidation"  # the credential, kind and cycle of MassHealth's five-year revalidation
RESPONSE = "revalidation_response"  # the answer to MassHealth's revalidation letter, due by its date


def _recredentialing(plan: str) -> str:
    return f"recredentialing:{plan}"


# --- clinicians ----------------------------------------------------------------------------------------------


async def _practitioner_registered(rows: ViewRows, event: Practitioner.Registered, position: int) -> UUID:
    rows.add(
        SubjectRow(
            tenant_id=event.tenant_id,
            organization_id=event.organization_id,
            subject_id=event.originator_id,
            subject_kind="practitioner",
            name=roster_name(event.first_name, event.middle_name, event.last_name, event.degree),
            npi=event.npi,
        )
    )
    return event.organization_id


async def _license(rows: ViewRows, event: Practitioner.LicenseRecorded, position: int) -> UUID:
    held = event.license
    owner = await subject(rows, event.originator_id)
    label = f"{held.state} {held.license_type} license {held.number}"
    await open_period(
        rows,
        owner,
        f"license:{held.state}:{held.license_type}",
        kind="license",
        label=label,
        day=effective_day(event),
        expires_on=held.expires_on,
        status=str(held.status),
    )
    return owner.organization_id


async def _dea(rows: ViewRows, event: Practitioner.DeaRegistrationRecorded, position: int) -> UUID:
    held = event.registration
    owner = await subject(rows, event.originator_id)
    await open_period(
        rows,
        owner,
        f"dea:{held.state}",
        kind="dea",
        label=f"DEA {held.number} ({held.state})",
        day=effective_day(event),
        expires_on=held.expires_on,
    )
    return owner.organization_id


async def _board(rows: ViewRows, event: Practitioner.BoardCertificationRecorded, position: int) -> UUID:
    held = event.certification
    owner = await subject(rows, event.originator_id)
    credential = f"board:{held.board}:{held.specialty}"
    if held.expires_on is None:  # a lifetime certificate: nothing to renew
        await close_period(rows, owner, credential, effective_day(event))
    else:
        await open_period(
            rows,
            owner,
            credential,
            kind="board_certification",
            label=f"{held.board} {held.specialty}",
            day=effective_day(event),
            expires_on=held.expires_on,
        )
    return owner.organization_id


async def _malpractice(rows: ViewRows, event: Practitioner.MalpracticeCoverageRecorded, position: int) -> UUID:
    held = event.coverage
    owner = await subject(rows, event.originator_id)
    await open_period(
        rows,
        owner,
        "malpractice",
        kind="malpractice",
        label=f"Malpractice {held.carrier} {held.policy_number}",
        day=effective_day(event),
        expires_on=held.expires_on,
    )
    return owner.organization_id


async def _credential_ended(rows: ViewRows, event: Practitioner.CredentialEnded, position: int) -> UUID:
    owner = await subject(rows, event.originator_id)
    await close_period(rows, owner, event.credential, effective_day(event))
    return owner.organization_id


async def _caqh(rows: ViewRows, event: Practitioner.CaqhAttested, position: int) -> UUID:
    owner = await subject(rows, event.originator_id)
    await open_period(
        rows,
        owner,
        "caqh",
        kind="caqh_attestation",
        label=f"CAQH ProView {event.caqh_id} attestation",
        day=effective_day(event),
        basis_on=event.attested_on,
        cycle="caqh_reattestation",
    )
    return owner.organization_id


async def _link(
    rows: ViewRows, event: Practitioner.LinkedToOrganization | Practitioner.LinkEnded, position: int
) -> UUID:
    owner = await subject(rows, event.originator_id)
    day = effective_day(event).isoformat()
    where = {"organization_id": str(event.linked_organization_id), "service_location": event.service_location}
    if isinstance(event, Practitioner.LinkedToOrganization):
        links = [*owner.links, {**where, "since": day, "until": None}]
    else:
        links = [
            {**link, "until": day} if link["until"] is None and _at(link) == _at(where) else link
            for link in owner.links
        ]
    rows.update(owner, links=links)
    return owner.organization_id


def _at(link: dict[str, Any]) -> tuple[str, str]:
    return link["organization_id"], link["service_location"]


# --- client practices ----------------------------------------------------------------------------------------


async def _organization_registered(rows: ViewRows, event: Organization.Registered, position: int) -> UUID:
    rows.add(
        SubjectRow(
            tenant_id=event.tenant_id,
            organization_id=event.originator_id,
            subject_id=event.originator_id,
            subject_kind="organization",
            name=event.legal_name,
            npi=event.npi,
        )
    )
    return event.originator_id


async def _profile_corrected(rows: ViewRows, event: Organization.ProfileCorrected, position: int) -> UUID | None:
    if event.legal_name is None:
        return None
    rows.update(await subject(rows, event.originator_id), name=event.legal_name)
    return event.originator_id


async def _enrolled(rows: ViewRows, event: Organization.ProviderNumberIssued, position: int) -> UUID:
    """Enrolled: MassHealth revalidates every five years from here (the enrollment guide)."""
    owner = await subject(rows, event.originator_id)
    day = effective_day(event)
    rows.update(owner, enrollments=[*owner.enrollments, {"from": day.isoformat(), "until": None}])
    await _revalidation_from(rows, owner, day)
    return owner.organization_id


async def _revalidation_from(rows: ViewRows, owner: SubjectRow, day: Any) -> None:
    await open_period(
        rows,
        owner,
        REVALIDATION,
        kind=REVALIDATION,
        label="MassHealth revalidation",
        day=day,
        basis_on=day,
        cycle=REVALIDATION,
    )


async def _enrollment_ended(rows: ViewRows, owner: SubjectRow, day: Any) -> None:
    until = day.isoformat()
    enrollments = [{**e, "until": until} if e["until"] is None else e for e in owner.enrollments]
    rows.update(owner, enrollments=enrollments)
    await close_period(rows, owner, REVALIDATION, day)
    await close_period(rows, owner, RESPONSE, day)


async def _revalidation_letter(rows: ViewRows, event: Organization.RevalidationLetterReceived, position: int) -> UUID:
    """Answer by the letter's date: until a revalidation application is submitted (one submitted on or after the
    letter's day, recorded before it, answers it from that day)."""
    owner = await subject(rows, event.originator_id)
    day = effective_day(event)
    answered = owner.revalidation_submitted_on
    await open_period(
        rows,
        owner,
        RESPONSE,
        kind=RESPONSE,
        label="Answer MassHealth's revalidation letter",
        day=day,
        expires_on=event.respond_by,
    )
    if answered is not None and answered >= day:
        await close_period(rows, owner, RESPONSE, answered)
    return owner.organization_id


async def _submitted(rows: ViewRows, event: Application.Submitted, position: int) -> UUID | None:
    """A revalidation submitted answers the letter."""
    application = await _application(rows, event)
    if application is None or application.kind != ApplicationKind.REVALIDATION.value:
        return None
    owner = await subject(rows, application.organization_id)
    day = effective_day(event)
    rows.update(owner, revalidation_submitted_on=max(day, owner.revalidation_submitted_on or day))
    await close_period(rows, owner, RESPONSE, day)
    return owner.organization_id


async def _disenrolled(rows: ViewRows, event: Organization.Disenrolled, position: int) -> UUID:
    owner = await subject(rows, event.originator_id)
    await _enrollment_ended(rows, owner, effective_day(event))
    return owner.organization_id


async def _affiliation_activated(rows: ViewRows, event: Organization.AffiliationActivated, position: int) -> UUID:
    """In network with the plan: it re-credentials every 36 months (NCQA), by default, from here."""
    owner = await subject(rows, event.originator_id)
    day = effective_day(event)
    await open_period(
        rows,
        owner,
        _recredentialing(event.plan),
        kind="plan_recredentialing",
        label=f"{event.plan} re-credentialing",
        day=day,
        basis_on=day,
        cycle="plan_recredentialing",
    )
    return owner.organization_id


async def _recredentialed(rows: ViewRows, application: ApplicationRow, day: date) -> UUID | None:
    """A plan's credentialing approved again while the affiliation stands: the next one counts from this day."""
    owner = await subject(rows, application.organization_id)
    credential = _recredentialing(application.plan or "")
    if credential not in owner.open_periods:
        return None  # not in network with the plan (yet): its activation starts the cycle
    await open_period(
        rows,
        owner,
        credential,
        kind="plan_recredentialing",
        label=f"{application.plan} re-credentialing",
        day=day,
        basis_on=day,
        cycle="plan_recredentialing",
    )
    return owner.organization_id


async def _date_corrected(rows: ViewRows, event: TenantAggregate.EffectiveDateCorrected, position: int) -> UUID:
    """The organization's rows were folded again with the corrected day (projections/engine/corrections.py)."""
    return event.organization_id


async def _affiliation_ended(
    rows: ViewRows, event: Organization.AffiliationTerminated | Organization.AffiliationWithdrawn, position: int
) -> UUID:
    owner = await subject(rows, event.originator_id)
    await close_period(rows, owner, _recredentialing(event.plan), effective_day(event))
    return owner.organization_id


# --- applications ----------------------------------------------------------------------------------------------


async def _application_opened(rows: ViewRows, event: Application.Opened, position: int) -> None:
    rows.add(
        ApplicationRow(
            tenant_id=event.tenant_id,
            organization_id=event.organization_id,
            application_id=event.originator_id,
            kind=str(event.kind),
            plan=event.plan,
            practitioner_id=event.practitioner_id,
        )
    )


async def _application(rows: ViewRows, event: Application.Event) -> ApplicationRow | None:
    """The practice's application the event is of (None: a clinician's own, whose dates are not the practice's)."""
    if (found := await rows.get(ApplicationRow, event.originator_id)) is None:
        raise OutOfOrder(f"application {event.originator_id} not opened in this view yet")
    return found if found.practitioner_id is None else None


async def _document(rows: ViewRows, event: Application.DocumentAttached, position: int) -> UUID | None:
    """An expiring dossier document (license, COI, DEA): the practice's latest of each type is what it holds."""
    document = event.document
    if document.expires_on is None:
        return None
    if (application := await _application(rows, event)) is None:
        return None
    owner = await subject(rows, application.organization_id)
    await open_period(
        rows,
        owner,
        f"document:{document.type}",
        kind="document",
        label=f"{str(document.type).replace('_', ' ')} {document.document_id}",
        day=effective_day(event),
        expires_on=document.expires_on,
    )
    return owner.organization_id


async def _decided(rows: ViewRows, event: Application.Approved | Application.Denied, position: int) -> UUID | None:
    """A revalidation approved starts the next five years; denied, MassHealth terminates the enrollment."""
    if (application := await _application(rows, event)) is None:
        return None
    if application.plan is not None and isinstance(event, Application.Approved):
        return await _recredentialed(rows, application, effective_day(event))
    if application.kind != ApplicationKind.REVALIDATION.value:
        return None
    owner = await subject(rows, application.organization_id)
    if isinstance(event, Application.Approved):
        await _revalidation_from(rows, owner, effective_day(event))
    else:
        await _enrollment_ended(rows, owner, effective_day(event))
    return owner.organization_id


handlers = Handlers(
    {
        Practitioner.Registered: _practitioner_registered,
        Practitioner.LicenseRecorded: _license,
        Practitioner.DeaRegistrationRecorded: _dea,
        Practitioner.BoardCertificationRecorded: _board,
        Practitioner.MalpracticeCoverageRecorded: _malpractice,
        Practitioner.CredentialEnded: _credential_ended,
        Practitioner.CaqhAttested: _caqh,
        Practitioner.LinkedToOrganization: _link,
        Practitioner.LinkEnded: _link,
        Organization.Registered: _organization_registered,
        Organization.ProfileCorrected: _profile_corrected,
        Organization.ProviderNumberIssued: _enrolled,
        Organization.Disenrolled: _disenrolled,
        Organization.RevalidationLetterReceived: _revalidation_letter,
        Organization.AffiliationActivated: _affiliation_activated,
        Organization.AffiliationTerminated: _affiliation_ended,
        Organization.AffiliationWithdrawn: _affiliation_ended,
        Application.Opened: _application_opened,
        Application.DocumentAttached: _document,
        Application.Submitted: _submitted,
        Application.Approved: _decided,
        Application.Denied: _decided,
        TenantAggregate.EffectiveDateCorrected: _date_corrected,
    }
)
apply = handlers.apply
