"""Use cases for applications (POSC registration, enrollment, affiliations...)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.application import Application, ApplicationKind, ApplicationStatus, Channel, Decision
from domain.organization import Organization
from services.app.base import Actor, Saved, TenantApplication


class ApplicationView(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    organization_id: UUID
    kind: ApplicationKind
    channel: Channel
    status: ApplicationStatus
    submitted_on: date | None
    decided_on: date | None


class ApplicationUseCases(TenantApplication):
    def open_application(
        self,
        actor: Actor,
        *,
        organization_id: UUID,
        kind: ApplicationKind,
        channel: Channel,
        reason: str | None = None,
    ) -> Saved:
        self.load(actor, Organization, organization_id)
        application = Application.open(
            tenant_id=actor.tenant_id,
            organization_id=organization_id,
            kind=kind,
            channel=channel,
            actor=actor.user_id,
            reason=reason,
        )
        return self.record(actor, application)

    def submit_application(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        submitted_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.submit(submitted_on=submitted_on, actor=actor.user_id, reason=reason)
        return self.record(actor, application)

    def decide_application(
        self,
        actor: Actor,
        application_id: UUID,
        *,
        decision: Decision,
        decided_on: date,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.decide(decision, decided_on=decided_on, actor=actor.user_id, reason=reason)
        return self.record(actor, application)

    def get_application(self, actor: Actor, application_id: UUID) -> ApplicationView:
        a = self.load(actor, Application, application_id)
        return ApplicationView(
            id=a.id,
            version=a.version,
            organization_id=a.organization_id,
            kind=a.kind,
            channel=a.channel,
            status=a.status,
            submitted_on=a.submitted_on,
            decided_on=a.decided_on,
        )
