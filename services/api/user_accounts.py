"""POSC user accounts: open one, grant access, deactivate, read one."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post

from domain.user_account import AccountRole, PoscFunction
from services.api.auth import may_read, may_write
from services.api.commands import Command, SavedOut, call, expected_version, found, saved
from services.app import NotFound
from services.app.user_accounts import UserAccountView


class OpenUserAccount(Command):
    organization_id: UUID
    person_name: str
    role: AccountRole


class GrantAccess(Command):
    function: PoscFunction


class DeactivateAccount(Command):
    pass


class UserAccountController(Controller):
    path = "/v1/user-accounts"
    tags = ["user-accounts"]

    @post(operation_id="openUserAccount", guards=[may_write], status_code=201)
    async def open(self, request: Request, data: OpenUserAccount) -> Response[SavedOut]:
        result = await call(
            request.app.state.credledger.open_user_account,
            request.user.actor,
            organization_id=data.organization_id,
            person_name=data.person_name,
            role=data.role,
            reason=data.reason,
        )
        return saved(result, status=201, location=f"{self.path}/{result.id}")

    @post("/{account_id:uuid}/access-grants", operation_id="grantAccess", guards=[may_write], status_code=200)
    async def grant(self, request: Request, account_id: UUID, data: GrantAccess) -> Response[SavedOut]:
        result = await call(
            request.app.state.credledger.grant_access,
            request.user.actor,
            account_id,
            function=data.function,
            expected_version=expected_version(request),
            reason=data.reason,
        )
        return saved(result)

    @post("/{account_id:uuid}/deactivate", operation_id="deactivateUserAccount", guards=[may_write], status_code=200)
    async def deactivate(self, request: Request, account_id: UUID, data: DeactivateAccount) -> Response[SavedOut]:
        result = await call(
            request.app.state.credledger.deactivate_account,
            request.user.actor,
            account_id,
            expected_version=expected_version(request),
            reason=data.reason,
        )
        return saved(result)

    @get("/{account_id:uuid}", operation_id="getUserAccount", guards=[may_read])
    async def get_one(self, request: Request, account_id: UUID) -> Response[UserAccountView]:
        view = await call(request.app.state.credledger.get_user_account, request.user.actor, account_id)
        if not request.user.may_see(view.organization_id):
            raise NotFound(f"No UserAccount {account_id}.")
        return found(view)
