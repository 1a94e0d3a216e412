"""POSC user accounts: open, the registration checklist, access, reviews, departures, reads."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from domain.user_account import UserAccount
from services.api.auth import may_read, may_read_pii, may_write
from services.api.commands import SavedOut, call, found
from services.api.dependencies import Runner, Service
from services.api.history import AsOf, KnownAt, Purpose, as_of_arguments
from services.api.openapi_docs import command_docs, read_docs
from services.app import NotFound
from services.app.details import UserAccountDetails, UserAccountPii, user_account_details
from services.app.user_account_commands import (
    ChangeAccess,
    CompleteChecklistStep,
    OnDate,
    OpenUserAccount,
    RecordDateOfBirth,
    RecordLogin,
    ReviewAccess,
)

PATH = "/v1/user-accounts"


class UserAccountController(Controller):
    path = PATH
    tags = ("user-accounts",)

    @post(
        operation_id="openUserAccount",
        guards=[may_write],
        status_code=201,
        **command_docs("Open a POSC user account", created=True, conditional=False, pii=True),
    )
    async def open(
        self,
        data: JSONBody[OpenUserAccount],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Opens a user account of the practice in POSC: its primary user, a subordinate, or a business partner. Answers
        201 with Location and ETag."""
        return await command.run(credledger.open_user_account, data, created=PATH, conditional=False)

    @post(
        "/{account_id:uuid}/checklist",
        operation_id="completeChecklistStep",
        guards=[may_write],
        status_code=200,
        **command_docs("Complete a POSC registration checklist step"),
    )
    async def checklist(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[CompleteChecklistStep],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records a step of the POSC registration checklist as done on a day."""
        return await command.run(credledger.complete_checklist_step, account_id, data)

    @post(
        "/{account_id:uuid}/access-grants",
        operation_id="grantAccess",
        guards=[may_write],
        status_code=200,
        **command_docs("Grant the user a POSC function"),
    )
    async def grant(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[ChangeAccess],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Gives the user access to a POSC function; the access audit then expects it reviewed in time."""
        return await command.run(credledger.grant_access, account_id, data)

    @post(
        "/{account_id:uuid}/access-revocations",
        operation_id="revokeAccess",
        guards=[may_write],
        status_code=200,
        **command_docs("Revoke a POSC function from the user"),
    )
    async def revoke(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[ChangeAccess],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Takes a POSC function away from the user."""
        return await command.run(credledger.revoke_access, account_id, data)

    @post(
        "/{account_id:uuid}/access-reviews",
        operation_id="reviewAccess",
        guards=[may_write],
        status_code=200,
        **command_docs("Record an access review"),
    )
    async def review(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[ReviewAccess],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records a periodic review of the user's access: confirmed, or revoked."""
        return await command.run(credledger.review_access, account_id, data)

    @post(
        "/{account_id:uuid}/departure",
        operation_id="recordDeparture",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the user's departure"),
    )
    async def departure(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[OnDate],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records that the user left the practice or partner; access still held after a departure is an access-audit
        finding."""
        return await command.run(credledger.record_departure, account_id, data)

    @post(
        "/{account_id:uuid}/engagement-end",
        operation_id="endPartnerEngagement",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the end of a business partner's engagement"),
    )
    async def engagement_end(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[OnDate],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records that the business partner's engagement with the practice ended (its contract is over): refused
        (422) for other accounts; access the partner still holds from that day is an access-audit finding."""
        return await command.run(credledger.end_engagement, account_id, data)

    @post(
        "/{account_id:uuid}/backup-primary-user",
        operation_id="nameBackupPrimaryUser",
        guards=[may_write],
        status_code=200,
        **command_docs("Name the account the back-up primary user"),
    )
    async def name_backup(
        self, account_id: FromPath[UUID], data: JSONBody[OnDate], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """Names a current staff member's (subordinate) account the organization's back-up (alternate) primary user,
        as MassHealth's Primary User Policy asks; refused (422) for a primary user's, a business partner's, a departed
        person's or an inactive account. Without a back-up counting that day (named, active, not departed) the access
        audit reports no_backup_primary_user."""
        return await command.run(credledger.name_backup_primary_user, account_id, data)

    @post(
        "/{account_id:uuid}/backup-primary-user/end",
        operation_id="endBackupPrimaryUser",
        guards=[may_write],
        status_code=200,
        **command_docs("End the account's naming as back-up primary user"),
    )
    async def end_backup(
        self, account_id: FromPath[UUID], data: JSONBody[OnDate], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """From that day the account is no longer the back-up primary user; refused (422) if it is not one."""
        return await command.run(credledger.end_backup_primary_user, account_id, data)

    @post(
        "/{account_id:uuid}/date-of-birth",
        operation_id="recordDateOfBirth",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the user's date of birth", pii=True),
    )
    async def date_of_birth(
        self, account_id: FromPath[UUID], data: JSONBody[RecordDateOfBirth], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """Records (or corrects) the person's date of birth, sealed: the primary user's registration in POSC
        (checklist step registered_with_pin) needs it (date-of-birth-missing)."""
        return await command.run(credledger.record_date_of_birth, account_id, data)

    @post(
        "/{account_id:uuid}/logins",
        operation_id="recordLogin",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a POSC login"),
    )
    async def login(
        self, account_id: FromPath[UUID], data: JSONBody[RecordLogin], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """Records a login of the account's person to POSC, as POSC's user report shows it. An active account with
        no login recorded for more than the firm's login_inactivity_days (default 90) is the access audit's
        login_inactive finding: MassHealth ends long-inactive IDs."""
        return await command.run(credledger.record_login, account_id, data)

    @post(
        "/{account_id:uuid}/deactivate",
        operation_id="deactivateUserAccount",
        guards=[may_write],
        status_code=200,
        **command_docs("Deactivate the user account"),
    )
    async def deactivate(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[OnDate],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Deactivates the account in POSC (the user keeps no access)."""
        return await command.run(credledger.deactivate_account, account_id, data)

    @post(
        "/{account_id:uuid}/reactivate",
        operation_id="reactivateUserAccount",
        guards=[may_write],
        status_code=200,
        **command_docs("Reactivate the user account"),
    )
    async def reactivate(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[OnDate],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Reactivates a deactivated account."""
        return await command.run(credledger.reactivate_account, account_id, data)

    @post(
        "/{account_id:uuid}/password-resets",
        operation_id="resetPassword",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a password reset"),
    )
    async def reset_password(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[OnDate],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records a reset of the user's Virtual Gateway password on a day."""
        return await command.run(credledger.reset_password, account_id, data)

    @get(
        "/{account_id:uuid}",
        operation_id="getUserAccount",
        guards=[may_read],
        **read_docs("Read a user account", etag=True),
    )
    async def get_one(
        self,
        request: Request,
        account_id: FromPath[UUID],
        credledger: Service,
        as_of: AsOf = None,
        known_at: KnownAt = None,
    ) -> Response[UserAccountDetails]:
        """The account's current record (without personal data: role, status, POSC functions, checklist,
        reviews), or with ``as_of`` the account as it stood on that business day (``known_at``: as known then)."""
        moment = as_of_arguments(as_of, known_at)
        if moment is not None:
            then = await call(credledger.as_of, request.user.actor, UserAccount, account_id, *moment)
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
    async def get_pii(
        self, request: Request, account_id: FromPath[UUID], purpose: Purpose, credledger: Service
    ) -> UserAccountPii:
        """The user's date of birth, to firm admins and specialists only; the read and its purpose are recorded
        in the compliance history (a refused attempt too)."""
        return await call(credledger.get_user_account_pii, request.user.actor, account_id, purpose)
