"""Request bodies for the HTTP scenarios: a client practice's registration (as in the README's walk-through)
and the commands that usually follow it."""

from __future__ import annotations

from typing import Any

NPI = "1234567893"  # a valid check digit

RISK_LEVELS = ("limited", "moderate", "high")


def organization(n: int) -> dict[str, Any]:
    return {
        "legal_name": f"Bench Family Health {n}",
        "tin": "04-3219876",
        "tin_kind": "ein",
        "npi": NPI,
        "entity_kind": "group",
        "taxonomies": [{"code": "193200000X", "primary": True}, {"code": "207Q00000X", "primary": False}],
        "taxonomy_version": "25.1",
        "practice_address": {"line1": "100 North St", "city": "Pittsfield", "state": "MA", "postal_code": "01201"},
        "provider_type": "physician group",
        "risk_level": RISK_LEVELS[n % 3],
    }


def nppes_snapshot() -> dict[str, Any]:
    """An NPPES API (v2.1) record matching ``organization()`` exactly."""
    return {
        "retrieved_on": "2026-04-01",
        "record": {
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
    }


def open_application(organization_id: str) -> dict[str, Any]:
    return {"organization_id": organization_id, "kind": "posc_registration", "channel": "fax"}


def primary_user(organization_id: str, n: int) -> dict[str, Any]:
    return {"organization_id": organization_id, "person_name": f"Dana Reyes {n}", "role": "primary"}


def submit() -> dict[str, Any]:
    return {"submitted_on": "2026-04-17", "override_reason": "benchmark: submitted as recorded"}
