"""The participation view's rows, and the one computation every handler ends with: a participation's timeline in
business time, folded again from everything it depends on (handlers.py keeps those inputs)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID, uuid5

import msgspec

from projections.engine.rows import Row

# Participation ids are derived, so a rebuild, the live view and another recording order give the same ones.
_PARTICIPATIONS = UUID("9e4f2b71-3c5d-4a8e-b6f0-7d1c2e3a4b5c")
MASSHEALTH = "MassHealth"
PARTICIPATING = "participating"
# What each step of a clinician's enrollment or plan credentialing makes of its participation before it participates.
_PENDING = frozenset({"applying", "submitted", "deficient", "returned", "denied", "withdrawn"})


class ClinicianRow(Row, kw_only=True):
    """A clinician: its name and NPI, and where it renders (its links' ends end its participations there)."""

    table: ClassVar[str] = "participation_clinicians"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "practitioner_id")
    practitioner_id: UUID
    name: str
    npi: str
    # [{"organization_id", "service_location", "since", "until", "position"}]
    links: list[dict[str, Any]] = msgspec.field(default_factory=list)


class PracticeRow(Row, kw_only=True):
    """A client practice's acts that end its clinicians' participations through it: its MassHealth enrollment
    ended, a plan's contract with it ended."""

    table: ClassVar[str] = "participation_practices"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id")
    ends: list[dict[str, Any]] = msgspec.field(default_factory=list)  # [{"payer", "on", "position", "reason"}]


class ApplicationRow(Row, kw_only=True):
    """An application, and for a clinician's own, each step of it: {"on", "position", "state", ...}."""

    table: ClassVar[str] = "participation_applications"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "application_id")
    application_id: UUID
    practitioner_id: UUID | None = None  # None: the practice's own, which no participation follows
    kind: str
    payer: str
    opened_on: date
    open_deficiencies: int = 0
    steps: list[dict[str, Any]] = msgspec.field(default_factory=list)


class ParticipationRow(Row, kw_only=True):
    """A clinician with a payer through a practice, and its timeline: each state from the business day it held."""

    table: ClassVar[str] = "participations"
    key: ClassVar[tuple[str, ...]] = ("tenant_id", "organization_id", "participation_id")
    participation_id: UUID
    practitioner_id: UUID
    practitioner_name: str
    npi: str
    payer: str
    payer_kind: str  # masshealth, aco, mco or pcc
    timeline: list[dict[str, Any]] = msgspec.field(default_factory=list)


def participation_id(tenant_id: str, practitioner_id: UUID, organization_id: UUID, payer: str) -> UUID:
    return uuid5(_PARTICIPATIONS, f"{tenant_id}:{practitioner_id}:{organization_id}:{payer}")


def payer_kind(application_kind: str) -> str:
    return application_kind.split("_")[0] if application_kind.endswith("_affiliation") else "masshealth"


def timeline(
    applications: list[ApplicationRow], ends: list[dict[str, Any]], links: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The participation's states in business time, from its applications' steps, the practice's ends for this
    payer and the clinician's links to the practice, taken in business-day order (store order within a day)."""
    acts: list[tuple[str, int, dict[str, Any]]] = []
    for application in applications:
        revalidation = application.kind == "revalidation"
        for step in application.steps:
            acts.append((step["on"], step["position"], {**step, "revalidation": revalidation}))
    for end in ends:
        acts.append((end["on"], end["position"], {"state": "ended", "reason": end["reason"]}))
    acts += _presence(links)
    periods: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    present: bool | None = None  # renders at the practice (None: never linked there)
    for on, _, act in sorted(acts, key=lambda a: (a[0], a[1])):
        if act["state"] in ("joined", "left"):
            present = act["state"] == "joined"
        changed = _next(current, act, on, present is False)
        if changed is None:
            continue
        if periods and periods[-1]["from"] == on:
            periods.pop()  # several acts on one day: the day's last stands
        elif periods:
            periods[-1]["until"] = on
        periods.append({**changed, "from": on, "until": None})
        current = changed
    return periods


def _next(current: dict[str, Any] | None, act: dict[str, Any], on: str, gone: bool) -> dict[str, Any] | None:
    """The participation after one act (None: unchanged); ``gone``: the clinician no longer renders there."""
    participating = current is not None and current["state"] == PARTICIPATING
    state = act["state"]
    if act.get("revalidation"):
        # MassHealth's revalidation: approved, it goes on participating (or is recorded as participating, where
        # nothing before it was recorded); denied, MassHealth terminates it.
        if state == "approved" and (participating or current is None):
            return _left({**(current or _participating(act, on)), "revalidated_on": on}, on, gone)
        if state == "denied" and participating and current is not None:
            return {**current, "state": "terminated", "end_on": on, "end_reason": "revalidation_denied"}
        return None
    if state in ("ended", "left"):
        if not participating:
            return None
        assert current is not None
        reason = act.get("reason", "left_practice")
        return {**current, "state": "ended", "end_on": on, "end_reason": reason}
    if state == "approved":
        return _left(_participating(act, on), on, gone)  # approved after the clinician left: over at once
    if participating or state not in _PENDING:
        return None  # a second application while participating (or a return), changes nothing until decided
    decided = on if state in ("denied", "withdrawn") else None
    return {**_participating(act, on), "state": state, "effective_on": None, "decided_on": decided}


def _left(participation: dict[str, Any], on: str, gone: bool) -> dict[str, Any]:
    return {**participation, "state": "ended", "end_on": on, "end_reason": "left_practice"} if gone else participation


def _participating(act: dict[str, Any], on: str) -> dict[str, Any]:
    return {
        "state": PARTICIPATING,
        "application_id": act["application_id"],
        "payer_id": act.get("payer_id"),
        "effective_on": act.get("effective_on") or on,
        "decided_on": on,
        "end_on": None,
        "end_reason": None,
        "revalidated_on": None,
    }


def _presence(links: list[dict[str, Any]]) -> list[tuple[str, int, dict[str, Any]]]:
    """The days the clinician began rendering at the practice (its first open link there) and stopped (its last
    open link ended). Within a day, links begin before links end: they hold from ``since`` to ``until``, so moving
    from one location to another on a day leaves no gap."""
    changes = sorted(
        [(link["since"], 0, link["position"], 1) for link in links]
        + [(link["until"], 1, link["until_position"], -1) for link in links if link["until"] is not None]
    )
    open_links, acts = 0, []
    for on, _, position, step in changes:
        open_links += step
        if open_links == 1 and step > 0:
            acts.append((on, position, {"state": "joined"}))
        elif open_links == 0 and step < 0:
            acts.append((on, position, {"state": "left"}))
    return acts
