"""Application: one submission to MassHealth or a plan, tracked to a decision."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.base import TenantAggregate, check_tenant_id
from domain.errors import RuleViolation


class ApplicationKind(StrEnum):
    POSC_REGISTRATION = "posc_registration"  # form POSC-DC-PE
    PRIMARY_USER_MODIFICATION = "primary_user_modification"  # form POSC-DC-PM
    ENROLLMENT = "enrollment"
    REVALIDATION = "revalidation"
    ACO_AFFILIATION = "aco_affiliation"
    MCO_AFFILIATION = "mco_affiliation"
    PCC_AFFILIATION = "pcc_affiliation"


class Channel(StrEnum):
    FAX = "fax"
    MAIL = "mail"
    PORTAL = "portal"


class ApplicationStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DENIED = "denied"


class Decision(StrEnum):
    APPROVED = "approved"
    DENIED = "denied"


class Application(TenantAggregate):
    @classmethod
    def open(
        cls,
        *,
        tenant_id: str,
        organization_id: UUID,
        kind: ApplicationKind,
        channel: Channel,
        actor: str,
        reason: str | None = None,
    ) -> Application:
        return cls(
            tenant_id=check_tenant_id(tenant_id),
            organization_id=organization_id,
            kind=ApplicationKind(kind),
            channel=Channel(channel),
            actor=actor,
            reason=reason,
        )

    @event("Opened")
    def __init__(
        self,
        tenant_id: str,
        organization_id: UUID,
        kind: ApplicationKind,
        channel: Channel,
        actor: str,
        reason: str | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.organization_id = organization_id
        self.kind = kind
        self.channel = channel
        self.status = ApplicationStatus.OPEN
        self.submitted_on: date | None = None
        self.decided_on: date | None = None

    def check_open(self) -> None:
        if self.status != ApplicationStatus.OPEN:
            raise RuleViolation("application-not-open", f"The application is {self.status}, not open.")

    def check_submitted(self) -> None:
        if self.status != ApplicationStatus.SUBMITTED:
            if self.status in (ApplicationStatus.APPROVED, ApplicationStatus.DENIED):
                raise RuleViolation("application-closed", "A decided application is closed.")
            raise RuleViolation("application-not-submitted", "The application has not been submitted.")

    def submit(self, *, submitted_on: date, actor: str, reason: str | None = None) -> None:
        self.check_open()
        self._submitted(submitted_on=submitted_on, actor=actor, reason=reason)

    @event("Submitted")
    def _submitted(self, submitted_on: date, actor: str, reason: str | None) -> None:
        self.status = ApplicationStatus.SUBMITTED
        self.submitted_on = submitted_on

    def decide(self, decision: Decision, *, decided_on: date, actor: str, reason: str | None = None) -> None:
        self.check_submitted()
        assert self.submitted_on is not None
        if decided_on < self.submitted_on:
            raise RuleViolation("decision-before-submission", "A decision cannot predate the submission.")
        self._decided(decision=Decision(decision), decided_on=decided_on, actor=actor, reason=reason)

    @event("Decided")
    def _decided(self, decision: Decision, decided_on: date, actor: str, reason: str | None) -> None:
        self.status = ApplicationStatus(decision.value)
        self.decided_on = decided_on
