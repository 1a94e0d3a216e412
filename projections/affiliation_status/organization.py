"""The organization's side of the affiliation-status view: provider number, risk level, plan
affiliations, rendering providers, and the sole-enrollment risk the seeds warn about."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar, TypeAlias
from uuid import UUID

import msgspec

from domain.affiliation import AffiliationState
from domain.organization import Organization
from domain.organization_values import DisenrollmentCause
from projections.engine.rows import Row, ViewRows

# Plans that bring a practice into network for most MassHealth members. Enrolled
# with none of them active is the "ACO sole enrollment fallacy" of the seeds.
NETWORK_PLANS = ("aco_a", "aco_b", "mco")

# The events that move an affiliation on (to the state _MOVES names), after its request.
AffiliationMoved: TypeAlias = (
    Organization.AffiliationCredentialingStarted
    | Organization.AffiliationContracted
    | Organization.AffiliationActivated
    | Organization.AffiliationDenied
    | Organization.AffiliationTerminated
    | Organization.AffiliationWithdrawn
)
_MOVES: dict[type[AffiliationMoved], AffiliationState] = {
    Organization.AffiliationCredentialingStarted: AffiliationState.IN_CREDENTIALING,
    Organization.AffiliationContracted: AffiliationState.CONTRACTED,
    Organization.AffiliationActivated: AffiliationState.ACTIVE,
    Organization.AffiliationDenied: AffiliationState.DENIED,
    Organization.AffiliationTerminated: AffiliationState.TERMINATED,
    Organization.AffiliationWithdrawn: AffiliationState.WITHDRAWN,
}


class StatusRow(Row, kw_only=True):
    """One organization's row of the view (schema.sql)."""

    table: ClassVar[str] = "affiliation_status"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id")
    legal_name: str
    npi: str
    entity_kind: str
    risk_level: str | None = None
    posc_registration: str = "not_started"
    posc_registration_application_id: UUID | None = None
    posc_registration_position: int = 0
    enrollment: str = "not_started"
    enrollment_application_id: UUID | None = None
    enrollment_position: int = 0
    provider_number: str | None = None
    affiliations: dict[str, Any] = msgspec.field(default_factory=dict)  # plan -> {kind, partner_mco, state, dates}
    locations: dict[str, Any] = msgspec.field(default_factory=dict)  # B-Z -> {enrollment, application_id, position}
    rendering_npis: list[str] = msgspec.field(default_factory=list)
    sole_enrollment_risk: bool = False
    nppes_mismatches: list[dict[str, Any]] = msgspec.field(default_factory=list)  # [{field, detail}]
    registered_on: date
    updated_at: datetime
    events_applied: int = 1


ENDED = frozenset({"terminated", "disenrolled"})  # enrollment states in which the provider is not enrolled
# A location's states its application's later events do not move (only a newer application does): it closed, or the
# practice's enrollment ended; and those a disenrollment leaves as they are.
STICKY = ENDED | {"closed"}
QUIET = STICKY | {"not_started"}


def sole_enrollment_risk(status: StatusRow) -> bool:
    """Enrolled (a provider number, not terminated) with no network plan's affiliation active."""
    enrolled = status.provider_number is not None and status.enrollment not in ENDED
    return enrolled and not any(
        affiliation.get("state") == "active" and affiliation.get("kind") in NETWORK_PLANS
        for affiliation in status.affiliations.values()
    )


def _corrected(status: StatusRow, event: Organization.ProfileCorrected) -> dict[str, Any]:
    return {k: str(v) for k, v in (("legal_name", event.legal_name), ("risk_level", event.risk_level)) if v}


def _compared(status: StatusRow, event: Organization.NppesComparisonChanged) -> dict[str, Any]:
    return {"nppes_mismatches": [{"field": m.field, "detail": m.detail} for m in event.mismatches]}


def _numbered(status: StatusRow, event: Organization.ProviderNumberIssued) -> dict[str, Any]:
    """A number issued after the enrollment ended enrolls the organization again (its application, if it had one,
    said approved already)."""
    again = {"enrollment": "approved"} if status.enrollment in ENDED else {}
    return {"provider_number": event.provider_number, **again}


def _renumbered(status: StatusRow, event: Organization.ProviderNumberChanged) -> dict[str, Any]:
    return {"provider_number": event.provider_number}


def _disenrolled(status: StatusRow, event: Organization.Disenrolled) -> dict[str, Any]:
    """The enrollment ended: terminated by MassHealth (as a denied revalidation) or disenrolled at the provider's
    request, every location's with it; a new enrollment application drives the column again."""
    ended = "terminated" if event.cause is DisenrollmentCause.TERMINATED else "disenrolled"
    # A location's pending application ends with it too: MassHealth enrolls a location only under a current number.
    return {"enrollment": ended, "locations": _locations(status, lambda state: None if state in QUIET else ended)}


def _location_added(status: StatusRow, event: Organization.ServiceLocationAdded) -> dict[str, Any]:
    # Its application's opening may have arrived first (another aggregate's event, redelivered): keep what it set.
    return {"locations": {event.code: {"enrollment": "not_started"}, **status.locations}}


def _location_closed(status: StatusRow, event: Organization.ServiceLocationClosed) -> dict[str, Any]:
    return {"locations": _locations(status, lambda state: "closed", event.code)}


def _locations(status: StatusRow, new_state: Callable[[str], str | None], only: str | None = None) -> dict[str, Any]:
    """The locations with the enrollment state ``new_state`` gives each (None: unchanged)."""
    locations = dict(status.locations)
    for code, location in status.locations.items():
        state = new_state(location.get("enrollment", "not_started"))
        if state is not None and only in (None, code):
            locations[code] = {**location, "enrollment": state}
    return locations


def _linked(status: StatusRow, event: Organization.RenderingProviderLinked) -> dict[str, Any]:
    return {"rendering_npis": sorted(set(status.rendering_npis) | {event.npi})}


def _unlinked(status: StatusRow, event: Organization.RenderingProviderUnlinked) -> dict[str, Any]:
    return {"rendering_npis": [n for n in status.rendering_npis if n != event.npi]}


def _requested(status: StatusRow, event: Organization.AffiliationRequested) -> dict[str, Any]:
    requested = {
        "kind": str(event.kind),
        "partner_mco": event.partner_mco,
        "state": "requested",
        "dates": {"requested": event.on.isoformat()},
    }
    return {"affiliations": {**status.affiliations, event.plan: requested}}


def _moved(status: StatusRow, event: AffiliationMoved) -> dict[str, Any]:
    state = _MOVES[type(event)].value
    moved = dict(status.affiliations[event.plan])
    moved["state"] = state
    moved["dates"] = {**moved["dates"], state: event.on.isoformat()}
    return {"affiliations": {**status.affiliations, event.plan: moved}}


# What each organization event changes in its row, by its class; the others are only counted.
_CHANGES: dict[type, Callable[[StatusRow, Any], dict[str, Any]]] = {
    Organization.ProfileCorrected: _corrected,
    Organization.NppesComparisonChanged: _compared,
    Organization.ProviderNumberIssued: _numbered,
    Organization.ProviderNumberChanged: _renumbered,
    Organization.Disenrolled: _disenrolled,
    Organization.ServiceLocationAdded: _location_added,
    Organization.ServiceLocationClosed: _location_closed,
    Organization.RenderingProviderLinked: _linked,
    Organization.RenderingProviderUnlinked: _unlinked,
    Organization.AffiliationRequested: _requested,
    **dict.fromkeys(_MOVES, _moved),
}
# What the sole-enrollment risk is derived from. It is derived again when one of them changes, and only
# then: every write of them derives it, so otherwise it is what deriving it again would give.
RISK_INPUTS = frozenset({"provider_number", "affiliations", "enrollment"})


async def apply_organization_event(rows: ViewRows, event: Organization.Event) -> None:
    """Every organization event after its registration: update what it changes, and count it."""
    status = await rows.get(StatusRow, event.originator_id)
    if status is None:
        return  # the registration comes first (same aggregate): nothing stored to change
    change = _CHANGES.get(type(event))
    changes = change(status, event) if change is not None else {}
    rows.update(
        status,
        **changes,
        updated_at=max(status.updated_at, event.timestamp),
        events_applied=status.events_applied + 1,
    )
    if not RISK_INPUTS.isdisjoint(changes):
        rows.update(status, sole_enrollment_risk=sole_enrollment_risk(status))
