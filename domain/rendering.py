"""A clinician rendering at a group's service location: the rule spans the Practitioner and the Organization.

The group links its rendering clinicians' Type 1 NPIs to its Type 2 NPI (DESIGN); the link goes through the
practitioner's record, at one service location (PID/SL) open that day, and the group's list of rendering NPIs
follows in business time: the NPI is listed from the clinician's earliest link there (a link recorded late, dated
before the group's listing, moves the listing's day back by a correction) and unlisted on the day its last link
there ends.
"""

from __future__ import annotations

from datetime import date

from domain.base import check_text
from domain.errors import RuleViolation
from domain.organization import Organization
from domain.practitioner import Practitioner


def link_rendering(
    practitioner: Practitioner,
    group: Organization,
    *,
    service_location: str,
    on: date,
    actor: str,
    reason: str | None = None,
) -> None:
    """The group's rules first (a Type 2 group, the location open that day, the NPI not its own), then the
    clinician's: a refusal leaves both records as they were."""
    service_location = check_text(service_location, field="service_location", max_length=1)
    group.check_location_open(service_location, on)  # service-location-unknown, service-location-not-open
    practitioner.check_may_link(group.id, service_location)  # rendering-already-linked
    at = {"linked_organization_id": group.id, "service_location": service_location}
    practitioner.check_fact_day(Practitioner.LinkedToOrganization, **at, on=on)  # not before its registration
    listed = practitioner.npi in group.rendering_providers
    if not listed:
        # rendering-link-needs-group, rendering-link-self; a date before the group's own facts on the NPI
        group.link_rendering_provider(npi=practitioner.npi, name=practitioner.name, on=on, actor=actor, reason=reason)
    practitioner.link(organization_id=group.id, service_location=service_location, on=on, actor=actor, reason=reason)
    listing = _listing(group, practitioner.npi)
    if listed and listing is not None and on < listing.on and practitioner.active_links(group.id):
        # Listed from a later link of the clinician's: the listing took effect with this earlier one.
        group.correct_effective_date(
            version=listing.originator_version,
            on=on,
            actor=actor,
            reason=f"The clinician renders at location {service_location} from {on}",
        )


def end_rendering(
    practitioner: Practitioner,
    group: Organization,
    *,
    service_location: str,
    on: date,
    actor: str,
    reason: str | None = None,
) -> None:
    """With the clinician's last link there, the group unlists the NPI on the latest day any of them ended."""
    service_location = check_text(service_location, field="service_location", max_length=1)
    practitioner.end_link(
        organization_id=group.id, service_location=service_location, on=on, actor=actor, reason=reason
    )
    here = [link for link in practitioner.links if link.organization_id == group.id]
    if any(link.until is None for link in here) or practitioner.npi not in group.rendering_providers:
        return
    last = max(link.until for link in here if link.until is not None)
    group.unlink_rendering_provider(npi=practitioner.npi, on=last, actor=actor, reason=reason)


def _listing(group: Organization, npi: str) -> Organization.RenderingProviderLinked | None:
    """The group's latest listing of the NPI, as recorded (its business day possibly corrected since)."""
    found = [e for e in group.history if isinstance(e, Organization.RenderingProviderLinked) and e.npi == npi]
    return found[-1] if found else None


def check_link_correction(fact: object) -> None:
    """A link's day is also the group's listing of the NPI (or its unlisting): corrected alone, the two records would
    disagree, so it is refused; end the link and link again."""
    if isinstance(fact, (Practitioner.LinkedToOrganization, Practitioner.LinkEnded)):
        raise RuleViolation(
            "correction-of-a-rendering-link",
            "A rendering link's day is the group's too: end the link and record it again with its day.",
        )
