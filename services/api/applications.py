"""Applications: open, the dossier, submission, deficiencies, screenings, outcomes, read one."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from litestar import Controller, Request, Response, get, post

from domain.application import Application, ApplicationKind, Channel, ScreeningKind
from domain.dossier import Document, DocumentType
from services.api.auth import may_read, may_write
from services.api.commands import Command, Reason, SavedOut, call, execute, fields, found
from services.api.history import AsOf, aware
from services.app import NotFound
from services.app.details import ApplicationDetails, application_details

PATH = "/v1/applications"


class OpenApplication(Command, kw_only=True):
    organization_id: UUID
    kind: ApplicationKind
    channel: Channel
    plan: str | None = None  # ACO / MCO / PCC credentialing: the plan's name


class AttachDocument(Command, kw_only=True):
    document_id: str
    type: DocumentType
    received_on: date
    expires_on: date | None = None
    per_occurrence_limit: int | None = None
    aggregate_limit: int | None = None
    dea_state: str | None = None
    supersedes: str | None = None  # the id of the document this one replaces


class SubmitApplication(Command, kw_only=True):
    submitted_on: date
    override_reason: Reason | None = None  # submit despite NPPES mismatches, and why


class NoticeDeficiency(Command, kw_only=True):
    deficiency_id: str
    missing_items: list[str]
    noticed_on: date


class ResolveDeficiency(Command, kw_only=True):
    resolved_on: date


class RecordScreening(Command, kw_only=True):
    screening: ScreeningKind
    passed: bool
    completed_on: date


class ApproveApplication(Command, kw_only=True):
    decided_on: date
    provider_number: str | None = None  # an enrollment's seven-digit MassHealth provider number
    effective_date: date | None = None


class DenyApplication(Command, kw_only=True):
    decided_on: date


class RejectApplication(Command, kw_only=True):
    rejected_on: date
    cause: str


class WithdrawApplication(Command, kw_only=True):
    withdrawn_on: date


class ApplicationController(Controller):
    path = PATH
    tags = ["applications"]

    @post(operation_id="openApplication", guards=[may_write], status_code=201)
    async def open(self, request: Request, data: OpenApplication) -> Response[SavedOut]:
        return await execute(request, "open_application", created=PATH, conditional=False, **fields(data))

    @post("/{application_id:uuid}/documents", operation_id="attachDocument", guards=[may_write], status_code=200)
    async def attach(self, request: Request, application_id: UUID, data: AttachDocument) -> Response[SavedOut]:
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

    @post("/{application_id:uuid}/submit", operation_id="submitApplication", guards=[may_write], status_code=200)
    async def submit(self, request: Request, application_id: UUID, data: SubmitApplication) -> Response[SavedOut]:
        return await execute(request, "submit_application", application_id, **fields(data))

    @post("/{application_id:uuid}/deficiencies", operation_id="noticeDeficiency", guards=[may_write], status_code=200)
    async def deficiency(self, request: Request, application_id: UUID, data: NoticeDeficiency) -> Response[SavedOut]:
        return await execute(request, "notice_deficiency", application_id, **fields(data))

    @post(
        "/{application_id:uuid}/deficiencies/{deficiency_id:str}/resolve",
        operation_id="resolveDeficiency",
        guards=[may_write],
        status_code=200,
    )
    async def resolve(
        self, request: Request, application_id: UUID, deficiency_id: str, data: ResolveDeficiency
    ) -> Response[SavedOut]:
        return await execute(request, "resolve_deficiency", application_id, deficiency_id=deficiency_id, **fields(data))

    @post("/{application_id:uuid}/screenings", operation_id="recordScreening", guards=[may_write], status_code=200)
    async def screening(self, request: Request, application_id: UUID, data: RecordScreening) -> Response[SavedOut]:
        return await execute(request, "record_application_screening", application_id, **fields(data))

    @post("/{application_id:uuid}/approve", operation_id="approveApplication", guards=[may_write], status_code=200)
    async def approve(self, request: Request, application_id: UUID, data: ApproveApplication) -> Response[SavedOut]:
        return await execute(request, "approve_application", application_id, **fields(data))

    @post("/{application_id:uuid}/deny", operation_id="denyApplication", guards=[may_write], status_code=200)
    async def deny(self, request: Request, application_id: UUID, data: DenyApplication) -> Response[SavedOut]:
        return await execute(request, "deny_application", application_id, **fields(data))

    @post("/{application_id:uuid}/reject", operation_id="rejectApplication", guards=[may_write], status_code=200)
    async def reject(self, request: Request, application_id: UUID, data: RejectApplication) -> Response[SavedOut]:
        return await execute(request, "reject_application", application_id, **fields(data))

    @post("/{application_id:uuid}/withdraw", operation_id="withdrawApplication", guards=[may_write], status_code=200)
    async def withdraw(self, request: Request, application_id: UUID, data: WithdrawApplication) -> Response[SavedOut]:
        return await execute(request, "withdraw_application", application_id, **fields(data))

    @get("/{application_id:uuid}", operation_id="getApplication", guards=[may_read])
    async def get_one(self, request: Request, application_id: UUID, as_of: AsOf = None) -> Response[ApplicationDetails]:
        credledger = request.app.state.credledger
        if as_of is not None:
            then = await call(credledger.as_of, request.user.actor, Application, application_id, aware(as_of, "as_of"))
            view = application_details(then)
        else:
            view = await call(credledger.get_application, request.user.actor, application_id)
        if not request.user.may_see(view.organization_id):
            raise NotFound(f"No Application {application_id}.")
        return found(view)
