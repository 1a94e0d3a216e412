"""Application: one submission to MassHealth or a plan, tracked to a decision."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain import application_events
from domain.application_values import (
    CLOSED,
    REQUIRED_DOCUMENTS,
    ApplicationKind,
    ApplicationStatus,
    Channel,
    ScreeningKind,
    check_attachable,
    check_channel,
    check_dated_after_acts,
    check_dossier,
    check_payer_id,
    check_plan_named,
    check_practitioner_kind,
    check_receipt,
    check_screenings,
    check_service_location,
    required_screenings,
)
from domain.base import TenantAggregate, check_tenant_id, check_text, require_reason
from domain.dossier import Document, check_document
from domain.errors import InvalidValue, RuleViolation
from domain.organization_values import RiskLevel
from domain.text import clean_text, clean_texts
from domain.tin import TinKind

# Imported from here elsewhere: the aggregate, and value types re-exported (explicitly, for mypy --strict).
__all__ = ["REQUIRED_DOCUMENTS", "Application", "ApplicationKind", "ApplicationStatus", "Channel", "ScreeningKind"]


class Application(TenantAggregate):
    class EffectiveDateCorrected(TenantAggregate.EffectiveDateCorrected): ...  # domain/date_corrections.py

    @classmethod
    def open(
        cls,
        *,
        tenant_id: str,
        organization_id: UUID,
        kind: ApplicationKind,
        channel: Channel,
        risk_level: RiskLevel,
        plan: str | None = None,
        opened_on: date,
        actor: str,
        reason: str | None = None,
        service_location: str = "A",
        practitioner_id: UUID | None = None,
    ) -> Application:
        """``practitioner_id``: a clinician's own application, made through the practice (None: the practice's)."""
        kind = ApplicationKind(kind)
        plan = check_plan_named(kind, plan)
        check_channel(kind, Channel(channel))
        check_practitioner_kind(kind, practitioner_id)
        return cls(
            tenant_id=check_tenant_id(tenant_id),
            organization_id=organization_id,
            kind=kind,
            channel=Channel(channel),
            risk_level=RiskLevel(risk_level),
            plan=plan,
            opened_on=opened_on,
            actor=actor,
            reason=reason,
            service_location=check_service_location(kind, service_location),
            practitioner_id=practitioner_id,
        )

    class Opened(application_events.Opened): ...

    @event(Opened)
    def __init__(
        self,
        tenant_id: str,
        organization_id: UUID,
        kind: ApplicationKind,
        channel: Channel,
        risk_level: RiskLevel,
        plan: str | None,
        opened_on: date,
        actor: str,
        reason: str | None,
        service_location: str,
        practitioner_id: UUID | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.practitioner_id = practitioner_id
        self.opened_on = opened_on
        self.service_location = service_location
        self.organization_id = organization_id
        self.kind = kind
        self.channel = channel
        self.risk_level = risk_level
        self.plan = plan
        self.status = ApplicationStatus.OPEN
        self.documents: dict[str, Document] = {}  # current documents by id
        self.superseded: dict[str, str] = {}  # old document id -> the id that replaced it
        self.submitted_on: date | None = None
        self.received_on: date | None = None  # the payer's receipt of the submission that counts
        self.submissions = 0  # a rejection resets the queue: the next submission starts over
        self.rejected_on: date | None = None
        self.deficiencies: dict[str, tuple[list[str], date, date | None]] = {}  # id -> (items, noticed, resolved)
        self.screenings: dict[ScreeningKind, tuple[date, bool]] = {}  # kind -> (completed on, passed)
        self.decided_on: date | None = None
        self.provider_number: str | None = None
        self.effective_date: date | None = None

    def check_not_closed(self) -> None:
        if self.status in CLOSED:
            raise RuleViolation(
                "application-closed", f"The application is {self.status}: a decided application is closed."
            )

    def check_status(self, *allowed: ApplicationStatus) -> None:
        self.check_not_closed()
        if self.status not in allowed:
            raise RuleViolation(
                f"application-not-{allowed[0].value}", f"The application is {self.status}, not {allowed[0]}."
            )

    # --- the dossier -----------------------------------------------------------------------------

    def attach_document(
        self, document: Document, *, supersedes: str | None = None, actor: str, reason: str | None = None
    ) -> None:
        self.check_not_closed()
        check_document(document, supersedes)
        check_attachable(document, supersedes, self.documents, self.superseded)
        self._document_attached(document=document, supersedes=supersedes, actor=actor, reason=reason)

    class DocumentAttached(application_events.DocumentAttached): ...

    @event(DocumentAttached)
    def _document_attached(self, document: Document, supersedes: str | None, actor: str, reason: str | None) -> None:
        if supersedes is not None:
            del self.documents[supersedes]
            self.superseded[supersedes] = document.document_id
        self.documents[document.document_id] = document

    # --- submission, deficiencies, screenings ------------------------------------------------------

    def submit(
        self,
        *,
        submitted_on: date,
        nppes_mismatches: list[str],
        override_reason: str | None = None,
        received_on: date | None = None,
        tin_kind: TinKind | None = None,
        actor: str,
        reason: str | None = None,
    ) -> None:
        """Submit: the dossier must be complete and current (for the organization's kind of TIN), and NPPES must
        match (or the mismatch be overridden)."""
        clean_text(override_reason or "", field="override_reason", multiline=True)
        self.check_status(ApplicationStatus.OPEN)
        if self.rejected_on is not None and submitted_on < self.rejected_on:
            raise RuleViolation(
                "date-before-rejection", f"{submitted_on} is before the rejection of {self.rejected_on}."
            )
        check_dossier(self.kind, self.documents.values(), submitted_on, tin_kind)
        if nppes_mismatches and not (override_reason and override_reason.strip()):
            raise RuleViolation(
                "nppes-mismatch",
                f"The profile differs from NPPES ({', '.join(nppes_mismatches)}); MassHealth would reject it. "
                "Correct it, or override with a reason.",
            )
        self._submitted(
            submitted_on=submitted_on,
            overridden_mismatches=list(nppes_mismatches) if nppes_mismatches else [],
            override_reason=override_reason if nppes_mismatches else None,
            actor=actor,
            reason=reason,
            received_on=check_receipt(self.channel, submitted_on, received_on),
        )

    class Submitted(application_events.Submitted): ...

    @event(Submitted)
    def _submitted(
        self,
        submitted_on: date,
        overridden_mismatches: list[str],
        override_reason: str | None,
        actor: str,
        reason: str | None,
        received_on: date | None,
    ) -> None:
        self.status = ApplicationStatus.SUBMITTED
        self.submitted_on = submitted_on
        self.received_on = received_on
        self.submissions += 1

    def confirm_receipt(self, *, received_on: date, actor: str, reason: str | None = None) -> None:
        """A mailed submission reached the payer: its clock starts that day. Known before the payer acts on it (a
        deficiency notice or a decision says it was received); never for a fax or the portal (received when sent)."""
        self.check_status(ApplicationStatus.SUBMITTED)
        if self.channel is not Channel.MAIL or self.received_on is not None:
            raise RuleViolation("receipt-known", f"The payer's receipt is already known: {self.received_on}.")
        if self.deficiencies:
            raise RuleViolation(
                "receipt-after-payer-act",
                "The payer has already sent a deficiency notice on this submission, so it had it: record the receipt "
                "before the payer's acts (or correct the submission's day).",
            )
        assert self.submitted_on is not None
        check_receipt(self.channel, self.submitted_on, received_on)
        self._receipt_confirmed(received_on=received_on, actor=actor, reason=reason)

    class ReceiptConfirmed(application_events.ReceiptConfirmed): ...

    @event(ReceiptConfirmed)
    def _receipt_confirmed(self, received_on: date, actor: str, reason: str | None) -> None:
        self.received_on = received_on

    def notice_deficiency(
        self, *, deficiency_id: str, missing_items: list[str], noticed_on: date, actor: str, reason: str | None = None
    ) -> None:
        """The payer asks for more: its clock stops and the client's starts."""
        self.check_status(ApplicationStatus.SUBMITTED, ApplicationStatus.DEFICIENT)
        clean_texts(missing_items or [], field="missing_items")  # before strip(), which would drop some controls
        if not missing_items or not all(isinstance(i, str) and i.strip() for i in missing_items):
            raise InvalidValue("A deficiency lists what is missing.", field="missing_items", rule="deficiency-items")
        deficiency_id = check_text(deficiency_id, field="deficiency_id", max_length=64)
        if deficiency_id in self.deficiencies:
            raise RuleViolation("deficiency-id-taken", f"Deficiency {deficiency_id} is already recorded.")
        self._check_not_before_submission(noticed_on)
        self._check_not_before_receipt(noticed_on)
        self._deficiency_noticed(
            deficiency_id=deficiency_id,
            missing_items=[i.strip() for i in missing_items],
            noticed_on=noticed_on,
            actor=actor,
            reason=reason,
        )

    class DeficiencyNoticed(application_events.DeficiencyNoticed): ...

    @event(DeficiencyNoticed)
    def _deficiency_noticed(
        self, deficiency_id: str, missing_items: list[str], noticed_on: date, actor: str, reason: str | None
    ) -> None:
        self.deficiencies[deficiency_id] = (missing_items, noticed_on, None)
        self.status = ApplicationStatus.DEFICIENT

    def resolve_deficiency(
        self, *, deficiency_id: str, resolved_on: date, actor: str, reason: str | None = None
    ) -> None:
        self.check_status(ApplicationStatus.DEFICIENT)
        found = self.deficiencies.get(clean_text(deficiency_id, field="deficiency_id"))
        if found is None or found[2] is not None:
            raise RuleViolation("deficiency-not-open", f"Deficiency {deficiency_id} is not open.")
        if resolved_on < found[1]:
            raise RuleViolation("deficiency-date-order", "A deficiency cannot be resolved before it was noticed.")
        self._deficiency_resolved(deficiency_id=deficiency_id, resolved_on=resolved_on, actor=actor, reason=reason)

    class DeficiencyResolved(application_events.DeficiencyResolved): ...

    @event(DeficiencyResolved)
    def _deficiency_resolved(self, deficiency_id: str, resolved_on: date, actor: str, reason: str | None) -> None:
        items, noticed, _ = self.deficiencies[deficiency_id]
        self.deficiencies[deficiency_id] = (items, noticed, resolved_on)
        if all(resolved is not None for _, _, resolved in self.deficiencies.values()):
            self.status = ApplicationStatus.SUBMITTED

    def record_screening(
        self,
        *,
        screening: ScreeningKind,
        passed: bool,
        completed_on: date,
        risk_level: RiskLevel | None = None,
        actor: str,
        reason: str | None = None,
    ) -> None:
        """``risk_level``: the organization's now (its screening category may have been raised since the opening)."""
        self.check_status(ApplicationStatus.SUBMITTED, ApplicationStatus.DEFICIENT)
        screening = ScreeningKind(screening)
        risk = RiskLevel(risk_level) if risk_level is not None else self.risk_level
        if screening not in required_screenings(self.kind, risk) and screening is not ScreeningKind.EXCLUSION_LISTS:
            raise RuleViolation("screening-not-required", f"A {risk}-risk {self.kind} has no {screening}.")
        self._check_not_before_submission(completed_on, lifecycle=False)
        self._screening_completed(
            screening=screening, passed=passed, completed_on=completed_on, actor=actor, reason=reason
        )

    class ScreeningCompleted(application_events.ScreeningCompleted): ...

    @event(ScreeningCompleted)
    def _screening_completed(
        self, screening: ScreeningKind, passed: bool, completed_on: date, actor: str, reason: str | None
    ) -> None:
        self.screenings[screening] = (completed_on, passed)

    # --- outcomes --------------------------------------------------------------------------------

    def approve(
        self,
        *,
        decided_on: date,
        provider_number: str | None = None,
        effective_date: date | None = None,
        risk_level: RiskLevel | None = None,
        actor: str,
        reason: str | None = None,
    ) -> None:
        """``risk_level``: the organization's at the decision, when known: a practice raised to a higher screening
        category since the application opened owes that category's screenings (42 CFR 455.450)."""
        self.check_status(ApplicationStatus.SUBMITTED)
        self._check_not_before_submission(decided_on)
        self._check_not_before_receipt(decided_on)
        check_screenings(self.kind, RiskLevel(risk_level) if risk_level else self.risk_level, self.screenings)
        check_payer_id(self.kind, provider_number, self.practitioner_id is not None)
        self._approved(
            decided_on=decided_on,
            provider_number=provider_number,
            effective_date=effective_date,
            actor=actor,
            reason=reason,
        )

    class Approved(application_events.Approved): ...

    @event(Approved)
    def _approved(
        self,
        decided_on: date,
        provider_number: str | None,
        effective_date: date | None,
        actor: str,
        reason: str | None,
    ) -> None:
        self.status = ApplicationStatus.APPROVED
        self.decided_on = decided_on
        self.provider_number = provider_number
        self.effective_date = effective_date

    def deny(self, *, decided_on: date, actor: str, reason: str | None = None) -> None:
        self.check_status(ApplicationStatus.SUBMITTED, ApplicationStatus.DEFICIENT)
        self._check_not_before_submission(decided_on)
        self._check_not_before_receipt(decided_on)
        require_reason(reason, "A denial records the payer's reason.")
        self._denied(decided_on=decided_on, actor=actor, reason=reason)

    class Denied(application_events.Denied): ...

    @event(Denied)
    def _denied(self, decided_on: date, actor: str, reason: str | None) -> None:
        self.status = ApplicationStatus.DENIED
        self.decided_on = decided_on

    def reject(self, *, rejected_on: date, cause: str, actor: str, reason: str | None = None) -> None:
        """Returned unprocessed (e.g. an NPPES mismatch): back to open, and the queue position is lost."""
        self.check_status(ApplicationStatus.SUBMITTED, ApplicationStatus.DEFICIENT)
        self._check_not_before_submission(rejected_on)
        self._check_not_before_receipt(rejected_on)
        self._rejected(rejected_on=rejected_on, cause=check_text(cause, field="cause"), actor=actor, reason=reason)

    class Rejected(application_events.Rejected): ...

    @event(Rejected)
    def _rejected(self, rejected_on: date, cause: str, actor: str, reason: str | None) -> None:
        self.status = ApplicationStatus.OPEN
        self.submitted_on = None
        self.received_on = None
        self.rejected_on = rejected_on
        self.deficiencies = {}
        self.screenings = {}

    def withdraw(self, *, withdrawn_on: date, actor: str, reason: str | None = None) -> None:
        self.check_not_closed()
        self._check_not_before_submission(withdrawn_on)
        self._withdrawn(withdrawn_on=withdrawn_on, actor=actor, reason=reason)

    class Withdrawn(application_events.Withdrawn): ...

    @event(Withdrawn)
    def _withdrawn(self, withdrawn_on: date, actor: str, reason: str | None) -> None:
        self.status = ApplicationStatus.WITHDRAWN
        self.decided_on = withdrawn_on

    def _check_not_before_receipt(self, on: date) -> None:
        """The payer acts on what it has received: not before its receipt."""
        if self.received_on is not None and on < self.received_on:
            raise RuleViolation("date-before-receipt", f"{on} is before the payer received it, on {self.received_on}.")

    def _check_not_before_submission(self, on: date, lifecycle: bool = True) -> None:
        check_dated_after_acts(on, self.submitted_on, self.deficiencies, self.rejected_on, lifecycle)
