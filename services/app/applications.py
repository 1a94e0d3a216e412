"""Use cases for applications (POSC registration, enrollment, revalidation, plan credentialing)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.application import Application, ApplicationKind, Channel, ScreeningKind
from domain.dossier import Document
from domain.organization import Organization
from services.app.base import Actor, Saved, TenantApplication
from services.app.details import ApplicationDetails, application_details

# Applications MassHealth itself processes, where a mismatch with NPPES means rejection.
_CHECKED_AGAINST_NPPES = frozenset(
    {ApplicationKind.POSC_REGISTRATION, ApplicationKind.ENROLLMENT, ApplicationKind.REVALIDATION}
)


class ApplicationUseCases(TenantApplication):
    def open_application(
        self,
        actor: Actor,
        *,
        organization_id: UUID,
        kind: ApplicationKind,
        channel: Channel,
        plan: str | None = None,
        reason: str | None = None,
    ) -> Saved:
        organization = self.load(actor, Organization, organization_id)
        application = Application.open(
            tenant_id=actor.tenant_id,
            organization_id=organization_id,
            kind=kind,
            channel=channel,
            risk_level=organization.risk_level,
            plan=plan,
            actor=actor.user_id,
            reason=reason,
        )
        return self.record(actor, application)

    def attach_document(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        document: Document,
        supersedes: str | None = None,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.attach_document(document, supersedes=supersedes, actor=actor.user_id, reason=reason)
        return self.record(actor, application)

    def submit_application(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        submitted_on: date,
        override_reason: str | None = None,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        mismatches: list[str] = []
        if application.kind in _CHECKED_AGAINST_NPPES:
            organization = self.load(actor, Organization, application.organization_id)
            mismatches = [m.field for m in organization.nppes_mismatches]
        application.submit(
            submitted_on=submitted_on,
            nppes_mismatches=mismatches,
            override_reason=override_reason,
            actor=actor.user_id,
            reason=reason,
        )
        return self.record(actor, application)

    def notice_deficiency(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        deficiency_id: str,
        missing_items: list[str],
        noticed_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.notice_deficiency(
            deficiency_id=deficiency_id,
            missing_items=missing_items,
            noticed_on=noticed_on,
            actor=actor.user_id,
            reason=reason,
        )
        return self.record(actor, application)

    def resolve_deficiency(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        deficiency_id: str,
        resolved_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.resolve_deficiency(
            deficiency_id=deficiency_id, resolved_on=resolved_on, actor=actor.user_id, reason=reason
        )
        return self.record(actor, application)

    def record_application_screening(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        screening: ScreeningKind,
        passed: bool,
        completed_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.record_screening(
            screening=screening, passed=passed, completed_on=completed_on, actor=actor.user_id, reason=reason
        )
        return self.record(actor, application)

    def approve_application(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        decided_on: date,
        provider_number: str | None = None,
        effective_date: date | None = None,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        """An approved enrollment issues the organization's provider number in the same transaction."""
        application = self.load(actor, Application, application_id, expected_version)
        application.approve(
            decided_on=decided_on,
            provider_number=provider_number,
            effective_date=effective_date,
            actor=actor.user_id,
            reason=reason,
        )
        if application.kind is ApplicationKind.ENROLLMENT and provider_number:
            organization = self.load(actor, Organization, application.organization_id)
            organization.issue_provider_number(
                provider_number=provider_number, issued_on=decided_on, actor=actor.user_id, reason=reason
            )
            return self.record(actor, application, organization)
        return self.record(actor, application)

    def deny_application(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        decided_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.deny(decided_on=decided_on, actor=actor.user_id, reason=reason)
        return self.record(actor, application)

    def reject_application(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        rejected_on: date,
        cause: str,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.reject(rejected_on=rejected_on, cause=cause, actor=actor.user_id, reason=reason)
        return self.record(actor, application)

    def withdraw_application(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        withdrawn_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.withdraw(withdrawn_on=withdrawn_on, actor=actor.user_id, reason=reason)
        return self.record(actor, application)

    def get_application(self, actor: Actor, application_id: UUID) -> ApplicationDetails:
        return application_details(self.load(actor, Application, application_id))
