"""Request bodies for the HTTP scenarios, as the typed commands the API decodes them into (encoded by
bench/rawhttp.py): a client practice's registration (as in the README's walk-through) and the commands that
usually follow it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.app.application_commands import OpenApplication, SubmitApplication
from services.app.commands import AddressIn, TaxonomyIn
from services.app.organization_commands import RecordNppesSnapshot, RegisterOrganization
from services.app.user_account_commands import OpenUserAccount

NPI = "1234567893"  # a valid check digit

RISK_LEVELS = ("limited", "moderate", "high")
TAXONOMIES = [TaxonomyIn(code="193200000X", primary=True), TaxonomyIn(code="207Q00000X", primary=False)]
ADDRESS = AddressIn(line1="100 North St", city="Pittsfield", state="MA", postal_code="01201")


def organization(n: int) -> RegisterOrganization:
    return RegisterOrganization(
        legal_name=f"Bench Family Health {n}",
        tin="04-3219876",
        tin_kind="ein",
        npi=NPI,
        entity_kind="group",
        taxonomies=TAXONOMIES,
        taxonomy_version="25.1",
        practice_address=ADDRESS,
        provider_type="physician group",
        risk_level=RISK_LEVELS[n % 3],
    )


def nppes_snapshot() -> RecordNppesSnapshot:
    """An NPPES API (v2.1) record matching ``organization()`` exactly."""
    return RecordNppesSnapshot(
        retrieved_on=date(2026, 4, 1),
        record={
            "number": NPI,
            "enumeration_type": "NPI-2",
            "basic": {"organization_name": "BERKSHIRE FAMILY HEALTH", "status": "A", "last_updated": "2026-01-05"},
            "addresses": [
                {
                    "address_purpose": "LOCATION",
                    "address_1": "100 NORTH ST",
                    "city": "PITTSFIELD",
                    "state": "MA",
                    "postal_code": "012015555",
                    "country_code": "US",
                }
            ],
            "taxonomies": [{"code": "193200000X", "primary": True}, {"code": "207Q00000X", "primary": False}],
        },
    )


def open_application(organization_id: str) -> OpenApplication:
    return OpenApplication(organization_id=UUID(organization_id), kind="posc_registration", channel="fax")


def primary_user(organization_id: str, n: int) -> OpenUserAccount:
    return OpenUserAccount(organization_id=UUID(organization_id), person_name=f"Dana Reyes {n}", role="primary")


def submit() -> SubmitApplication:
    return SubmitApplication(submitted_on=date(2026, 4, 17), override_reason="benchmark: submitted as recorded")
