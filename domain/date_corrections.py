"""Correcting the business day of a fact already recorded: a new event that says so, with a reason.

A fact entered late is not an edit of the past, and neither is a wrong date: the fact stays as it was recorded,
and an ``EffectiveDateCorrected`` event (domain/base.py) names it (its version), the day it was given, the day it
took effect and why. Everything that reads a record's business days reads the corrected ones: the record itself
(its state is folded again), "as of" a day, the views, a replay.

The correction keeps the one ordering rule of domain/business_time.py: among the facts of a record that share a
part (one changes what the other changes or reads), recording order and business order agree. So a corrected day
may not come before a fact recorded before it on a shared part, nor after one recorded after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.business_time import ANY, check_effective_day, describe, effective_day, fact_keys, is_correction
from domain.errors import RuleViolation


def _shares(a: Any, b: Any) -> bool:
    """Whether two facts of one record share a part: one changes what the other changes or reads."""
    a_changes, a_reads = fact_keys(type(a), a), fact_keys(type(a), a, "reads")
    b_changes, b_reads = fact_keys(type(b), b), fact_keys(type(b), b, "reads")
    if ANY in a_changes or ANY in b_changes:
        return True
    return bool(a_changes & (b_changes | b_reads) or a_reads & b_changes)


def check_correction(history: Sequence[Any], version: int, on: date) -> Any:
    """The fact at ``version`` of a record whose facts are ``history``, if its day may be corrected to ``on``;
    otherwise a RuleViolation naming both days."""
    target = next((e for e in history if e.originator_version == version), None)
    if target is None:
        raise RuleViolation("no-such-fact", f"This record has no version {version}.")
    target_class: type = type(target)
    fact = describe(target_class)
    if is_correction(target) or getattr(target_class, "effective_field", None) is None:
        raise RuleViolation(
            "fact-not-dated",
            f"Version {version} ({fact}) has no business day of its own: it took effect when recorded.",
        )
    was = effective_day(target)
    if on == was:
        raise RuleViolation("effective-date-unchanged", f"{fact.capitalize()} (version {version}) is already on {on}.")
    check_effective_day(on, fact)
    for other in history:
        if other is target or is_correction(other) or not _shares(target, other):
            continue
        other_class: type = type(other)
        day, name = effective_day(other), describe(other_class)
        if other.originator_version < version and on < day:
            raise RuleViolation(
                "effective-date-before-dependency",
                f"{fact.capitalize()} corrected to {on} cannot come before {name} on {day}, recorded before it on "
                "this record.",
            )
        if other.originator_version > version and on > day:
            raise RuleViolation(
                "effective-date-after-dependent",
                f"{fact.capitalize()} corrected to {on} cannot come after {name} on {day}, recorded after it on "
                "this record.",
            )
    return target


# --- across records (checked by the use case, which loads them) ----------------------------------------------


def check_registration_before(on: date, opened_on: date, record: str) -> None:
    """An organization's registration corrected to ``on`` may not pass the opening of one of its records."""
    if opened_on < on:
        raise RuleViolation(
            "effective-date-after-dependent",
            f"Organization registered corrected to {on} cannot come after {record} opened on {opened_on}.",
        )


def check_not_after(on: date, fact: str, dependent: tuple[date, str]) -> None:
    """A fact corrected to ``on`` may not pass a fact of another record that rests on it (``dependent``: its day and
    what it is)."""
    if on > dependent[0]:
        raise RuleViolation(
            "effective-date-after-dependent",
            f"{fact.capitalize()} corrected to {on} cannot come after {dependent[1]} on {dependent[0]}.",
        )


def check_same_granter(on: date, recorded: UUID | None, granter_then: UUID | None) -> None:
    """A grant moved to ``on`` must have been made by the primary user of that day, as it was recorded."""
    if recorded != granter_then:
        raise RuleViolation(
            "correction-changes-granter",
            f"On {on} the organization's primary user was not the one who granted this access: record the grant by "
            "the primary user of that day instead.",
        )
