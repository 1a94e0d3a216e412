"""Organizations: register one, read one."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post

from domain.organization import EntityKind
from services.api.auth import may_read, may_write
from services.api.commands import Command, SavedOut, call, found, saved
from services.app import NotFound
from services.app.organizations import OrganizationView


class RegisterOrganization(Command):
    legal_name: str
    npi: str
    entity_kind: EntityKind


class OrganizationController(Controller):
    path = "/v1/organizations"
    tags = ["organizations"]

    @post(operation_id="registerOrganization", guards=[may_write], status_code=201)
    async def register(self, request: Request, data: RegisterOrganization) -> Response[SavedOut]:
        result = await call(
            request.app.state.credledger.register_organization,
            request.user.actor,
            legal_name=data.legal_name,
            npi=data.npi,
            entity_kind=data.entity_kind,
            reason=data.reason,
        )
        return saved(result, status=201, location=f"{self.path}/{result.id}")

    @get("/{organization_id:uuid}", operation_id="getOrganization", guards=[may_read])
    async def get_one(self, request: Request, organization_id: UUID) -> Response[OrganizationView]:
        if not request.user.may_see(organization_id):
            raise NotFound(f"No Organization {organization_id}.")
        view = await call(request.app.state.credledger.get_organization, request.user.actor, organization_id)
        return found(view)
