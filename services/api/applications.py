"""Applications: open, the dossier, submission, deficiencies, screenings, outcomes, read one."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post

from domain.application import Application, ApplicationKind, Channel, ScreeningKind
from domain.dossier import Document, DocumentType
from services.api.auth import may_read, may_write
from services.api.commands import Command, SavedOut, call, execute, fields, found
from services.api.history import AsOf, aware
from services.api.openapi_docs import command_docs, doc, read_docs
from services.app import NotFound
from services.app.details import ApplicationDetails, application_details

PATH = "/v1/applications"


OverrideReason = Annotated[
    str,
    msgspec.Meta(
        max_length=2000,  # as Reason's
        description="Submit despite open NPPES mismatches, and why (up to 2,000 characters); recorded.",
        examples=["NPPES update filed 2026-04-15, not yet published"],
    ),
]


class OpenApplication(Command, kw_only=True):
    """An application the firm prepares for the practice: a POSC registration (POSC-DC-PE), a primary-user
    modification (POSC-DC-PM), a MassHealth enrollment or revalidation, or a plan's credentialing."""

    organization_id: Annotated[UUID, doc("The practice it is for (an id from registerOrganization).")]
    kind: Annotated[
        ApplicationKind,
        doc(
            "posc_registration (form POSC-DC-PE), primary_user_modification (form POSC-DC-PM), enrollment, "
            "revalidation, aco_affiliation, mco_affiliation or pcc_affiliation.",
            "posc_registration",
        ),
    ]
    channel: Annotated[Channel, doc("How it is sent to the payer: fax, mail or portal.", "fax")]
    plan: Annotated[str | None, doc("For ACO, MCO or PCC credentialing: the plan's name.", "WellSense Health Plan")] = (
        None
    )


class AttachDocument(Command, kw_only=True):
    """A document of the application's dossier: W-9, IRS 147C letter, license, DEA registration, malpractice
    insurance..."""

    document_id: Annotated[str, doc("The firm's own id for the document, unique in the dossier.", "w9-2026")]
    type: Annotated[DocumentType, doc("The kind of document (w9, irs_147c, license, ...).", "w9")]
    received_on: Annotated[date, doc("The day the firm received it (YYYY-MM-DD).", "2026-04-02")]
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


class SubmitApplication(Command, kw_only=True):
    """The application, complete, sent to the payer."""

    submitted_on: Annotated[date, doc("The day it was sent (YYYY-MM-DD); the turnaround clock starts.", "2026-04-17")]
    override_reason: OverrideReason | None = None


class NoticeDeficiency(Command, kw_only=True):
    """The payer says something is missing: the clock now waits on the client."""

    deficiency_id: Annotated[str, doc("An id for this deficiency, unique in the application.", "def-1")]
    missing_items: Annotated[list[str], doc("What the payer asks for, item by item.", ["signed W-9"])]
    noticed_on: Annotated[date, doc("The day the notice arrived (YYYY-MM-DD).", "2026-04-24")]


class ResolveDeficiency(Command, kw_only=True):
    """The missing items named in the path's deficiency were sent."""

    resolved_on: Annotated[date, doc("The day they were sent (YYYY-MM-DD).", "2026-04-27")]


class RecordScreening(Command, kw_only=True):
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
    completed_on: Annotated[date, doc("The day it was completed (YYYY-MM-DD).", "2026-04-22")]


class ApproveApplication(Command, kw_only=True):
    """The payer approved the application."""

    decided_on: Annotated[date, doc("The day of the decision (YYYY-MM-DD).", "2026-04-28")]
    provider_number: Annotated[
        str | None, doc("For an enrollment: the seven-digit MassHealth provider number issued.", "1234567")
    ] = None
    effective_date: Annotated[
        date | None, doc("The day the enrollment or contract takes effect (YYYY-MM-DD).", "2026-05-01")
    ] = None


class DenyApplication(Command, kw_only=True):
    """The payer denied the application."""

    decided_on: Annotated[date, doc("The day of the decision (YYYY-MM-DD).", "2026-04-28")]


class RejectApplication(Command, kw_only=True):
    """The payer returned the application unprocessed (e.g. an NPPES mismatch): it can be corrected and sent
    again."""

    rejected_on: Annotated[date, doc("The day it came back (YYYY-MM-DD).", "2026-04-21")]
    cause: Annotated[str, doc("Why, in the payer's words.", "taxonomy code does not match NPPES")]


class WithdrawApplication(Command, kw_only=True):
    """The firm withdrew the application."""

    withdrawn_on: Annotated[date, doc("The day it was withdrawn (YYYY-MM-DD).", "2026-05-01")]


class ApplicationController(Controller):
    path = PATH
    tags = ["applications"]

    @post(
        operation_id="openApplication",
        guards=[may_write],
        status_code=201,
        **command_docs("Open an application", created=True, conditional=False),
    )
    async def open(self, request: Request, data: OpenApplication) -> Response[SavedOut]:
        """Opens an application for the practice, being prepared until submitted. Answers 201 with Location and ETag."""
        return await execute(request, "open_application", created=PATH, conditional=False, **fields(data))

    @post(
        "/{application_id:uuid}/documents",
        operation_id="attachDocument",
        guards=[may_write],
        status_code=200,
        **command_docs("Attach a document to the dossier"),
    )
    async def attach(self, request: Request, application_id: UUID, data: AttachDocument) -> Response[SavedOut]:
        """Adds a document (or a newer version of one) to the application's dossier; expiring documents feed the
        turnaround and audit views."""
        values = fields(data)
        supersedes, reason = values.pop("supersedes"), values.pop("reason")
        return await execute(
            request,
            "attach_document",
            application_id,
            document=Document(**values),
            supersedes=supersedes,
            reason=reason,
        )

    @post(
        "/{application_id:uuid}/submit",
        operation_id="submitApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Submit the application to the payer"),
    )
    async def submit(self, request: Request, application_id: UUID, data: SubmitApplication) -> Response[SavedOut]:
        """Sends the application: refused (422) while NPPES mismatches are open unless override_reason says why. Starts
        the turnaround clock."""
        return await execute(request, "submit_application", application_id, **fields(data))

    @post(
        "/{application_id:uuid}/deficiencies",
        operation_id="noticeDeficiency",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a deficiency notice"),
    )
    async def deficiency(self, request: Request, application_id: UUID, data: NoticeDeficiency) -> Response[SavedOut]:
        """Records that the payer asks for missing items; the turnaround counts the days waiting on the client apart."""
        return await execute(request, "notice_deficiency", application_id, **fields(data))

    @post(
        "/{application_id:uuid}/deficiencies/{deficiency_id:str}/resolve",
        operation_id="resolveDeficiency",
        guards=[may_write],
        status_code=200,
        **command_docs("Resolve a deficiency"),
    )
    async def resolve(
        self, request: Request, application_id: UUID, deficiency_id: str, data: ResolveDeficiency
    ) -> Response[SavedOut]:
        """Records that the items the deficiency named were sent; the payer's clock runs again."""
        return await execute(request, "resolve_deficiency", application_id, deficiency_id=deficiency_id, **fields(data))

    @post(
        "/{application_id:uuid}/screenings",
        operation_id="recordScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a screening result"),
    )
    async def screening(self, request: Request, application_id: UUID, data: RecordScreening) -> Response[SavedOut]:
        """Records an exclusion-list check, fingerprint CORI check or site visit for the application."""
        return await execute(request, "record_application_screening", application_id, **fields(data))

    @post(
        "/{application_id:uuid}/approve",
        operation_id="approveApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the payer's approval"),
    )
    async def approve(self, request: Request, application_id: UUID, data: ApproveApplication) -> Response[SavedOut]:
        """Records the approval, with the provider number for an enrollment; the application is closed."""
        return await execute(request, "approve_application", application_id, **fields(data))

    @post(
        "/{application_id:uuid}/deny",
        operation_id="denyApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the payer's denial"),
    )
    async def deny(self, request: Request, application_id: UUID, data: DenyApplication) -> Response[SavedOut]:
        """Records the denial; the application is closed."""
        return await execute(request, "deny_application", application_id, **fields(data))

    @post(
        "/{application_id:uuid}/reject",
        operation_id="rejectApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the payer's rejection"),
    )
    async def reject(self, request: Request, application_id: UUID, data: RejectApplication) -> Response[SavedOut]:
        """Records that the payer returned the application unprocessed, and why; it can be corrected and submitted
        again."""
        return await execute(request, "reject_application", application_id, **fields(data))

    @post(
        "/{application_id:uuid}/withdraw",
        operation_id="withdrawApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Withdraw the application"),
    )
    async def withdraw(self, request: Request, application_id: UUID, data: WithdrawApplication) -> Response[SavedOut]:
        """Withdraws the application; refused (422) once it is closed."""
        return await execute(request, "withdraw_application", application_id, **fields(data))

    @get(
        "/{application_id:uuid}",
        operation_id="getApplication",
        guards=[may_read],
        **read_docs("Read an application", etag=True),
    )
    async def get_one(self, request: Request, application_id: UUID, as_of: AsOf = None) -> Response[ApplicationDetails]:
        """The application's current record (status, dossier, deficiencies, screenings, decision), or with
        ``as_of`` the application as it stood at that moment."""
        credledger = request.app.state.credledger
        if as_of is not None:
            then = await call(credledger.as_of, request.user.actor, Application, application_id, aware(as_of, "as_of"))
            view = application_details(then)
        else:
            view = await call(credledger.get_application, request.user.actor, application_id)
        if not request.user.may_see(view.organization_id):
            raise NotFound(f"No Application {application_id}.")
        return found(view)
