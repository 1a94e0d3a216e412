"""Applications: open, the dossier, submission, deficiencies, screenings, outcomes, read one."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from domain.application import Application
from services.api.auth import may_read, may_write
from services.api.commands import SavedOut, call, found
from services.api.dependencies import Runner, Service
from services.api.history import AsOf, KnownAt, as_of_arguments
from services.api.openapi_docs import command_docs, read_docs
from services.app import NotFound
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
from services.app.details import ApplicationDetails, application_details

PATH = "/v1/applications"


class ApplicationController(Controller):
    path = PATH
    tags = ("applications",)

    @post(
        operation_id="openApplication",
        guards=[may_write],
        status_code=201,
        **command_docs("Open an application", created=True, conditional=False),
    )
    async def open(
        self,
        data: JSONBody[OpenApplication],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Opens an application for the practice, being prepared until submitted. Answers 201 with Location and ETag."""
        return await command.run(credledger.open_application, data, created=PATH, conditional=False)

    @post(
        "/{application_id:uuid}/documents",
        operation_id="attachDocument",
        guards=[may_write],
        status_code=200,
        **command_docs("Attach a document to the dossier"),
    )
    async def attach(
        self,
        application_id: FromPath[UUID],
        data: JSONBody[AttachDocument],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Adds a document (or a newer version of one) to the application's dossier; expiring documents feed the
        turnaround and audit views."""
        return await command.run(credledger.attach_document, application_id, data)

    @post(
        "/{application_id:uuid}/submit",
        operation_id="submitApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Submit the application to the payer"),
    )
    async def submit(
        self,
        application_id: FromPath[UUID],
        data: JSONBody[SubmitApplication],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Sends the application: refused (422) while NPPES mismatches are open unless override_reason says why. Starts
        the turnaround clock."""
        return await command.run(credledger.submit_application, application_id, data)

    @post(
        "/{application_id:uuid}/receipt",
        operation_id="confirmReceipt",
        guards=[may_write],
        status_code=200,
        **command_docs("Confirm the payer received a mailed submission"),
    )
    async def receipt(
        self,
        application_id: FromPath[UUID],
        data: JSONBody[ConfirmReceipt],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the day the payer received a mailed submission, where its processing clock starts; refused (422)
        for a fax or portal submission (received when sent), or once the payer has acted on it."""
        return await command.run(credledger.confirm_receipt, application_id, data)

    @post(
        "/{application_id:uuid}/deficiencies",
        operation_id="noticeDeficiency",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a deficiency notice"),
    )
    async def deficiency(
        self,
        application_id: FromPath[UUID],
        data: JSONBody[NoticeDeficiency],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records that the payer asks for missing items; the turnaround counts the days waiting on the client apart."""
        return await command.run(credledger.notice_deficiency, application_id, data)

    @post(
        "/{application_id:uuid}/deficiencies/{deficiency_id:str}/resolve",
        operation_id="resolveDeficiency",
        guards=[may_write],
        status_code=200,
        **command_docs("Resolve a deficiency"),
    )
    async def resolve(
        self,
        application_id: FromPath[UUID],
        deficiency_id: FromPath[str],
        data: JSONBody[ResolveDeficiency],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records that the items the deficiency named were sent; the payer's clock runs again."""
        return await command.run(credledger.resolve_deficiency, application_id, deficiency_id, data)

    @post(
        "/{application_id:uuid}/screenings",
        operation_id="recordScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a screening result"),
    )
    async def screening(
        self,
        application_id: FromPath[UUID],
        data: JSONBody[RecordScreening],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records an exclusion-list check, fingerprint CORI check or site visit for the application."""
        return await command.run(credledger.record_application_screening, application_id, data)

    @post(
        "/{application_id:uuid}/approve",
        operation_id="approveApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the payer's approval"),
    )
    async def approve(
        self,
        application_id: FromPath[UUID],
        data: JSONBody[ApproveApplication],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the approval, with the provider number for an enrollment; the application is closed."""
        return await command.run(credledger.approve_application, application_id, data)

    @post(
        "/{application_id:uuid}/deny",
        operation_id="denyApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the payer's denial"),
    )
    async def deny(
        self,
        application_id: FromPath[UUID],
        data: JSONBody[DenyApplication],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the denial; the application is closed."""
        return await command.run(credledger.deny_application, application_id, data)

    @post(
        "/{application_id:uuid}/reject",
        operation_id="rejectApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the payer's rejection"),
    )
    async def reject(
        self,
        application_id: FromPath[UUID],
        data: JSONBody[RejectApplication],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records that the payer returned the application unprocessed, and why; it can be corrected and submitted
        again."""
        return await command.run(credledger.reject_application, application_id, data)

    @post(
        "/{application_id:uuid}/withdraw",
        operation_id="withdrawApplication",
        guards=[may_write],
        status_code=200,
        **command_docs("Withdraw the application"),
    )
    async def withdraw(
        self,
        application_id: FromPath[UUID],
        data: JSONBody[WithdrawApplication],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Withdraws the application; refused (422) once it is closed."""
        return await command.run(credledger.withdraw_application, application_id, data)

    @get(
        "/{application_id:uuid}",
        operation_id="getApplication",
        guards=[may_read],
        **read_docs("Read an application", etag=True),
    )
    async def get_one(
        self,
        request: Request,
        application_id: FromPath[UUID],
        credledger: Service,
        as_of: AsOf = None,
        known_at: KnownAt = None,
    ) -> Response[ApplicationDetails]:
        """The application's current record (status, dossier, deficiencies, screenings, decision), or with
        ``as_of`` the application as it stood on that business day (``known_at``: as known at that moment)."""
        moment = as_of_arguments(as_of, known_at)
        if moment is not None:
            then = await call(credledger.as_of, request.user.actor, Application, application_id, *moment)
            view = application_details(then)
        else:
            view = await call(credledger.get_application, request.user.actor, application_id)
        if not request.user.may_see(view.organization_id):
            raise NotFound(f"No Application {application_id}.")
        return found(view)
