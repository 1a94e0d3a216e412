"""Affiliations with the plans behind MassHealth: ACO-A (with its partner MCO), ACO-B, MCOs and the PCC Plan."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from domain.errors import RuleViolation
from domain.text import clean_text


class PlanKind(StrEnum):
    ACO_A = "aco_a"  # Accountable Care Partnership Plan, run with an MCO
    ACO_B = "aco_b"  # Primary Care ACO, contracts directly with MassHealth
    MCO = "mco"
    PCC = "pcc"  # Primary Care Clinician Plan, managed through POSC


class AffiliationState(StrEnum):
    REQUESTED = "requested"
    IN_CREDENTIALING = "in_credentialing"
    CONTRACTED = "contracted"
    ACTIVE = "active"
    DENIED = "denied"
    TERMINATED = "terminated"
    WITHDRAWN = "withdrawn"  # the practice withdrew its credentialing application before the plan answered


# Which states each act may start from.
TRANSITIONS: dict[AffiliationState, frozenset[AffiliationState]] = {
    AffiliationState.IN_CREDENTIALING: frozenset({AffiliationState.REQUESTED}),
    AffiliationState.CONTRACTED: frozenset({AffiliationState.IN_CREDENTIALING}),
    AffiliationState.ACTIVE: frozenset({AffiliationState.CONTRACTED}),
    AffiliationState.DENIED: frozenset({AffiliationState.REQUESTED, AffiliationState.IN_CREDENTIALING}),
    AffiliationState.TERMINATED: frozenset({AffiliationState.CONTRACTED, AffiliationState.ACTIVE}),
    AffiliationState.WITHDRAWN: frozenset({AffiliationState.REQUESTED, AffiliationState.IN_CREDENTIALING}),
}
CLOSED = frozenset({AffiliationState.DENIED, AffiliationState.TERMINATED, AffiliationState.WITHDRAWN})
# The seeds: MCOs and ACO networks may not execute in-network contracts until the
# organization is approved by MassHealth (has its provider number).
NEEDS_ENROLLMENT = frozenset({AffiliationState.CONTRACTED, AffiliationState.ACTIVE})


@dataclass(frozen=True)
class Affiliation:
    plan: str  # the plan's name, e.g. "WellSense Health Plan"; the key within an organization
    kind: PlanKind
    partner_mco: str | None
    state: AffiliationState
    dates: dict[str, date] = field(default_factory=dict)  # state -> the date it was reached

    def moved(self, to: AffiliationState, on: date) -> Affiliation:
        return replace(self, state=to, dates={**self.dates, to.value: on})


def check_plan(kind: PlanKind, plan: str, partner_mco: str | None) -> None:
    if plan is not None:
        clean_text(plan, field="plan")
    if partner_mco is not None:
        clean_text(partner_mco, field="partner_mco")
    if not plan or not plan.strip():
        raise RuleViolation("invalid-plan", "A plan needs its name.")
    if kind is PlanKind.ACO_A and not partner_mco:
        raise RuleViolation("aco-a-needs-partner-mco", "An ACO-A partnership plan is run with an MCO: name it.")
    if kind is not PlanKind.ACO_A and partner_mco:
        raise RuleViolation("partner-mco-only-for-aco-a", "Only ACO-A plans have a partner MCO.")


def check_transition(current: Affiliation, to: AffiliationState, on: date, enrolled: bool) -> None:
    if current.state not in TRANSITIONS[to]:
        raise RuleViolation(
            "affiliation-transition", f"The {current.plan} affiliation is {current.state}; it cannot become {to}."
        )
    if to in NEEDS_ENROLLMENT and not enrolled:
        raise RuleViolation(
            "affiliation-needs-enrollment",
            "Plans may not contract before MassHealth approves the organization (no provider number yet).",
        )
    last = max(current.dates.values())
    if on < last:
        raise RuleViolation("affiliation-date-order", f"{on} is before the affiliation's last change on {last}.")
