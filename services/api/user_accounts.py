"""POSC user accounts: open, the registration checklist, access, reviews, departures, reads."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from litestar import Controller, Request, Response, get, post

from domain.user_account import AccountRole, ChecklistStep, PoscFunction, ReviewOutcome, UserAccount
from services.api.auth import may_read, may_read_pii, may_write
from services.api.commands import Command, SavedOut, call, execute, fields, found
from services.api.history import AsOf, Purpose, aware
from services.app import NotFound
from services.app.details import UserAccountDetails, UserAccountPii, user_account_details

PATH = "/v1/user-accounts"


class OpenUserAccount(Command, kw_only=True):
    organization_id: UUID
    person_name: str
    role: AccountRole
    partner_firm: str | None = None  # business partners: the billing agency's name
    partner_function: str | None = None  # and what it does for the organization
    date_of_birth: date | None = None  # the primary user's, to register in POSC


class CompleteChecklistStep(Command, kw_only=True):
    step: ChecklistStep
    on: date


class ChangeAccess(Command, kw_only=True):
    function: PoscFunction


class ReviewAccess(Command, kw_only=True):
    outcome: ReviewOutcome
    on: date
    reviewer: str


class OnDate(Command, kw_only=True):
    on: date


class NoFields(Command, kw_only=True):
    pass


class UserAccountController(Controller):
    path = PATH
    tags = ["user-accounts"]

    @post(operation_id="openUserAccount", guards=[may_write], status_code=201)
    async def open(self, request: Request, data: OpenUserAccount) -> Response[SavedOut]:
        return await execute(request, "open_user_account", created=PATH, conditional=False, **fields(data))

    @post("/{account_id:uuid}/checklist", operation_id="completeChecklistStep", guards=[may_write], status_code=200)
    async def checklist(self, request: Request, account_id: UUID, data: CompleteChecklistStep) -> Response[SavedOut]:
        return await execute(request, "complete_checklist_step", account_id, **fields(data))

    @post("/{account_id:uuid}/access-grants", operation_id="grantAccess", guards=[may_write], status_code=200)
    async def grant(self, request: Request, account_id: UUID, data: ChangeAccess) -> Response[SavedOut]:
        return await execute(request, "grant_access", account_id, **fields(data))

    @post("/{account_id:uuid}/access-revocations", operation_id="revokeAccess", guards=[may_write], status_code=200)
    async def revoke(self, request: Request, account_id: UUID, data: ChangeAccess) -> Response[SavedOut]:
        return await execute(request, "revoke_access", account_id, **fields(data))

    @post("/{account_id:uuid}/access-reviews", operation_id="reviewAccess", guards=[may_write], status_code=200)
    async def review(self, request: Request, account_id: UUID, data: ReviewAccess) -> Response[SavedOut]:
        return await execute(request, "review_access", account_id, **fields(data))

    @post("/{account_id:uuid}/departure", operation_id="recordDeparture", guards=[may_write], status_code=200)
    async def departure(self, request: Request, account_id: UUID, data: OnDate) -> Response[SavedOut]:
        return await execute(request, "record_departure", account_id, **fields(data))

    @post("/{account_id:uuid}/deactivate", operation_id="deactivateUserAccount", guards=[may_write], status_code=200)
    async def deactivate(self, request: Request, account_id: UUID, data: NoFields) -> Response[SavedOut]:
        return await execute(request, "deactivate_account", account_id, **fields(data))

    @post("/{account_id:uuid}/reactivate", operation_id="reactivateUserAccount", guards=[may_write], status_code=200)
    async def reactivate(self, request: Request, account_id: UUID, data: NoFields) -> Response[SavedOut]:
        return await execute(request, "reactivate_account", account_id, **fields(data))

    @post("/{account_id:uuid}/password-resets", operation_id="resetPassword", guards=[may_write], status_code=200)
    async def reset_password(self, request: Request, account_id: UUID, data: OnDate) -> Response[SavedOut]:
        return await execute(request, "reset_password", account_id, **fields(data))

    @get("/{account_id:uuid}", operation_id="getUserAccount", guards=[may_read])
    async def get_one(self, request: Request, account_id: UUID, as_of: AsOf = None) -> Response[UserAccountDetails]:
        credledger = request.app.state.credledger
        if as_of is not None:
            then = await call(credledger.as_of, request.user.actor, UserAccount, account_id, aware(as_of, "as_of"))
            view = user_account_details(then)
        else:
            view = await call(credledger.get_user_account, request.user.actor, account_id)
        if not request.user.may_see(view.organization_id):
            raise NotFound(f"No UserAccount {account_id}.")
        return found(view)

    @get("/{account_id:uuid}/pii", operation_id="getUserAccountPii", guards=[may_read_pii])
    async def get_pii(self, request: Request, account_id: UUID, purpose: Purpose) -> UserAccountPii:
        return await call(request.app.state.credledger.get_user_account_pii, request.user.actor, account_id, purpose)
