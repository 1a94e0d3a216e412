"""A POSC user account's value types: its role and status, the POSC functions access is granted for, the registration
checklist's steps and an access review's outcomes (MassHealth's POSC pages and Primary User Policy)."""

from __future__ import annotations

from enum import StrEnum


class AccountRole(StrEnum):
    PRIMARY = "primary"  # the account administrator named on POSC-DC-PE / POSC-DC-PM
    SUBORDINATE = "subordinate"
    BUSINESS_PARTNER = "business_partner"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class PoscFunction(StrEnum):
    """The POSC functions access is granted for (MassHealth Primary User Policy)."""

    ELIGIBILITY_VERIFICATION = "eligibility_verification"
    CLAIMS_DIRECT_DATA_ENTRY = "claims_direct_data_entry"
    CLAIMS_BATCH = "claims_batch"
    CLAIM_STATUS_REMITTANCE = "claim_status_remittance"
    PRIOR_AUTHORIZATION = "prior_authorization"
    LETTERS_REPORTS = "letters_reports"
    PROVIDER_DATA_MAINTENANCE = "provider_data_maintenance"


class ChecklistStep(StrEnum):
    """The POSC registration checklist, in order."""

    REGISTERED_WITH_PIN = "registered_with_pin"  # primary users only: needs the PIN letter
    NEW_USER_EMAIL_RECEIVED = "new_user_email_received"
    PASSWORD_CHANGED = "password_changed"  # Virtual Gateway password
    AUTHENTICATION_QUESTIONS_ANSWERED = "authentication_questions_answered"


class ReviewOutcome(StrEnum):
    CONFIRMED = "confirmed"
    REVOKED = "revoked"
