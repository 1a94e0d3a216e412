"""Exclusion screening against the OIG LEIE, SAM and the state's list, per source, with the list's version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


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
