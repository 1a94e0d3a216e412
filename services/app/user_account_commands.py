"""The commands on POSC user accounts, as typed values: the API's request bodies and the use cases' arguments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar
from uuid import UUID

from domain.user_account import AccountRole, ChecklistStep, PoscFunction, ReviewOutcome
from services.app.commands import EXAMPLE_ID, Command, Day, doc, effective_day, record_id, today


class OpenUserAccount(Command, frozen=True, kw_only=True):
    """A POSC user of the practice: its primary user (account administrator), a subordinate, or a business
    partner such as a billing agency."""

    example: ClassVar[dict[str, Any]] = {
        "organization_id": EXAMPLE_ID,
        "person_name": "Dana Reyes",
        "role": "subordinate",
        "opened_on": "2026-04-21",
    }

    organization_id: Annotated[
        UUID, record_id("The practice the account belongs to (an id from registerOrganization).")
    ]
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
    opened_on: Annotated[date, effective_day("The day the POSC account was created (YYYY-MM-DD).", "2026-04-21")] = (
        today()
    )


class ReplacePrimaryUser(Command, frozen=True, kw_only=True):
    """A new primary user (POSC account administrator) after an approved POSC-DC-PM."""

    person_name: Annotated[str, doc("The new primary user's full name.", "Dana Reyes")]
    modification_id: Annotated[
        UUID, record_id("The id of the approved primary_user_modification application (form POSC-DC-PM).")
    ]
    date_of_birth: Annotated[
        date | None, doc("The new primary user's date of birth, for POSC registration; stored sealed.", "1980-02-29")
    ] = None
    on: Annotated[date, effective_day("The day the new primary user took over in POSC (YYYY-MM-DD).", "2026-06-01")] = (
        today()
    )


class CompleteChecklistStep(Command, frozen=True, kw_only=True):
    """A step of MassHealth's POSC registration checklist, done."""

    step: Annotated[
        ChecklistStep,
        doc(
            "registered_with_pin (primary users: needs the PIN letter), new_user_email_received, password_changed "
            "(the Virtual Gateway password) or authentication_questions_answered.",
            "new_user_email_received",
        ),
    ]
    on: Day = today()


class ChangeAccess(Command, frozen=True, kw_only=True):
    """A POSC function the user is given, or loses."""

    function: Annotated[
        PoscFunction,
        doc(
            "A POSC function: eligibility_verification, claims_direct_data_entry, claims_batch, "
            "claim_status_remittance, prior_authorization, letters_reports or provider_data_maintenance.",
            "eligibility_verification",
        ),
    ]
    on: Annotated[
        date, effective_day("The day the access was given or withdrawn in POSC (YYYY-MM-DD).", "2026-04-28")
    ] = today()


class ReviewAccess(Command, frozen=True, kw_only=True):
    """A periodic review of the user's access (the firm's access-review interval; 90 days by default)."""

    outcome: Annotated[ReviewOutcome, doc("confirmed (access still needed) or revoked.", "confirmed")]
    on: Day = today()
    reviewer: Annotated[str, doc("Who reviewed the access.", "Pat Kim, compliance officer")]


class OnDate(Command, frozen=True, kw_only=True):
    """The day it happened."""

    on: Day = today()


class RecordLogin(Command, frozen=True, kw_only=True):
    """A login of the account's person to POSC, as POSC's user report shows it (its last login, read at a review)."""

    on: Annotated[date, effective_day("The day of the login (YYYY-MM-DD).", "2026-04-28")] = today()


class RecordDateOfBirth(Command, frozen=True, kw_only=True):
    """The person's date of birth, which creating a POSC ID needs (the primary user registers with it: registration
    checklist, step 3). Stored sealed; read back only through GET .../pii."""

    date_of_birth: Annotated[date, doc("The date of birth (YYYY-MM-DD).", "1980-02-29")]
