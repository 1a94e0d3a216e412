"""Applications: open one, submit it, record the decision, read one."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from litestar import Controller, Request, Response, get, post

from domain.application import ApplicationKind, Channel, Decision
from services.api.auth import may_read, may_write
from services.api.commands import Command, SavedOut, call, expected_version, found, saved
from services.app import NotFound
from services.app.applications import ApplicationView


class OpenApplication(Command):
    organization_id: UUID
    kind: ApplicationKind
    channel: Channel


class SubmitApplication(Command):
    submitted_on: date


class DecideApplication(Command):
    decision: Decision
    decided_on: date


class ApplicationController(Controller):
    path = "/v1/applications"
    tags = ["applications"]

    @post(operation_id="openApplication", guards=[may_write], status_code=201)
    async def open(self, request: Request, data: OpenApplication) -> Response[SavedOut]:
        result = await call(
            request.app.state.credledger.open_application,
            request.user.actor,
            organization_id=data.organization_id,
            kind=data.kind,
            channel=data.channel,
            reason=data.reason,
        )
        return saved(result, status=201, location=f"{self.path}/{result.id}")

    @post("/{application_id:uuid}/submit", operation_id="submitApplication", guards=[may_write], status_code=200)
    async def submit(self, request: Request, application_id: UUID, data: SubmitApplication) -> Response[SavedOut]:
        result = await call(
            request.app.state.credledger.submit_application,
            request.user.actor,
            application_id,
            submitted_on=data.submitted_on,
            expected_version=expected_version(request),
            reason=data.reason,
        )
        return saved(result)

    @post("/{application_id:uuid}/decision", operation_id="decideApplication", guards=[may_write], status_code=200)
    async def decide(self, request: Request, application_id: UUID, data: DecideApplication) -> Response[SavedOut]:
        result = await call(
            request.app.state.credledger.decide_application,
            request.user.actor,
            application_id,
            decision=data.decision,
            decided_on=data.decided_on,
            expected_version=expected_version(request),
            reason=data.reason,
        )
        return saved(result)

    @get("/{application_id:uuid}", operation_id="getApplication", guards=[may_read])
    async def get_one(self, request: Request, application_id: UUID) -> Response[ApplicationView]:
        view = await call(request.app.state.credledger.get_application, request.user.actor, application_id)
        if not request.user.may_see(view.organization_id):
            raise NotFound(f"No Application {application_id}.")
        return found(view)
