"""Exclusion screening against the OIG LEIE, SAM and the state's list, per source, with the list's version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import RuleViolation


class ExclusionSource(StrEnum):
    OIG_LEIE = "oig_leie"
    SAM = "sam"
    STATE = "state"  # MassHealth's own suspended or excluded provider list


class ScreeningResult(StrEnum):
    NO_MATCH = "no_match"
    SUSPECTED_MATCH = "suspected_match"  # needs review
    CONFIRMED_MATCH = "confirmed_match"
    CLEARED = "cleared"  # a suspected match reviewed and found not to be this provider


@dataclass(frozen=True)
class Screening:
    source: ExclusionSource
    result: ScreeningResult
    list_version: str
    list_date: date
    screened_on: date


def check_not_excluded(
    screenings: Mapping[ExclusionSource, Screening], act: str, *, suspected_too: bool = False
) -> None:
    """No federal health care program pays an excluded provider (42 CFR 1001.1901), and MassHealth must screen for
    it (42 CFR 455.436): while a list's confirmed match stands, the organization's applications are not submitted or
    approved and its plan affiliations not activated. With ``suspected_too``, an unreviewed suspected match also
    stops the act (an application's exclusion screening is not passed while one waits)."""
    for screening in screenings.values():
        found = f"{screening.source} list of {screening.list_date} (screened {screening.screened_on})"
        if screening.result is ScreeningResult.CONFIRMED_MATCH:
            raise RuleViolation(
                "provider-excluded",
                f"{act.capitalize()} refused: the organization is a confirmed match on the {found}. Clear it, with "
                "the reason, if the match was wrong or the exclusion was lifted.",
            )
        if suspected_too and screening.result is ScreeningResult.SUSPECTED_MATCH:
            raise RuleViolation(
                "exclusion-review-pending",
                f"{act.capitalize()} refused: a suspected match on the {found} awaits review.",
            )
