"""Screening a practice, the people it disclosed and its clinicians against an exclusion list's edition (42 CFR
455.436).

The edition's rows are reference data the caller finds (services/lists/screening.py: ``lookup``, by NPI and name
key); what they mean is the domain's (domain/list_matching.py). Each subject's result is recorded as a screening
on its record, naming the edition (``list_version`` is its id, ``list_date`` its file date), so "was this person
screened against the March list, and what did it say" has an answer for any past day. What a run records, and
never does (lift a match), is _to_record's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from domain.credentials import License
from domain.disclosure import PartyKind
from domain.exclusion_lists import name_key
from domain.list_matching import PROGRAM_STATE, Finding, ListedEntry, ScreenedSubject, dob_digest, judge, person_key
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.screening import DEFAULT_SCREENING_INTERVAL_DAYS, MATCHES, ExclusionSource, Screening, ScreeningResult
from services.app.base import Actor
from services.app.compliance import ComplianceUseCases

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
    recorded: bool  # False: the same result as the last screening of this list, within half the interval
    why: str


class ListScreeningUseCases(ComplianceUseCases):
    def screen_against_edition(
        self,
        actor: Actor,
        organization_id: UUID,
        edition: EditionRef,
        on: date,
        lookup: Lookup,
        interval_days: int = DEFAULT_SCREENING_INTERVAL_DAYS,
    ) -> list[ScreeningOutcome]:
        """Screen the practice and every person it discloses on ``on`` against the edition, recording what changed
        (in one transaction); ``interval_days``: the firm's screening interval."""
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
            kept = _to_record(previous, finding, edition, on, interval_days)
            if kept is not None:
                _record(organization, actor, person_id, edition, kept.result, on, kept.why)
            label = "organization" if person_id is None else f"person:{person_id}"
            outcomes.append(ScreeningOutcome(label, finding.result, kept is not None, finding.why))
        if any(o.recorded for o in outcomes):
            self.record(actor, organization)
        return outcomes

    def screen_practitioner_against_edition(
        self,
        actor: Actor,
        practitioner_id: UUID,
        edition: EditionRef,
        on: date,
        lookup: Lookup,
        dob_key: bytes,
        interval_days: int = DEFAULT_SCREENING_INTERVAL_DAYS,
    ) -> ScreeningOutcome:
        """Screen a clinician (its NPI, its name, its date of birth) against the edition, recording what changed."""
        clinician = self.load(actor, Practitioner, practitioner_id)
        born = clinician.date_of_birth
        licensed_in = sorted({c.state for c in clinician.credentials.values() if isinstance(c, License)})
        subject = ScreenedSubject(
            person=True,
            name_key=name_key(f"{clinician.last_name} {clinician.first_name}", True),
            npi=clinician.npi,
            dob_digest=dob_digest(dob_key, born) if isinstance(born, date) else None,  # None once shredded
            # SAM has no dates of birth: a name and the state it is licensed in (Massachusetts first) suggest one.
            state=PROGRAM_STATE if PROGRAM_STATE in licensed_in else next(iter(licensed_in), None),
        )
        finding = judge(subject, lookup([subject]), on)
        kept = _to_record(clinician.screenings.get(edition.source), finding, edition, on, interval_days)
        if kept is not None:
            clinician.record_screening(
                source=edition.source,
                result=kept.result,
                list_version=str(edition.edition_id),
                list_date=edition.file_date,
                screened_on=on,
                actor=actor.user_id,
                reason=_reason(edition, kept.why),
            )
            self.record(actor, clinician)
        return ScreeningOutcome(f"practitioner:{practitioner_id}", finding.result, kept is not None, finding.why)


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


def _to_record(
    previous: Screening | None, finding: Finding, edition: EditionRef, on: date, interval_days: int
) -> Finding | None:
    """What the run records of this result, if anything: the first of this list; a new or graver match; the same
    result once half the firm's screening interval has passed. Half, not all: a run that screened a subject without
    recording it must not leave it unscreened in the access audit's eyes, and runs at least every half interval
    (monthly editions, a 31-day interval) keep every subject's last recorded screening within the interval.

    A run never lifts a match (confirmed or suspected) by itself: an edition without the entry (a supplement, an
    older edition, a reinstatement) is for a reviewer to weigh, who clears it with a reason; until then the match's
    own finding stands and nothing is recorded. An edition older than the last one screened against adds nothing.
    An entry a reviewer cleared, still listed, is no match for this subject (recorded as such, naming the clearing);
    only an exclusion that began after the clearing raises a suspicion again."""
    if previous is None:
        return finding
    if edition.file_date < previous.list_date:
        return None
    if previous.result in MATCHES and _SEVERITY[finding.result] < _SEVERITY[previous.result]:
        return None
    if previous.result is ScreeningResult.CLEARED and finding.result is ScreeningResult.SUSPECTED_MATCH:
        began = finding.entry.excluded_on if finding.entry is not None else None
        if began is None or began <= previous.screened_on:
            why = f"the listed entry is the one a reviewer cleared on {previous.screened_on}: {finding.why}"
            finding = replace(finding, result=ScreeningResult.NO_MATCH, why=why)
    unchanged = previous.result is finding.result or (
        previous.result is ScreeningResult.CLEARED and finding.result is ScreeningResult.NO_MATCH
    )
    due = (on - previous.screened_on).days * 2 >= interval_days
    return finding if due or not unchanged else None


_SEVERITY = {
    ScreeningResult.NO_MATCH: 0,
    ScreeningResult.CLEARED: 0,
    ScreeningResult.SUSPECTED_MATCH: 1,
    ScreeningResult.CONFIRMED_MATCH: 2,
}


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
