"""The organization's side of the affiliation-status view: provider number, risk level, plan
affiliations, rendering providers, and the sole-enrollment risk the seeds warn about."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from domain.affiliation import AffiliationState
from domain.organization import Organization

# Plans that bring a practice into network for most MassHealth members. Enrolled
# with none of them active is the "ACO sole enrollment fallacy" of the seeds.
NETWORK_PLANS = ("aco_a", "aco_b", "mco")

_TYPES = {
    "legal_name": "text",
    "risk_level": "text",
    "provider_number": "text",
    "rendering_npis": "text[]",
    "affiliations": "jsonb",
    "nppes_mismatches": "jsonb",
}

_MOVES = {
    Organization.AffiliationCredentialingStarted: AffiliationState.IN_CREDENTIALING,
    Organization.AffiliationContracted: AffiliationState.CONTRACTED,
    Organization.AffiliationActivated: AffiliationState.ACTIVE,
    Organization.AffiliationDenied: AffiliationState.DENIED,
    Organization.AffiliationTerminated: AffiliationState.TERMINATED,
}


async def apply_organization_event(con: asyncpg.Connection, event: Any) -> None:
    """Every organization event after its registration: update what it changes, and count it."""
    changes: dict[str, Any] = {}
    match event:
        case Organization.ProfileCorrected():
            changes = {k: v for k, v in (("legal_name", event.legal_name), ("risk_level", event.risk_level)) if v}
        case Organization.NppesComparisonChanged():
            found = [{"field": m.field, "detail": m.detail} for m in event.mismatches]
            changes = {"nppes_mismatches": msgspec.json.encode(found).decode()}
        case Organization.ProviderNumberIssued():
            changes = {"provider_number": event.provider_number}
        case Organization.RenderingProviderLinked() | Organization.RenderingProviderUnlinked():
            npis = await _column(con, event, "rendering_npis")
            npis = (
                sorted(set(npis) | {event.npi})
                if isinstance(event, Organization.RenderingProviderLinked)
                else [n for n in npis if n != event.npi]
            )
            changes = {"rendering_npis": npis}
        case Organization.AffiliationRequested():
            affiliations = msgspec.json.decode(await _column(con, event, "affiliations"))
            affiliations[event.plan] = {
                "kind": str(event.kind),
                "partner_mco": event.partner_mco,
                "state": "requested",
                "dates": {"requested": event.on.isoformat()},
            }
            changes = {"affiliations": msgspec.json.encode(affiliations).decode()}
        case _ if type(event) in _MOVES:
            affiliations = msgspec.json.decode(await _column(con, event, "affiliations"))
            state = _MOVES[type(event)].value
            affiliation = affiliations[event.plan]
            affiliation["state"] = state
            affiliation["dates"][state] = event.on.isoformat()
            changes = {"affiliations": msgspec.json.encode(affiliations).decode()}
    # Column names come from the code above, never from event data.
    assignments = "".join(f"{column} = ${i}::{_TYPES[column]}, " for i, column in enumerate(changes, start=3))
    await con.execute(
        f"UPDATE affiliation_status SET {assignments}"
        "updated_at = GREATEST(updated_at, $2), events_applied = events_applied + 1 WHERE organization_id = $1",
        event.originator_id,
        event.timestamp,
        *[str(v) if column in ("risk_level", "legal_name") else v for column, v in changes.items()],
    )
    await con.execute(
        "UPDATE affiliation_status SET sole_enrollment_risk = (provider_number IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM jsonb_each(affiliations) AS a(plan, value) "
        "WHERE a.value->>'state' = 'active' AND a.value->>'kind' = ANY($2))) WHERE organization_id = $1",
        event.originator_id,
        list(NETWORK_PLANS),
    )


async def _column(con: asyncpg.Connection, event: Any, column: str) -> Any:
    return await con.fetchval(
        f"SELECT {column} FROM affiliation_status WHERE organization_id = $1", event.originator_id
    )
