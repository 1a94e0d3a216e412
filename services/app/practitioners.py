"""Use cases for practitioners (clinicians): their record, credentials, CAQH attestation and rendering links.
Linking a clinician to a group changes both records in one transaction (domain/rendering.py)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.business_time import check_effective_day
from domain.nppes import snapshot_from_api
from domain.organization import Organization
from domain.practitioner import Practitioner, check_npi_not_registered
from domain.rendering import end_rendering, link_rendering
from domain.screening import ExclusionSource, check_not_excluded
from services.app.base import Actor
from services.app.compliance import ComplianceUseCases, sealed_mapper
from services.app.organization_commands import ClearExclusionScreening, RecordExclusionScreening
from services.app.practitioner_commands import (
    AttestCaqh,
    EndCredential,
    EndRendering,
    LinkRendering,
    RecordBoardCertification,
    RecordDeaRegistration,
    RecordLicense,
    RecordMalpracticeCoverage,
    RecordPractitionerNppes,
    RegisterPractitioner,
)
from services.app.practitioner_details import PractitionerDetails, PractitionerPii, practitioner_details
from services.store.idempotency import Saved
from services.store.recorder import EVENTS_TABLE

_REGISTERED = get_topic(Practitioner.Registered)
CredentialCommand = RecordLicense | RecordDeaRegistration | RecordBoardCertification | RecordMalpracticeCoverage


class PractitionerUseCases(ComplianceUseCases):
    def register_practitioner(self, actor: Actor, command: RegisterPractitioner) -> Saved:
        organization = self.load(actor, Organization, command.organization_id)  # the tenant's client, or 404
        check_effective_day(command.registered_on, "practitioner registered", organization.registration)
        check_npi_not_registered(command.npi, self._registered_npis(actor))
        practitioner = Practitioner.register(
            tenant_id=actor.tenant_id,
            organization_id=organization.id,
            npi=command.npi,
            first_name=command.first_name,
            middle_name=command.middle_name,
            last_name=command.last_name,
            degree=command.degree,
            taxonomy_code=command.taxonomy_code,
            date_of_birth=command.date_of_birth,
            registered_on=command.registered_on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, practitioner)

    def _registered_npis(self, actor: Actor) -> set[str]:
        """The NPIs of the firm's practitioners, from their registrations as stored (NPIs are not sealed)."""
        rows = self.fetch(
            f"SELECT originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
            "WHERE tenant_id = %s AND originator_version = 1 AND topic = %s",
            actor.tenant_id,
            _REGISTERED,
        )
        stored = (StoredEvent(r["originator_id"], 1, r["topic"], bytes(r["state"])) for r in rows)
        return {sealed_mapper.to_domain_event(event).npi for event in stored}

    def record_practitioner_nppes(
        self, actor: Actor, practitioner_id: UUID, command: RecordPractitionerNppes, expected_version: int | None = None
    ) -> Saved:
        practitioner = self.load(actor, Practitioner, practitioner_id, expected_version)
        snapshot = snapshot_from_api(command.record, command.retrieved_on)
        practitioner.record_nppes_snapshot(snapshot, actor=actor.user_id, reason=command.reason)
        return self.record(actor, practitioner)

    def _record_credential(
        self, actor: Actor, practitioner_id: UUID, command: CredentialCommand, expected_version: int | None = None
    ) -> Saved:
        """A license, DEA registration, board certification or malpractice policy (the command says which)."""
        practitioner = self.load(actor, Practitioner, practitioner_id, expected_version)
        practitioner.record_credential(command.value(), on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, practitioner)

    def record_license(
        self, actor: Actor, practitioner_id: UUID, command: RecordLicense, expected_version: int | None = None
    ) -> Saved:
        return self._record_credential(actor, practitioner_id, command, expected_version)

    def record_dea_registration(
        self, actor: Actor, practitioner_id: UUID, command: RecordDeaRegistration, expected_version: int | None = None
    ) -> Saved:
        return self._record_credential(actor, practitioner_id, command, expected_version)

    def record_board_certification(
        self,
        actor: Actor,
        practitioner_id: UUID,
        command: RecordBoardCertification,
        expected_version: int | None = None,
    ) -> Saved:
        return self._record_credential(actor, practitioner_id, command, expected_version)

    def record_malpractice_coverage(
        self,
        actor: Actor,
        practitioner_id: UUID,
        command: RecordMalpracticeCoverage,
        expected_version: int | None = None,
    ) -> Saved:
        return self._record_credential(actor, practitioner_id, command, expected_version)

    def end_credential(
        self, actor: Actor, practitioner_id: UUID, command: EndCredential, expected_version: int | None = None
    ) -> Saved:
        practitioner = self.load(actor, Practitioner, practitioner_id, expected_version)
        practitioner.end_credential(command.credential, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, practitioner)

    def attest_caqh(
        self, actor: Actor, practitioner_id: UUID, command: AttestCaqh, expected_version: int | None = None
    ) -> Saved:
        practitioner = self.load(actor, Practitioner, practitioner_id, expected_version)
        practitioner.attest_caqh(
            caqh_id=command.caqh_id, attested_on=command.attested_on, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, practitioner)

    def link_rendering(
        self, actor: Actor, practitioner_id: UUID, command: LinkRendering, expected_version: int | None = None
    ) -> Saved:
        practitioner = self.load(actor, Practitioner, practitioner_id, expected_version)
        group = self.load(actor, Organization, command.organization_id)
        check_not_excluded(practitioner.exclusion_screenings(), "a rendering link")  # no program pays it
        link_rendering(
            practitioner,
            group,
            service_location=command.service_location,
            on=command.on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, practitioner, group)

    def end_rendering(
        self, actor: Actor, practitioner_id: UUID, command: EndRendering, expected_version: int | None = None
    ) -> Saved:
        practitioner = self.load(actor, Practitioner, practitioner_id, expected_version)
        group = self.load(actor, Organization, command.organization_id)
        end_rendering(
            practitioner,
            group,
            service_location=command.service_location,
            on=command.on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, practitioner, group)

    def record_practitioner_screening(
        self,
        actor: Actor,
        practitioner_id: UUID,
        command: RecordExclusionScreening,
        expected_version: int | None = None,
    ) -> Saved:
        practitioner = self.load(actor, Practitioner, practitioner_id, expected_version)
        practitioner.record_screening(
            source=command.source,
            result=command.result,
            list_version=command.list_version,
            list_date=command.list_date,
            screened_on=command.screened_on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, practitioner)

    def clear_practitioner_screening(
        self,
        actor: Actor,
        practitioner_id: UUID,
        source: ExclusionSource,
        command: ClearExclusionScreening,
        expected_version: int | None = None,
    ) -> Saved:
        practitioner = self.load(actor, Practitioner, practitioner_id, expected_version)
        practitioner.clear_screening(source=source, on=command.on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, practitioner)

    def get_practitioner(self, actor: Actor, practitioner_id: UUID) -> PractitionerDetails:
        return practitioner_details(self.load(actor, Practitioner, practitioner_id))

    def get_practitioner_pii(self, actor: Actor, practitioner_id: UUID, purpose: str) -> PractitionerPii:
        """Read, and record the read (who, what, when, why) in the practitioner's access log."""
        practitioner = self.load(actor, Practitioner, practitioner_id)
        self.log_personal_data_read(actor, practitioner_id, ["date_of_birth"], purpose)
        return PractitionerPii(id=practitioner.id, date_of_birth=practitioner.date_of_birth)
