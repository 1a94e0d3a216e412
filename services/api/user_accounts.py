"""POSC user accounts: open, the registration checklist, access, reviews, departures, reads."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post

from domain.user_account import AccountRole, ChecklistStep, PoscFunction, ReviewOutcome, UserAccount
from services.api.auth import may_read, may_read_pii, may_write
from services.api.commands import Command, SavedOut, call, execute, fields, found
from services.api.history import AsOf, Purpose, aware
from services.api.openapi_docs import command_docs, doc, read_docs
from services.app import NotFound
from services.app.details import UserAccountDetails, UserAccountPii, user_account_details

PATH = "/v1/user-accounts"


Day = Annotated[date, doc("A calendar day (YYYY-MM-DD).", "2026-04-28")]


class OpenUserAccount(Command, kw_only=True):
    """A POSC user of the practice: its primary user (account administrator), a subordinate, or a business
    partner such as a billing agency."""

    organization_id: Annotated[UUID, doc("The practice the account belongs to (an id from registerOrganization).")]
    person_name: Annotated[str, doc("The user's full name.", "Dana Reyes")]
    role: Annotated[AccountRole, doc("primary, subordinate or business_partner.", "primary")]
    partner_firm: Annotated[
        str | None, doc("For a business partner: the billing agency's name.", "Pioneer Valley Billing")
    ] = None
    partner_function: Annotated[
        str | None, doc("For a business partner: what it does for the practice.", "claims submission")
    ] = None
    date_of_birth: Annotated[
        date | None, doc("The primary user's date of birth, to register in POSC; stored sealed.", "1980-02-29")
    ] = None


class CompleteChecklistStep(Command, kw_only=True):
    """A step of MassHealth's POSC registration checklist, done."""

    step: Annotated[
        ChecklistStep,
        doc(
            "registered_with_pin (primary users: needs the PIN letter), new_user_email_received, password_changed "
            "(the Virtual Gateway password) or authentication_questions_answered.",
            "new_user_email_received",
        ),
    ]
    on: Day


class ChangeAccess(Command, kw_only=True):
    """A POSC function the user is given, or loses."""

    function: Annotated[
        PoscFunction,
        doc(
            "A POSC function: eligibility_verification, claims_direct_data_entry, claims_batch, "
            "claim_status_remittance, prior_authorization, letters_reports or provider_data_maintenance.",
            "eligibility_verification",
        ),
    ]


class ReviewAccess(Command, kw_only=True):
    """A periodic review of the user's access (the firm's access-review interval; 90 days by default)."""

    outcome: Annotated[ReviewOutcome, doc("confirmed (access still needed) or revoked.", "confirmed")]
    on: Day
    reviewer: Annotated[str, doc("Who reviewed the access.", "Pat Kim, compliance officer")]


class OnDate(Command, kw_only=True):
    """The day it happened."""

    on: Day


class NoFields(Command, kw_only=True):
    """No fields but an optional reason."""


class UserAccountController(Controller):
    path = PATH
    tags = ["user-accounts"]

    @post(
        operation_id="openUserAccount",
        guards=[may_write],
        status_code=201,
        **command_docs("Open a POSC user account", created=True, conditional=False, pii=True),
    )
    async def open(self, request: Request, data: OpenUserAccount) -> Response[SavedOut]:
        """Opens a user account of the practice in POSC: its primary user, a subordinate, or a business partner. Answers
        201 with Location and ETag."""
        return await execute(request, "open_user_account", created=PATH, conditional=False, **fields(data))

    @post(
        "/{account_id:uuid}/checklist",
        operation_id="completeChecklistStep",
        guards=[may_write],
        status_code=200,
        **command_docs("Complete a POSC registration checklist step"),
    )
    async def checklist(self, request: Request, account_id: UUID, data: CompleteChecklistStep) -> Response[SavedOut]:
        """Records a step of the POSC registration checklist as done on a day."""
        return await execute(request, "complete_checklist_step", account_id, **fields(data))

    @post(
        "/{account_id:uuid}/access-grants",
        operation_id="grantAccess",
        guards=[may_write],
        status_code=200,
        **command_docs("Grant the user a POSC function"),
    )
    async def grant(self, request: Request, account_id: UUID, data: ChangeAccess) -> Response[SavedOut]:
        """Gives the user access to a POSC function; the access audit then expects it reviewed in time."""
        return await execute(request, "grant_access", account_id, **fields(data))

    @post(
        "/{account_id:uuid}/access-revocations",
        operation_id="revokeAccess",
        guards=[may_write],
        status_code=200,
        **command_docs("Revoke a POSC function from the user"),
    )
    async def revoke(self, request: Request, account_id: UUID, data: ChangeAccess) -> Response[SavedOut]:
        """Takes a POSC function away from the user."""
        return await execute(request, "revoke_access", account_id, **fields(data))

    @post(
        "/{account_id:uuid}/access-reviews",
        operation_id="reviewAccess",
        guards=[may_write],
        status_code=200,
        **command_docs("Record an access review"),
    )
    async def review(self, request: Request, account_id: UUID, data: ReviewAccess) -> Response[SavedOut]:
        """Records a periodic review of the user's access: confirmed, or revoked."""
        return await execute(request, "review_access", account_id, **fields(data))

    @post(
        "/{account_id:uuid}/departure",
        operation_id="recordDeparture",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the user's departure"),
    )
    async def departure(self, request: Request, account_id: UUID, data: OnDate) -> Response[SavedOut]:
        """Records that the user left the practice or partner; access still held after a departure is an access-audit
        finding."""
        return await execute(request, "record_departure", account_id, **fields(data))

    @post(
        "/{account_id:uuid}/deactivate",
        operation_id="deactivateUserAccount",
        guards=[may_write],
        status_code=200,
        **command_docs("Deactivate the user account"),
    )
    async def deactivate(self, request: Request, account_id: UUID, data: NoFields) -> Response[SavedOut]:
        """Deactivates the account in POSC (the user keeps no access)."""
        return await execute(request, "deactivate_account", account_id, **fields(data))

    @post(
        "/{account_id:uuid}/reactivate",
        operation_id="reactivateUserAccount",
        guards=[may_write],
        status_code=200,
        **command_docs("Reactivate the user account"),
    )
    async def reactivate(self, request: Request, account_id: UUID, data: NoFields) -> Response[SavedOut]:
        """Reactivates a deactivated account."""
        return await execute(request, "reactivate_account", account_id, **fields(data))

    @post(
        "/{account_id:uuid}/password-resets",
        operation_id="resetPassword",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a password reset"),
    )
    async def reset_password(self, request: Request, account_id: UUID, data: OnDate) -> Response[SavedOut]:
        """Records a reset of the user's Virtual Gateway password on a day."""
        return await execute(request, "reset_password", account_id, **fields(data))

    @get(
        "/{account_id:uuid}",
        operation_id="getUserAccount",
        guards=[may_read],
        **read_docs("Read a user account", etag=True),
    )
    async def get_one(self, request: Request, account_id: UUID, as_of: AsOf = None) -> Response[UserAccountDetails]:
        """The account's current record (without personal data: role, status, POSC functions, checklist,
        reviews), or with ``as_of`` the account as it stood at that moment."""
        credledger = request.app.state.credledger
        if as_of is not None:
            then = await call(credledger.as_of, request.user.actor, UserAccount, account_id, aware(as_of, "as_of"))
            view = user_account_details(then)
        else:
            view = await call(credledger.get_user_account, request.user.actor, account_id)
        if not request.user.may_see(view.organization_id):
            raise NotFound(f"No UserAccount {account_id}.")
        return found(view)

    @get(
        "/{account_id:uuid}/pii",
        operation_id="getUserAccountPii",
        guards=[may_read_pii],
        **read_docs("Read a user's personal data, for a stated purpose"),
    )
    async def get_pii(self, request: Request, account_id: UUID, purpose: Purpose) -> UserAccountPii:
        """The user's date of birth, to firm admins and specialists only; the read and its purpose are recorded
        in the compliance history (a refused attempt too)."""
        return await call(request.app.state.credledger.get_user_account_pii, request.user.actor, account_id, purpose)
