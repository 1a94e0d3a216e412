"""Use cases for applications (POSC registration, enrollment, revalidation, plan credentialing)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.affiliation import AffiliationState
from domain.application import Application, ApplicationKind, ScreeningKind
from domain.application_values import AFFILIATION_KINDS
from domain.business_time import check_effective_day
from domain.organization import Organization
from domain.organization_values import DisenrollmentCause
from domain.practitioner import Practitioner
from domain.screening import check_not_excluded
from domain.service_locations import MAIN
from services.app.application_commands import (
    ApproveApplication,
    AttachDocument,
    ConfirmReceipt,
    DenyApplication,
    NoticeDeficiency,
    OpenApplication,
    RecordScreening,
    RejectApplication,
    ResolveDeficiency,
    SubmitApplication,
    WithdrawApplication,
)
from services.app.base import Actor
from services.app.compliance import ComplianceUseCases
from services.app.details import ApplicationDetails, application_details
from services.store.idempotency import Saved

# Applications MassHealth itself processes, where a mismatch with NPPES means rejection.
_CHECKED_AGAINST_NPPES = frozenset(
    {ApplicationKind.POSC_REGISTRATION, ApplicationKind.ENROLLMENT, ApplicationKind.REVALIDATION}
)


class ApplicationUseCases(ComplianceUseCases):
    def open_application(self, actor: Actor, command: OpenApplication) -> Saved:
        organization = self.load(actor, Organization, command.organization_id)
        check_effective_day(command.opened_on, "application opened", organization.registration)
        if command.practitioner_id is not None:  # the firm's clinician (404 otherwise), registered by that day
            practitioner = self.load(actor, Practitioner, command.practitioner_id)
            check_effective_day(
                command.opened_on, "application opened", (practitioner.registered_on, "the clinician's registration")
            )
        application = Application.open(
            tenant_id=actor.tenant_id,
            organization_id=command.organization_id,
            kind=command.kind,
            channel=command.channel,
            risk_level=organization.risk_level,
            plan=command.plan,
            opened_on=command.opened_on,
            actor=actor.user_id,
            reason=command.reason,
            service_location=command.service_location,
            practitioner_id=command.practitioner_id,
        )
        organization.check_location_open(application.service_location, command.opened_on)
        return self.record(actor, application)

    def attach_document(
        self, actor: Actor, application_id: UUID, command: AttachDocument, expected_version: int | None = None
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.attach_document(
            command.document(), supersedes=command.supersedes, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, application)

    def submit_application(
        self, actor: Actor, application_id: UUID, command: SubmitApplication, expected_version: int | None = None
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        organization, _ = self._not_excluded(actor, application, command.submitted_on, "submission")
        tin_kind = organization.tin_kind  # an SSN filer has no IRS 147C letter
        mismatches: list[str] = []
        if application.kind in _CHECKED_AGAINST_NPPES:  # the applicant's NPI: the clinician's or the practice's
            applicant: Organization | Practitioner = organization
            if application.practitioner_id is not None:
                applicant = self.load(actor, Practitioner, application.practitioner_id)
            mismatches = [m.field for m in applicant.nppes_mismatches]
        application.submit(
            submitted_on=command.submitted_on,
            nppes_mismatches=mismatches,
            override_reason=command.override_reason,
            received_on=command.received_on,
            tin_kind=tin_kind,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self._recorded(actor, application, AffiliationState.IN_CREDENTIALING, command.submitted_on, organization)

    def confirm_receipt(
        self, actor: Actor, application_id: UUID, command: ConfirmReceipt, expected_version: int | None = None
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.confirm_receipt(received_on=command.received_on, actor=actor.user_id, reason=command.reason)
        return self.record(actor, application)

    def notice_deficiency(
        self, actor: Actor, application_id: UUID, command: NoticeDeficiency, expected_version: int | None = None
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.notice_deficiency(
            deficiency_id=command.deficiency_id,
            missing_items=command.missing_items,
            noticed_on=command.noticed_on,
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, application)

    def resolve_deficiency(
        self,
        actor: Actor,
        application_id: UUID,
        deficiency_id: str,
        command: ResolveDeficiency,
        expected_version: int | None = None,
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.resolve_deficiency(
            deficiency_id=deficiency_id, resolved_on=command.resolved_on, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, application)

    def record_application_screening(
        self, actor: Actor, application_id: UUID, command: RecordScreening, expected_version: int | None = None
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        passing = command.screening is ScreeningKind.EXCLUSION_LISTS and command.passed  # not while a match stands
        act = "passing the exclusion screening" if passing else None
        _, organization = self._not_excluded(actor, application, command.completed_on, act, suspected_too=True)
        application.record_screening(
            screening=command.screening,
            passed=command.passed,
            completed_on=command.completed_on,
            risk_level=organization.risk_level,  # the organization's category that day, which may have been raised
            actor=actor.user_id,
            reason=command.reason,
        )
        return self.record(actor, application)

    def approve_application(
        self, actor: Actor, application_id: UUID, command: ApproveApplication, expected_version: int | None = None
    ) -> Saved:
        """An approved enrollment issues the organization's provider number in the same transaction (a clinician's
        own approval changes only its application: its participation follows from it)."""
        application = self.load(actor, Application, application_id, expected_version)
        organization, then = self._not_excluded(actor, application, command.decided_on, "approval")
        practices = application.practitioner_id is None
        if application.kind is ApplicationKind.REVALIDATION and practices:
            organization.check_revalidable()
        application.approve(
            decided_on=command.decided_on,
            provider_number=command.provider_number,
            effective_date=command.effective_date,
            risk_level=then.risk_level,  # its category on the decision's day: a raised one owes its screenings
            actor=actor.user_id,
            reason=command.reason,
        )
        if not practices:
            return self.record(actor, application)
        if application.kind is ApplicationKind.ENROLLMENT and command.provider_number:
            if application.service_location != MAIN:  # another location, under the number location A got
                organization.enroll_service_location(
                    code=application.service_location,
                    application_id=application.id,
                    provider_number=command.provider_number,
                    on=command.decided_on,
                    actor=actor.user_id,
                    reason=command.reason,
                )
                return self.record(actor, application, organization)
            organization.issue_provider_number(
                provider_number=command.provider_number,
                issued_on=command.decided_on,
                actor=actor.user_id,
                reason=command.reason,
            )
            return self.record(actor, application, organization)
        if command.effective_date is None:  # the contract, and its effective date, follow on their own
            return self.record(actor, application)
        return self._recorded(
            actor, application, AffiliationState.CONTRACTED, command.decided_on, organization, command.effective_date
        )

    def deny_application(
        self, actor: Actor, application_id: UUID, command: DenyApplication, expected_version: int | None = None
    ) -> Saved:
        """A denied revalidation ends the enrollment (MassHealth terminates a provider it does not revalidate), in the
        same transaction."""
        application = self.load(actor, Application, application_id, expected_version)
        application.deny(decided_on=command.decided_on, actor=actor.user_id, reason=command.reason)
        if application.kind is ApplicationKind.REVALIDATION and application.practitioner_id is None:
            organization = self.load(actor, Organization, application.organization_id)
            if organization.enrolled:
                organization.disenroll(
                    cause=DisenrollmentCause.TERMINATED,
                    on=command.decided_on,
                    actor=actor.user_id,
                    reason=command.reason or "MassHealth denied the revalidation",
                )
                return self.record(actor, application, organization)
        return self._recorded(actor, application, AffiliationState.DENIED, command.decided_on)

    def reject_application(
        self, actor: Actor, application_id: UUID, command: RejectApplication, expected_version: int | None = None
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.reject(
            rejected_on=command.rejected_on, cause=command.cause, actor=actor.user_id, reason=command.reason
        )
        return self.record(actor, application)

    def withdraw_application(
        self, actor: Actor, application_id: UUID, command: WithdrawApplication, expected_version: int | None = None
    ) -> Saved:
        application = self.load(actor, Application, application_id, expected_version)
        application.withdraw(withdrawn_on=command.withdrawn_on, actor=actor.user_id, reason=command.reason)
        return self._recorded(actor, application, AffiliationState.WITHDRAWN, command.withdrawn_on)

    def _recorded(
        self,
        actor: Actor,
        application: Application,
        to: AffiliationState,
        on: date,
        organization: Organization | None = None,
        active_on: date | None = None,
    ) -> Saved:
        """Records the application; a plan's credentialing application moves the plan's affiliation along, in the same
        transaction (Organization.follow_credentialing); a clinician's moves only its own participation."""
        if application.kind not in AFFILIATION_KINDS or application.plan is None or application.practitioner_id:
            return self.record(actor, application)
        organization = organization or self.load(actor, Organization, application.organization_id)
        before = organization.version
        organization.follow_credentialing(plan=application.plan, to=to, on=on, actor=actor.user_id, active_on=active_on)
        if organization.version == before:
            return self.record(actor, application)
        return self.record(actor, application, organization)

    def _not_excluded(
        self, actor: Actor, application: Application, on: date, act: str | None, suspected_too: bool = False
    ) -> tuple[Organization, Organization]:
        """The organization now and as it stood on day ``on``, once its exclusion screenings of that day allow the
        act (None: no act to check). A POSC-DC-PM, which only keeps its access administered, is never held back."""
        now, then = self.on_day(actor, Organization, application.organization_id, on)
        if act is not None and application.kind is not ApplicationKind.PRIMARY_USER_MODIFICATION:
            screenings = (then or now).exclusion_screenings()
            if application.practitioner_id is not None:  # a clinician's own application: its screenings too
                clinician = self.load(actor, Practitioner, application.practitioner_id)
                screenings += clinician.exclusion_screenings()
            check_not_excluded(screenings, act, suspected_too=suspected_too)
        return now, then or now

    def get_application(self, actor: Actor, application_id: UUID) -> ApplicationDetails:
        return application_details(self.load(actor, Application, application_id))
