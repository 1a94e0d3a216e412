"""Practitioner: one clinician (Type 1 NPI) the firm credentials, who renders services for client practices.

Most of what expires and most of what is screened belongs to a clinician (DESIGN): state licenses, DEA
registrations, board certifications, malpractice coverage, the CAQH ProView attestation. A practitioner is the
firm's record for one client practice (``organization_id``: whose client viewers see it, and whose rows the views
keep it with); it may render at service locations of that practice and of other groups of the firm's clients.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from eventsourcing.domain import event

from domain import practitioner_events as events
from domain.address import normalise_name
from domain.base import TenantAggregate, check_tenant_id, check_text, require_reason
from domain.credentials import (
    CAQH,
    MALPRACTICE,
    BoardCertification,
    DeaRegistration,
    License,
    MalpracticeCoverage,
    parse_caqh_id,
)
from domain.errors import InvalidValue, RuleViolation
from domain.npi import parse_npi
from domain.nppes import NO_SNAPSHOT, Mismatch, NppesSnapshot
from domain.pii import PII
from domain.screening import ExclusionSource, ScreenedRecord, Screening, ScreeningResult

Credential = License | DeaRegistration | BoardCertification | MalpracticeCoverage


def roster_name(first_name: str, middle_name: str | None, last_name: str, degree: str) -> str:
    """As a claim or a roster shows a clinician: "Ana M. Reyes, MD"."""
    middle = f" {middle_name[0]}." if middle_name else ""
    return f"{first_name}{middle} {last_name}, {degree}"


def check_npi_not_registered(npi: str, registered: Iterable[str]) -> None:
    """One record per clinician in a firm: a clinician rendering for several client practices is linked to each."""
    if npi in registered:
        raise RuleViolation(
            "practitioner-already-registered", f"NPI {npi} is already a practitioner of this firm: link that record."
        )


@dataclass(frozen=True)
class RenderingLink:
    organization_id: UUID  # the group or facility
    service_location: str  # its PID/SL letter
    since: date
    until: date | None = None  # the link ended that day

    @property
    def key(self) -> str:
        return f"{self.organization_id}:{self.service_location}"

    def active_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


class Practitioner(TenantAggregate, ScreenedRecord):
    class Registered(events.Registered): ...

    class NppesSnapshotRecorded(events.NppesSnapshotRecorded): ...

    class LicenseRecorded(events.LicenseRecorded): ...

    class DeaRegistrationRecorded(events.DeaRegistrationRecorded): ...

    class BoardCertificationRecorded(events.BoardCertificationRecorded): ...

    class MalpracticeCoverageRecorded(events.MalpracticeCoverageRecorded): ...

    class CredentialEnded(events.CredentialEnded): ...

    class CaqhAttested(events.CaqhAttested): ...

    class LinkedToOrganization(events.LinkedToOrganization): ...

    class LinkEnded(events.LinkEnded): ...

    class ScreeningRecorded(events.ScreeningRecorded): ...

    class ScreeningCleared(events.ScreeningCleared): ...

    class EffectiveDateCorrected(TenantAggregate.EffectiveDateCorrected): ...  # domain/date_corrections.py

    @classmethod
    def register(
        cls,
        *,
        tenant_id: str,
        organization_id: UUID,
        npi: str,
        first_name: str,
        middle_name: str | None,
        last_name: str,
        degree: str,
        taxonomy_code: str | None,
        date_of_birth: date | None,
        registered_on: date,
        actor: str,
        reason: str | None = None,
    ) -> Practitioner:
        if date_of_birth is not None and date_of_birth >= registered_on:
            raise InvalidValue("The date of birth must come before the record starts.", field="date_of_birth")
        return cls(
            tenant_id=check_tenant_id(tenant_id),
            organization_id=organization_id,
            npi=parse_npi(npi),
            first_name=check_text(first_name, field="first_name", max_length=60),
            middle_name=check_text(middle_name, field="middle_name", max_length=60) if middle_name else None,
            last_name=check_text(last_name, field="last_name", max_length=60),
            degree=check_text(degree, field="degree", max_length=20),
            taxonomy_code=check_text(taxonomy_code, field="taxonomy_code", max_length=10) if taxonomy_code else None,
            date_of_birth=date_of_birth,
            registered_on=registered_on,
            actor=actor,
            reason=reason,
        )

    @event(Registered)
    def __init__(
        self,
        tenant_id: str,
        organization_id: UUID,
        npi: str,
        first_name: str,
        middle_name: str | None,
        last_name: str,
        degree: str,
        taxonomy_code: str | None,
        date_of_birth: Annotated[date | None, PII],
        registered_on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.organization_id = organization_id
        self.npi = npi
        self.first_name = first_name
        self.middle_name = middle_name
        self.last_name = last_name
        self.degree = degree
        self.taxonomy_code = taxonomy_code
        self.date_of_birth = date_of_birth
        self.registered_on = registered_on
        self.nppes: NppesSnapshot | None = None
        self.nppes_mismatches: list[Mismatch] = [NO_SNAPSHOT]
        self.credentials: dict[str, Credential] = {}  # by key: license:MA:MD, dea:MA, board:ABIM:..., malpractice
        self.ended_credentials: dict[str, date] = {}  # key -> the day it ended (until recorded again)
        self.caqh_id: str | None = None
        self.caqh_attested_on: date | None = None
        self.links: list[RenderingLink] = []  # current and ended, in the order made
        self.screenings: dict[ExclusionSource, Screening] = {}  # the last of each exclusion list

    @property
    def name(self) -> str:
        return roster_name(self.first_name, self.middle_name, self.last_name, self.degree)

    # --- NPPES ---------------------------------------------------------------------------------

    def record_nppes_snapshot(self, snapshot: NppesSnapshot, *, actor: str, reason: str | None = None) -> None:
        self._nppes_snapshot_recorded(snapshot=snapshot, mismatches=self.compare(snapshot), actor=actor, reason=reason)

    def compare(self, snapshot: NppesSnapshot) -> list[Mismatch]:
        """What differs from the NPPES record: POSC rejects a rendering provider whose NPI, name or taxonomy differs
        (the seeds: "rendering taxonomies" among them), and a rendering NPI is an individual's (Type 1)."""
        found = []
        if snapshot.npi != self.npi:
            found.append(Mismatch("npi", "The snapshot is of another NPI."))
        if snapshot.status != "A":
            found.append(Mismatch("npi_status", "The NPI is not active in NPPES."))
        if snapshot.enumeration_type != "NPI-1":
            found.append(Mismatch("enumeration_type", f"NPPES has {snapshot.enumeration_type}, a clinician is NPI-1."))
        ours = f"{self.first_name} {self.last_name}"
        if normalise_name(snapshot.name) != normalise_name(ours):
            found.append(Mismatch("name", f"NPPES has {snapshot.name!r}, the record {ours!r}."))
        primary = next((t.code for t in snapshot.taxonomies if t.primary), None)
        if self.taxonomy_code is not None and primary != self.taxonomy_code:
            found.append(
                Mismatch("taxonomy", f"NPPES's primary taxonomy is {primary}, the record's {self.taxonomy_code}.")
            )
        return found

    @event(NppesSnapshotRecorded)
    def _nppes_snapshot_recorded(
        self, snapshot: NppesSnapshot, mismatches: list[Mismatch], actor: str, reason: str | None
    ) -> None:
        self.nppes = snapshot
        self.nppes_mismatches = mismatches

    # --- credentials ---------------------------------------------------------------------------

    def record_credential(self, credential: Credential, *, on: date, actor: str, reason: str | None = None) -> None:
        """Record a license, DEA registration, board certification or malpractice policy as verified on ``on``: a
        new one, a renewal (the same key, a later expiry) or a correction."""
        checked = credential.checked()
        if self.credentials.get(checked.key) == checked:
            raise RuleViolation("credential-unchanged", f"{checked.key} is already recorded as given.")
        fields: dict[str, Any] = {"on": on, "actor": actor, "reason": reason}
        if isinstance(checked, License):
            self._license_recorded(license=checked, **fields)
        elif isinstance(checked, DeaRegistration):
            self._dea_registration_recorded(registration=checked, **fields)
        elif isinstance(checked, BoardCertification):
            self._board_certification_recorded(certification=checked, **fields)
        else:
            self._malpractice_coverage_recorded(coverage=checked, **fields)

    def end_credential(self, credential: str, *, on: date, actor: str, reason: str | None = None) -> None:
        credential = check_text(credential, field="credential")
        attesting = credential == CAQH and self.caqh_attested_on is not None  # left CAQH, or the clinician left
        if credential not in self.credentials and not attesting:
            raise RuleViolation("credential-not-held", f"No {credential} is recorded as held.")
        require_reason(reason, "Say why the credential is no longer held (not renewed, surrendered, moved away).")
        self._credential_ended(credential=credential, on=on, actor=actor, reason=reason)

    def _hold(self, credential: Credential) -> None:
        self.credentials[credential.key] = credential
        self.ended_credentials.pop(credential.key, None)

    @event(LicenseRecorded)
    def _license_recorded(self, license: License, on: date, actor: str, reason: str | None) -> None:
        self._hold(license)

    @event(DeaRegistrationRecorded)
    def _dea_registration_recorded(
        self, registration: DeaRegistration, on: date, actor: str, reason: str | None
    ) -> None:
        self._hold(registration)

    @event(BoardCertificationRecorded)
    def _board_certification_recorded(
        self, certification: BoardCertification, on: date, actor: str, reason: str | None
    ) -> None:
        self._hold(certification)

    @event(MalpracticeCoverageRecorded)
    def _malpractice_coverage_recorded(
        self, coverage: MalpracticeCoverage, on: date, actor: str, reason: str | None
    ) -> None:
        self._hold(coverage)

    @event(CredentialEnded)
    def _credential_ended(self, credential: str, on: date, actor: str, reason: str | None) -> None:
        self.credentials.pop(credential, None)
        if credential == CAQH:
            self.caqh_attested_on = None  # no re-attestation expected; the ProView ID stays known
        self.ended_credentials[credential] = on

    @property
    def malpractice(self) -> MalpracticeCoverage | None:
        coverage = self.credentials.get(MALPRACTICE)
        return coverage if isinstance(coverage, MalpracticeCoverage) else None

    # --- CAQH ProView ----------------------------------------------------------------------------

    def attest_caqh(self, *, caqh_id: str, attested_on: date, actor: str, reason: str | None = None) -> None:
        caqh_id = parse_caqh_id(caqh_id)
        if self.caqh_attested_on == attested_on and self.caqh_id == caqh_id:
            raise RuleViolation("credential-unchanged", f"The attestation of {attested_on} is already recorded.")
        self._caqh_attested(caqh_id=caqh_id, attested_on=attested_on, actor=actor, reason=reason)

    @event(CaqhAttested)
    def _caqh_attested(self, caqh_id: str, attested_on: date, actor: str, reason: str | None) -> None:
        self.caqh_id = caqh_id
        self.caqh_attested_on = attested_on
        self.ended_credentials.pop(CAQH, None)

    # --- rendering links -------------------------------------------------------------------------

    def active_links(self, organization_id: UUID | None = None) -> list[RenderingLink]:
        return [link for link in self.links if link.until is None and organization_id in (None, link.organization_id)]

    def check_may_link(self, organization_id: UUID, service_location: str) -> None:
        if any(link.service_location == service_location for link in self.active_links(organization_id)):
            raise RuleViolation(
                "rendering-already-linked", f"Already linked to location {service_location} of {organization_id}."
            )

    def link(
        self, *, organization_id: UUID, service_location: str, on: date, actor: str, reason: str | None = None
    ) -> None:
        """Renders at that service location from ``on``; the group's own rules (a Type 2 group, the location open)
        are checked by the caller (domain/rendering.py)."""
        self.check_may_link(organization_id, service_location)
        self._linked_to_organization(
            linked_organization_id=organization_id, service_location=service_location, on=on, actor=actor, reason=reason
        )

    def end_link(
        self, *, organization_id: UUID, service_location: str, on: date, actor: str, reason: str | None = None
    ) -> None:
        if not any(link.service_location == service_location for link in self.active_links(organization_id)):
            raise RuleViolation(
                "rendering-not-linked", f"Not linked to location {service_location} of {organization_id}."
            )
        self._link_ended(
            linked_organization_id=organization_id, service_location=service_location, on=on, actor=actor, reason=reason
        )

    @event(LinkedToOrganization)
    def _linked_to_organization(
        self, linked_organization_id: UUID, service_location: str, on: date, actor: str, reason: str | None
    ) -> None:
        self.links.append(RenderingLink(linked_organization_id, service_location, on))

    @event(LinkEnded)
    def _link_ended(
        self, linked_organization_id: UUID, service_location: str, on: date, actor: str, reason: str | None
    ) -> None:
        key = f"{linked_organization_id}:{service_location}"
        self.links = [
            replace(link, until=on) if link.key == key and link.until is None else link for link in self.links
        ]

    # --- exclusion screening (42 CFR 455.436): record_screening and clear_screening from ScreenedRecord ---------

    def exclusion_screenings(self) -> list[tuple[str, Screening]]:
        """As check_not_excluded reads them: whose, and each list's last screening."""
        return [(f"the clinician {self.name}", s) for s in self.screenings.values()]

    @event(ScreeningRecorded)
    def _screening_recorded(
        self,
        source: ExclusionSource,
        result: ScreeningResult,
        list_version: str,
        list_date: date,
        screened_on: date,
        actor: str,
        reason: str | None,
    ) -> None:
        self.screenings[source] = Screening(source, result, list_version, list_date, screened_on)

    @event(ScreeningCleared)
    def _screening_cleared(self, source: ExclusionSource, on: date, actor: str, reason: str | None) -> None:
        self.screenings[source] = replace(self.screenings[source], result=ScreeningResult.CLEARED, screened_on=on)
