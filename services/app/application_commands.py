"""The commands on applications, as typed values: the API's request bodies and the use cases' arguments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from domain.application import ApplicationKind, Channel, ScreeningKind
from domain.dossier import Document, DocumentType
from services.app.commands import EXAMPLE_ID, Command, doc, effective_day, record_id, today

OverrideReason = Annotated[
    str,
    msgspec.Meta(
        max_length=2000,  # as Reason's
        description="Submit despite open NPPES mismatches, and why (up to 2,000 characters); recorded.",
        examples=["NPPES update filed 2026-04-15, not yet published"],
    ),
]


class OpenApplication(Command, frozen=True, kw_only=True):
    """An application the firm prepares for the practice: a POSC registration (POSC-DC-PE), a primary-user
    modification (POSC-DC-PM), a MassHealth enrollment or revalidation, or a plan's credentialing."""

    example: ClassVar[dict[str, Any]] = {
        "organization_id": EXAMPLE_ID,
        "kind": "posc_registration",
        "channel": "fax",
        "opened_on": "2026-04-01",
    }

    organization_id: Annotated[UUID, record_id("The practice it is for (an id from registerOrganization).")]
    kind: Annotated[
        ApplicationKind,
        doc(
            "posc_registration (form POSC-DC-PE), primary_user_modification (form POSC-DC-PM), enrollment, "
            "revalidation, aco_affiliation, mco_affiliation or pcc_affiliation.",
            "posc_registration",
        ),
    ]
    channel: Annotated[
        Channel,
        doc("How it is sent to the payer: fax, mail or portal (the POSC forms: fax or mail only).", "fax"),
    ]
    plan: Annotated[str | None, doc("For ACO, MCO or PCC credentialing: the plan's name.", "WellSense Health Plan")] = (
        None
    )
    opened_on: Annotated[
        date, effective_day("The day the firm started the application (YYYY-MM-DD).", "2026-04-01")
    ] = today()
    service_location: Annotated[
        str,
        doc(
            "The letter of the service location (PID/SL) an enrollment or a POSC-DC-PM is for, open that day: A (the "
            "registered practice address, the default) or one added with addServiceLocation. Every other kind of "
            "application is the provider's as a whole: A.",
            "A",
        ),
    ] = "A"
    practitioner_id: Annotated[
        UUID | None,
        record_id(
            "A clinician's own application, made through this practice (an id from registerPractitioner): its "
            "MassHealth enrollment or revalidation, or a plan's credentialing of it; it drives the clinician's "
            "participation (/v1/views/participation), not the practice's enrollment or affiliations. Omitted: the "
            "practice's own application."
        ),
    ] = None


class AttachDocument(Command, frozen=True, kw_only=True):
    """A document of the application's dossier: W-9, IRS 147C letter, license, DEA registration, malpractice
    insurance..."""

    example: ClassVar[dict[str, Any]] = {"document_id": "w9-2026", "type": "w9", "received_on": "2026-04-02"}

    document_id: Annotated[str, doc("The firm's own id for the document, unique in the dossier.", "w9-2026")]
    type: Annotated[DocumentType, doc("The kind of document (w9, irs_147c, license, ...).", "w9")]
    received_on: Annotated[date, effective_day("The day the firm received it (YYYY-MM-DD).", "2026-04-02")] = today()
    expires_on: Annotated[date | None, doc("The day it expires, if it does (YYYY-MM-DD).", "2028-03-31")] = None
    per_occurrence_limit: Annotated[
        int | None, doc("Malpractice insurance: the per-occurrence limit in US dollars.", 1000000)
    ] = None
    aggregate_limit: Annotated[
        int | None, doc("Malpractice insurance: the aggregate limit in US dollars.", 3000000)
    ] = None
    dea_state: Annotated[str | None, doc("DEA registration: the state it was issued for.", "MA")] = None
    supersedes: Annotated[
        str | None, doc("The document_id of the document this one replaces (e.g. a renewed license).", "w9-2025")
    ] = None

    def document(self) -> Document:
        return Document(
            document_id=self.document_id,
            type=self.type,
            received_on=self.received_on,
            expires_on=self.expires_on,
            per_occurrence_limit=self.per_occurrence_limit,
            aggregate_limit=self.aggregate_limit,
            dea_state=self.dea_state,
        )


class SubmitApplication(Command, frozen=True, kw_only=True):
    """The application, complete, sent to the payer."""

    example: ClassVar[dict[str, Any]] = {"submitted_on": "2026-04-17"}

    submitted_on: Annotated[
        date, effective_day("The day it was sent (YYYY-MM-DD); the turnaround clock starts.", "2026-04-17")
    ] = today()
    override_reason: OverrideReason | None = None
    received_on: Annotated[
        date | None,
        doc(
            "By mail only: the day the payer received it, if known yet (else confirm it later); its clock starts "
            "then. A fax or portal submission is received the day it is sent.",
            "2026-04-21",
        ),
    ] = None


class ConfirmReceipt(Command, frozen=True, kw_only=True):
    """A mailed submission reached the payer (a delivery confirmation, a receipt notice): its clock starts."""

    received_on: Annotated[date, effective_day("The day the payer received it (YYYY-MM-DD).", "2026-04-21")]


class NoticeDeficiency(Command, frozen=True, kw_only=True):
    """The payer says something is missing: the clock now waits on the client."""

    deficiency_id: Annotated[str, doc("An id for this deficiency, unique in the application.", "def-1")]
    missing_items: Annotated[list[str], doc("What the payer asks for, item by item.", ["signed W-9"])]
    noticed_on: Annotated[date, effective_day("The day the notice arrived (YYYY-MM-DD).", "2026-04-24")] = today()


class ResolveDeficiency(Command, frozen=True, kw_only=True):
    """The missing items named in the path's deficiency were sent."""

    resolved_on: Annotated[date, effective_day("The day they were sent (YYYY-MM-DD).", "2026-04-27")] = today()


class RecordScreening(Command, frozen=True, kw_only=True):
    """A screening MassHealth runs for the application."""

    screening: Annotated[
        ScreeningKind,
        doc(
            "exclusion_lists (OIG LEIE, SAM, state: every enrollment), fingerprint_cori or site_visit (moderate "
            "and high risk).",
            "exclusion_lists",
        ),
    ]
    passed: Annotated[bool, doc("Whether the practice passed it.", True)]
    completed_on: Annotated[date, effective_day("The day it was completed (YYYY-MM-DD).", "2026-04-22")] = today()


class ApproveApplication(Command, frozen=True, kw_only=True):
    """The payer approved the application."""

    decided_on: Annotated[date, effective_day("The day of the decision (YYYY-MM-DD).", "2026-04-28")] = today()
    provider_number: Annotated[
        str | None, doc("For an enrollment: the seven-digit MassHealth provider number issued.", "1234567")
    ] = None
    effective_date: Annotated[
        date | None, doc("The day the enrollment or contract takes effect (YYYY-MM-DD).", "2026-05-01")
    ] = None


class DenyApplication(Command, frozen=True, kw_only=True):
    """The payer denied the application."""

    decided_on: Annotated[date, effective_day("The day of the decision (YYYY-MM-DD).", "2026-04-28")] = today()


class RejectApplication(Command, frozen=True, kw_only=True):
    """The payer returned the application unprocessed (e.g. an NPPES mismatch): it can be corrected and sent
    again."""

    rejected_on: Annotated[date, effective_day("The day it came back (YYYY-MM-DD).", "2026-04-21")] = today()
    cause: Annotated[str, doc("Why, in the payer's words.", "taxonomy code does not match NPPES")]


class WithdrawApplication(Command, frozen=True, kw_only=True):
    """The firm withdrew the application."""

    withdrawn_on: Annotated[date, effective_day("The day it was withdrawn (YYYY-MM-DD).", "2026-05-01")] = today()
