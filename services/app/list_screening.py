"""Screening a practice, the people it disclosed and its clinicians against an exclusion list's edition (42 CFR
455.436).

The edition's rows are reference data the caller finds (services/lists/screening.py: ``lookup``, by NPI and name
key); what they mean is the domain's (domain/list_matching.py). Each subject's result is recorded as a screening
on the organization, naming the edition (``list_version`` is its id, ``list_date`` its file date), so "was this
person screened against the March list, and what did it say" has an answer for any past day. A result is recorded
only when it differs from the subject's last screening of that list or that one is a month old or more: the lists
come monthly, and a run that finds nothing new records nothing. A suspected match once cleared by a reviewer is not
raised again by the same kind of evidence; an NPI match always is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from domain.disclosure import PartyKind
from domain.exclusion_lists import name_key
from domain.list_matching import ListedEntry, ScreenedSubject, dob_digest, judge, person_key
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.screening import ExclusionSource, Screening, ScreeningResult
from services.app.base import Actor
from services.app.compliance import ComplianceUseCases

RESCREEN_AFTER = timedelta(days=30)  # the lists are published monthly
Lookup = Callable[[Sequence[ScreenedSubject]], list[ListedEntry]]


@dataclass(frozen=True)
class EditionRef:
    edition_id: UUID
    source: ExclusionSource
    file_date: date


@dataclass(frozen=True)
class ScreeningOutcome:
    subject: str  # "organization", or "person:<id>" for an owner or managing employee
    result: ScreeningResult
    recorded: bool  # False: the same result as the last screening of this list, within the month
    why: str


class ListScreeningUseCases(ComplianceUseCases):
    def screen_against_edition(
        self, actor: Actor, organization_id: UUID, edition: EditionRef, on: date, lookup: Lookup
    ) -> list[ScreeningOutcome]:
        """Screen the practice and every person it discloses on ``on`` against the edition, recording what changed
        (in one transaction)."""
        organization = self.load(actor, Organization, organization_id)
        subjects = _subjects(organization, on)
        entries = lookup([subject for _, subject in subjects])
        outcomes = []
        for person_id, subject in subjects:
            finding = judge(subject, entries, on)
            previous = (
                organization.screenings.get(edition.source)
                if person_id is None
                else organization.person_screenings.get(person_id, {}).get(edition.source)
            )
            recorded = _worth_recording(previous, finding.result, on)
            if recorded:
                _record(organization, actor, person_id, edition, finding.result, on, finding.why)
            label = "organization" if person_id is None else f"person:{person_id}"
            outcomes.append(ScreeningOutcome(label, finding.result, recorded, finding.why))
        if any(o.recorded for o in outcomes):
            self.record(actor, organization)
        return outcomes

    def screen_practitioner_against_edition(
        self, actor: Actor, practitioner_id: UUID, edition: EditionRef, on: date, lookup: Lookup, dob_key: bytes
    ) -> ScreeningOutcome:
        """Screen a clinician (its NPI, its name, its date of birth) against the edition, recording what changed."""
        clinician = self.load(actor, Practitioner, practitioner_id)
        born = clinician.date_of_birth
        subject = ScreenedSubject(
            person=True,
            name_key=name_key(f"{clinician.last_name} {clinician.first_name}", True),
            npi=clinician.npi,
            dob_digest=dob_digest(dob_key, born) if isinstance(born, date) else None,  # None once shredded
        )
        finding = judge(subject, lookup([subject]), on)
        recorded = _worth_recording(clinician.screenings.get(edition.source), finding.result, on)
        if recorded:
            clinician.record_screening(
                source=edition.source,
                result=finding.result,
                list_version=str(edition.edition_id),
                list_date=edition.file_date,
                screened_on=on,
                actor=actor.user_id,
                reason=_reason(edition, finding.why),
            )
            self.record(actor, clinician)
        return ScreeningOutcome(f"practitioner:{practitioner_id}", finding.result, recorded, finding.why)


def _subjects(organization: Organization, on: date) -> list[tuple[UUID | None, ScreenedSubject]]:
    state = organization.practice_address.state
    practice = ScreenedSubject(
        person=False, name_key=name_key(organization.legal_name), npi=organization.npi, state=state
    )
    subjects: list[tuple[UUID | None, ScreenedSubject]] = [(None, practice)]
    for disclosure in organization.disclosures.values():
        if disclosure.disclosed_on > on or (disclosure.ended_on is not None and disclosure.ended_on <= on):
            continue
        person = disclosure.party is PartyKind.INDIVIDUAL
        key = person_key(disclosure.name) if person else name_key(disclosure.name)
        subjects.append((disclosure.person_id, ScreenedSubject(person=person, name_key=key, state=state)))
    return subjects


def _worth_recording(previous: Screening | None, result: ScreeningResult, on: date) -> bool:
    if previous is None:
        return True
    if previous.result is ScreeningResult.CLEARED and result is ScreeningResult.SUSPECTED_MATCH:
        return False  # a reviewer found it was not this subject
    changed = previous.result is not result and not (
        previous.result is ScreeningResult.CLEARED and result is ScreeningResult.NO_MATCH
    )
    return changed or on - previous.screened_on >= RESCREEN_AFTER


def _record(
    organization: Organization,
    actor: Actor,
    person_id: UUID | None,
    edition: EditionRef,
    result: ScreeningResult,
    on: date,
    why: str,
) -> None:
    source, version, reason = edition.source, str(edition.edition_id), _reason(edition, why)
    if person_id is None:
        organization.record_screening(source=source, result=result, list_version=version, list_date=edition.file_date,
                                      screened_on=on, actor=actor.user_id, reason=reason)  # fmt: skip
    else:
        organization.record_person_screening(person_id=person_id, source=source, result=result, list_version=version,
                                             list_date=edition.file_date, screened_on=on, actor=actor.user_id,
                                             reason=reason)  # fmt: skip


def _reason(edition: EditionRef, why: str) -> str:
    return f"Screened against the {edition.source} edition of {edition.file_date}: {why}"
